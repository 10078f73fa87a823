import { Token } from 'aws-cdk-lib';

/** Refuses a URL that is not `https://host...`. */
export function checkHttps(where: string, name: string, url: unknown): string {
  if (typeof url !== 'string') {
    throw new Error(`${where}: ${name} must be a string URL such as 'https://api.example.com' (got ${typeof url})`);
  }
  if (Token.isUnresolved(url)) return url;
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || parsed.protocol !== 'https:' || !parsed.hostname) {
    throw new Error(`${where}: ${name} must be an https:// URL, such as 'https://api.example.com' (got ${JSON.stringify(url)}); `
      + 'Step Functions calls HTTPS APIs only');
  }
  if (parsed.username || parsed.password) {
    throw new Error(`${where}: ${name} must not carry credentials (got a URL with user information); give them as the authorization`);
  }
  return url;
}

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
