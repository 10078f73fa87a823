import { ConditionalCheckFailedException, DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { InvalidToken, SendTaskSuccessCommand, SFNClient, TaskDoesNotExist, TaskTimedOut } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { handler, signingKey } from '../../src/approval-gate/decision.lambda';
import { KEY_TEXT, REQUEST_ID, TOKEN, claims, event, form, setEnv, signedQuery } from '../support/approval-events';

const ddb = mockClient(DynamoDBClient);
const sfn = mockClient(SFNClient);
const secrets = mockClient(SecretsManagerClient);
let logged: string[];

function pendingRecord(status = 'APPROVED', extra: Record<string, any> = {}) {
  return {
    requestId: { S: REQUEST_ID },
    status: { S: status },
    taskToken: { S: TOKEN },
    summary: { S: 'Buy 10 shares of ACME at 12.50' },
    executionArn: { S: 'arn:aws:states:us-east-1:123456789012:execution:Trades:e-1' },
    requestedAt: { S: '2026-11-28T10:00:00.000Z' },
    expiresAt: { N: '1900000000' },
    ...extra,
  };
}

function sdkCalls() {
  return {
    ddb: ddb.commandCalls(UpdateItemCommand).map(c => c.args[0].input),
    sfn: sfn.commandCalls(SendTaskSuccessCommand).map(c => c.args[0].input),
    secrets: secrets.commandCalls(GetSecretValueCommand).length,
    all: ddb.calls().length + sfn.calls().length + secrets.calls().length,
  };
}

beforeEach(() => {
  setEnv();
  ddb.reset();
  sfn.reset();
  secrets.reset();
  signingKey.clear();
  secrets.on(GetSecretValueCommand).resolves({ SecretString: KEY_TEXT });
  ddb.on(UpdateItemCommand).resolves({ Attributes: pendingRecord() });
  sfn.on(SendTaskSuccessCommand).resolves({});
  logged = [];
  for (const stream of ['log', 'error', 'warn', 'info'] as const) {
    jest.spyOn(console, stream).mockImplementation((...args: unknown[]) => { logged.push(args.map(String).join(' ')); });
  }
});

afterEach(() => {
  // Neither the task token nor a link signature may ever reach the logs.
  const text = logged.join('\n');
  expect(text).not.toContain(TOKEN);
  expect(text).not.toMatch(/[A-Za-z0-9_-]{43}/);
  jest.restoreAllMocks();
});

describe('GET: the confirmation page', () => {
  test('shows the summary and a form that posts the decision, and makes no SDK call once the key is loaded', async () => {
    await signingKey.get();
    secrets.resetHistory();
    const query = signedQuery();
    const page = await handler(event('GET', query));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Buy 10 shares of ACME at 12.50');
    expect(page.body).toContain('<form method="post" action="?');
    expect(page.body).toContain(`sig=${query.sig}`);
    expect(page.body).toContain('<input type="hidden" name="decision" value="approve">');
    expect(page.body).toContain('Nothing has been decided yet');
    expect(page.headers['Referrer-Policy']).toBe('no-referrer');
    expect(page.headers['Cache-Control']).toBe('no-store');
    expect(sdkCalls().all).toBe(0);
  });

  test('on a cold container, its only SDK call is reading the signing key', async () => {
    const page = await handler(event('GET', signedQuery(claims({ action: 'reject' }))));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Reject this request?');
    expect(sdkCalls()).toMatchObject({ ddb: [], sfn: [], secrets: 1, all: 1 });
  });

  test('escapes the recipient the link names: markup in it is shown, not run', async () => {
    const page = await handler(event('GET', signedQuery(claims({ recipient: '<img src=x onerror=alert(1)>@example.com' }))));
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('<img');
    expect(page.body).toContain('Link sent to <strong>&#60;img src=x onerror=alert(1)&#62;@example.com</strong>');
  });

  test('shows a summary with line breaks and web addresses on one line, the addresses defused (links signed before summaries were made plain)', async () => {
    const page = await handler(event('GET', signedQuery(claims({ summary: 'Buy 10\n\nApprove here: https://evil.example/x\u2028or www.evil.example' }))));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<blockquote>Buy 10 Approve here: https[:]//evil[.]example/x or www[.]evil[.]example</blockquote>');
    // Only the form's action (the link itself, posted back) still holds the summary as signed.
    expect(page.body.replace(/ action="[^"]*"/, '')).not.toContain('evil.example');
  });

  test('escapes the summary: markup in the workflow input is shown, not run', async () => {
    const page = await handler(event('GET', signedQuery(claims({ summary: '<script>alert(1)</script> & "quotes"' }))));
    expect(page.body).not.toContain('<script>');
    expect(page.body).toContain('&#60;script&#62;alert(1)&#60;/script&#62; &#38; &#34;quotes&#34;');
    expect(page.headers['Content-Security-Policy']).toContain("default-src 'none'");
  });
});

describe('POST: the decision', () => {
  test('an approval is recorded once with a conditional write, then sent to the workflow', async () => {
    const page = await handler(event('POST', signedQuery(), { body: form('approve', 'fine by me') }));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('was approved by desk@example.com');
    const calls = sdkCalls();
    expect(calls.ddb).toHaveLength(1);
    expect(calls.ddb[0]).toMatchObject({
      TableName: 'Requests',
      Key: { requestId: { S: REQUEST_ID } },
      ConditionExpression: '#status = :pending',
      ExpressionAttributeValues: expect.objectContaining({
        ':decision': { S: 'APPROVED' }, ':pending': { S: 'PENDING' }, ':approver': { S: 'desk@example.com' }, ':comment': { S: 'fine by me' },
      }),
      ReturnValues: 'ALL_NEW',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    expect(calls.sfn).toHaveLength(1);
    expect(calls.sfn[0].taskToken).toBe(TOKEN);
    expect(JSON.parse(calls.sfn[0].output!)).toEqual({
      decision: 'APPROVED', approver: 'desk@example.com', comment: 'fine by me', decidedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), requestId: REQUEST_ID,
    });
    expect(logged.some(l => l.includes('"outcome":"delivered"') && l.includes('"decision":"APPROVED"'))).toBe(true);
  });

  test('a rejection is sent the same way, with a null comment when none is given', async () => {
    ddb.on(UpdateItemCommand).resolves({ Attributes: pendingRecord('REJECTED') });
    const page = await handler(event('POST', signedQuery(claims({ action: 'reject' })), { body: form('reject'), base64: true }));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('was rejected');
    const output = JSON.parse(sdkCalls().sfn[0].output!);
    expect(output).toMatchObject({ decision: 'REJECTED', comment: null, approver: 'desk@example.com' });
  });

  test('the approver is the authenticated identity where the endpoint has an authorizer', async () => {
    await handler(event('POST', signedQuery(), { body: form('approve'), claims: { 'email': 'alice@example.com', 'cognito:username': 'alice' } }));
    expect(JSON.parse(sdkCalls().sfn[0].output!).approver).toBe('alice@example.com');
  });

  test('escapes the approver on the decided page: an identity from an authorizer with markup is shown, not run', async () => {
    const page = await handler(event('POST', signedQuery(), { body: form('approve'), claims: { email: '<script>alert(1)</script>@example.com' } }));
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('<script>');
    expect(page.body).toContain('was approved by &#60;script&#62;alert(1)&#60;/script&#62;@example.com');
  });

  test.each([
    'application/x-www-form-urlencoded; charset=utf-8',
    'Application/X-WWW-Form-Urlencoded',
    ' application/x-www-form-urlencoded ;charset=UTF-8',
  ])('the form is accepted with the content type %j (parameters and case do not matter)', async contentType => {
    const page = await handler(event('POST', signedQuery(), { body: form('approve'), contentType }));
    expect(page.statusCode).toBe(200);
    expect(sdkCalls().sfn).toHaveLength(1);
  });

  test('a second decision gets 409 and makes no Step Functions call', async () => {
    ddb.on(UpdateItemCommand).rejects(new ConditionalCheckFailedException({
      message: 'The conditional request failed',
      $metadata: {},
      Item: pendingRecord('APPROVED', { approver: { S: 'risk@example.com' }, decidedAt: { S: '2026-11-28T10:05:00.000Z' } }),
    }));
    const page = await handler(event('POST', signedQuery(claims({ action: 'reject' })), { body: form('reject') }));
    expect(page.statusCode).toBe(409);
    expect(page.body).toContain('already approved by risk@example.com at 2026-11-28T10:05:00.000Z');
    expect(sdkCalls().ddb).toHaveLength(1);
    expect(sdkCalls().sfn).toHaveLength(0);
  });

  test('an unknown request id gets 410 and makes no Step Functions call', async () => {
    ddb.on(UpdateItemCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
    const page = await handler(event('POST', signedQuery(), { body: form('approve') }));
    expect(page.statusCode).toBe(410);
    expect(page.body).toContain('no longer exists');
    expect(sdkCalls().sfn).toHaveLength(0);
  });

  test.each([
    ['TaskTimedOut', () => new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} })],
    ['InvalidToken', () => new InvalidToken({ message: 'Invalid Token', $metadata: {} })],
    ['TaskDoesNotExist', () => new TaskDoesNotExist({ message: 'Task does not exist', $metadata: {} })],
  ])('a closed task (%s) gets 410, never 500, and the record is closed', async (_name, error) => {
    sfn.on(SendTaskSuccessCommand).rejects(error());
    const page = await handler(event('POST', signedQuery(), { body: form('approve') }));
    expect(page.statusCode).toBe(410);
    expect(page.body).toContain('Your decision was not applied');
    const updates = sdkCalls().ddb;
    expect(updates).toHaveLength(2);
    expect(updates[1]).toMatchObject({
      UpdateExpression: 'SET #status = :to',
      ConditionExpression: '#status = :decision AND decidedAt = :decidedAt',
      ExpressionAttributeValues: expect.objectContaining({ ':to': { S: 'CLOSED' }, ':decision': { S: 'APPROVED' } }),
    });
  });

  test('Step Functions throttling: 503 with the request reopened, and a resubmission then succeeds (nothing lost)', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    sfn.on(SendTaskSuccessCommand).rejectsOnce(throttled).resolves({});
    const first = await handler(event('POST', signedQuery(), { body: form('approve') }));
    expect(first.statusCode).toBe(503);
    expect(first.headers['Retry-After']).toBe('30');
    expect(first.body).toContain('Nothing was decided; submit the form again');
    const reopen = sdkCalls().ddb[1];
    expect(reopen).toMatchObject({
      UpdateExpression: 'SET #status = :to REMOVE approver, #comment, decidedAt, sentTo',
      ExpressionAttributeValues: expect.objectContaining({ ':to': { S: 'PENDING' } }),
    });
    const second = await handler(event('POST', signedQuery(), { body: form('approve') }));
    expect(second.statusCode).toBe(200);
    expect(sdkCalls().sfn).toHaveLength(2);
  });

  test('DynamoDB throttling: 503 and no Step Functions call', async () => {
    ddb.on(UpdateItemCommand).rejects(Object.assign(new Error('Throughput exceeds the current capacity'), { name: 'ThrottlingException' }));
    const page = await handler(event('POST', signedQuery(), { body: form('approve') }));
    expect(page.statusCode).toBe(503);
    expect(sdkCalls().sfn).toHaveLength(0);
  });

  test('the signing key cannot be read: 503, nothing else called, and the next request reads it again', async () => {
    secrets.on(GetSecretValueCommand).rejectsOnce(Object.assign(new Error('throttled'), { name: 'ThrottlingException' })).resolves({ SecretString: KEY_TEXT });
    expect((await handler(event('GET', signedQuery()))).statusCode).toBe(503);
    expect((await handler(event('GET', signedQuery()))).statusCode).toBe(200);
    expect(sdkCalls()).toMatchObject({ ddb: [], sfn: [], secrets: 2 });
  });
});

describe('refused requests change nothing', () => {
  function expectNoDecision() {
    expect(sdkCalls().ddb).toHaveLength(0);
    expect(sdkCalls().sfn).toHaveLength(0);
  }

  test('a tampered link (summary, action or expiry changed) gets 403', async () => {
    const query = signedQuery();
    const tamperedLinks: Record<string, string>[] = [{ ...query, s: 'Buy 10000 shares' }, { ...query, a: 'reject' }, { ...query, exp: String(Number(query.exp) + 86400) }, { ...query, to: 'mallory@example.com' }];
    for (const tampered of tamperedLinks) {
      const page = await handler(event('POST', tampered, { body: form(tampered.a as 'approve') }));
      expect(page.statusCode).toBe(403);
      expect(page.body).toContain('This link is not valid');
    }
    expectNoDecision();
  });

  test('a link signed with another key gets 403', async () => {
    const page = await handler(event('GET', signedQuery(claims(), Buffer.from('another-key-another-key-another-key'))));
    expect(page.statusCode).toBe(403);
    expectNoDecision();
  });

  test('an expired link gets 403 on GET and POST', async () => {
    const query = signedQuery(claims({ expiresAt: Math.floor(Date.now() / 1000) - 1 }));
    for (const method of ['GET', 'POST']) {
      const page = await handler(event(method, query, { body: form('approve') }));
      expect(page.statusCode).toBe(403);
      expect(page.body).toContain('This link expired at');
    }
    expectNoDecision();
  });

  test.each([
    ['no query at all', null, 'missing id, a, exp, sig'],
    ['no signature', { id: REQUEST_ID, a: 'approve', exp: '1900000000' }, 'missing sig'],
    ['an unknown action', { ...signedQuery(), a: 'delete' }, 'the action must be approve or reject'],
    ['an expiry that is not a number', { ...signedQuery(), exp: 'soon' }, 'the expiry is not a number'],
    ['a request id with odd characters', { ...signedQuery(), id: '../../etc' }, 'the request id is not valid'],
  ])('a malformed link (%s) gets 400', async (_what, query, detail) => {
    const page = await handler(event('GET', query as any));
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain(detail);
    expectNoDecision();
  });

  test.each(['PUT', 'DELETE', 'PATCH'])('%s gets 405 with Allow: GET, POST and no SDK call at all', async method => {
    const page = await handler(event(method, signedQuery(), { body: form('approve') }));
    expect(page.statusCode).toBe(405);
    expect(page.headers.Allow).toBe('GET, POST');
    expect(sdkCalls().all).toBe(0);
  });

  test.each([
    ['a JSON body', JSON.stringify({ decision: 'approve' }), 'application/json', 'from the confirmation form'],
    ['a content type that only starts like a form', form('approve'), 'application/x-www-form-urlencoded-evil', 'from the confirmation form'],
    ['a content type with the form type as a parameter', form('approve'), 'text/plain; application/x-www-form-urlencoded', 'from the confirmation form'],
    ['no content type', form('approve'), '', 'from the confirmation form'],
    ['no decision field', 'comment=ok', undefined, 'must confirm the link&#39;s action (approve)'],
    ['a decision that differs from the link', form('reject'), undefined, 'must confirm the link&#39;s action (approve)'],
    ['a comment over 1000 characters', form('approve', 'x'.repeat(1001)), undefined, 'longer than 1000 characters'],
  ])('a malformed body (%s) gets 400', async (_what, body, contentType, message) => {
    const page = await handler(event('POST', signedQuery(), { body, contentType }));
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain(message);
    expectNoDecision();
  });

  test('an oversized body gets 413', async () => {
    const page = await handler(event('POST', signedQuery(), { body: form('approve', 'x'.repeat(20_000)) }));
    expect(page.statusCode).toBe(413);
    expectNoDecision();
  });
});
