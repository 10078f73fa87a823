/**
 * The headers an HTTP task may not set. Kept apart from what needs aws-cdk-lib: the command-line
 * tool's local runs check them too, and its bundle must not carry the CDK.
 */

/** Headers a request of an HTTP task cannot set: Step Functions sets them itself or refuses them (States.Runtime). */
const REFUSED_HEADERS = new Set([
  'a-im', 'accept-charset', 'accept-datetime', 'accept-encoding', 'authorization', 'cache-control', 'connection',
  'content-encoding', 'content-md5', 'date', 'expect', 'forwarded', 'from', 'host', 'http2-settings', 'if-match',
  'if-modified-since', 'if-none-match', 'if-range', 'if-unmodified-since', 'max-forwards', 'origin', 'pragma',
  'proxy-authorization', 'referer', 'server', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'via', 'warning',
]);

/**
 * Whether an HTTP task may not set this header (lower case).
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/call-https-apis.html
 */
export function isRefusedHeader(lowerCaseName: string): boolean {
  return REFUSED_HEADERS.has(lowerCaseName) || ['x-forwarded-', 'x-amz-', 'x-amzn-'].some(p => lowerCaseName.startsWith(p));
}
