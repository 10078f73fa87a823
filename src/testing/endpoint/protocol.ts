/**
 * The wire of the Step Functions API: AWS JSON 1.0 over HTTP. A request is a POST with
 * `X-Amz-Target: AWSStepFunctions.<Operation>` and a JSON body; an answer is JSON, an error a 400 with
 * `__type` and `message`, as AWS answers and the AWS SDKs and CLI read them. Signatures are accepted
 * without being checked.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/apireference/CommonErrors.html
 */
import type { IncomingMessage, ServerResponse } from 'http';

/** The largest request AWS takes: "Maximum request size: 1 MB per request" (Step Functions service quotas). */
export const MAX_BODY_BYTES = 1024 * 1024;
export const TARGET_PREFIX = 'AWSStepFunctions.';
const ERROR_NAMESPACE = 'com.amazonaws.swf.service.v2.model';

/** An error the API answers with: its AWS code, its message and its HTTP status. */
export class ApiError extends Error {
  constructor(public readonly code: string, message: string, public readonly status = 400) {
    super(message);
    this.name = code;
  }
}

/** `ValidationException`, worded as AWS words a constraint a field failed. */
export function invalidField(field: string, value: unknown, constraint: string): ApiError {
  const shown = typeof value === 'string' ? value : JSON.stringify(value);
  return new ApiError('ValidationException', `1 validation error detected: Value '${shown}' at '${field}' failed to satisfy constraint: ${constraint}`);
}

/** A request as an operation sees it. */
export interface ApiRequest {
  readonly operation: string;
  readonly body: Record<string, unknown>;
}

/** Reads a request: its operation and its JSON body (refused past MAX_BODY_BYTES). */
export async function readRequest(req: IncomingMessage): Promise<ApiRequest> {
  if (req.method !== 'POST') throw new ApiError('UnknownOperationException', `The Step Functions API takes POST requests to '/' (got ${req.method} ${req.url})`, req.method === 'GET' ? 404 : 405);
  const target = String(req.headers['x-amz-target'] ?? '');
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) {
    req.resume();
    throw new ApiError('RequestEntityTooLargeException', `The request is ${declared} bytes; Step Functions takes at most ${MAX_BODY_BYTES} bytes per request`, 413);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) {
      req.resume();
      throw new ApiError('RequestEntityTooLargeException', `The request is over ${MAX_BODY_BYTES} bytes; Step Functions takes at most that per request`, 413);
    }
    chunks.push(chunk as Buffer);
  }
  if (!target.startsWith(TARGET_PREFIX)) {
    throw new ApiError('UnknownOperationException', target === ''
      ? 'The request has no X-Amz-Target header: send AWSStepFunctions.<Operation>, as the AWS SDKs and CLI do'
      : `Unknown operation ${target}: this is the Step Functions API (AWSStepFunctions.<Operation>)`);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  let body: unknown;
  try {
    body = text.trim() === '' ? {} : JSON.parse(text);
  } catch (e) {
    throw new ApiError('SerializationException', `The request body is not JSON: ${(e as Error).message}`);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ApiError('SerializationException', 'The request body must be a JSON object');
  return { operation: target.slice(TARGET_PREFIX.length), body: body as Record<string, unknown> };
}

/** Dates as AWS JSON 1.0 sends timestamps: seconds since the epoch, with milliseconds. */
function wire(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(wire);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = wire(v);
    return out;
  }
  return value;
}

const JSON_TYPE = 'application/x-amz-json-1.0';

/** Answers a request with its result. */
export function answer(res: ServerResponse, result: object): void {
  const text = JSON.stringify(wire(result));
  res.writeHead(200, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(text), 'x-amzn-requestid': requestId() });
  res.end(text);
}

/** Answers a request with an error, as AWS shapes it. */
export function answerError(res: ServerResponse, error: ApiError): void {
  const namespace = error.code === 'ValidationException' ? 'com.amazon.coral.validate' : ['UnknownOperationException', 'SerializationException'].includes(error.code) ? 'com.amazon.coral.service' : ERROR_NAMESPACE;
  const text = JSON.stringify({ __type: `${namespace}#${error.code}`, message: error.message });
  res.writeHead(error.status, {
    'content-type': JSON_TYPE,
    'content-length': Buffer.byteLength(text),
    'x-amzn-errortype': error.code,
    'x-amzn-requestid': requestId(),
    ...(error.status === 413 ? { connection: 'close' } : {}),
  });
  res.end(text);
}

let requests = 0;
function requestId(): string {
  requests++;
  return `00000000-0000-4000-8000-${requests.toString(16).padStart(12, '0')}`;
}
