import { CfnResource, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

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

/**
 * The credentials an EventBridge connection holds in plain text in the template (a literal API key,
 * password, client secret, or a secret invocation parameter), by where they are.
 */
export function plaintextCredentials(connection: IConstruct): string[] {
  // aws-cdk-lib's Connection names its CfnConnection 'Connection', not 'Resource'.
  const resource = [connection, ...connection.node.children].find(c => CfnResource.isCfnResource(c) && c.cfnResourceType === 'AWS::Events::Connection');
  if (!resource) return [];
  const auth = Stack.of(resource).resolve((resource as any).authParameters);
  if (!auth || typeof auth !== 'object') return [];
  const literal = (value: unknown) => typeof value === 'string' && !value.includes('{{resolve:');
  const found: string[] = [];
  if (literal(auth.apiKeyAuthParameters?.apiKeyValue)) found.push('the API key');
  if (literal(auth.basicAuthParameters?.password)) found.push('the password');
  if (literal(auth.oAuthParameters?.clientParameters?.clientSecret)) found.push('the OAuth client secret');
  const invocation = auth.invocationHttpParameters ?? {};
  const oauth = auth.oAuthParameters?.oAuthHttpParameters ?? {};
  const lists: Array<[string, unknown]> = [
    ['an invocation header', invocation.headerParameters], ['an invocation query parameter', invocation.queryStringParameters],
    ['an invocation body parameter', invocation.bodyParameters], ['an OAuth header', oauth.headerParameters],
    ['an OAuth query parameter', oauth.queryStringParameters], ['an OAuth body parameter', oauth.bodyParameters],
  ];
  for (const [what, list] of lists) {
    for (const p of Array.isArray(list) ? list : []) if (p?.isValueSecret && literal(p.value)) found.push(`${what} '${p.key}'`);
  }
  return found;
}
