import { DynamoDBClient, GetItemCommand, QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { GetExecutionHistoryCommand, SFNClient, SendTaskSuccessCommand, TaskTimedOut } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { GRACE_SECONDS, PER_DECISION_MS, handler } from '../../src/approval-gate/sweep.lambda';
import { EXECUTION, TOKEN, conditionFailed, executionFailed, olderEvents, remaining, setEnv, storedRecord, taskSucceeded } from '../support/approval-events';

const ddb = mockClient(DynamoDBClient);
const sfn = mockClient(SFNClient);
let logged: string[];

const DECIDED_AT = '2026-11-28T10:05:00.000Z';
const id = (n: number) => `0000000${n}-5b0e-4d8e-9a57-1f3e9c0b7d21`;

/** A record in delivery, as the table holds it. */
function delivering(n: number, extra: Record<string, any> = {}) {
  return storedRecord('DELIVERING', {
    requestId: { S: id(n) },
    decision: { S: 'APPROVED' },
    approver: { S: 'desk@example.com' },
    comment: { S: 'ok' },
    decidedAt: { S: DECIDED_AT },
    deliveryQueue: { S: 'DELIVERING' },
    decidedEpoch: { N: '1795000000' },
    ...extra,
  });
}

/** The table: records by id; GetItem reads them, the index lists the given ids. */
function table(records: Record<string, any>[], pages: number[][] = [records.map((_, i) => i)]) {
  const byId = new Map(records.map(r => [r.requestId.S, r]));
  pages.forEach((page, i) => {
    const behaviour = { Items: page.map(n => ({ requestId: records[n].requestId, deliveryQueue: { S: 'DELIVERING' }, decidedEpoch: { N: '1795000000' } })), ...(i < pages.length - 1 ? { LastEvaluatedKey: { requestId: { S: `page-${i}` } } } : {}) };
    ddb.on(QueryCommand, i === 0 ? { ExclusiveStartKey: undefined } : { ExclusiveStartKey: { requestId: { S: `page-${i - 1}` } } }).resolves(behaviour);
  });
  ddb.on(GetItemCommand).callsFake(input => ({ Item: byId.get(input.Key.requestId.S) }));
  ddb.on(UpdateItemCommand).resolves({});
}

const settles = () => ddb.commandCalls(UpdateItemCommand).map(c => ({ id: c.args[0].input.Key!.requestId.S, to: c.args[0].input.ExpressionAttributeValues![':to'].S }));
const sent = () => sfn.commandCalls(SendTaskSuccessCommand).map(c => c.args[0].input);

beforeEach(() => {
  setEnv();
  ddb.reset();
  sfn.reset();
  sfn.on(SendTaskSuccessCommand).resolves({});
  sfn.on(GetExecutionHistoryCommand).resolves({ events: olderEvents() });
  logged = [];
  for (const stream of ['log', 'error'] as const) {
    jest.spyOn(console, stream).mockImplementation((...args: unknown[]) => { logged.push(args.map(String).join(' ')); });
  }
});

afterEach(() => {
  expect(logged.join('\n')).not.toContain(TOKEN);
  jest.restoreAllMocks();
});

test('reads the decisions in delivery from the index, newest first and older than the grace, each record consistently, and delivers each unchanged', async () => {
  table([delivering(1), delivering(2, { decision: { S: 'REJECTED' }, comment: { NULL: true } })]);
  const before = Math.floor(Date.now() / 1000);
  const result = await handler({});
  expect(result).toEqual({ examined: 2, delivered: 2, closed: 0, undeliverable: 0, unsettled: 0, skipped: 0 });
  const [query] = ddb.commandCalls(QueryCommand).map(c => c.args[0].input);
  expect(query).toMatchObject({
    TableName: 'Requests',
    IndexName: 'delivery',
    KeyConditionExpression: '#queue = :queue AND #decided <= :newest',
    ExpressionAttributeNames: { '#queue': 'deliveryQueue', '#decided': 'decidedEpoch' },
    ScanIndexForward: false,
  });
  expect(Number(query.ExpressionAttributeValues![':newest'].N)).toBeLessThanOrEqual(before - GRACE_SECONDS + 1);
  expect(ddb.commandCalls(GetItemCommand).map(c => c.args[0].input)).toEqual([
    { TableName: 'Requests', Key: { requestId: { S: id(1) } }, ConsistentRead: true },
    { TableName: 'Requests', Key: { requestId: { S: id(2) } }, ConsistentRead: true },
  ]);
  expect(sent().map(s => [s.taskToken, JSON.parse(s.output!)])).toEqual([
    [TOKEN, { decision: 'APPROVED', approver: 'desk@example.com', comment: 'ok', decidedAt: DECIDED_AT, requestId: id(1) }],
    [TOKEN, { decision: 'REJECTED', approver: 'desk@example.com', comment: null, decidedAt: DECIDED_AT, requestId: id(2) }],
  ]);
  expect(settles()).toEqual([{ id: id(1), to: 'DELIVERED' }, { id: id(2), to: 'DELIVERED' }]);
});

test('reads every page of the index', async () => {
  table([delivering(1), delivering(2), delivering(3)], [[0, 1], [2]]);
  expect(await handler({})).toMatchObject({ examined: 3, delivered: 3 });
  expect(ddb.commandCalls(QueryCommand)).toHaveLength(2);
});

test('a record settled meanwhile (the index lags) is skipped, without a call to Step Functions', async () => {
  table([delivering(1, { status: { S: 'DELIVERED' } }), storedRecord('CLOSED', { requestId: { S: id(2) } })]);
  expect(await handler({})).toEqual({ examined: 0, delivered: 0, closed: 0, undeliverable: 0, unsettled: 0, skipped: 2 });
  expect(sent()).toHaveLength(0);
  expect(settles()).toHaveLength(0);
});

test('the task is over and the history shows the decision (its answer was lost): DELIVERED', async () => {
  table([delivering(1)]);
  sfn.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ message: 'Task Timed Out', $metadata: { httpStatusCode: 400 } }));
  const received = taskSucceeded({ decision: 'APPROVED', decidedAt: DECIDED_AT, requestId: id(1) });
  sfn.on(GetExecutionHistoryCommand).resolves({ events: [received, ...olderEvents()] });
  expect(await handler({})).toMatchObject({ delivered: 1, closed: 0 });
  expect(sfn.commandCalls(GetExecutionHistoryCommand)[0].args[0].input)
    .toMatchObject({ executionArn: EXECUTION, reverseOrder: true, includeExecutionData: true });
  expect(settles()).toEqual([{ id: id(1), to: 'DELIVERED' }]);
});

test('the task is over, the execution has ended and the history does not show the decision: CLOSED', async () => {
  table([delivering(1)]);
  sfn.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ message: 'Task Timed Out', $metadata: { httpStatusCode: 400 } }));
  sfn.on(GetExecutionHistoryCommand).resolves({ events: [executionFailed(), ...olderEvents()] });
  expect(await handler({})).toMatchObject({ delivered: 0, closed: 1 });
  expect(settles()).toEqual([{ id: id(1), to: 'CLOSED' }]);
});

test('the answer of SendTaskSuccess lost: left in DELIVERING; the next run is told the task is over, finds the decision in the history, and settles it DELIVERED', async () => {
  table([delivering(1)]);
  sfn.on(SendTaskSuccessCommand).rejectsOnce(Object.assign(new Error('socket hang up'), { name: 'ECONNRESET' }))
    .rejects(new TaskTimedOut({ message: 'Task Timed Out', $metadata: { httpStatusCode: 400 } }));
  sfn.on(GetExecutionHistoryCommand).resolves({ events: [taskSucceeded({ decision: 'APPROVED', decidedAt: DECIDED_AT, requestId: id(1) })] });
  expect(await handler({})).toMatchObject({ examined: 1, unsettled: 1 });
  expect(settles()).toHaveLength(0);
  expect(logged.some(l => l.includes('"outcome":"unknown"') && l.includes('ECONNRESET'))).toBe(true);
  expect(await handler({})).toMatchObject({ examined: 1, delivered: 1 });
  expect(settles()).toEqual([{ id: id(1), to: 'DELIVERED' }]);
});

test('Step Functions never answers: the call is aborted at its deadline, the record left in DELIVERING, and the next decision still handled', async () => {
  table([delivering(1), delivering(2)]);
  sfn.on(SendTaskSuccessCommand).callsFake(input => (JSON.parse(input.output).requestId === id(1) ? new Promise(() => undefined) : {}));
  const started = Date.now();
  const result = await handler({}, remaining(PER_DECISION_MS * 2 + 10_000));
  expect(Date.now() - started).toBeLessThan(8_000);
  expect(result).toMatchObject({ examined: 2, delivered: 1, unsettled: 1 });
  expect(settles()).toEqual([{ id: id(2), to: 'DELIVERED' }]);
  expect(((sfn.commandCalls(SendTaskSuccessCommand)[0].args as unknown[])[1] as { abortSignal: AbortSignal }).abortSignal.aborted).toBe(true);
}, 20_000);

test('Step Functions throttled: left in DELIVERING for the next run', async () => {
  table([delivering(1)]);
  sfn.on(SendTaskSuccessCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));
  expect(await handler({})).toMatchObject({ unsettled: 1 });
  expect(settles()).toHaveLength(0);
});

test('the settling write fails every time: tried again, then left in DELIVERING (still true) and logged', async () => {
  table([delivering(1)]);
  ddb.on(UpdateItemCommand).rejects(Object.assign(new Error('unavailable'), { name: 'InternalServerError', $metadata: { httpStatusCode: 500 } }));
  expect(await handler({})).toMatchObject({ delivered: 0, unsettled: 1 });
  expect(settles()).toEqual([{ id: id(1), to: 'DELIVERED' }, { id: id(1), to: 'DELIVERED' }, { id: id(1), to: 'DELIVERED' }]);
  expect(logged.filter(l => l.includes('approval.settleFailed'))).toHaveLength(3);
});

test('the settling write answered "condition failed" after a lost answer: settled already', async () => {
  table([delivering(1)]);
  ddb.on(UpdateItemCommand).rejectsOnce(Object.assign(new Error('socket hang up'), { name: 'ECONNRESET' }))
    .rejects(conditionFailed(delivering(1, { status: { S: 'DELIVERED' } })));
  expect(await handler({})).toMatchObject({ delivered: 1, unsettled: 0 });
});

test('a record without a task token is never sent with an empty one', async () => {
  table([delivering(1, { taskToken: { S: '' } })]);
  expect(await handler({})).toMatchObject({ examined: 1, unsettled: 1 });
  expect(sent()).toHaveLength(0);
  expect(logged.some(l => l.includes('NoTaskToken'))).toBe(true);
});

test('a record that cannot be read is counted, and the others are still handled', async () => {
  table([delivering(1), delivering(2)]);
  ddb.on(GetItemCommand, { Key: { requestId: { S: id(1) } } }).rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
  expect(await handler({})).toMatchObject({ examined: 1, delivered: 1, unsettled: 1 });
});

test('with too little time left, the remaining decisions wait for the next run', async () => {
  table([delivering(1)]);
  expect(await handler({}, remaining(PER_DECISION_MS - 1_000)))
    .toEqual({ examined: 0, delivered: 0, closed: 0, undeliverable: 0, unsettled: 0, skipped: 0 });
  expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
});

test('fails when the index cannot be read (the next scheduled run tries again), and when the function is not configured', async () => {
  ddb.on(QueryCommand).rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
  await expect(handler({})).rejects.toMatchObject({ name: 'ThrottlingException' });
  delete process.env.TABLE_NAME;
  await expect(handler({})).rejects.toThrow('the ApprovalGate delivery sweep is missing TABLE_NAME');
});
