import { DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetExecutionHistoryCommand, InvalidToken, SendTaskSuccessCommand, SFNClient, TaskDoesNotExist, TaskTimedOut } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { handler, signingKey } from '../../src/approval-gate/decision.lambda';
import { stepFunctions } from '../../src/private/approval/aws';
import {
  EXECUTION, KEY_TEXT, REQUEST_ID, TOKEN, claims, conditionFailed, event, executionFailed, executionSucceeded, form, olderEvents, recordWrite,
  remaining, setEnv, signedQuery, storedRecord, taskSucceeded,
} from '../support/approval-events';

const ddb = mockClient(DynamoDBClient);
const sfn = mockClient(SFNClient);
const secrets = mockClient(SecretsManagerClient);
let logged: string[];

/** The record write succeeds (ALL_NEW); settling writes fail with the error. */
function recordOrFail(error: Error) {
  return (input: any) => {
    if (input.ConditionExpression.includes(':pending')) return recordWrite(input);
    throw error;
  };
}

function history() {
  return sfn.commandCalls(GetExecutionHistoryCommand).map(c => c.args[0].input);
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
  ddb.on(UpdateItemCommand).callsFake(input => (input.ConditionExpression.includes(':pending') ? recordWrite(input) : {}));
  sfn.on(SendTaskSuccessCommand).resolves({});
  sfn.on(GetExecutionHistoryCommand).resolves({ events: [] });
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
  test('shows the summary and a form that posts the decision, and reads nothing but the record (its decision, never its token) once the key is loaded', async () => {
    await signingKey.get();
    secrets.resetHistory();
    const query = signedQuery();
    const page = await handler(event('GET', query));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Buy 10 shares of ACME at 12.50');
    expect(page.body).toContain('<form method="post" action="?');
    expect(page.body).toContain(`sig=${query.sig}`);
    expect(page.body).toContain('<input type="hidden" name="decision" value="approve">');
    expect(page.body).toContain('Opening this page decides nothing. The decision is recorded when you press the button, once, and only if no one has decided this request before you.');
    expect(page.headers['Referrer-Policy']).toBe('no-referrer');
    expect(page.headers['Cache-Control']).toBe('no-store');
    const reads = ddb.commandCalls(GetItemCommand).map(c => c.args[0].input);
    expect(reads).toEqual([{
      TableName: 'Requests',
      Key: { requestId: { S: REQUEST_ID } },
      ConsistentRead: true,
      ProjectionExpression: 'requestId, #status, decision, approver, decidedAt, gate',
      ExpressionAttributeNames: { '#status': 'status' },
    }]);
    expect(sdkCalls().all).toBe(1);
  });

  test('after another approver decided, says who decided what and when, and offers no form; it changes nothing', async () => {
    ddb.on(GetItemCommand).resolves({ Item: storedRecord('DELIVERED', { decision: { S: 'REJECTED' }, approver: { S: 'risk@example.com' }, decidedAt: { S: '2026-12-07T09:00:00.000Z' } }) });
    const page = await handler(event('GET', signedQuery()));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('This request was already rejected by risk@example.com at 2026-12-07T09:00:00.000Z. A request is decided once.');
    expect(page.body).not.toContain('<form');
    expect(page.body).not.toContain('decides nothing');
    expect(sdkCalls().ddb).toEqual([]);
    expect(sdkCalls().sfn).toEqual([]);
  });

  test('when the record cannot be read (throttled), shows the form, whose text holds either way', async () => {
    ddb.on(GetItemCommand).rejects(Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException', $metadata: { httpStatusCode: 400 } }));
    const page = await handler(event('GET', signedQuery()));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<form method="post"');
    expect(logged.some(l => l.includes('"event":"approval.recordUnread"'))).toBe(true);
  });

  test('on a cold container, its only SDK call is reading the signing key', async () => {
    const page = await handler(event('GET', signedQuery(claims({ action: 'reject' }))));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Reject this request?');
    expect(sdkCalls()).toMatchObject({ ddb: [], sfn: [], secrets: 1, all: 2 });
    expect(ddb.commandCalls(GetItemCommand)).toHaveLength(1);
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

describe('a replaced signing key', () => {
  const NEW_KEY_TEXT = 'n'.repeat(20) + 'new-signing-key-0123456789abcdef';
  afterEach(() => jest.useRealTimers());

  test('stops the links signed with the old key within 5 minutes in a warm container; links signed with the new key work at once', async () => {
    jest.useFakeTimers({ now: new Date('2026-12-07T10:00:00Z'), doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const oldLink = signedQuery();
    expect((await handler(event('GET', oldLink))).statusCode).toBe(200);
    // The leaked key is replaced.
    secrets.on(GetSecretValueCommand).resolves({ SecretString: NEW_KEY_TEXT });
    const newLink = signedQuery(claims(), Buffer.from(NEW_KEY_TEXT, 'utf8'));
    // A link of the new key does not verify against the cached key: the key is read again, and it works.
    expect((await handler(event('GET', newLink))).statusCode).toBe(200);
    expect(sdkCalls().secrets).toBe(2);
    expect((await handler(event('GET', oldLink))).statusCode).toBe(403);
    // A flood of forged links reads the secret at most once every 30 seconds.
    for (let i = 0; i < 5; i++) expect((await handler(event('GET', signedQuery(claims(), Buffer.from('x'.repeat(40)))))).statusCode).toBe(403);
    expect(sdkCalls().secrets).toBe(2);
  });

  test('a container that read the old key reads it again after 5 minutes, and the old links are refused', async () => {
    jest.useFakeTimers({ now: new Date('2026-12-07T10:00:00Z'), doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const oldLink = signedQuery(claims({ expiresAt: Math.floor(Date.parse('2026-12-08T10:00:00Z') / 1000) }));
    expect((await handler(event('GET', oldLink))).statusCode).toBe(200);
    secrets.on(GetSecretValueCommand).resolves({ SecretString: NEW_KEY_TEXT });
    jest.setSystemTime(new Date('2026-12-07T10:04:59Z'));
    // Within the key's 5 minutes, the warm container still holds the old key.
    expect((await handler(event('GET', oldLink))).statusCode).toBe(200);
    jest.setSystemTime(new Date('2026-12-07T10:05:01Z'));
    const page = await handler(event('GET', oldLink));
    expect(page.statusCode).toBe(403);
    expect(page.body).toContain('This link is not valid');
    expect(sdkCalls().secrets).toBe(3);
  });
});

describe('POST: the decision', () => {
  test('an approval is recorded once (PENDING to DELIVERING) with a conditional write, sent to the workflow, and the record settled as DELIVERED', async () => {
    const page = await handler(event('POST', signedQuery(), { body: form('approve', 'fine by me') }));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('was approved by desk@example.com');
    const calls = sdkCalls();
    expect(calls.ddb).toHaveLength(2);
    expect(calls.ddb[0]).toMatchObject({
      TableName: 'Requests',
      Key: { requestId: { S: REQUEST_ID } },
      ConditionExpression: '#status = :pending AND attribute_exists(taskToken) AND taskToken <> :empty AND attribute_not_exists(gate)',
      ExpressionAttributeValues: expect.objectContaining({
        ':delivering': { S: 'DELIVERING' },
        ':decision': { S: 'APPROVED' },
        ':pending': { S: 'PENDING' },
        ':empty': { S: '' },
        ':approver': { S: 'desk@example.com' },
        ':comment': { S: 'fine by me' },
        ':queue': { S: 'DELIVERING' },
        ':epoch': { N: expect.stringMatching(/^\d+$/) },
      }),
      ReturnValues: 'ALL_NEW',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    expect(calls.ddb[1]).toMatchObject({
      UpdateExpression: 'SET #status = :to, settledAt = :now REMOVE deliveryQueue, decidedEpoch',
      ConditionExpression: '#status = :delivering AND decidedAt = :decidedAt',
      ExpressionAttributeValues: expect.objectContaining({ ':to': { S: 'DELIVERED' }, ':decidedAt': calls.ddb[0].ExpressionAttributeValues![':decidedAt'] }),
    });
    expect(calls.sfn).toHaveLength(1);
    expect(calls.sfn[0].taskToken).toBe(TOKEN);
    expect(JSON.parse(calls.sfn[0].output!)).toEqual({
      decision: 'APPROVED', approver: 'desk@example.com', comment: 'fine by me', decidedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), requestId: REQUEST_ID,
    });
    expect(history()).toHaveLength(0);
    expect(logged.some(l => l.includes('"outcome":"delivered"') && l.includes('"decision":"APPROVED"') && l.includes('"recordSettled":true'))).toBe(true);
  });

  test('a rejection is sent the same way, with a null comment when none is given', async () => {
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

  test.each([
    ['DELIVERED', 'APPROVED', ''],
    ['DELIVERING', 'APPROVED', ' and is being delivered to the workflow'],
    ['APPROVED', undefined, ''],
  ])('a different decision on a request in %s gets 409, records nothing and makes no Step Functions call', async (status, decision, more) => {
    ddb.on(UpdateItemCommand).rejects(conditionFailed(storedRecord(status, {
      ...(decision ? { decision: { S: decision } } : {}), approver: { S: 'risk@example.com' }, decidedAt: { S: '2026-11-28T10:05:00.000Z' },
    })));
    const page = await handler(event('POST', signedQuery(claims({ action: 'reject' })), { body: form('reject') }));
    expect(page.statusCode).toBe(409);
    expect(page.body).toContain(`already approved by risk@example.com at 2026-11-28T10:05:00.000Z${more}. A request is decided once.`);
    expect(sdkCalls().ddb).toHaveLength(1);
    expect(sdkCalls().sfn).toHaveLength(0);
  });

  test('an unknown request id gets 410 and makes no Step Functions call', async () => {
    ddb.on(UpdateItemCommand).rejects(conditionFailed());
    const page = await handler(event('POST', signedQuery(), { body: form('approve') }));
    expect(page.statusCode).toBe(410);
    expect(page.body).toContain('no longer exists');
    expect(sdkCalls().sfn).toHaveLength(0);
  });

  test('a closed request gets 410 and makes no Step Functions call', async () => {
    ddb.on(UpdateItemCommand).rejects(conditionFailed(storedRecord('CLOSED')));
    const page = await handler(event('POST', signedQuery(), { body: form('approve') }));
    expect(page.statusCode).toBe(410);
    expect(page.body).toContain('This request is closed');
    expect(sdkCalls().sfn).toHaveLength(0);
  });

  test.each([
    ['TaskTimedOut', () => new TaskTimedOut({ message: 'Task Timed Out', $metadata: { httpStatusCode: 400 } })],
    ['InvalidToken', () => new InvalidToken({ message: 'Invalid Token', $metadata: { httpStatusCode: 400 } })],
    ['TaskDoesNotExist', () => new TaskDoesNotExist({ message: 'Task does not exist', $metadata: { httpStatusCode: 400 } })],
  ])('a closed task (%s) of an execution that has ended, whose history does not show the decision: 410, not applied, the record CLOSED', async (_name, error) => {
    sfn.on(SendTaskSuccessCommand).rejects(error());
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [executionFailed(), taskSucceeded({ requestId: 'another-request-0001', decidedAt: new Date().toISOString() }), ...olderEvents()] });
    const page = await handler(event('POST', signedQuery(), { body: form('approve') }));
    expect(page.statusCode).toBe(410);
    expect(page.body).toContain('before the approval reached it. The approval is recorded, but it was not applied.');
    expect(history()).toEqual([expect.objectContaining({ executionArn: EXECUTION, reverseOrder: true, includeExecutionData: true })]);
    const updates = sdkCalls().ddb;
    expect(updates).toHaveLength(2);
    expect(updates[1]).toMatchObject({ ExpressionAttributeValues: expect.objectContaining({ ':to': { S: 'CLOSED' } }) });
  });

  test('the answer lost, the retry told TaskTimedOut: the history shows the workflow received the decision, so it is reported and recorded as delivered', async () => {
    // SendTaskSuccess was applied, its answer lost; the next attempt is told the task is over.
    sfn.on(SendTaskSuccessCommand).callsFake(input => {
      sfn.on(GetExecutionHistoryCommand).resolves({ events: [executionSucceeded(), taskSucceeded(JSON.parse(input.output)), ...olderEvents()] });
      throw new TaskTimedOut({ message: 'Task Timed Out', $metadata: { httpStatusCode: 400 } });
    });
    const page = await handler(event('POST', signedQuery(), { body: form('approve') }));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('was approved by desk@example.com');
    expect(page.body).not.toContain('not applied');
    expect(sdkCalls().ddb[1]).toMatchObject({ ExpressionAttributeValues: expect.objectContaining({ ':to': { S: 'DELIVERED' } }) });
    expect(logged.some(l => l.includes('"outcome":"delivered"') && l.includes('"via":"history"'))).toBe(true);
  });

  test('the history is read over several pages, newest first, until the decision is found', async () => {
    sfn.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ message: 'Task Timed Out', $metadata: { httpStatusCode: 400 } }));
    const decidedAt = () => JSON.parse(sdkCalls().sfn[0].output!).decidedAt;
    sfn.on(GetExecutionHistoryCommand)
      .callsFake(input => input.nextToken === undefined
        ? { events: [executionSucceeded()], nextToken: 'page-2' }
        : { events: [taskSucceeded({ requestId: REQUEST_ID, decision: 'APPROVED', decidedAt: decidedAt() })] });
    const page = await handler(event('POST', signedQuery(), { body: form('approve') }));
    expect(page.statusCode).toBe(200);
    expect(history().map(h => h.nextToken)).toEqual([undefined, 'page-2']);
  });

  test('no answer from Step Functions (the answer lost on the network): 202 "not confirmed", the record stays DELIVERING, and the same submission delivers the same decision again', async () => {
    sfn.on(SendTaskSuccessCommand).rejectsOnce(Object.assign(new Error('socket hang up'), { name: 'ECONNRESET' })).resolves({});
    const first = await handler(event('POST', signedQuery(), { body: form('approve', 'ok') }));
    expect(first.statusCode).toBe(202);
    expect(first.body).toContain('did not confirm receiving it');
    expect(first.body).toContain('You may also submit the form again: that sends the same approval again, never a different decision.');
    expect(first.body).not.toMatch(/not applied|Nothing was decided/);
    expect(sdkCalls().ddb).toHaveLength(1);
    const recorded = sdkCalls().ddb[0].ExpressionAttributeValues!;

    // The record is DELIVERING with the first submission's decision: a resubmission finds it so.
    ddb.on(UpdateItemCommand).callsFake(input => {
      if (!input.ConditionExpression.includes(':pending')) return {};
      throw conditionFailed(storedRecord('DELIVERING', {
        decision: recorded[':decision'], approver: recorded[':approver'], comment: recorded[':comment'], decidedAt: recorded[':decidedAt'], sentTo: recorded[':sentTo'],
      }));
    });
    const second = await handler(event('POST', signedQuery(), { body: form('approve', 'a different comment') }));
    expect(second.statusCode).toBe(200);
    const [sentFirst, sentAgain] = sdkCalls().sfn.map(c => c.output);
    expect(sentAgain).toBe(sentFirst);
    expect(JSON.parse(sentAgain!)).toMatchObject({ comment: 'ok', decidedAt: recorded[':decidedAt'].S });
    expect(sdkCalls().ddb[2]).toMatchObject({ ExpressionAttributeValues: expect.objectContaining({ ':to': { S: 'DELIVERED' }, ':decidedAt': recorded[':decidedAt'] }) });
  });

  test('Step Functions never answers: the call is aborted at its deadline, inside the function\'s time; 202, the record stays DELIVERING', async () => {
    sfn.on(SendTaskSuccessCommand).callsFake(() => new Promise(() => undefined));
    const started = Date.now();
    const page = await handler(event('POST', signedQuery(), { body: form('approve') }), remaining(5_000));
    const took = Date.now() - started;
    expect(took).toBeLessThan(4_000);
    expect(page.statusCode).toBe(202);
    expect(page.body).toContain('did not confirm receiving it');
    const call = sfn.commandCalls(SendTaskSuccessCommand)[0];
    expect(((call.args as unknown[])[1] as { abortSignal?: AbortSignal }).abortSignal?.aborted).toBe(true);
    expect(sdkCalls().ddb).toHaveLength(1);
    expect(logged.some(l => l.includes('"outcome":"unknown"') && l.includes('DeadlineExceeded'))).toBe(true);
  });

  test('the history never answers after TaskTimedOut: 202, the record stays DELIVERING (neither closed nor delivered)', async () => {
    sfn.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ message: 'Task Timed Out', $metadata: { httpStatusCode: 400 } }));
    sfn.on(GetExecutionHistoryCommand).callsFake(() => new Promise(() => undefined));
    const page = await handler(event('POST', signedQuery(), { body: form('approve') }), remaining(6_000));
    expect(page.statusCode).toBe(202);
    expect(sdkCalls().ddb).toHaveLength(1);
  });

  test('the history cannot be read after TaskTimedOut: 202, the record stays DELIVERING', async () => {
    sfn.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ message: 'Task Timed Out', $metadata: { httpStatusCode: 400 } }));
    sfn.on(GetExecutionHistoryCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));
    const page = await handler(event('POST', signedQuery(), { body: form('approve') }));
    expect(page.statusCode).toBe(202);
    expect(sdkCalls().ddb).toHaveLength(1);
    expect(logged.some(l => l.includes('TaskTimedOut; history: ThrottlingException'))).toBe(true);
  });

  test('Step Functions throttled: 202 "not yet delivered", the record stays DELIVERING (never reopened), and a resubmission delivers it', async () => {
    sfn.on(SendTaskSuccessCommand).rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } })).resolves({});
    const first = await handler(event('POST', signedQuery(), { body: form('approve') }));
    expect(first.statusCode).toBe(202);
    expect(first.headers['Retry-After']).toBe('60');
    expect(first.body).toContain('could not take it just now');
    expect(sdkCalls().ddb).toHaveLength(1);
    expect(JSON.stringify(sdkCalls().ddb)).not.toContain('PENDING"}},"ReturnValues"');
    const recorded = sdkCalls().ddb[0].ExpressionAttributeValues!;
    ddb.on(UpdateItemCommand).callsFake(input => {
      if (!input.ConditionExpression.includes(':pending')) return {};
      throw conditionFailed(storedRecord('DELIVERING', {
        decision: recorded[':decision'], approver: recorded[':approver'], comment: recorded[':comment'], decidedAt: recorded[':decidedAt'],
      }));
    });
    const second = await handler(event('POST', signedQuery(), { body: form('approve') }));
    expect(second.statusCode).toBe(200);
    expect(sdkCalls().sfn).toHaveLength(2);
  });

  test('a fault on Step Functions\' side (5xx) is an unknown outcome, not a refusal', async () => {
    sfn.on(SendTaskSuccessCommand).rejects(Object.assign(new Error('internal'), { name: 'ServiceUnavailable', $fault: 'server', $metadata: { httpStatusCode: 503 } }));
    const page = await handler(event('POST', signedQuery(), { body: form('approve') }));
    expect(page.statusCode).toBe(202);
    expect(page.body).toContain('did not confirm receiving it');
  });

  test('delivered, but the DELIVERED write fails: tried again; the approver is told the truth (delivered), and the record stays DELIVERING for the sweep', async () => {
    ddb.on(UpdateItemCommand).callsFake(recordOrFail(Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException', $metadata: { httpStatusCode: 400 } })));
    const page = await handler(event('POST', signedQuery(), { body: form('approve') }));
    expect(page.statusCode).toBe(200);
    expect(sdkCalls().ddb).toHaveLength(4);
    expect(sdkCalls().ddb.slice(1).map(u => u.ExpressionAttributeValues![':to'])).toEqual([{ S: 'DELIVERED' }, { S: 'DELIVERED' }, { S: 'DELIVERED' }]);
    expect(logged.some(l => l.includes('"outcome":"delivered"') && l.includes('"recordSettled":false'))).toBe(true);
  });

  test('the DELIVERED write fails once, then succeeds', async () => {
    let settles = 0;
    ddb.on(UpdateItemCommand).callsFake(input => {
      if (input.ConditionExpression.includes(':pending')) return recordWrite(input);
      if (++settles === 1) throw Object.assign(new Error('slow down'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
      return {};
    });
    const page = await handler(event('POST', signedQuery(), { body: form('approve') }));
    expect(page.statusCode).toBe(200);
    expect(settles).toBe(2);
    expect(logged.some(l => l.includes('"recordSettled":true'))).toBe(true);
  });

  test('a token that no longer waits while the execution still runs before the gate\'s deadline (its request step is retried): 202, the record stays DELIVERING for the retried step', async () => {
    sfn.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ message: 'Task Timed Out', $metadata: { httpStatusCode: 400 } }));
    sfn.on(GetExecutionHistoryCommand).resolves({ events: olderEvents() });
    const page = await handler(event('POST', signedQuery(), { body: form('approve') }));
    expect(page.statusCode).toBe(202);
    expect(page.body).toContain('its request step failed and is being tried again (the new attempt takes your approval up and applies it');
    expect(page.body).toContain('until the request&#39;s deadline (2030-03-17T17:46:40.000Z)');
    expect(page.body).not.toContain('not applied.');
    expect(sdkCalls().ddb).toHaveLength(1);
    expect(logged.some(l => l.includes('"outcome":"waiting"') && l.includes('"recordSettled":false'))).toBe(true);
  });

  test('a token that no longer waits, the execution still running, but past the gate\'s deadline: 410, not applied, the record CLOSED', async () => {
    sfn.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ message: 'Task Timed Out', $metadata: { httpStatusCode: 400 } }));
    sfn.on(GetExecutionHistoryCommand).resolves({ events: olderEvents() });
    ddb.on(UpdateItemCommand).callsFake(input => (input.ConditionExpression.includes(':pending')
      ? { Attributes: { ...recordWrite(input).Attributes, expiresAt: { N: String(Math.floor(Date.now() / 1000) - 1) } } } : {}));
    const page = await handler(event('POST', signedQuery(), { body: form('approve') }));
    expect(page.statusCode).toBe(410);
    expect(sdkCalls().ddb[1]).toMatchObject({ ExpressionAttributeValues: expect.objectContaining({ ':to': { S: 'CLOSED' } }) });
  });

  test('closed by the history, but the sweep delivered it a moment earlier: the page answers from the record (applied), not from the lagging history', async () => {
    sfn.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ message: 'Task Timed Out', $metadata: { httpStatusCode: 400 } }));
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [executionSucceeded(), ...olderEvents()] });
    ddb.on(UpdateItemCommand).callsFake(input => {
      if (input.ConditionExpression.includes(':pending')) return recordWrite(input);
      throw conditionFailed(storedRecord('DELIVERED', { decision: { S: 'APPROVED' }, decidedAt: input.ExpressionAttributeValues[':decidedAt'] }));
    });
    const page = await handler(event('POST', signedQuery(), { body: form('approve') }));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('was approved by desk@example.com');
    expect(page.body).not.toContain('not applied');
    expect(logged.some(l => l.includes('"outcome":"delivered"') && l.includes('"via":"record"'))).toBe(true);
  });

  test('closed, but the CLOSED write fails: 410 (not applied), and the record stays DELIVERING for the sweep, never a false decision', async () => {
    sfn.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ message: 'Task Timed Out', $metadata: { httpStatusCode: 400 } }));
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [executionFailed(), ...olderEvents()] });
    ddb.on(UpdateItemCommand).callsFake(recordOrFail(Object.assign(new Error('unavailable'), { name: 'InternalServerError', $metadata: { httpStatusCode: 500 } })));
    const page = await handler(event('POST', signedQuery(), { body: form('approve') }));
    expect(page.statusCode).toBe(410);
    expect(sdkCalls().ddb.slice(1).map(u => u.ExpressionAttributeValues![':to'])).toEqual([{ S: 'CLOSED' }, { S: 'CLOSED' }, { S: 'CLOSED' }]);
  });

  test('a settling write whose answer was lost: its retry finds the record settled already, and stops', async () => {
    let settles = 0;
    ddb.on(UpdateItemCommand).callsFake(input => {
      if (input.ConditionExpression.includes(':pending')) return recordWrite(input);
      if (++settles === 1) throw Object.assign(new Error('socket hang up'), { name: 'ECONNRESET' });
      throw conditionFailed(storedRecord('DELIVERED', { decision: { S: 'APPROVED' }, decidedAt: input.ExpressionAttributeValues[':decidedAt'] }));
    });
    const page = await handler(event('POST', signedQuery(), { body: form('approve') }));
    expect(page.statusCode).toBe(200);
    expect(settles).toBe(2);
    expect(logged.some(l => l.includes('"recordSettled":true'))).toBe(true);
  });

  test('the Step Functions client never retries by itself', async () => {
    expect(await stepFunctions().client.config.maxAttempts()).toBe(1);
  });

  test('a record without a task token: nothing is recorded, Step Functions is never called', async () => {
    // The condition keeps such a record PENDING: the write fails and returns it.
    ddb.on(UpdateItemCommand).rejects(conditionFailed(storedRecord('PENDING', { taskToken: { S: '' } })));
    const page = await handler(event('POST', signedQuery(), { body: form('approve') }));
    expect(page.statusCode).toBe(500);
    expect(page.body).toContain('holds no task token');
    expect(sdkCalls().sfn).toHaveLength(0);
  });

  test('a record that comes back without a task token is never sent with an empty one', async () => {
    ddb.on(UpdateItemCommand).callsFake(input => ({ Attributes: { ...recordWrite(input).Attributes, taskToken: { S: '' } } }));
    const page = await handler(event('POST', signedQuery(), { body: form('approve') }));
    expect(page.statusCode).toBe(500);
    expect(sdkCalls().sfn).toHaveLength(0);
  });

  test('DynamoDB throttling: 503 and no Step Functions call', async () => {
    ddb.on(UpdateItemCommand).rejects(Object.assign(new Error('Throughput exceeds the current capacity'), { name: 'ThrottlingException' }));
    const page = await handler(event('POST', signedQuery(), { body: form('approve') }));
    expect(page.statusCode).toBe(503);
    expect(page.body).toContain('Submit the form again in a minute: it records your decision once, never twice.');
    expect(sdkCalls().sfn).toHaveLength(0);
  });

  test('DynamoDB never answers the decision write: aborted in time, 503 and no Step Functions call', async () => {
    ddb.on(UpdateItemCommand).callsFake(() => new Promise(() => undefined));
    const started = Date.now();
    const page = await handler(event('POST', signedQuery(), { body: form('approve') }), remaining(5_000));
    expect(Date.now() - started).toBeLessThan(5_000);
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
