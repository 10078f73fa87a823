/**
 * The local endpoint driven as an application drives Step Functions: through `@aws-sdk/client-sfn`,
 * over HTTP, for a whole life: the app's state machines listed, executions started, described and
 * their histories read, an approval decided by SendTaskSuccess, an activity worked by the worker
 * runtime, an Express workflow answered synchronously, and the errors AWS answers with.
 */
import {
  CreateActivityCommand, CreateStateMachineCommand, DeleteStateMachineCommand, DescribeActivityCommand, DescribeExecutionCommand,
  DescribeMapRunCommand,
  DescribeStateMachineCommand, DescribeStateMachineForExecutionCommand, GetExecutionHistoryCommand, HistoryEvent, ListActivitiesCommand,
  ListExecutionsCommand, ListMapRunsCommand, ListStateMachinesCommand, ListTagsForResourceCommand, SendTaskFailureCommand, SendTaskHeartbeatCommand,
  SendTaskSuccessCommand, SFNClient, StartExecutionCommand, StartSyncExecutionCommand, StopExecutionCommand, TagResourceCommand, UntagResourceCommand,
  UpdateStateMachineCommand, ValidateStateMachineDefinitionCommand,
} from '@aws-sdk/client-sfn';
import { App } from 'aws-cdk-lib';
import { PurchaseApprovalStack } from '../../../examples/approval-workflow';
import { LabelPrinterStack } from '../../../examples/label-printer';
import { printLabel } from '../../../examples/label-printer-worker';
import { OrderWorkflowStack } from '../../../examples/order-workflow';
import { QuoteWorkflowStack } from '../../../examples/quote-workflow';
import { startLocalStepFunctions, LocalStepFunctions } from '../../../src/testing/endpoint/server';
import { ActivityWorker } from '../../../src/worker';
import { tempDir } from '../../cli/example-assembly';

const ROLE = 'arn:aws:iam::123456789012:role/Local';
const PASS = JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } });

function synthApp(): string {
  const outdir = tempDir('endpoint');
  const app = new App({ outdir, context: { 'aws:cdk:enable-path-metadata': true } });
  new OrderWorkflowStack(app, 'OrderWorkflowExample');
  new QuoteWorkflowStack(app, 'QuoteWorkflowExample');
  new PurchaseApprovalStack(app, 'PurchaseApprovalExample');
  new LabelPrinterStack(app, 'LabelPrinterExample');
  app.synth();
  return outdir;
}

let sfn: LocalStepFunctions;
let client: SFNClient;
let machines: Record<string, string>;

/** Waits until an execution has ended (or has the event asked for), polling as a client would. */
async function until(executionArn: string, done: (events: HistoryEvent[], status?: string) => boolean): Promise<HistoryEvent[]> {
  for (let i = 0; i < 400; i++) {
    const { status } = await client.send(new DescribeExecutionCommand({ executionArn }));
    const { events } = await client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
    if (done(events ?? [], status)) return events ?? [];
    await new Promise(resolve => setTimeout(resolve, 25));
  }
  throw new Error(`${executionArn} never got there`);
}
const ended = (_: HistoryEvent[], status?: string) => status !== 'RUNNING';

beforeAll(async () => {
  sfn = await startLocalStepFunctions({ app: synthApp(), port: 0, time: 'virtual', activityPollSeconds: 2 });
  client = new SFNClient(sfn.clientConfig);
  const { stateMachines } = await client.send(new ListStateMachinesCommand({}));
  machines = Object.fromEntries((stateMachines ?? []).map(m => [m.name!.replace(/[0-9A-F]{8}$/, ''), m.stateMachineArn!]));
}, 120_000);

afterAll(async () => {
  client?.destroy();
  await sfn?.stop();
});

describe('the app\'s state machines', () => {
  test('are there at start, under the ARNs their logical ids give, sorted by name as AWS lists them', async () => {
    const { stateMachines } = await client.send(new ListStateMachinesCommand({}));
    expect(stateMachines!.map(m => [m.name!.replace(/[0-9A-F]{8}$/, ''), m.type])).toEqual([
      ['OrderWorkflow', 'STANDARD'], ['PurchaseWorkflow', 'STANDARD'], ['QuoteWorkflow', 'EXPRESS'], ['Shipping', 'STANDARD'],
    ]);
    expect(stateMachines![0].stateMachineArn).toMatch(/^arn:aws:states:us-east-1:123456789012:stateMachine:OrderWorkflow[0-9A-F]{8}$/);
    const described = await client.send(new DescribeStateMachineCommand({ stateMachineArn: machines.OrderWorkflow }));
    expect(described.status).toBe('ACTIVE');
    expect(JSON.parse(described.definition!).StartAt).toBe('Validate order');
  });

  test('a Standard execution runs the functions\' own code, and its history is as GetExecutionHistory gives it', async () => {
    const { executionArn } = await client.send(new StartExecutionCommand({
      stateMachineArn: machines.OrderWorkflow, name: 'order-100', input: JSON.stringify({ orderId: 'o-100', items: ['book', 'lamp'] }),
    }));
    expect(executionArn).toBe(`${machines.OrderWorkflow.replace(':stateMachine:', ':execution:')}:order-100`);
    const events = await until(executionArn!, ended);
    const described = await client.send(new DescribeExecutionCommand({ executionArn }));
    expect(described).toMatchObject({ status: 'SUCCEEDED', name: 'order-100', redriveStatus: 'NOT_REDRIVABLE', inputDetails: { included: true } });
    expect(JSON.parse(described.output!).orderId).toBe('o-100');
    expect(described.stopDate!.getTime()).toBeGreaterThanOrEqual(described.startDate!.getTime());
    expect(events[0].type).toBe('ExecutionStarted');
    expect(events[events.length - 1].type).toBe('ExecutionSucceeded');
    expect(events.filter(e => e.type === 'LambdaFunctionSucceeded' || e.type === 'TaskSucceeded').length).toBeGreaterThan(0);

    const reversed = await client.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 2 }));
    expect(reversed.events!.map(e => e.id)).toEqual([events.length, events.length - 1]);
    expect(reversed.nextToken).toBeDefined();
    const nextToken = reversed.nextToken;
    const next = await client.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 2, nextToken }));
    expect(next.events!.map(e => e.id)).toEqual([events.length - 2, events.length - 3]);
    const lean = await client.send(new GetExecutionHistoryCommand({ executionArn, includeExecutionData: false }));
    expect(lean.events![0].executionStartedEventDetails?.input).toBeUndefined();

    const forExecution = await client.send(new DescribeStateMachineForExecutionCommand({ executionArn }));
    expect(forExecution.stateMachineArn).toBe(machines.OrderWorkflow);
    const { executions } = await client.send(new ListExecutionsCommand({ stateMachineArn: machines.OrderWorkflow, statusFilter: 'SUCCEEDED' }));
    expect(executions!.map(e => e.name)).toContain('order-100');
  });

  test('StartExecution again with the same name and input while it runs is the same execution; another input is ExecutionAlreadyExists', async () => {
    const { executionArn } = await client.send(new StartExecutionCommand({
      stateMachineArn: machines.PurchaseWorkflow, name: 'po-idem', input: JSON.stringify({ orderId: 'po-i', requestedBy: 'sam@example.com', lines: [{ quantity: 3, unitPrice: 600 }] }),
    }));
    await until(executionArn!, events => events.some(e => e.type === 'TaskSubmitted'));
    const again = await client.send(new StartExecutionCommand({
      stateMachineArn: machines.PurchaseWorkflow, name: 'po-idem', input: JSON.stringify({ orderId: 'po-i', requestedBy: 'sam@example.com', lines: [{ quantity: 3, unitPrice: 600 }] }),
    }));
    expect(again.executionArn).toBe(executionArn);
    await expect(client.send(new StartExecutionCommand({ stateMachineArn: machines.PurchaseWorkflow, name: 'po-idem', input: '{}' })))
      .rejects.toMatchObject({ name: 'ExecutionAlreadyExists', message: `Execution Already Exists: '${executionArn}'` });
    await client.send(new StopExecutionCommand({ executionArn, error: 'Test.Done', cause: 'stopped by the test' }));
    await until(executionArn!, ended);
    expect(await client.send(new DescribeExecutionCommand({ executionArn }))).toMatchObject({ status: 'ABORTED', error: 'Test.Done', cause: 'stopped by the test' });
    const { events } = await client.send(new GetExecutionHistoryCommand({ executionArn }));
    expect(events![events!.length - 1]).toMatchObject({ type: 'ExecutionAborted', previousEventId: 0 });
  });
});

test('paging holds while executions start between pages, and a token works only for the request it came from', async () => {
  const { stateMachineArn } = await client.send(new CreateStateMachineCommand({ name: 'Paged', roleArn: ROLE, definition: PASS }));
  const started: string[] = [];
  for (let i = 0; i < 5; i++) started.push((await client.send(new StartExecutionCommand({ stateMachineArn, name: `p${i}` }))).executionArn!);
  const first = await client.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 2 }));
  expect(first.executions!.map(e => e.name)).toEqual(['p4', 'p3']);
  await client.send(new StartExecutionCommand({ stateMachineArn, name: 'p5' }));
  await client.send(new StartExecutionCommand({ stateMachineArn, name: 'p6' }));
  const second = await client.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 2, nextToken: first.nextToken }));
  expect(second.executions!.map(e => e.name)).toEqual(['p2', 'p1']);
  const third = await client.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 2, nextToken: second.nextToken }));
  expect(third.executions!.map(e => e.name)).toEqual(['p0']);
  expect(third.nextToken).toBeUndefined();
  await expect(client.send(new ListExecutionsCommand({ stateMachineArn: machines.OrderWorkflow, maxResults: 2, nextToken: first.nextToken })))
    .rejects.toMatchObject({ name: 'InvalidToken', message: "Invalid Token: 'Invalid token'" });
  const history = await client.send(new GetExecutionHistoryCommand({ executionArn: started[0], maxResults: 1 }));
  const reversed = new GetExecutionHistoryCommand({ executionArn: started[0], maxResults: 1, reverseOrder: true, nextToken: history.nextToken });
  await expect(client.send(reversed))
    .rejects.toMatchObject({ name: 'InvalidToken' });
  await expect(client.send(new ListStateMachinesCommand({ nextToken: 'page-2' }))).rejects.toMatchObject({ name: 'InvalidToken' });
  // A token with its anchor changed by hand is refused, not followed.
  const [body, mac] = first.nextToken!.split('.');
  const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), a: -1_000_000 })).toString('base64url');
  await expect(client.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 2, nextToken: `${forged}.${mac}` })))
    .rejects.toMatchObject({ name: 'InvalidToken' });
});

describe('a callback', () => {
  test('the approval gate\'s request runs, and SendTaskSuccess with the token from the history decides it', async () => {
    const { executionArn } = await client.send(new StartExecutionCommand({
      stateMachineArn: machines.PurchaseWorkflow, input: JSON.stringify({ orderId: 'po-8', requestedBy: 'sam@example.com', lines: [{ quantity: 3, unitPrice: 600 }] }),
    }));
    const events = await until(executionArn!, e => e.some(x => x.type === 'TaskSubmitted'));
    const scheduled = events.find(e => e.type === 'TaskScheduled' && e.taskScheduledEventDetails?.resource === 'invoke.waitForTaskToken')!;
    const token = JSON.parse(scheduled.taskScheduledEventDetails!.parameters!).Payload.taskToken;
    await client.send(new SendTaskHeartbeatCommand({ taskToken: token }));
    await client.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ decision: 'APPROVED', decidedBy: 'purchasing@example.com' }) }));
    const after = await until(executionArn!, ended);
    expect((await client.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('SUCCEEDED');
    expect(after.some(e => e.type === 'TaskStateEntered' && e.stateEnteredEventDetails?.name === 'Place order')).toBe(true);
    // The token was used: a second answer is refused, as AWS refuses it.
    await expect(client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })))
      .rejects.toMatchObject({ name: 'TaskTimedOut', message: "Task Timed Out: 'Provided task does not exist anymore'" });
  });

  test('a rejection sent as the decision function sends it (with the request id from the payload) takes the gate\'s rejected route', async () => {
    const { executionArn } = await client.send(new StartExecutionCommand({
      stateMachineArn: machines.PurchaseWorkflow, input: JSON.stringify({ orderId: 'po-r', requestedBy: 'sam@example.com', lines: [{ quantity: 3, unitPrice: 600 }] }),
    }));
    const events = await until(executionArn!, e => e.some(x => x.type === 'TaskSubmitted'));
    const { Payload } = JSON.parse(events.find(e => e.type === 'TaskScheduled' && e.taskScheduledEventDetails?.resource === 'invoke.waitForTaskToken')!
      .taskScheduledEventDetails!.parameters!);
    const output = { requestId: Payload.requestId, decision: 'REJECTED', approver: 'purchasing@example.com', comment: 'no budget', decidedAt: new Date().toISOString() };
    await client.send(new SendTaskSuccessCommand({ taskToken: Payload.taskToken, output: JSON.stringify(output) }));
    await until(executionArn!, ended);
    expect(await client.send(new DescribeExecutionCommand({ executionArn }))).toMatchObject({ status: 'FAILED', error: 'ApprovalRejected' });
  });

  test('SendTaskFailure fails the task with the error and cause sent', async () => {
    const { stateMachineArn } = await client.send(new CreateStateMachineCommand({
      name: 'Callback',
      roleArn: ROLE,
      definition: JSON.stringify({
        StartAt: 'Ask',
        States: { Ask: { Type: 'Task', Resource: 'arn:aws:states:::sns:publish.waitForTaskToken', Parameters: { TopicArn: 't', Message: { 'token.$': '$$.Task.Token' } }, End: true } },
      }),
    }));
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn }));
    const events = await until(executionArn!, e => e.some(x => x.type === 'TaskSubmitted'));
    const token = JSON.parse(events.find(e => e.type === 'TaskScheduled')!.taskScheduledEventDetails!.parameters!).Message.token;
    await client.send(new SendTaskFailureCommand({ taskToken: token, error: 'Desk.Closed', cause: 'nobody there' }));
    await until(executionArn!, ended);
    expect(await client.send(new DescribeExecutionCommand({ executionArn }))).toMatchObject({ status: 'FAILED', error: 'Desk.Closed', cause: 'nobody there' });
  });
});

test('the app\'s functions reach the endpoint too: SendTaskSuccess from a function\'s code (as the gate\'s decision function sends it) decides the task', async () => {
  const { executionArn } = await client.send(new StartExecutionCommand({
    stateMachineArn: machines.PurchaseWorkflow, input: JSON.stringify({ orderId: 'po-9', requestedBy: 'sam@example.com', lines: [{ quantity: 3, unitPrice: 600 }] }),
  }));
  const events = await until(executionArn!, e => e.some(x => x.type === 'TaskSubmitted'));
  const token = JSON.parse(events.find(e => e.type === 'TaskScheduled' && e.taskScheduledEventDetails?.resource === 'invoke.waitForTaskToken')!
    .taskScheduledEventDetails!.parameters!).Payload.taskToken;
  // What a sealed function's require('@aws-sdk/client-sfn') gives it.
  const sdk = sfn.service.offline.sdkModule('@aws-sdk/client-sfn') as any;
  const sandboxed = new sdk.SFNClient({});
  await sandboxed.send(new sdk.SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ decision: 'REJECTED', decidedBy: 'desk' }) }));
  await until(executionArn!, ended);
  expect((await client.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('FAILED');
  await expect(sandboxed.send(new sdk.SendTaskSuccessCommand({ taskToken: token, output: '{}' }))).rejects.toMatchObject({ name: 'TaskTimedOut' });
  await expect(sandboxed.send(new sdk.SendTaskSuccessCommand({ taskToken: 'nope', output: '{}' }))).rejects.toMatchObject({ name: 'InvalidToken' });
});

describe('an activity', () => {
  test('is worked by the worker runtime through the endpoint, with the real SDK, and records who took it', async () => {
    const arn = (await client.send(new ListActivitiesCommand({}))).activities!.find(a => a.name!.startsWith('LabelPrinterExamplePrintlabel'))!.activityArn!;
    expect((await client.send(new DescribeActivityCommand({ activityArn: arn }))).name).toMatch(/^LabelPrinterExamplePrintlabelActivity/);
    const env = { ...process.env };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SFN: sfn.endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local',
    });
    const worker = new ActivityWorker({ activityArn: arn, handler: printLabel, workerName: 'printer-1', handleSignals: false, log: () => undefined });
    const running = worker.start();
    try {
      const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: machines.Shipping, input: JSON.stringify({ orderId: 'o-300', address: '1 Main St' }) }));
      const events = await until(executionArn!, ended);
      const described = await client.send(new DescribeExecutionCommand({ executionArn }));
      expect(described.status).toBe('SUCCEEDED');
      expect(JSON.stringify(JSON.parse(described.output!))).toContain('LBL-o-300');
      expect(events.find(e => e.type === 'ActivityStarted')?.activityStartedEventDetails).toEqual({ workerName: 'printer-1' });
    } finally {
      await worker.stop();
      await running;
      process.env = env;
    }
  }, 30_000);

  test('a poll with no task answers with no token once its time is up', async () => {
    const { activityArn } = await client.send(new CreateActivityCommand({ name: 'idle' }));
    const began = Date.now();
    const answer = await sfnRaw('GetActivityTask', { activityArn });
    expect(answer.body).toEqual({});
    expect(Date.now() - began).toBeGreaterThanOrEqual(1900);
  });
});

describe('an Express workflow', () => {
  test('StartSyncExecution answers with its output, and the failed one with its error (200, as AWS answers)', async () => {
    const input = JSON.stringify({ quantity: 2, unitPrice: 5 });
    const ok = await client.send(new StartSyncExecutionCommand({ stateMachineArn: machines.QuoteWorkflow, input }));
    expect(ok).toMatchObject({ status: 'SUCCEEDED', outputDetails: { included: true }, billingDetails: { billedMemoryUsedInMB: 64 } });
    expect(JSON.parse(ok.output!)).toMatchObject({ total: 20 });
    expect(ok.executionArn).toMatch(/:express:QuoteWorkflow[0-9A-F]{8}:[0-9a-f-]{36}:[0-9a-f-]{36}$/);
    const bad = await client.send(new StartSyncExecutionCommand({ stateMachineArn: machines.QuoteWorkflow, input: JSON.stringify({ quantity: 0 }) }));
    expect(bad.status).toBe('FAILED');
    expect(bad.output).toBeUndefined();
    expect(bad.error).toBeDefined();
    // AWS keeps no history of an Express execution.
    await expect(client.send(new DescribeExecutionCommand({ executionArn: ok.executionArn })))
      .rejects.toMatchObject({ name: 'InvalidArn', message: "Invalid Arn: 'Resource type not valid in this context: express'" });
    await expect(client.send(new ListExecutionsCommand({ stateMachineArn: machines.QuoteWorkflow })))
      .rejects.toMatchObject({ name: 'StateMachineTypeNotSupported' });
    await expect(client.send(new StartSyncExecutionCommand({ stateMachineArn: machines.OrderWorkflow })))
      .rejects.toMatchObject({ name: 'StateMachineTypeNotSupported', message: 'This operation is not supported by this type of state machine' });
  });
});

describe('state machines created through the API', () => {
  const definition = JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', Result: { v: 1 }, End: true } } });

  test('create is idempotent for the very same definition, a clash otherwise; update and delete', async () => {
    const first = await client.send(new CreateStateMachineCommand({ name: 'Raw', definition, roleArn: ROLE, tags: [{ key: 'team', value: 'a' }] }));
    const again = await client.send(new CreateStateMachineCommand({ name: 'Raw', definition, roleArn: ROLE }));
    expect(again.creationDate).toEqual(first.creationDate);
    await expect(client.send(new CreateStateMachineCommand({ name: 'Raw', definition: `${definition} `, roleArn: ROLE })))
      .rejects.toMatchObject({ name: 'StateMachineAlreadyExists', message: `State Machine Already Exists: '${first.stateMachineArn}'` });
    expect((await client.send(new ListTagsForResourceCommand({ resourceArn: first.stateMachineArn }))).tags).toEqual([{ key: 'team', value: 'a' }]);
    await client.send(new TagResourceCommand({ resourceArn: first.stateMachineArn, tags: [{ key: 'env', value: 'test' }] }));
    await client.send(new UntagResourceCommand({ resourceArn: first.stateMachineArn, tagKeys: ['team'] }));
    expect((await client.send(new ListTagsForResourceCommand({ resourceArn: first.stateMachineArn }))).tags).toEqual([{ key: 'env', value: 'test' }]);
    const updated = await client.send(new UpdateStateMachineCommand({
      stateMachineArn: first.stateMachineArn, definition: JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', Result: { v: 2 }, End: true } } }),
    }));
    expect(updated.revisionId).toMatch(/^[0-9a-f-]{36}$/);
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: first.stateMachineArn }));
    await until(executionArn!, ended);
    expect(JSON.parse((await client.send(new DescribeExecutionCommand({ executionArn }))).output!)).toEqual({ v: 2 });
    await client.send(new DeleteStateMachineCommand({ stateMachineArn: first.stateMachineArn }));
    await expect(client.send(new DescribeStateMachineCommand({ stateMachineArn: first.stateMachineArn })))
      .rejects.toMatchObject({ name: 'StateMachineDoesNotExist', message: `State Machine Does Not Exist: '${first.stateMachineArn}'` });
  });

  test('a Distributed Map\'s run is listed and described', async () => {
    const { stateMachineArn } = await client.send(new CreateStateMachineCommand({
      name: 'Fan',
      roleArn: ROLE,
      definition: JSON.stringify({
        StartAt: 'Each',
        States: {
          Each: {
            Type: 'Map',
            ItemsPath: '$.items',
            End: true,
            ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' }, StartAt: 'Double', States: { Double: { Type: 'Pass', End: true } } },
          },
        },
      }),
    }));
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify({ items: [1, 2, 3] }) }));
    await until(executionArn!, ended);
    const { mapRuns } = await client.send(new ListMapRunsCommand({ executionArn }));
    expect(mapRuns).toHaveLength(1);
    const run = await client.send(new DescribeMapRunCommand({ mapRunArn: mapRuns![0].mapRunArn }));
    expect(run).toMatchObject({ status: 'SUCCEEDED', itemCounts: { total: 3, succeeded: 3, failed: 0 }, executionArn });
  });

  test('ValidateStateMachineDefinition says what is wrong, as AWS\'s diagnostics do', async () => {
    expect(await client.send(new ValidateStateMachineDefinitionCommand({ definition }))).toMatchObject({ result: 'OK', diagnostics: [] });
    const missing = await client.send(new ValidateStateMachineDefinitionCommand({ definition: '{}' }));
    expect(missing.result).toBe('FAIL');
    expect(missing.diagnostics![0]).toMatchObject({ severity: 'ERROR', code: 'SCHEMA_VALIDATION_FAILED', message: 'These fields are required: [States, StartAt]', location: '/' });
  });
});

/** A raw request to the endpoint: its status and parsed body. */
async function sfnRaw(operation: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(sfn.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AWSStepFunctions.${operation}`, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

describe('errors, as AWS answers them', () => {
  test('an unknown state machine, execution or token', async () => {
    const missing = 'arn:aws:states:us-east-1:123456789012:stateMachine:Nope';
    await expect(client.send(new StartExecutionCommand({ stateMachineArn: missing })))
      .rejects.toMatchObject({ name: 'StateMachineDoesNotExist', message: `State Machine Does Not Exist: '${missing}'` });
    await expect(client.send(new DescribeExecutionCommand({ executionArn: 'arn:aws:states:us-east-1:123456789012:execution:Nope:x' })))
      .rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });
    await expect(client.send(new DescribeStateMachineCommand({ stateMachineArn: 'not_a_valid_arn' })))
      .rejects.toMatchObject({ name: 'InvalidArn', message: "Invalid Arn: 'Invalid ARN prefix: not_a_valid_arn'" });
    await expect(client.send(new SendTaskSuccessCommand({ taskToken: 'FakeTaskToken', output: '{}' })))
      .rejects.toMatchObject({ name: 'InvalidToken', message: "Invalid Token: 'Invalid token'" });
    await expect(client.send(new DescribeActivityCommand({ activityArn: 'arn:aws:states:us-east-1:123456789012:activity:nope' })))
      .rejects.toMatchObject({ name: 'ActivityDoesNotExist' });
  });

  test('a definition that does not parse, a bad name, bad input', async () => {
    await expect(client.send(new CreateStateMachineCommand({ name: 'Bad', roleArn: ROLE, definition: '{"StartAt":"A"}' })))
      .rejects.toMatchObject({ name: 'InvalidDefinition', message: "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: These fields are required: [States] at /'" });
    await expect(client.send(new CreateStateMachineCommand({ name: 'Bad', roleArn: ROLE, definition: 'not a definition' })))
      .rejects.toMatchObject({ name: 'InvalidDefinition' });
    await expect(client.send(new CreateStateMachineCommand({ name: 'bad name', roleArn: ROLE, definition: PASS })))
      .rejects.toMatchObject({ name: 'InvalidName', message: "Invalid Name: 'bad name'" });
    await expect(client.send(new StartExecutionCommand({ stateMachineArn: machines.OrderWorkflow, input: 'not some json' })))
      .rejects.toMatchObject({ name: 'InvalidExecutionInput' });
    await expect(client.send(new ListStateMachinesCommand({ maxResults: 1001 })))
      .rejects.toMatchObject({
        name: 'ValidationException',
        message: "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000",
      });
    await expect(client.send(new ListExecutionsCommand({ stateMachineArn: machines.OrderWorkflow, statusFilter: 'succeeded' as any })))
      .rejects.toMatchObject({ name: 'ValidationException' });
  });

  test('malformed JSON, an unknown operation, a wrong type, a body over 1 MB: answered, and the endpoint goes on', async () => {
    expect(await sfnRaw('ListStateMachines', '{not json')).toMatchObject({ status: 400, body: { __type: 'com.amazon.coral.service#SerializationException' } });
    expect(await sfnRaw('Explode', {})).toMatchObject({ status: 400, body: { __type: 'com.amazon.coral.service#UnknownOperationException' } });
    expect(await sfnRaw('toString', {})).toMatchObject({ status: 400, body: { __type: 'com.amazon.coral.service#UnknownOperationException' } });
    const wrongType = await sfnRaw('ListStateMachines', { maxResults: 'ten' });
    expect(wrongType).toMatchObject({ status: 400, body: { __type: 'com.amazon.coral.service#SerializationException' } });
    expect(wrongType.body.message).toContain("'maxResults' must be an integer");
    const big = await sfnRaw('StartExecution', { stateMachineArn: machines.OrderWorkflow, input: JSON.stringify({ x: 'x'.repeat(1_100_000) }) });
    expect(big.status).toBe(413);
    const notArray = await sfnRaw('TagResource', { resourceArn: machines.OrderWorkflow, tags: 'a' });
    expect(notArray.status).toBe(400);
    const get = await fetch(sfn.endpoint);
    expect(get.status).toBe(404);
    // Still answering.
    expect((await client.send(new ListStateMachinesCommand({}))).stateMachines!.length).toBeGreaterThan(0);
  });

  test('more than 50 tags, a trace header that is not a string, a number too large: refused', async () => {
    const tags = Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    await expect(client.send(new CreateStateMachineCommand({ name: 'Tagged', roleArn: ROLE, definition: PASS, tags })))
      .rejects.toMatchObject({ name: 'TooManyTags' });
    await expect(client.send(new DescribeStateMachineCommand({ stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:Tagged' })))
      .rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
    await expect(client.send(new TagResourceCommand({ resourceArn: machines.OrderWorkflow, tags }))).rejects.toMatchObject({ name: 'TooManyTags' });
    expect(await sfnRaw('StartExecution', { stateMachineArn: machines.OrderWorkflow, traceHeader: 5 }))
      .toMatchObject({ status: 400, body: { __type: 'com.amazon.coral.service#SerializationException' } });
    const huge = await sfnRaw('ListStateMachines', '{"maxResults":1e400}');
    expect(huge.body.message).toContain("'maxResults' must be an integer; it is a number (Infinity)");
  });

  test('an input over 256 KiB is refused with the constraint it breaks', async () => {
    const answer = await sfnRaw('StartExecution', { stateMachineArn: machines.OrderWorkflow, input: JSON.stringify({ x: 'x'.repeat(270_000) }) });
    expect(answer).toMatchObject({ status: 400, body: { __type: 'com.amazon.coral.validate#ValidationException' } });
    expect(answer.body.message).toContain('Member must have length less than or equal to 262144');
  });
});
