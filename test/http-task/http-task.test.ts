/**
 * HttpTask: what it creates (the connection, the role's statements scoped to the method and the API
 * root, the retry and the timeout), what it refuses, and its runs on the local engine against a real
 * HTTP server the test starts.
 */
import * as http from 'http';
import { AddressInfo } from 'net';
import { App, Duration, SecretValue, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { HttpAuthorization, HttpBodyEncoding, HttpErrors, HttpMethod, HttpTask, HttpTaskProps, Workflow } from '../../src';
import { HarnessError, runWorkflow } from '../../src/testing';
import { snapshotOf } from '../support/snapshot';

const KEY = () => HttpAuthorization.apiKey('x-api-key', SecretValue.secretsManager('payments/api-key'));
const ROOT = 'https://api.payments.example.com';

function stackWith(props: Partial<HttpTaskProps> = {}, id = 'Charge') {
  const stack = new Stack(new App(), 'Payments');
  const task = new HttpTask(stack, id, { apiRoot: ROOT, path: 'v1/charges', method: HttpMethod.POST, authorization: KEY(), ...props });
  return { stack, task };
}

function aslOf(stack: Stack): any {
  const machine = Object.values<any>(Template.fromStack(stack).findResources('AWS::StepFunctions::StateMachine'))[0];
  const parts = machine.Properties.DefinitionString['Fn::Join'][1];
  return JSON.parse(parts.map((p: unknown) => (typeof p === 'string' ? p : 'X')).join(''));
}

describe('HttpTask: what it creates', () => {
  test('a connection whose API key is a Secrets Manager reference, never plain text in the template', () => {
    const { stack, task } = stackWith();
    new sfn.StateMachine(stack, 'M', { definitionBody: sfn.DefinitionBody.fromChainable(task) });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Events::Connection', 1);
    const connection = Object.values<any>(template.findResources('AWS::Events::Connection'))[0];
    expect(connection.Properties.AuthorizationType).toBe('API_KEY');
    expect(connection.Properties.AuthParameters.ApiKeyAuthParameters.ApiKeyName).toBe('x-api-key');
    expect(JSON.stringify(connection.Properties.AuthParameters.ApiKeyAuthParameters.ApiKeyValue)).toContain('{{resolve:secretsmanager:payments/api-key');
  });

  test('the role may call this method on URLs under the root only, read this connection and its secret, nothing else', () => {
    const { stack, task } = stackWith();
    new sfn.StateMachine(stack, 'M', { definitionBody: sfn.DefinitionBody.fromChainable(task) });
    const policy = Object.values<any>(Template.fromStack(stack).findResources('AWS::IAM::Policy'))[0];
    const statements = policy.Properties.PolicyDocument.Statement;
    expect(statements).toHaveLength(3);
    const invoke = statements.find((s: any) => s.Action === 'states:InvokeHTTPEndpoint');
    expect(invoke.Condition).toEqual({
      StringEquals: { 'states:HTTPMethod': 'POST' },
      // The root itself and what is under it: not https://api.payments.example.com.evil.example
      StringLike: { 'states:HTTPEndpoint': [ROOT, `${ROOT}/*`] },
    });
    expect(statements.find((s: any) => s.Action === 'events:RetrieveConnectionCredentials').Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/Connection/), 'Arn'] });
    expect(statements.find((s: any) => Array.isArray(s.Action) && s.Action.includes('secretsmanager:GetSecretValue'))).toEqual(expect.objectContaining({
      Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/Connection/), 'SecretArn'] },
    }));
  });

  test('the ASL: the endpoint under the root, a 60-second timeout, retries of the transient answers with backoff and full jitter', () => {
    const { stack, task } = stackWith({ body: sfn.TaskInput.fromJsonPathAt('$.charge') });
    new sfn.StateMachine(stack, 'M', { definitionBody: sfn.DefinitionBody.fromChainable(task) });
    const state = aslOf(stack).States.Charge;
    expect(state.Resource).toBe('arn:X:states:::http:invoke');
    expect(state.Parameters).toMatchObject({ 'ApiEndpoint.$': `States.Format('{}/{}', '${ROOT}', 'v1/charges')`, 'Method': 'POST', 'RequestBody.$': '$.charge' });
    expect(state.TimeoutSeconds).toBe(60);
    expect(state.Retry).toEqual([{
      ErrorEquals: ['States.Http.StatusCode.429', 'States.Http.StatusCode.500', 'States.Http.StatusCode.502', 'States.Http.StatusCode.503', 'States.Http.StatusCode.504', 'States.Http.Socket'],
      IntervalSeconds: 2,
      MaxAttempts: 3,
      BackoffRate: 2,
      MaxDelaySeconds: 30,
      JitterStrategy: 'FULL',
    }]);
  });

  test('tasks given the same authorization share one connection; a connection of yours is used as it is', () => {
    const stack = new Stack(new App(), 'Payments');
    const auth = KEY();
    const charge = new HttpTask(stack, 'Charge', { apiRoot: ROOT, path: 'v1/charges', method: HttpMethod.POST, authorization: auth });
    const refund = new HttpTask(stack, 'Refund', { apiRoot: ROOT, path: 'v1/refunds', method: HttpMethod.POST, authorization: auth });
    const mine = new events.Connection(stack, 'Mine', { authorization: events.Authorization.basic('svc', SecretValue.secretsManager('crm/password')) });
    const crm = new HttpTask(stack, 'Look up', { apiRoot: 'https://crm.example.com', authorization: HttpAuthorization.fromConnection(mine) });
    new sfn.StateMachine(stack, 'M', { definitionBody: sfn.DefinitionBody.fromChainable(charge.next(refund).next(crm)) });
    Template.fromStack(stack).resourceCountIs('AWS::Events::Connection', 2);
    expect(charge.connection).toBe(refund.connection);
    expect(crm.connection).toBe(mine);
  });

  test('the retry can be changed; form bodies are URL-encoded with the array format asked', () => {
    const { stack, task } = stackWith({
      retry: { maxAttempts: 5, interval: Duration.seconds(1) },
      bodyEncoding: HttpBodyEncoding.URL_ENCODED_BRACKETS,
      body: sfn.TaskInput.fromObject({ a: [1, 2] }),
    });
    new sfn.StateMachine(stack, 'M', { definitionBody: sfn.DefinitionBody.fromChainable(task) });
    const state = aslOf(stack).States.Charge;
    expect(state.Retry[0]).toMatchObject({ MaxAttempts: 5, IntervalSeconds: 1 });
    expect(state.Parameters.Transform).toEqual({ RequestBodyEncoding: 'URL_ENCODED', RequestEncodingOptions: { ArrayFormat: 'BRACKETS' } });
    expect(state.Parameters.Headers['Content-Type']).toBe('application/x-www-form-urlencoded');
  });
});

describe('HttpTask: snapshot', () => {
  test('the checkout example\'s workflow, connection and role', () => {
    const stack = new Stack(new App(), 'Snap');
    const task = new HttpTask(stack, 'Charge card', {
      apiRoot: ROOT,
      path: 'v1/charges',
      method: HttpMethod.POST,
      authorization: KEY(),
      headers: sfn.TaskInput.fromObject({ 'Idempotency-Key.$': '$$.Execution.Name' }),
      body: sfn.TaskInput.fromJsonPathAt('$.charge'),
    });
    new Workflow(stack, 'Checkout', { definition: task });
    expect(snapshotOf(stack)).toMatchSnapshot();
  });
});

describe('HttpTask: bad input', () => {
  test.each([
    ['fails when the API root is not https', { apiRoot: 'http://api.example.com' }, /HttpTask 'Charge': apiRoot must be an https:\/\/ URL, such as 'https:\/\/api.example.com' \(got "http:\/\/api.example.com"\)/],
    ['fails when the API root carries a query', { apiRoot: 'https://api.example.com?k=1' }, /apiRoot must not have a query or a fragment .*give them as queryParameters/],
    ['fails when the method is not one Step Functions calls with', { method: 'FETCH' as any }, /HttpTask 'Charge': method must be one of HttpMethod.GET, .* \(got string "FETCH"\); write method: HttpMethod.GET/],
    ['fails when a header is one Step Functions refuses', { headers: sfn.TaskInput.fromObject({ Authorization: 'Bearer x' }) }, /the header 'Authorization' is one Step Functions sets itself or refuses .*give the credential as the authorization/],
    ['fails when the timeout is longer than the 60 seconds Step Functions allows', { taskTimeout: sfn.Timeout.duration(Duration.minutes(5)) }, /the timeout must be from 1 to 60 seconds, the longest an HTTP request may take in Step Functions \(got 300 seconds\)/],
    ['fails when asked to wait for a task token', { integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN }, /integrationPattern must be left out .*request-response only/],
    ['fails when the authorization is left out', { authorization: undefined }, /HttpTask 'Charge': authorization is required \(got undefined\); give HttpAuthorization.apiKey/],
    ['fails when the authorization is not an HttpAuthorization', { authorization: { headerName: 'x' } as any }, /authorization must be a HttpAuthorization \(got an object\); write authorization: HttpAuthorization.apiKey/],
  ])('%s', (_name, props, message) => {
    expect(() => stackWith(props as Partial<HttpTaskProps>)).toThrow(message);
  });

  test('fails when a secret reaches the connection in plain text another way (a body parameter, a connection of yours)', () => {
    const stack = new Stack(new App(), 'Leaky');
    const oauth = HttpAuthorization.oauthClientCredentials({
      authorizationEndpoint: 'https://auth.example.com/token',
      clientId: 'c',
      clientSecret: SecretValue.secretsManager('s'),
      bodyParameters: { client_assertion: events.HttpParameter.fromSecret(SecretValue.unsafePlainText('LEAKED')) },
    });
    new sfn.StateMachine(stack, 'M', { definitionBody: sfn.DefinitionBody.fromChainable(new HttpTask(stack, 'Call', { apiRoot: ROOT, authorization: oauth })) });
    expect(() => Template.fromStack(stack)).toThrow(/HttpTask 'Call': an OAuth body parameter 'client_assertion' of its connection '.*' is plain text/);
    const other = new Stack(new App(), 'Mine');
    const mine = new events.Connection(other, 'Mine', { authorization: events.Authorization.apiKey('k', SecretValue.unsafePlainText('LEAKED')) });
    new sfn.StateMachine(other, 'M', {
      definitionBody: sfn.DefinitionBody.fromChainable(new HttpTask(other, 'Call', { apiRoot: ROOT, authorization: HttpAuthorization.fromConnection(mine) })),
    });
    expect(() => Template.fromStack(other)).toThrow(/HttpTask 'Call': the API key of its connection 'Mine\/Mine' is plain text/);
  });

  test('fails when the path leaves the API root (. or .. segments), or a JSONPath reference is given to a JSONata task', () => {
    expect(() => stackWith({ path: 'v1/../admin' })).toThrow(/path must not have '.' or '..' segments \(got "v1\/..\/admin"\)/);
    expect(() => stackWith({ path: sfn.JsonPath.stringAt('$.id'), queryLanguage: sfn.QueryLanguage.JSONATA })).toThrow(/path is a JSONPath reference/);
  });

  test('one HttpAuthorization serves a new app in each test (a connection per stack object)', () => {
    const auth = KEY();
    for (let i = 0; i < 2; i++) {
      const stack = new Stack(new App(), 'Payments');
      new sfn.StateMachine(stack, 'M', { definitionBody: sfn.DefinitionBody.fromChainable(new HttpTask(stack, 'Charge', { apiRoot: ROOT, authorization: auth })) });
      expect(() => Template.fromStack(stack)).not.toThrow();
      Template.fromStack(stack).resourceCountIs('AWS::Events::Connection', 1);
    }
  });

  test('fails when a credential is plain text: it would be in the template', () => {
    expect(() => HttpAuthorization.apiKey('x-api-key', SecretValue.unsafePlainText('sk_live_123'))).toThrow(
      "HttpAuthorization.apiKey: value is plain text (SecretValue.unsafePlainText), which would put the credential in the template; store it in Secrets Manager and write SecretValue.secretsManager('<secret name>')");
    expect(() => HttpAuthorization.basic('svc', SecretValue.unsafePlainText('pw'))).toThrow(/HttpAuthorization.basic: password is plain text/);
    expect(() => HttpAuthorization.apiKey('x-api-key', 'sk_live_123' as any)).toThrow(/value must be a SecretValue \(got string\)/);
  });

  test('fails when the OAuth token endpoint is not https, or a header name is not one', () => {
    expect(() => HttpAuthorization.oauthClientCredentials({ authorizationEndpoint: 'http://auth.example.com/token', clientId: 'c', clientSecret: SecretValue.secretsManager('s') }))
      .toThrow(/authorizationEndpoint must be an https:\/\/ URL/);
    expect(() => HttpAuthorization.apiKey('x api key', SecretValue.secretsManager('s'))).toThrow(/headerName must be an HTTP header name/);
  });

  test('HttpErrors.statusCode names the error of a status, and refuses a status a task does not fail with', () => {
    expect(HttpErrors.statusCode(404)).toBe('States.Http.StatusCode.404');
    expect(() => HttpErrors.statusCode(200)).toThrow('HttpErrors.statusCode: code must be a whole number from 400 to 599, the status codes a task fails with (got 200)');
  });
});

/** A stand-in for the payments API: answers from a script, records what it received. */
function standIn(script: Array<{ status: number; body?: unknown; type?: string }>) {
  const received: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: string }> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', c => { body += c; });
    req.on('end', () => {
      received.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const answer = script[Math.min(received.length - 1, script.length - 1)];
      res.writeHead(answer.status, { 'content-type': answer.type ?? 'application/json' });
      res.end(answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
    });
  });
  return {
    received,
    start: () => new Promise<string>(resolve => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`))),
    stop: () => new Promise<void>(resolve => server.close(() => resolve())),
  };
}

function paymentsWorkflow(language: 'JSONPath' | 'JSONata') {
  const stack = new Stack(new App(), 'Payments');
  const jsonata = language === 'JSONata';
  const charge = new HttpTask(stack, 'Charge', {
    apiRoot: ROOT,
    path: 'v1/charges',
    method: HttpMethod.POST,
    authorization: KEY(),
    queryParameters: sfn.TaskInput.fromObject({ currency: 'usd' }),
    headers: sfn.TaskInput.fromObject({ 'Idempotency-Key': jsonata ? '{% $states.context.Execution.Name %}' : sfn.JsonPath.stringAt('$$.Execution.Name') }),
    body: jsonata ? sfn.TaskInput.fromText('{% $states.input.charge %}') : sfn.TaskInput.fromJsonPathAt('$.charge'),
    ...(jsonata
      ? { queryLanguage: sfn.QueryLanguage.JSONATA, outputs: { status: '{% $states.result.StatusCode %}', id: '{% $states.result.ResponseBody.id %}' } }
      : { resultSelector: { 'status.$': '$.StatusCode', 'id.$': '$.ResponseBody.id' } }),
  });
  const declined = jsonata ? sfn.Pass.jsonata(stack, 'Declined') : new sfn.Pass(stack, 'Declined');
  charge.addCatch(declined, { errors: [HttpErrors.statusCode(402), HttpErrors.statusCode(404)] });
  const workflow = new Workflow(stack, 'Pay', { definition: charge, ...(jsonata ? { queryLanguage: sfn.QueryLanguage.JSONATA } : {}) });
  return workflow;
}

describe.each(['JSONPath', 'JSONata'] as const)('HttpTask on the local engine, against a real HTTP server (%s)', language => {
  let api: ReturnType<typeof standIn>;
  afterEach(() => api?.stop());

  test('success: the request carries the path, the query, the body, the idempotency key and the connection\'s API key', async () => {
    api = standIn([{ status: 201, body: { id: 'ch_1' } }]);
    const local = await api.start();
    const run = await runWorkflow(paymentsWorkflow(language), { input: { charge: { amount: 42 } }, httpEndpoints: { [ROOT]: local } });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toEqual({ status: 201, id: 'ch_1' });
    expect(api.received).toHaveLength(1);
    const [request] = api.received;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/v1/charges?currency=usd');
    expect(JSON.parse(request.body)).toEqual({ amount: 42 });
    expect(request.headers['x-api-key']).toBe('test-credential');
    // The execution's name (a local run's is 'local-execution'): a retry sends the same key.
    expect(request.headers['idempotency-key']).toBe('local-execution');
    expect(request.headers['user-agent']).toBe('Amazon|StepFunctions|HttpInvoke|us-east-1');
  });

  test('429, then success: retried after the backoff, in virtual time', async () => {
    api = standIn([{ status: 429, body: { error: 'slow down' } }, { status: 200, body: { id: 'ch_2' } }]);
    const run = await runWorkflow(paymentsWorkflow(language), { input: { charge: { amount: 1 } }, httpEndpoints: { [ROOT]: await api.start() } });
    expect(run.status).toBe('SUCCEEDED');
    expect(api.received).toHaveLength(2);
    expect(run.retries).toEqual([expect.objectContaining({ state: 'Charge', error: 'States.Http.StatusCode.429' })]);
  });

  test('503 until the retries run out: the task fails with States.Http.StatusCode.503 after 1 + 3 attempts', async () => {
    api = standIn([{ status: 503, body: { error: 'down' } }]);
    const run = await runWorkflow(paymentsWorkflow(language), { input: { charge: { amount: 1 } }, httpEndpoints: { [ROOT]: await api.start() } });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('States.Http.StatusCode.503');
    expect(run.cause).toBe('Service Unavailable');
    expect(api.received).toHaveLength(4);
  });

  test('404 is not retried, and caught by its Catch', async () => {
    api = standIn([{ status: 404, body: { error: 'no such customer' } }]);
    const run = await runWorkflow(paymentsWorkflow(language), { input: { charge: { amount: 1 } }, httpEndpoints: { [ROOT]: await api.start() } });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.path).toEqual(['Charge', 'Declined']);
    expect(api.received).toHaveLength(1);
  });
});

describe('HttpTask on the local engine: Basic authorization and a form body', () => {
  test('the connection\'s Basic credentials (the test credential as the password) and a form with repeated keys', async () => {
    const api = standIn([{ status: 200, body: 'ok', type: 'text/plain' }]);
    const local = await api.start();
    try {
      const stack = new Stack(new App(), 'Crm');
      const update = new HttpTask(stack, 'Update contact', {
        apiRoot: 'https://crm.example.com',
        path: 'contacts',
        method: HttpMethod.PUT,
        authorization: HttpAuthorization.basic('svc', SecretValue.secretsManager('crm/password')),
        bodyEncoding: HttpBodyEncoding.URL_ENCODED_REPEAT,
        body: sfn.TaskInput.fromObject({ 'tag': ['a', 'b'], 'name.$': '$.name' }),
      });
      const run = await runWorkflow(new Workflow(stack, 'Contacts', { definition: update }), {
        input: { name: 'Ada' }, httpEndpoints: { 'https://crm.example.com': local },
      });
      expect(run.status).toBe('SUCCEEDED');
      // A text answer comes back as text.
      expect(run.output).toMatchObject({ StatusCode: 200, StatusText: 'OK', ResponseBody: 'ok', Headers: { 'content-type': ['text/plain'] } });
      const [request] = api.received;
      expect(request.method).toBe('PUT');
      expect(request.headers.authorization).toBe(`Basic ${Buffer.from('svc:test-credential').toString('base64')}`);
      expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(request.body).toBe('tag=a&tag=b&name=Ada');
    } finally {
      await api.stop();
    }
  });
});

describe('HttpTask on the local engine: what a local run refuses', () => {
  test('fails when the URL is not mapped to a local address: a local run never calls the internet', async () => {
    await expect(runWorkflow(paymentsWorkflow('JSONPath'), { input: { charge: {} } })).rejects.toThrow(
      "HTTP task 'Charge' calls POST https://api.payments.example.com/v1/charges, which this run does not map to a local address; a local run never calls the internet. "
      + "Start a stand-in for the API and give httpEndpoints: { 'https://api.payments.example.com': 'http://127.0.0.1:<port>' } "
      + '(the command: --http https://api.payments.example.com=http://127.0.0.1:<port>), or mock the task');
  });

  test('fails when a URL is mapped to an address that is not on this machine', async () => {
    await expect(runWorkflow(paymentsWorkflow('JSONPath'), { httpEndpoints: { [ROOT]: 'https://api.payments.example.com' } })).rejects.toThrow(HarnessError);
    await expect(runWorkflow(paymentsWorkflow('JSONPath'), { httpEndpoints: { [ROOT]: 'http://10.0.0.5:80' } })).rejects.toThrow(
      /httpEndpoints: 'https:\/\/api.payments.example.com' is mapped to http:\/\/10.0.0.5:80, which is not on this machine/);
  });

  test('a stand-in that never answers: the task\'s own shorter timeout in virtual time (States.Timeout), without a minute of waiting', async () => {
    const server = http.createServer(() => undefined);
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', () => resolve()));
    try {
      const stack = new Stack(new App(), 'Slow');
      const task = new HttpTask(stack, 'Call', { apiRoot: ROOT, authorization: KEY(), taskTimeout: sfn.Timeout.duration(Duration.seconds(3)), retry: { maxAttempts: 0 } });
      const started = Date.now();
      const run = await runWorkflow(new Workflow(stack, 'W', { definition: task }), { httpEndpoints: { [ROOT]: `http://127.0.0.1:${(server.address() as AddressInfo).port}` } });
      expect([run.status, run.error, run.durationMs]).toEqual(['FAILED', 'States.Timeout', 3000]);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  test('a connection made outside the app is used without its authorization, which the app does not know', async () => {
    const api = standIn([{ status: 200, body: { ok: true } }]);
    const local = await api.start();
    try {
      const stack = new Stack(new App(), 'Imported');
      const imported = events.Connection.fromConnectionAttributes(stack, 'Shared', {
        connectionName: 'shared', connectionArn: 'arn:aws:events:us-east-1:123456789012:connection/shared/abc', connectionSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:events!connection/shared/abc',
      });
      const task = new HttpTask(stack, 'Call', { apiRoot: ROOT, authorization: HttpAuthorization.fromConnection(imported) });
      const run = await runWorkflow(new Workflow(stack, 'W', { definition: task }), { httpEndpoints: { [ROOT]: local } });
      expect(run.status).toBe('SUCCEEDED');
      expect(api.received[0].headers.authorization).toBeUndefined();
    } finally {
      await api.stop();
    }
  });

  test('a server that is not there fails the task with States.Http.Socket, retried', async () => {
    const api = standIn([{ status: 200 }]);
    const local = await api.start();
    await api.stop();
    const run = await runWorkflow(paymentsWorkflow('JSONPath'), { input: { charge: {} }, httpEndpoints: { [ROOT]: local } });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('States.Http.Socket');
    expect(run.retries).toHaveLength(3);
  });
});
