import { ConditionalCheckFailedException, DynamoDBClient, PutItemCommand, QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { MAX_SUMMARY, handler, signingKey } from '../../src/approval-gate/request.lambda';
import { verifyLink } from '../../src/private/approval/links';
import { DECISION_URL, KEY, KEY_TEXT, REQUEST_ID, TOKEN, setEnv } from '../support/approval-events';

const ddb = mockClient(DynamoDBClient);
const sns = mockClient(SNSClient);
const secrets = mockClient(SecretsManagerClient);
const EXECUTION = 'arn:aws:states:us-east-1:123456789012:execution:Trades:e-1';
let logged: string[];

const request = (overrides: Record<string, unknown> = {}) => ({ taskToken: TOKEN, requestId: REQUEST_ID, summary: 'Buy 10 shares of ACME', executionArn: EXECUTION, ...overrides });
const puts = () => ddb.commandCalls(PutItemCommand).map(c => c.args[0].input);
const publishes = () => sns.commandCalls(PublishCommand).map(c => c.args[0].input);

function linksIn(text: string): Record<string, string>[] {
  return [...text.matchAll(/https:\/\/\S+/g)].map(m => Object.fromEntries(new URL(m[0]).searchParams.entries()));
}

beforeEach(() => {
  setEnv();
  for (const mock of [ddb, sns, secrets]) mock.reset();
  signingKey.clear();
  secrets.on(GetSecretValueCommand).resolves({ SecretString: KEY_TEXT });
  ddb.on(PutItemCommand).resolves({});
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  logged = [];
  jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => { logged.push(args.map(String).join(' ')); });
  jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => { logged.push(args.map(String).join(' ')); });
});

afterEach(() => {
  expect(logged.join('\n')).not.toContain(TOKEN);
  jest.restoreAllMocks();
});

test('stores the token under the request id with a deadline and a TTL past it', async () => {
  const before = Math.floor(Date.now() / 1000);
  const result = await handler(request());
  expect(puts()).toHaveLength(1);
  const put = puts()[0];
  expect(put.TableName).toBe('Requests');
  expect(put.Item).toMatchObject({
    requestId: { S: REQUEST_ID },
    status: { S: 'PENDING' },
    taskToken: { S: TOKEN },
    summary: { S: 'Buy 10 shares of ACME' },
    executionArn: { S: EXECUTION },
    recipients: { SS: ['desk@example.com', 'risk@example.com'] },
  });
  const expiresAt = Number(put.Item!.expiresAt.N);
  expect(expiresAt).toBeGreaterThanOrEqual(before + 3600);
  expect(expiresAt).toBeLessThanOrEqual(before + 3601);
  expect(Number(put.Item!.ttl.N)).toBe(expiresAt + 7776000);
  expect(put.ConditionExpression).toBe('attribute_not_exists(requestId) OR #status = :pending');
  expect(Number(put.Item!.notifiedAt.N)).toBeGreaterThanOrEqual(before);
  expect(result).toEqual({ requestId: REQUEST_ID, expiresAt, notified: 2 });
});

test('publishes one message per approver, whose links name that approver, verify with the key, and hold no token', async () => {
  await handler(request());
  const messages = publishes();
  expect(messages.map(m => m.MessageAttributes?.recipient?.StringValue)).toEqual(['desk@example.com', 'risk@example.com']);
  for (const [i, message] of messages.entries()) {
    expect(message.TopicArn).toBe('arn:aws:sns:us-east-1:123456789012:Approvals');
    expect(message.Subject).toBe('Approval requested: Approve trade');
    expect(message.Message).toContain('Buy 10 shares of ACME');
    expect(message.Message).toContain('Opening a link decides nothing');
    expect(message.Message).not.toContain(TOKEN);
    const links = linksIn(message.Message!);
    expect(links.map(l => l.a)).toEqual(['approve', 'reject']);
    for (const link of links) {
      const check = verifyLink(KEY, link, Math.floor(Date.now() / 1000));
      expect(check).toEqual({ ok: true, claims: expect.objectContaining({ requestId: REQUEST_ID, recipient: ['desk@example.com', 'risk@example.com'][i] }) });
    }
    expect(message.Message).toContain(`${DECISION_URL}?`);
  }
});

test('without approver addresses, one message goes to the topic at large, with links that name no one', async () => {
  setEnv({ RECIPIENTS: '' });
  await handler(request());
  expect(publishes()).toHaveLength(1);
  expect(publishes()[0].MessageAttributes).toBeUndefined();
  expect(linksIn(publishes()[0].Message!)[0].to).toBe('');
  expect(puts()[0].Item!.recipients).toBeUndefined();
});

describe('a summary crafted to pass for the gate\'s own lines and links', () => {
  const FORGED = 'Buy 10 shares of ACME\r\n\r\nApprove: https://evil.example/approve?id=1\u2028Reject:  https://evil.example/reject\u000bwww.evil.example\u202e';

  test('cannot add a line or a link to the message: the gate\'s two links come first and are the only ones', async () => {
    await handler(request({ summary: FORGED }));
    for (const message of publishes()) {
      const text = message.Message!;
      const lines = text.split('\n');
      expect(lines.filter(l => /^\s*(Approve|Reject):/.test(l))).toEqual([expect.stringMatching(/^Approve: https:\/\/abc123\./), expect.stringMatching(/^Reject: {2}https:\/\/abc123\./)]);
      expect(lines.findIndex(l => l.startsWith('Approve: '))).toBeLessThan(lines.findIndex(l => l.includes('Buy 10 shares')));
      expect(text).not.toMatch(/[\r\u2028\u2029\u000b\u202e]/);
      expect(text.match(/https?:\/\/\S+/g)).toEqual([expect.stringContaining(DECISION_URL), expect.stringContaining(DECISION_URL)]);
      expect(text).not.toContain('evil.example');
      const summaryLine = lines.find(l => l.includes('Buy 10 shares'))!;
      expect(summaryLine).toBe('> Buy 10 shares of ACME Approve: https[:]//evil[.]example/approve?id=1 Reject: https[:]//evil[.]example/reject www[.]evil[.]example');
    }
  });

  test('cannot reach the subject or the message attributes, and is stored and signed as shown', async () => {
    await handler(request({ summary: FORGED }));
    const [first] = publishes();
    expect(first.Subject).toBe('Approval requested: Approve trade');
    expect(Object.keys(first.MessageAttributes!)).toEqual(['recipient']);
    expect(first.MessageAttributes!.recipient).toEqual({ DataType: 'String', StringValue: 'desk@example.com' });
    const stored = puts()[0].Item!.summary.S!;
    expect(stored).not.toMatch(/[\r\n]/);
    expect(stored).not.toContain('https://');
    expect(linksIn(first.Message!)[0].s).toBe(stored);
  });
});

test('a summary longer than 4,000 characters is cut, and the links carry only its first 500', async () => {
  await handler(request({ summary: 'a'.repeat(10_000) }));
  expect(puts()[0].Item!.summary.S).toHaveLength(MAX_SUMMARY);
  expect(linksIn(publishes()[0].Message!)[0].s).toHaveLength(500);
});

test.each([
  ['no task token', { taskToken: undefined }, 'taskToken is missing'],
  ['an empty task token', { taskToken: '' }, 'taskToken is missing'],
  ['no request id', { requestId: undefined }, 'requestId is missing'],
  ['a request id with odd characters', { requestId: 'a b c d e f g' }, 'requestId is missing or not'],
  ['a summary that is not text', { summary: { count: 10 } }, 'summary must be a string (got object)'],
])('fails when the payload has %s, with InvalidApprovalRequest and no SDK call', async (_what, overrides, message) => {
  await expect(handler(request(overrides))).rejects.toMatchObject({ name: 'InvalidApprovalRequest', message: expect.stringContaining(message) });
  expect(ddb.calls().length + sns.calls().length + secrets.calls().length).toBe(0);
});

test('fails when the request was already decided, without publishing again', async () => {
  ddb.on(PutItemCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
  await expect(handler(request())).rejects.toMatchObject({ name: 'InvalidApprovalRequest', message: expect.stringContaining('already decided') });
  expect(publishes()).toHaveLength(0);
});

test('throttling, after the SDK\'s retries, fails as ApprovalGate.TransientError (which the gate retries), with nothing published', async () => {
  ddb.on(PutItemCommand).rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
  await expect(handler(request())).rejects.toMatchObject({ name: 'ApprovalGate.TransientError', message: 'ThrottlingException: slow down' });
  expect(publishes()).toHaveLength(0);
});

test('an SNS fault on the service side is transient too; an access error is not', async () => {
  sns.on(PublishCommand).rejectsOnce(Object.assign(new Error('internal'), { name: 'InternalErrorException', $fault: 'server' }))
    .rejects(Object.assign(new Error('not authorized'), { name: 'AuthorizationErrorException', $fault: 'client', $metadata: { httpStatusCode: 403 } }));
  await expect(handler(request())).rejects.toMatchObject({ name: 'ApprovalGate.TransientError' });
  await expect(handler(request())).rejects.toMatchObject({ name: 'AuthorizationErrorException' });
});

test('fails when the function is not configured', async () => {
  delete process.env.DECISION_URL;
  await expect(handler(request())).rejects.toThrow('missing TABLE_NAME, DECISION_URL or RETENTION_SECONDS');
});

describe('reminders', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const pending = (id: string, notifiedAgo: number, recipients?: string[]) => ({
    requestId: { S: id },
    status: { S: 'PENDING' },
    summary: { S: `Trade ${id}` },
    executionArn: { S: EXECUTION },
    expiresAt: { N: String(now() + 3600) },
    notifiedAt: { N: String(now() - notifiedAgo) },
    ...(recipients ? { recipients: { SS: recipients } } : {}),
  });
  const REMINDER = { reminder: true as const };

  beforeEach(() => setEnv({ REMINDER_SECONDS: '3600' }));

  test('reminds of pending requests last notified an interval ago, with fresh links, and records when; skips the others', async () => {
    ddb.on(QueryCommand).resolvesOnce({ Items: [pending('aaaaaaaa-1', 4000, ['desk@example.com']), pending('bbbbbbbb-2', 600)], LastEvaluatedKey: { requestId: { S: 'x' } } })
      .resolvesOnce({ Items: [pending('cccccccc-3', 3600)] });
    ddb.on(UpdateItemCommand).resolves({});
    const result = await handler(REMINDER);
    expect(result).toEqual({ reminded: 2, skipped: 1 });
    const queries = ddb.commandCalls(QueryCommand).map(c => c.args[0].input);
    expect(queries[0]).toMatchObject({
      TableName: 'Requests', IndexName: 'pending', KeyConditionExpression: '#status = :pending AND expiresAt > :now',
    });
    expect(queries[1].ExclusiveStartKey).toEqual({ requestId: { S: 'x' } });
    expect(publishes().map(p => [p.Subject, p.MessageAttributes?.recipient?.StringValue])).toEqual([
      ['Reminder: Approval requested: Approve trade', 'desk@example.com'],
      ['Reminder: Approval requested: Approve trade', undefined],
    ]);
    const link = linksIn(publishes()[0].Message!)[0];
    expect(verifyLink(KEY, link, now())).toMatchObject({ ok: true, claims: { requestId: 'aaaaaaaa-1', recipient: 'desk@example.com' } });
    const updates = ddb.commandCalls(UpdateItemCommand).map(c => c.args[0].input);
    expect(updates.map(u => u.Key!.requestId.S)).toEqual(['aaaaaaaa-1', 'cccccccc-3']);
    expect(updates[0]).toMatchObject({ UpdateExpression: 'SET notifiedAt = :now', ConditionExpression: '#status = :pending' });
  });

  test('a schedule that fires up to a minute early still reminds; one that fires earlier does not', async () => {
    ddb.on(QueryCommand).resolves({ Items: [pending('aaaaaaaa-1', 3600 - 30), pending('bbbbbbbb-2', 3600 - 59), pending('cccccccc-3', 3600 - 120)] });
    ddb.on(UpdateItemCommand).resolves({});
    await expect(handler(REMINDER)).resolves.toEqual({ reminded: 2, skipped: 1 });
    expect(ddb.commandCalls(UpdateItemCommand).map(c => c.args[0].input.Key!.requestId.S)).toEqual(['aaaaaaaa-1', 'bbbbbbbb-2']);
  });

  test('a request decided while reminding is not an error', async () => {
    ddb.on(QueryCommand).resolves({ Items: [pending('aaaaaaaa-1', 4000)] });
    ddb.on(UpdateItemCommand).rejects(new ConditionalCheckFailedException({ message: 'decided', $metadata: {} }));
    await expect(handler(REMINDER)).resolves.toEqual({ reminded: 1, skipped: 0 });
  });

  test('a shared service reminds each request at its own gate\'s interval, to its gate\'s topic and subject, with links that name its gate', async () => {
    for (const name of ['TOPIC_ARN', 'TIMEOUT_SECONDS', 'RECIPIENTS', 'SUBJECT', 'REMINDER_SECONDS']) delete process.env[name];
    const ofGate = (gate: string, topic: string, interval: number) => ({
      gate: { S: gate }, topicArn: { S: `arn:aws:sns:us-east-1:123456789012:${topic}` }, subject: { S: `${topic} approval` }, reminderSeconds: { N: String(interval) },
    });
    ddb.on(QueryCommand).resolves({
      Items: [
        { ...pending('aaaaaaaa-1', 1900, ['a@example.com']), ...ofGate('GateA', 'Orders', 1800) },
        { ...pending('bbbbbbbb-2', 1900, ['b@example.com']), ...ofGate('GateB', 'Refunds', 7200) },
        // A gate without reminders shares the index: its requests are left alone.
        pending('cccccccc-3', 99_999),
      ],
    });
    ddb.on(UpdateItemCommand).resolves({});
    await expect(handler(REMINDER)).resolves.toEqual({ reminded: 1, skipped: 2 });
    expect(publishes().map(p => [p.TopicArn, p.Subject, p.MessageAttributes?.recipient?.StringValue]))
      .toEqual([['arn:aws:sns:us-east-1:123456789012:Orders', 'Reminder: Orders approval', 'a@example.com']]);
    expect(verifyLink(KEY, linksIn(publishes()[0].Message!)[0], now())).toMatchObject({ ok: true, claims: { requestId: 'aaaaaaaa-1', gate: 'GateA' } });
  });

  test('fails when a reminder arrives but reminders are not configured', async () => {
    delete process.env.REMINDER_SECONDS;
    await expect(handler(REMINDER)).rejects.toThrow('REMINDER_SECONDS is not set');
    expect(ddb.calls()).toHaveLength(0);
  });
});
