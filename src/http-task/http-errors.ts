import { required } from '../private/required';

/**
 * The errors an `HttpTask` fails with, named as Step Functions names them, for `addCatch` and
 * `addRetry`.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/call-https-apis.html
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
 */
export class HttpErrors {
  /** The request timed out (Step Functions gives an HTTP request 60 seconds) or the connection failed. */
  public static readonly SOCKET = 'States.Http.Socket';

  /** The API answered 429 Too Many Requests. */
  public static readonly TOO_MANY_REQUESTS = 'States.Http.StatusCode.429';

  /**
   * The transient answers an `HttpTask` retries by default: 429, and the 5xx answers that may go away
   * (500, 502, 503, 504), and the socket error. 501 Not Implemented and 505 HTTP Version Not
   * Supported do not go away, nor does any other 4xx.
   */
  public static readonly TRANSIENT = [
    'States.Http.StatusCode.429',
    'States.Http.StatusCode.500',
    'States.Http.StatusCode.502',
    'States.Http.StatusCode.503',
    'States.Http.StatusCode.504',
    'States.Http.Socket',
  ];

  /**
   * The error of an answer with this status code: `States.Http.StatusCode.404`.
   * @param code an HTTP status code from 400 to 599
   */
  public static statusCode(code: number): string {
    required(code, 'HttpErrors.statusCode', 'code', 'give the HTTP status code, such as 404');
    if (typeof code !== 'number' || !Number.isInteger(code) || code < 400 || code > 599) {
      throw new Error(`HttpErrors.statusCode: code must be a whole number from 400 to 599, the status codes a task fails with (got ${JSON.stringify(code) ?? String(code)})`);
    }
    return `States.Http.StatusCode.${code}`;
  }

  private constructor() {}
}
