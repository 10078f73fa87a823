import { Duration, Token } from 'aws-cdk-lib';
import * as cdk_events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { HttpAuthorization } from './http-authorization';
import { HttpErrors } from './http-errors';
import { isRefusedHeader } from '../private/http-headers';
import { checkHttps, plaintextCredentials } from '../private/https';
import { checkProps } from '../private/prop-types';
import { declareQueryLanguage } from '../private/query-language';
import { required, requiredProps } from '../private/required';
import { retryProps, RetryOptions } from '../private/retry';
import { checkTaskStateProps, refuseJsonPathInJsonata } from '../private/task-props';

/**
 * The methods an HTTP task can call with.
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/call-https-apis.html
 */
export enum HttpMethod {
  /** GET */
  GET = 'GET',
  /** POST */
  POST = 'POST',
  /** PUT */
  PUT = 'PUT',
  /** PATCH */
  PATCH = 'PATCH',
  /** DELETE */
  DELETE = 'DELETE',
  /** HEAD */
  HEAD = 'HEAD',
  /** OPTIONS */
  OPTIONS = 'OPTIONS',
}

/**
 * How the request body is sent.
 */
export enum HttpBodyEncoding {
  /** The body as JSON (`application/json`). */
  JSON = 'JSON',
  /** The body as a form (`application/x-www-form-urlencoded`), arrays as `a[0]=x&a[1]=y`. */
  URL_ENCODED = 'URL_ENCODED',
  /** A form, arrays as `a[]=x&a[]=y`. */
  URL_ENCODED_BRACKETS = 'URL_ENCODED_BRACKETS',
  /** A form, arrays as `a=x&a=y`. */
  URL_ENCODED_REPEAT = 'URL_ENCODED_REPEAT',
  /** A form, arrays as `a=x,y`. */
  URL_ENCODED_COMMAS = 'URL_ENCODED_COMMAS',
}

/**
 * Options for the retry of an `HttpTask`'s transient failures.
 */
export interface HttpRetryOptions {
  /**
   * How long to wait before the first retry.
   * @default Duration.seconds(2)
   */
  readonly interval?: Duration;

  /**
   * How many times to retry.
   * @default 3
   */
  readonly maxAttempts?: number;

  /**
   * The multiplier of the wait between two retries.
   * @default 2
   */
  readonly backoffRate?: number;

  /**
   * The longest wait between two retries.
   * @default Duration.seconds(30)
   */
  readonly maxDelay?: Duration;

  /**
   * The errors to retry.
   * @default HttpErrors.TRANSIENT (429, 500, 502, 503, 504 and the socket error)
   */
  readonly errors?: string[];
}

/**
 * Properties for an `HttpTask`.
 */
export interface HttpTaskProps extends sfn.TaskStateBaseProps {
  /**
   * The API's root URL, `https://` only. The state machine may call URLs under it, and no others.
   * @example 'https://api.payments.example.com'
   */
  readonly apiRoot: string;

  /**
   * The path under `apiRoot`: a literal (`'v1/charges'`), or built from the state's input
   * (`sfn.JsonPath.format('v1/orders/{}', sfn.JsonPath.stringAt('$.id'))`, or a JSONata expression).
   * @default - `apiRoot` itself
   */
  readonly path?: string;

  /**
   * The method. A fixed method, so that the state machine's role may call that method only.
   * @default HttpMethod.GET
   */
  readonly method?: HttpMethod;

  /**
   * How the task authenticates: an API key, Basic, OAuth client credentials (each kept in Secrets
   * Manager by an EventBridge connection), or a connection of yours.
   */
  readonly authorization: HttpAuthorization;

  /**
   * Request headers. `Authorization`, `Host`, `User-Agent` and the others Step Functions sets or
   * refuses cannot be given.
   * @default - none
   */
  readonly headers?: sfn.TaskInput;

  /**
   * Query string parameters.
   * @default - none
   */
  readonly queryParameters?: sfn.TaskInput;

  /**
   * The request body.
   * @default - no body
   */
  readonly body?: sfn.TaskInput;

  /**
   * How the body is sent.
   * @default HttpBodyEncoding.JSON
   */
  readonly bodyEncoding?: HttpBodyEncoding;

  /**
   * The retry of transient failures (429, 5xx that may go away, the socket error), with exponential
   * backoff and full jitter. Other 4xx answers are never retried. A retried POST is sent again: give
   * the API an idempotency key it honours (from `$$.Execution.Id`, which a retry keeps).
   * @default - 3 retries, 2 seconds then doubling, at most 30 seconds, full jitter
   */
  readonly retry?: HttpRetryOptions;
}

/** Step Functions gives an HTTP request 60 seconds. */
const MAX_TIMEOUT_SECONDS = 60;

/** What the policy statements need, while aws-cdk-lib's constructor asks for them (before this class's own fields are set). */
let pending: { apiRoot: string; method: HttpMethod; connection: cdk_events.IConnection } | undefined;

/**
 * A Task state that calls an HTTPS API (a payment provider, a CRM, a partner's service) through an
 * EventBridge connection.
 *
 * It comes with:
 * - the credential in Secrets Manager, never in the template or the history;
 * - retries of 429, the 5xx answers that may go away and socket errors, with backoff and jitter;
 *   never of other 4xx answers;
 * - a timeout of 60 seconds, the longest Step Functions allows;
 * - a role that may call this method on URLs under `apiRoot` only, read this connection's
 *   credentials and this connection's secret, and nothing else.
 *
 * It fails with `States.Http.StatusCode.<code>` for an answer that is not 2xx, and
 * `States.Http.Socket` when the request times out (`HttpErrors`). Its result is
 * `{ StatusCode, StatusText, Headers, ResponseBody }`.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/call-https-apis.html
 */
export class HttpTask extends tasks.HttpInvoke {
  /** The API root this task may call under. */
  public readonly apiRoot: string;

  /** The method. */
  public readonly method: HttpMethod;

  /** The EventBridge connection that holds the credential. */
  public readonly connection: cdk_events.IConnection;

  constructor(scope: Construct, id: string, props: HttpTaskProps) {
    const where = `HttpTask '${id}'`;
    requiredProps(props, where, ['apiRoot', 'authorization']);
    checkTaskStateProps(where, props);
    required(props.apiRoot, where, 'apiRoot', "give the API's https:// root, such as 'https://api.example.com'");
    required(props.authorization, where, 'authorization', "give HttpAuthorization.apiKey('x-api-key', SecretValue.secretsManager('<secret>')), .basic(...), .oauthClientCredentials(...) or .fromConnection(connection)");
    checkProps(where, 'HttpTaskProps', props);
    if (!(props.authorization instanceof HttpAuthorization)) {
      throw new Error(`${where}: authorization must be an HttpAuthorization (got ${typeof props.authorization}); write HttpAuthorization.apiKey('x-api-key', SecretValue.secretsManager('<secret>'))`);
    }
    const apiRoot = checkHttps(where, 'apiRoot', props.apiRoot).replace(/\/+$/, '');
    if (!Token.isUnresolved(apiRoot) && /[?#]/.test(apiRoot)) {
      throw new Error(`${where}: apiRoot must not have a query or a fragment (got ${JSON.stringify(props.apiRoot)}); give them as queryParameters`);
    }
    const method = props.method ?? HttpMethod.GET;
    if (!Object.values(HttpMethod).includes(method)) {
      throw new Error(`${where}: method must be one of HttpMethod.${Object.keys(HttpMethod).join(', HttpMethod.')} (got ${JSON.stringify(method)})`);
    }
    if (props.integrationPattern !== undefined && props.integrationPattern !== sfn.IntegrationPattern.REQUEST_RESPONSE) {
      throw new Error(`${where}: integrationPattern must be left out (got ${props.integrationPattern}); an HTTP task is request-response only`);
    }
    const timeout = props.taskTimeout
      ?? sfn.Timeout.duration(props.timeout ?? Duration.seconds(MAX_TIMEOUT_SECONDS));
    if (timeout.seconds !== undefined && (timeout.seconds < 1 || timeout.seconds > MAX_TIMEOUT_SECONDS)) {
      throw new Error(`${where}: the timeout must be from 1 to ${MAX_TIMEOUT_SECONDS} seconds, the longest an HTTP request may take in Step Functions (got ${timeout.seconds} seconds)`);
    }
    checkHeaders(where, props.headers);
    const path = props.path === undefined ? undefined : String(props.path).replace(/^\/+/, '');
    refuseJsonPathInJsonata(where, 'path', props.path, props.queryLanguage === sfn.QueryLanguage.JSONATA);
    if (path !== undefined && !Token.isUnresolved(path) && path.split(/[/?#]/).some(segment => segment === '..' || segment === '.')) {
      throw new Error(`${where}: path must not have '.' or '..' segments (got ${JSON.stringify(props.path)}): they would leave the API root the role is scoped to; `
        + 'give the path under apiRoot as it is');
    }
    if (!Token.isUnresolved(apiRoot) && props.queryLanguage === sfn.QueryLanguage.JSONATA && apiRoot.includes("'")) {
      throw new Error(`${where}: apiRoot must not hold a quote (') in a JSONata task (got ${JSON.stringify(props.apiRoot)}); URL-encode it as %27`);
    }
    const connection = props.authorization._connection(scope, id);
    const encoding = props.bodyEncoding ?? HttpBodyEncoding.JSON;
    pending = { apiRoot, method, connection };
    try {
      super(scope, id, {
        ...withoutTimeout(props),
        taskTimeout: timeout,
        apiRoot,
        apiEndpoint: sfn.TaskInput.fromText(path ?? ''),
        method: sfn.TaskInput.fromText(method),
        connection,
        headers: props.headers,
        queryStringParameters: props.queryParameters,
        body: props.body,
        urlEncodingFormat: URL_FORMATS[encoding],
      });
    } finally {
      pending = undefined;
    }
    this.apiRoot = apiRoot;
    this.method = method;
    this.connection = connection;
    // A secret may reach the connection another way than the authorization's factories (a SecretValue of a
    // body parameter, a connection of yours): whatever the template would hold in plain text is refused.
    this.node.addValidation({
      validate: () => plaintextCredentials(connection).map(what => `${where}: ${what} of its connection '${connection.node.path}' is plain text `
        + "(SecretValue.unsafePlainText), which would put the credential in the template; store it in Secrets Manager and write SecretValue.secretsManager('<secret name>')"),
    });
    this.addRetry(retryProps(`${where}: retry`, props.retry as RetryOptions | undefined, {
      errors: HttpErrors.TRANSIENT, interval: Duration.seconds(2), maxAttempts: 3, backoffRate: 2, maxDelay: Duration.seconds(30),
    }));
    if (props.queryLanguage !== undefined) {
      declareQueryLanguage(this, props.queryLanguage, () => `${where} is JSONPath, and the state machine it is in is JSONata, where every state must be JSONata; give it queryLanguage: sfn.QueryLanguage.JSONATA`);
    }
  }

  /**
   * The role's statements: `states:InvokeHTTPEndpoint` for this method on URLs under `apiRoot` only
   * (aws-cdk-lib's own allows any method, and any URL that merely starts with the root's text),
   * the connection's credentials, and the connection's secret.
   */
  protected buildTaskPolicyStatements(): iam.PolicyStatement[] {
    const own = pending!;
    return [
      new iam.PolicyStatement({ actions: ['events:RetrieveConnectionCredentials'], resources: [own.connection.connectionArn] }),
      new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], resources: [own.connection.connectionSecretArn] }),
      new iam.PolicyStatement({
        actions: ['states:InvokeHTTPEndpoint'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'states:HTTPMethod': own.method },
          StringLike: { 'states:HTTPEndpoint': [own.apiRoot, `${own.apiRoot}/*`] },
        },
      }),
    ];
  }
}

const URL_FORMATS: Record<HttpBodyEncoding, tasks.URLEncodingFormat | undefined> = {
  [HttpBodyEncoding.JSON]: undefined,
  [HttpBodyEncoding.URL_ENCODED]: tasks.URLEncodingFormat.DEFAULT,
  [HttpBodyEncoding.URL_ENCODED_BRACKETS]: tasks.URLEncodingFormat.BRACKETS,
  [HttpBodyEncoding.URL_ENCODED_REPEAT]: tasks.URLEncodingFormat.REPEAT,
  [HttpBodyEncoding.URL_ENCODED_COMMAS]: tasks.URLEncodingFormat.COMMAS,
};

/** Refuses, at synth, a literal header that Step Functions sets itself or refuses. */
function checkHeaders(where: string, headers: sfn.TaskInput | undefined): void {
  if (headers === undefined) return;
  if (!(headers instanceof sfn.TaskInput)) {
    throw new Error(`${where}: headers must be an sfn.TaskInput (got ${typeof headers}); write sfn.TaskInput.fromObject({ 'x-request-id': '...' })`);
  }
  if (headers.type !== sfn.InputType.OBJECT || typeof headers.value !== 'object' || headers.value === null) return;
  for (const name of Object.keys(headers.value)) {
    const header = name.replace(/\.\$$/, '').toLowerCase();
    if (isRefusedHeader(header) || header === 'user-agent' || header === 'range') {
      const fix = header === 'authorization' ? 'give the credential as the authorization (HttpAuthorization)' : 'leave it out';
      throw new Error(`${where}: the header '${name.replace(/\.\$$/, '')}' is one Step Functions sets itself or refuses (the task would fail with States.Runtime); ${fix}`);
    }
  }
}

/** The props without the deprecated `timeout` (aws-cdk-lib warns of it when the key is there at all). */
function withoutTimeout(props: HttpTaskProps): HttpTaskProps {
  const { timeout: _, ...rest } = props;
  return rest;
}
