/**
 * HTTP tasks (`arn:aws:states:::http:invoke`) run locally: the request an HTTP task would send, with
 * its connection's authorization and parameters, sent to a local address the run maps its URL to,
 * and the answer given back as Step Functions gives it. A URL the run does not map stops the run: a
 * local run never calls the internet.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/call-https-apis.html
 */
import * as http from 'http';
import * as https from 'https';
import * as net from 'net';
import { placeholderFor, CfnTemplate } from './asl';
import { HarnessError, TaskFailure, TaskHandler } from './local-execution';
import { TaskOutcome } from '../engine';
import { answerOrHung } from './task-options';
import { isRefusedHeader } from '../private/http-headers';

/** What the connection's secret fields (the API key, the password, the access token) are in a local run. */
export const TEST_CREDENTIAL = 'test-credential';

/** The HTTP task's resource, as the engine gives it to handlers. */
export const HTTP_INVOKE = 'arn:aws:states:::http:invoke';

/** Step Functions gives an HTTP request 60 seconds. */
const TIMEOUT_MS = 60_000;
const METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD']);
const UNSUPPORTED_TYPES = /^(application\/octet-stream|image\/|video\/|audio\/)/i;

interface Parameter { readonly Key: string; readonly Value: unknown }
/** An AWS::Events::Connection of the app, as its template gives it. */
interface Connection {
  readonly logicalId: string;
  readonly type: string;
  readonly auth: any;
}

/** The connections of the app's templates, by the ARN their placeholder gives. */
export function connectionsOf(templates: CfnTemplate[]): Map<string, Connection> {
  const out = new Map<string, Connection>();
  for (const template of templates) {
    for (const [logicalId, resource] of Object.entries<any>(template.Resources ?? {})) {
      if (resource?.Type !== 'AWS::Events::Connection') continue;
      const props = resource.Properties ?? {};
      out.set(placeholderFor(logicalId, 'AWS::Events::Connection', 'Arn'), { logicalId, type: props.AuthorizationType, auth: props.AuthParameters ?? {} });
    }
  }
  return out;
}

/** The address a URL is mapped to, or undefined. `endpoints` maps URL prefixes (`https://api.example.com`) to local bases. */
export function mappedUrl(url: string, endpoints: Readonly<Record<string, string>>): string | undefined {
  const prefixes = Object.keys(endpoints).map(p => p.replace(/\/+$/, '')).sort((a, b) => b.length - a.length);
  for (const prefix of prefixes) {
    if (url === prefix || url.startsWith(`${prefix}/`) || url.startsWith(`${prefix}?`)) {
      const base = (endpoints[prefix] ?? endpoints[`${prefix}/`]).replace(/\/+$/, '');
      return base + url.slice(prefix.length);
    }
  }
  return undefined;
}

/** Checks the map of `httpEndpoints`: each a URL prefix mapped to a loopback http(s) address. */
export function checkEndpoints(endpoints: unknown, option: string): Readonly<Record<string, string>> {
  if (endpoints === undefined) return {};
  if (typeof endpoints !== 'object' || endpoints === null || Array.isArray(endpoints)) {
    throw new HarnessError(`${option} must be an object mapping API URLs to local addresses, such as { 'https://api.example.com': 'http://127.0.0.1:8080' } (got ${JSON.stringify(endpoints)})`);
  }
  for (const [from, to] of Object.entries(endpoints)) {
    let target: URL;
    try {
      new URL(from);
      target = new URL(String(to));
    } catch {
      throw new HarnessError(`${option}: '${from}' → '${String(to)}' is not a URL mapped to a URL; write { 'https://api.example.com': 'http://127.0.0.1:8080' }`);
    }
    const host = target.hostname.replace(/^\[|\]$/g, '');
    if (!/^https?:$/.test(target.protocol) || !(host === 'localhost' || (net.isIPv4(host) && host.startsWith('127.')) || host === '::1')) {
      throw new HarnessError(`${option}: '${from}' is mapped to ${String(to)}, which is not on this machine; a local run sends HTTP requests only to `
        + 'http://localhost, http://127.0.0.1 or http://[::1] (start the API, or a stand-in for it, there)');
    }
  }
  return endpoints as Record<string, string>;
}

/**
 * The handler of `arn:aws:states:::http:invoke`: sends the request to the address its URL is mapped
 * to, and answers as the HTTP task does (`{ Headers, ResponseBody, StatusCode, StatusText }`, or
 * `States.Http.StatusCode.<code>`, `States.Http.Socket`, `States.Runtime`).
 */
export function httpInvokeHandler(endpoints: Readonly<Record<string, string>>, templates: CfnTemplate[]): TaskHandler {
  const connections = connectionsOf(templates);
  return async (parameters: any, call) => {
    const url = parameters?.ApiEndpoint;
    const method = parameters?.Method;
    if (typeof url !== 'string' || !/^https:\/\//.test(url)) throw new TaskFailure('States.Runtime', `The ApiEndpoint must be an https:// URL (got ${JSON.stringify(url)})`);
    if (typeof method !== 'string' || !METHODS.has(method)) throw new TaskFailure('States.Runtime', `The Method must be one of ${[...METHODS].join(', ')} (got ${JSON.stringify(method)})`);
    const target = mappedUrl(url, endpoints);
    if (target === undefined) {
      const origin = new URL(url).origin;
      throw new HarnessError(`HTTP task '${call.state}' calls ${method} ${url}, which this run does not map to a local address; a local run never calls the internet. `
        + `Start a stand-in for the API and give httpEndpoints: { '${origin}': 'http://127.0.0.1:<port>' } (the command: --http ${origin}=http://127.0.0.1:<port>), or mock the task`, call.state);
    }
    const connectionArn = parameters?.InvocationConfig?.ConnectionArn ?? parameters?.Authentication?.ConnectionArn;
    // A connection made outside the app (imported): its authorization is not known here, and none is added.
    const connection = connections.get(connectionArn) ?? { logicalId: String(connectionArn), type: 'IMPORTED', auth: {} };
    const request = buildRequest(parameters, connection);
    const controller = new AbortController();
    const sent = () => send(method, target + request.query, request.headers, request.body, controller.signal).catch((e: Error) => {
      throw new TaskFailure('States.Http.Socket', e.message);
    });
    const settled = await answerOrHung(sent);
    if (settled === 'hung') {
      // A stand-in that does not answer: in virtual time, the state's own timeout if it is shorter, else the 60 seconds of Step Functions.
      controller.abort();
      if (call.timeoutSeconds !== undefined && call.timeoutSeconds < TIMEOUT_MS / 1000) return TaskOutcome.never();
      return TaskOutcome.fail('States.Http.Socket', `The HTTP request timed out after ${TIMEOUT_MS / 1000} seconds`, { afterSeconds: TIMEOUT_MS / 1000 });
    }
    const response = settled.value;
    const contentType = String(response.headers['content-type']?.[0] ?? '');
    if (UNSUPPORTED_TYPES.test(contentType)) {
      throw new TaskFailure('States.Runtime', `The HTTP task's response has the content type ${contentType}, which Step Functions does not support`);
    }
    let body: unknown = response.body;
    if (/json/i.test(contentType) && response.body.length > 0) {
      try {
        body = JSON.parse(response.body);
      } catch {
        body = response.body;
      }
    }
    if (response.status < 200 || response.status > 299) throw new TaskFailure(`States.Http.StatusCode.${response.status}`, response.statusText);
    return { Headers: response.headers, ResponseBody: body, StatusCode: response.status, StatusText: response.statusText };
  };
}

/** The query, headers and body of the request: the task's fields merged with the connection's (the connection's win). */
function buildRequest(parameters: any, connection: Connection): { query: string; headers: Record<string, string>; body?: string } {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries<unknown>(objectOf(parameters.Headers))) {
    const lower = name.toLowerCase();
    if (isRefusedHeader(lower)) {
      throw new TaskFailure('States.Runtime', `The header '${name}' is not allowed in an HTTP task`);
    }
    headers[lower] = String(value);
  }
  const invocation = connection.auth.InvocationHttpParameters ?? {};
  const secret = (value: unknown) => (typeof value === 'string' && !value.startsWith('{{resolve:') ? value : TEST_CREDENTIAL);
  for (const p of (invocation.HeaderParameters ?? []) as Parameter[]) headers[p.Key.toLowerCase()] = secret(p.Value);
  const a = connection.auth;
  if (connection.type === 'API_KEY') headers[String(a.ApiKeyAuthParameters?.ApiKeyName).toLowerCase()] = secret(a.ApiKeyAuthParameters?.ApiKeyValue);
  if (connection.type === 'BASIC') {
    headers.authorization = `Basic ${Buffer.from(`${secret(a.BasicAuthParameters?.Username)}:${secret(a.BasicAuthParameters?.Password)}`).toString('base64')}`;
  }
  if (connection.type === 'OAUTH_CLIENT_CREDENTIALS') headers.authorization = `Bearer ${TEST_CREDENTIAL}`;
  headers['user-agent'] = 'Amazon|StepFunctions|HttpInvoke|us-east-1';
  headers.range = 'bytes=0-262144';

  const query = new URLSearchParams();
  const queryParameters: Record<string, unknown> = { ...objectOf(parameters.QueryParameters) };
  for (const p of (invocation.QueryStringParameters ?? []) as Parameter[]) queryParameters[p.Key] = secret(p.Value);
  for (const [k, v] of Object.entries(queryParameters)) {
    for (const item of Array.isArray(v) ? v : [v]) query.append(k, typeof item === 'string' ? item : JSON.stringify(item));
  }

  let body: string | undefined;
  const bodyParameters = (invocation.BodyParameters ?? []) as Parameter[];
  if (parameters.RequestBody !== undefined || bodyParameters.length > 0) {
    let value = parameters.RequestBody;
    if (bodyParameters.length > 0) {
      if (typeof value === 'string') throw new TaskFailure('States.Runtime', 'The RequestBody is a string, and the connection has body parameters to merge into it');
      value = { ...objectOf(value), ...Object.fromEntries(bodyParameters.map(p => [p.Key, secret(p.Value)])) };
    }
    if (parameters.Transform?.RequestBodyEncoding === 'URL_ENCODED') {
      body = urlEncoded(objectOf(value), parameters.Transform?.RequestEncodingOptions?.ArrayFormat ?? 'INDICES');
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
    } else {
      body = typeof value === 'string' ? value : JSON.stringify(value);
      headers['content-type'] ??= 'application/json; charset=UTF-8';
    }
  }
  const text = query.toString();
  return { query: text ? `?${text}` : '', headers, body };
}

function objectOf(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Record<string, unknown> : {};
}

/** A form body, arrays written as the ArrayFormat says. */
export function urlEncoded(value: Record<string, unknown>, format: string): string {
  const parts: string[] = [];
  const add = (k: string, v: unknown) => parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(typeof v === 'string' ? v : JSON.stringify(v))}`);
  for (const [k, v] of Object.entries(value)) {
    if (!Array.isArray(v)) add(k, v);
    else if (format === 'REPEAT') v.forEach(item => add(k, item));
    else if (format === 'BRACKETS') v.forEach(item => add(`${k}[]`, item));
    else if (format === 'COMMAS') parts.push(`${encodeURIComponent(k)}=${v.map(item => encodeURIComponent(typeof item === 'string' ? item : JSON.stringify(item))).join(',')}`);
    else v.forEach((item, i) => add(`${k}[${i}]`, item));
  }
  return parts.join('&');
}

interface Answer { status: number; statusText: string; headers: Record<string, string[]>; body: string }

function send(method: string, url: string, headers: Record<string, string>, body: string | undefined, signal: AbortSignal): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const client = target.protocol === 'https:' ? https : http;
    const withBody = body !== undefined && method !== 'GET' && method !== 'HEAD';
    const req = client.request(target, {
      method,
      headers: { ...headers, ...(withBody ? { 'content-length': String(Buffer.byteLength(body!)) } : {}) },
      timeout: TIMEOUT_MS,
      signal,
    }, res => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const out: Record<string, string[]> = {};
        for (const [name, values] of Object.entries(res.headersDistinct)) if (values) out[name.toLowerCase()] = values;
        resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', headers: out, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`The HTTP request timed out after ${TIMEOUT_MS / 1000} seconds`)));
    req.on('error', reject);
    if (withBody) req.write(body);
    req.end();
  });
}
