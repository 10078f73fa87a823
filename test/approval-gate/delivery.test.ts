/**
 * The delivery protocol across the decision endpoint and the delivery sweep, against one in-memory
 * table and a task that waits for one decision: whatever fails after the decision is recorded, the
 * record tells the truth, and the workflow receives the decision once, or the record says it came
 * too late.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetExecutionHistoryCommand, HistoryEvent, SFNClient, SendTaskSuccessCommand, TaskTimedOut } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import * as decision from '../../src/approval-gate/decision.lambda';
import * as request from '../../src/approval-gate/request.lambda';
import * as sweep from '../../src/approval-gate/sweep.lambda';
import { EXECUTION, KEY_TEXT, REQUEST_ID, TOKEN, claims, event, form, remaining, setEnv, signedQuery } from '../support/approval-events';
import { FakeDynamoDB } from '../support/fake-dynamodb';

type Fault = 'throttled' | 'answerLost' | 'noAnswer' | 'appliedThen500' | 'denied';

/** A task waiting for its token: the first SendTaskSuccess ends it; the history records it. */
class WaitingTask {
  public readonly received: string[] = [];
  public readonly history: HistoryEvent[] = [];
  public timedOut = false;
  public faults: Fault[] = [];
  /** The token of the attempt that waits (a retried request step waits with a new one). */
  public liveToken = TOKEN;

  constructor(sfn: ReturnType<typeof mockClient>) {
    sfn.on(SendTaskSuccessCommand).callsFake((input: any) => {
      const fault = this.faults.shift();
      if (fault === 'throttled') throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
      if (fault === 'noAnswer') return new Promise(() => undefined);
      if (fault === 'denied') {
        throw Object.assign(new Error('not authorized to perform: states:SendTaskSuccess'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
      }
      if (input.taskToken !== this.liveToken || this.timedOut || this.received.length > 0) {
        throw new TaskTimedOut({ message: 'Task Timed Out', $metadata: { httpStatusCode: 400 } });
      }
      this.received.push(input.output);
      this.history.push({ type: 'TaskSucceeded', id: 5, timestamp: new Date(), taskSucceededEventDetails: { resourceType: 'lambda', resource: 'invoke.waitForTaskToken', output: input.output } });
      if (fault === 'answerLost') throw Object.assign(new Error('socket hang up'), { name: 'ECONNRESET' });
      if (fault === 'appliedThen500') throw Object.assign(new Error('internal error'), { name: 'InternalServerError', $fault: 'server', $metadata: { httpStatusCode: 500 } });
      return {};
    });
    sfn.on(GetExecutionHistoryCommand).callsFake(() => ({ events: [...this.history].reverse() }));
  }
}

let ddb: FakeDynamoDB;
let task: WaitingTask;
const stubs: Array<ReturnType<typeof mockClient>> = [];

beforeEach(async () => {
  setEnv();
  ddb = new FakeDynamoDB();
  ddb.addTable('Requests', 'requestId');
  const sfn = mockClient(SFNClient);
  const sns = mockClient(SNSClient);
  const secrets = mockClient(SecretsManagerClient);
  stubs.push(sfn, sns, secrets);
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  secrets.on(GetSecretValueCommand).resolves({ SecretString: KEY_TEXT });
  decision.signingKey.clear();
  request.signingKey.clear();
  task = new WaitingTask(sfn);
  for (const stream of ['log', 'error'] as const) jest.spyOn(console, stream).mockImplementation(() => undefined);
  await request.handler({ taskToken: TOKEN, requestId: REQUEST_ID, summary: 'Buy 10 shares of ACME', executionArn: EXECUTION });
});

afterEach(() => {
  ddb.restore();
  for (const stub of stubs.splice(0)) stub.restore();
  jest.restoreAllMocks();
});

const record = () => ddb.items('Requests')[0];
const approve = (comment?: string) => decision.handler(event('POST', signedQuery(), { body: form('approve', comment) }), remaining(6_000));
/** The sweep, a few minutes later (past its grace), or `laterMs` later. */
const sweepLater = async (laterMs = 5 * 60_000) => {
  const now = Date.now();
  const spy = jest.spyOn(Date, 'now').mockReturnValue(now + laterMs);
  try {
    return await sweep.handler({}, remaining(60_000));
  } finally {
    spy.mockRestore();
  }
};

test('Step Functions throttled and the approver never submits again: the sweep delivers the decision, once', async () => {
  task.faults = ['throttled'];
  expect((await approve('go')).statusCode).toBe(202);
  expect(record()).toMatchObject({ status: { S: 'DELIVERING' }, decision: { S: 'APPROVED' }, deliveryQueue: { S: 'DELIVERING' } });
  expect(task.received).toHaveLength(0);
  expect(await sweepLater()).toMatchObject({ examined: 1, delivered: 1 });
  expect(task.received).toHaveLength(1);
  expect(JSON.parse(task.received[0])).toMatchObject({ decision: 'APPROVED', comment: 'go', requestId: REQUEST_ID });
  expect(record()).toMatchObject({ status: { S: 'DELIVERED' } });
  expect(record().deliveryQueue).toBeUndefined();
  expect(await sweepLater()).toMatchObject({ examined: 0 });
});

test('the answer lost: the approver is not told "not applied"; the sweep finds the decision in the history and records it DELIVERED, without sending it twice', async () => {
  task.faults = ['answerLost'];
  const page = await approve();
  expect(page.statusCode).toBe(202);
  expect(page.body).not.toContain('not applied');
  expect(task.received).toHaveLength(1);
  expect(record()).toMatchObject({ status: { S: 'DELIVERING' } });
  expect(await sweepLater()).toMatchObject({ delivered: 1 });
  expect(task.received).toHaveLength(1);
  expect(record()).toMatchObject({ status: { S: 'DELIVERED' } });
});

test('no answer, then the task times out before the sweep: the record says CLOSED, the decision kept but not applied', async () => {
  task.faults = ['noAnswer'];
  expect((await approve()).statusCode).toBe(202);
  task.timedOut = true;
  // The gate's task times out at its deadline (TIMEOUT_SECONDS, an hour); the sweep runs after it.
  expect(await sweepLater(3600_000 + 5 * 60_000)).toMatchObject({ closed: 1 });
  expect(task.received).toHaveLength(0);
  expect(record()).toMatchObject({ status: { S: 'CLOSED' }, decision: { S: 'APPROVED' } });
});

test('after an unknown outcome, a second approver\'s rejection is refused, and the approval is what the workflow receives', async () => {
  task.faults = ['noAnswer'];
  expect((await approve()).statusCode).toBe(202);
  const rejection = await decision.handler(event('POST', signedQuery(claims({ action: 'reject', recipient: 'risk@example.com' })), { body: form('reject') }));
  expect(rejection.statusCode).toBe(409);
  expect(record()).toMatchObject({ status: { S: 'DELIVERING' }, decision: { S: 'APPROVED' }, approver: { S: 'desk@example.com' } });
  expect(await sweepLater()).toMatchObject({ delivered: 1 });
  expect(JSON.parse(task.received[0]).decision).toBe('APPROVED');
});

describe('a decision made while the request step is retried', () => {
  const RETRY_TOKEN = 'AQCEAAAAKgAAAA-secret-task-token-of-the-retry';

  test('the retried attempt takes the decision up and delivers it with its own token, once; the page says what happens, and the workflow does not fail', async () => {
    // Attempt 1 (the setup's) stored the request; its step then fails (the next publish throttled), and Step Functions retries it.
    task.liveToken = 'none: attempt 1 failed, attempt 2 not started yet';
    const page = await approve('ship it');
    // The token of attempt 1 no longer waits, and the execution still runs: the decision is kept for the retry.
    expect(page.statusCode).toBe(202);
    expect(page.body).toContain('its request step failed and is being tried again (the new attempt takes your approval up and applies it');
    expect(page.body).not.toContain('not applied.');
    expect(record()).toMatchObject({ status: { S: 'DELIVERING' }, decision: { S: 'APPROVED' }, taskToken: { S: TOKEN } });
    // Attempt 2, with its own token.
    task.liveToken = RETRY_TOKEN;
    const result = await request.handler({ taskToken: RETRY_TOKEN, requestId: REQUEST_ID, summary: 'Buy 10 shares of ACME', executionArn: EXECUTION });
    expect(result).toMatchObject({ requestId: REQUEST_ID, notified: 0 });
    expect(task.received).toHaveLength(1);
    expect(JSON.parse(task.received[0])).toMatchObject({ decision: 'APPROVED', approver: 'desk@example.com', comment: 'ship it', requestId: REQUEST_ID });
    expect(record()).toMatchObject({ status: { S: 'DELIVERED' }, taskToken: { S: RETRY_TOKEN } });
    // Nothing left for the sweep, nothing sent twice when the approver submits again.
    expect(await sweepLater()).toMatchObject({ examined: 0 });
    expect((await approve('ship it')).statusCode).toBe(409);
    expect(task.received).toHaveLength(1);
  });

  test('the retried attempt whose delivery is throttled leaves the decision in DELIVERING with its token: the sweep delivers it, once', async () => {
    task.liveToken = 'none';
    expect((await approve()).statusCode).toBe(202);
    task.liveToken = RETRY_TOKEN;
    task.faults = ['throttled'];
    await request.handler({ taskToken: RETRY_TOKEN, requestId: REQUEST_ID, summary: 'Buy 10 shares of ACME', executionArn: EXECUTION });
    expect(task.received).toHaveLength(0);
    expect(record()).toMatchObject({ status: { S: 'DELIVERING' }, taskToken: { S: RETRY_TOKEN } });
    expect(await sweepLater()).toMatchObject({ delivered: 1 });
    expect(task.received).toHaveLength(1);
  });

  test('a request already delivered is never reopened by a repeated request: it fails, and the record keeps its decision', async () => {
    expect((await approve()).statusCode).toBe(200);
    await expect(request.handler({ taskToken: RETRY_TOKEN, requestId: REQUEST_ID, summary: 'Buy 10 shares of ACME', executionArn: EXECUTION }))
      .rejects.toThrow(`request ${REQUEST_ID} was already decided; a new request needs a new id`);
    expect(record()).toMatchObject({ status: { S: 'DELIVERED' }, decision: { S: 'APPROVED' }, taskToken: { S: TOKEN } });
    expect(task.received).toHaveLength(1);
  });
});

describe('a delivery that cannot be confirmed', () => {
  test('Step Functions fails with HTTP 500 after applying it: the page says it may already be applied, and the sweep confirms it from the history without sending it twice', async () => {
    task.faults = ['appliedThen500'];
    const page = await approve();
    expect(page.statusCode).toBe(202);
    expect(page.body).toContain('It may already have been applied.');
    expect(page.body).not.toContain('could not take it');
    expect(task.received).toHaveLength(1);
    expect(await sweepLater()).toMatchObject({ delivered: 1 });
    expect(task.received).toHaveLength(1);
    expect(record()).toMatchObject({ status: { S: 'DELIVERED' } });
  });

  test('refused for good (AccessDeniedException): kept until the gate\'s deadline, then settled UNDELIVERABLE and counted for the alarm', async () => {
    const logs: string[] = [];
    jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => { logs.push(args.map(String).join(' ')); });
    task.faults = Array(10).fill('denied');
    const page = await approve();
    expect(page.statusCode).toBe(202);
    expect(page.body).toMatch(/keeps delivering it, every few minutes, until the request&#39;s deadline \(\d{4}-\d\d-\d\dT[\d:.]+Z\); if it still has not been delivered by then, it is marked undeliverable and the workflow owner is alerted/);
    // Before the deadline: still in delivery.
    expect(await sweepLater()).toMatchObject({ examined: 1, unsettled: 1 });
    expect(record()).toMatchObject({ status: { S: 'DELIVERING' } });
    // Past it: final, and out of the delivery index.
    expect(await sweepLater(3600_000 + 60_000)).toMatchObject({ examined: 1, undeliverable: 1 });
    expect(record()).toMatchObject({ status: { S: 'UNDELIVERABLE' }, decision: { S: 'APPROVED' } });
    expect(record().deliveryQueue).toBeUndefined();
    const metric = logs.map(l => JSON.parse(l)).filter(l => l._aws).pop();
    expect(metric).toMatchObject({ Table: 'Requests', UndeliverableDecisions: 1, _aws: { CloudWatchMetrics: [{ Namespace: 'CdkWorkflowPatterns/ApprovalGate', Dimensions: [['Table']] }] } });
    expect(task.received).toHaveLength(0);
    // The approver who comes back is told the truth.
    const again = await approve();
    expect(again.statusCode).toBe(410);
    expect(again.body).toContain('could not be delivered to the workflow before its deadline; the workflow owner has been alerted');
  });
});
