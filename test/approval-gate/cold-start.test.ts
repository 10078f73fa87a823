/**
 * The handlers load the AWS SDK only on the code path that calls AWS, and only the clients that path
 * needs: loading a client package takes far longer than loading the handler itself.
 */
import { KEY_TEXT, event, setEnv, signedQuery } from '../support/approval-events';

const CLIENTS = ['@aws-sdk/client-dynamodb', '@aws-sdk/client-secrets-manager', '@aws-sdk/client-sfn', '@aws-sdk/client-sns'];
const HANDLERS = ['decision', 'request', 'sweep'];

/** Makes each of the given SDK packages fail when loaded, within an isolated module registry. */
function forbid(packages: string[]): void {
  for (const name of packages) {
    jest.doMock(name, () => {
      throw new Error(`${name} was loaded`);
    });
  }
}

test.each(HANDLERS)('loading the %s handler loads no AWS SDK package', handler => {
  jest.isolateModules(() => {
    forbid(CLIENTS);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const module = require(`../../src/approval-gate/${handler}.lambda`);
    expect(typeof module.handler).toBe('function');
  });
});

test('the confirmation page (GET) loads Secrets Manager and DynamoDB (to read whether the request is decided) only: never Step Functions or SNS', async () => {
  setEnv();
  let page: { statusCode: number } | undefined;
  const sent: string[] = [];
  await new Promise<void>((resolve, reject) => {
    jest.isolateModules(() => {
      forbid(CLIENTS.filter(c => !c.endsWith('secrets-manager') && !c.endsWith('dynamodb')));
      jest.doMock('@aws-sdk/client-secrets-manager', () => ({
        SecretsManagerClient: class { public send() { return Promise.resolve({ SecretString: KEY_TEXT }); } },
        GetSecretValueCommand: class { constructor(public readonly input: unknown) {} },
      }));
      jest.doMock('@aws-sdk/client-dynamodb', () => ({
        DynamoDBClient: class { public send(command: unknown) { sent.push((command as object).constructor.name); return Promise.resolve({}); } },
        GetItemCommand: class GetItemCommand { constructor(public readonly input: unknown) {} },
      }));
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { handler } = require('../../src/approval-gate/decision.lambda');
      handler(event('GET', signedQuery())).then((p: { statusCode: number }) => { page = p; resolve(); }, reject);
    });
  });
  expect(page?.statusCode).toBe(200);
  expect(sent).toEqual(['GetItemCommand']);
});
