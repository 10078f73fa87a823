/**
 * Stands in for `@aws-sdk/client-lambda` and `@aws-sdk/credential-providers` in the command-line
 * bundle (about 2 MB less): the local engine imports them to call real Lambda functions, which the
 * harness never lets it do, since every task gets a local handler.
 */
const OFFLINE = 'cdk-workflow-patterns runs offline: no AWS API is called';

export class LambdaClient {
  public send(): never {
    throw new Error(OFFLINE);
  }
}

export class InvokeCommand {
  constructor(public readonly input: unknown) {}
}

export function fromCognitoIdentityPool(): never {
  throw new Error(OFFLINE);
}
