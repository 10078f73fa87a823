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

type Fault = 'throttled' | 'answerLost' | 'noAnswer';

/** A task waiting for its token: the first SendTaskSuccess ends it; the history records it. */
class WaitingTask {
  public readonly received: string[] = [];
  public readonly history: HistoryEvent[] = [];
  public timedOut = false;
  public faults: Fault[] = [];

  constructor(sfn: ReturnType<typeof mockClient>) {
    sfn.on(SendTaskSuccessCommand).callsFake((input: any) => {
      const fault = this.faults.shift();
      if (fault === 'throttled') throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
      if (fault === 'noAnswer') return new Promise(() => undefined);
      if (input.taskToken !== TOKEN || this.timedOut || this.received.length > 0) {
        throw new TaskTimedOut({ message: 'Task Timed Out', $metadata: { httpStatusCode: 400 } });
      }
      this.received.push(input.output);
      this.history.push({ type: 'TaskSucceeded', id: 5, timestamp: new Date(), taskSucceededEventDetails: { resourceType: 'lambda', resource: 'invoke.waitForTaskToken', output: input.output } });
      if (fault === 'answerLost') throw Object.assign(new Error('socket hang up'), { name: 'ECONNRESET' });
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
/** The sweep, a few minutes later (past its grace). */
const sweepLater = async () => {
  const now = Date.now();
  const spy = jest.spyOn(Date, 'now').mockReturnValue(now + 5 * 60_000);
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
  expect(await sweepLater()).toMatchObject({ closed: 1 });
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
