/**
 * The testing toolkit (`cdk-workflow-patterns/testing`) as a user calls it: a construct in a stack,
 * run locally, the library's own functions running their synthesized code on offline AWS services.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { FanOutMap, FanOutProcessor, ItemSource, Saga, SagaStep, StockTradingWorkflow, Workflow } from '../../src';
import {
  LocalWorkflow, approve, aslOf, expire, fails, inSequence, mockFunction, mockResource, mockState, reject, returns, runWorkflow, validateAsl,
  workflowMatchers,
} from '../../src/testing';

expect.extend(workflowMatchers);
declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R> {
      toHaveSucceeded(): R;
      toHaveFailedWith(error: string, cause?: string | RegExp): R;
      toHaveTakenPath(states: string[]): R;
      toHaveEnteredState(state: string): R;
      toHaveTransitions(count: number): R;
      toHaveCalled(target: unknown, times?: number): R;
    }
  }
}

function trading(queryLanguage?: sfn.QueryLanguage) {
  const stack = new Stack(new App(), 'Trading', { env: { account: '123456789012', region: 'us-east-1' } });
  const trades = new StockTradingWorkflow(stack, 'Trades', { approval: { approverEmails: ['desk@example.com', 'risk@example.com'] }, queryLanguage });
  return { stack, trades };
}

describe('a StockTradingWorkflow, run from its construct', () => {
  // Nothing a run's functions print reaches the test's console: the gate's audit lines are in run.logs.
  let consoleCalls: unknown[][];
  beforeEach(() => {
    consoleCalls = [];
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      jest.spyOn(console, method).mockImplementation((...args: unknown[]) => void consoleCalls.push(args));
    }
  });
  afterEach(() => jest.restoreAllMocks());

  test('below the threshold: the sample functions run from their synthesized code, on offline DynamoDB', async () => {
    const { trades } = trading();
    const run = await runWorkflow(trades.workflow, { input: { tradeId: 't-1', companyId: 'ACME', amount: 100 } });
    expect(run).toHaveSucceeded();
    expect(run).toHaveTakenPath(['Check trade request', 'Analyse stock', 'Trade recommended?', 'Execute trade', 'Trade successful?', 'Trade successful']);
    expect(run).toHaveTransitions(6);
    expect(run).toHaveCalled(trades.executionFunction, 1);
    expect(run.output.trade).toMatchObject({ status: 'FILLED', filledCount: 8 });
    const tables = run.aws.dynamodb.tableNames();
    expect(tables.flatMap(t => run.aws.dynamodb.items(t)).filter(i => i.idempotencyKey)).toHaveLength(1);
  });

  test('the gate\'s audit lines are in run.logs, not on the console, unless printLogs asks', async () => {
    const { trades } = trading();
    const input = { tradeId: 't-9', companyId: 'ACME', amount: 1000 };
    const run = await runWorkflow(trades.workflow, { input, approvals: [approve(trades.approvalGate, { by: 'desk@example.com' })] });
    expect(run).toHaveSucceeded();
    expect(consoleCalls).toEqual([]);
    expect(run.logLines().some(l => l.includes('"event":"approval.requested"'))).toBe(true);
    expect(run.logLines().some(l => l.includes('"event":"approval.decision"'))).toBe(true);
    const printed = await runWorkflow(trades.workflow, { input, approvals: [approve(trades.approvalGate, { by: 'desk@example.com' })], printLogs: true });
    expect(consoleCalls).toEqual([[printed.logLines().join('\n')]]);
  });

  test.each([
    ['approve', approve, 'SUCCEEDED', 'APPROVED'],
    ['reject', reject, 'FAILED', 'REJECTED'],
  ] as const)('%s by an approver: the gate\'s own functions send the message, serve the page and deliver the decision', async (_what, decide, status, decision) => {
    const { trades } = trading();
    const run = await runWorkflow(trades.workflow, {
      input: { tradeId: 't-2', companyId: 'ACME', amount: 1000 },
      approvals: [decide(trades.approvalGate, { by: 'risk@example.com', comment: 'looks fine' })],
    });
    expect(run.status).toBe(status);
    const approval = status === 'SUCCEEDED' ? run.output.approval : JSON.parse(run.cause!);
    expect(approval).toMatchObject({ decision, approver: 'risk@example.com', comment: 'looks fine' });
    expect(run.aws.messages.map(m => m.recipient)).toEqual(['desk@example.com', 'risk@example.com']);
    expect(run.aws.messages[0].message).toContain('Trade t-2: buy 80 shares of ACME');
  });

  test('fails when the path reaches a gate without a decision: the hint names approvals', async () => {
    const { trades } = trading();
    await expect(runWorkflow(trades.workflow, { input: { tradeId: 't-9', companyId: 'ACME', amount: 5000 } }))
      .rejects.toThrow("run: gate 'Approve trade' waits for a decision and the run gives none; give approvals: [approve(gate)] (or reject(gate, { by }), expire(gate)), "
        + "where gate is the ApprovalGate or its state name 'Approve trade'");
  });

  test('expire: nobody decides, the gate times out in virtual time and takes its expired route', async () => {
    const { trades } = trading();
    const run = await runWorkflow(trades.workflow, { input: { tradeId: 't-3', companyId: 'ACME', amount: 1000 }, approvals: [expire('Approve trade')] });
    expect(run).toHaveFailedWith('TradeNotApproved', 'EXPIRED');
    expect(run).toHaveEnteredState('Approve trade: expired');
    expect(run.durationMs).toBeGreaterThanOrEqual(Duration.days(1).toMilliseconds());
  });

  test('a mock by function, a sequence: the first call is throttled and retried', async () => {
    const { trades } = trading();
    const run = await runWorkflow(trades.workflow, {
      input: { tradeId: 't-4', companyId: 'ACME', amount: 50 },
      mocks: [mockFunction(trades.executionFunction, inSequence(fails('Lambda.TooManyRequestsException', 'Rate exceeded'), returns({ status: 'FILLED', tradeId: 't-4' })))],
    });
    expect(run).toHaveSucceeded();
    expect(run.retries).toEqual([{ state: 'Execute trade', error: 'Lambda.TooManyRequestsException', attempt: 1 }]);
    expect(run).toHaveTransitions(7);
    expect(run).toHaveCalled('Execute trade', 2);
  });

  test('the history, the diagram and the report', async () => {
    const { trades } = trading();
    const run = await runWorkflow(trades.workflow, { input: { tradeId: 't-5', companyId: 'GLOBEX', amount: 10 } });
    expect(run.history.map(h => [h.state, h.type])).toEqual([
      ['Check trade request', 'Choice'], ['Analyse stock', 'Task'], ['Trade recommended?', 'Choice'], ['No trade recommended', 'Succeed'],
    ]);
    expect(run.historyTable()).toMatch(/Analyse stock\s+Task/);
    expect(run.diagram()).toMatch(/^<svg[\s\S]*data-state="No trade recommended"[\s\S]*<\/svg>\n?$/);
    expect(run.mermaid()).toMatch(/^flowchart TD/);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cwp-report-')), 'run.html');
    run.writeReport(file);
    expect(fs.readFileSync(file, 'utf8')).toContain('<span class="status status-SUCCEEDED" id="status">SUCCEEDED</span>');
  });
});

describe('a StockTradingWorkflow in JSONata: the gate\'s JSONata form decided the same way', () => {
  beforeEach(() => jest.spyOn(console, 'log').mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());

  test.each([
    ['approve', approve, 'SUCCEEDED', 'APPROVED'],
    ['reject', reject, 'FAILED', 'REJECTED'],
  ] as const)('%s', async (_what, decide, status, decision) => {
    const { trades } = trading(sfn.QueryLanguage.JSONATA);
    expect(aslOf(trades.workflow).QueryLanguage).toBe('JSONata');
    const run = await runWorkflow(trades.workflow, {
      input: { tradeId: 't-6', companyId: 'ACME', amount: 1000 },
      approvals: [decide(trades.approvalGate, { by: 'desk@example.com', comment: 'checked' })],
    });
    expect(run.status).toBe(status);
    expect(run.path).toContain('Approve trade');
    expect(run.aws.messages.map(m => m.recipient)).toEqual(['desk@example.com', 'risk@example.com']);
    expect(run.aws.dynamodb.tableNames().flatMap(t => run.aws.dynamodb.items(t)).filter(i => i.decision?.S === decision)).toHaveLength(1);
  });

  test('expire', async () => {
    const { trades } = trading(sfn.QueryLanguage.JSONATA);
    const run = await runWorkflow(trades.workflow, { input: { tradeId: 't-7', companyId: 'ACME', amount: 1000 }, approvals: [expire(trades.approvalGate)] });
    expect(run).toHaveFailedWith('TradeNotApproved', 'EXPIRED');
  });
});

describe('a Saga: the offline services take its record of what was not undone', () => {
  test('a compensation that fails for good sends the operator\'s record to the saga\'s queue', async () => {
    const stack = new Stack(new App(), 'Orders');
    const fn = (id: string) => new lambda.Function(stack, id, {
      runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async (e) => e;'),
    });
    const [reserve, release, charge] = [fn('Reserve'), fn('Release'), fn('Charge')];
    const saga = new Saga(stack, 'Order', {
      steps: [SagaStep.lambda('Reserve stock', { action: reserve, compensation: release }), SagaStep.lambda('Charge payment', { action: charge })],
    });
    const workflow = new Workflow(stack, 'Orders', { definition: saga });
    const run = await runWorkflow(workflow, { mocks: [mockFunction(charge, fails('CardDeclined')), mockFunction(release, fails('StoreDown'))] });
    expect(run).toHaveFailedWith('SagaNotUndone');
    expect(run.aws.queueMessages).toHaveLength(1);
    expect(JSON.parse(run.aws.queueMessages[0].body as string)).toMatchObject({ failedStep: 'Charge payment', notUndone: ['Reserve stock'] });
    expect(run).toHaveCalled(release, 11); // the first attempt and 10 retries
  });
});

describe('used wrongly, the toolkit says what is wrong', () => {
  test('fails when a mock names a state that does not exist', async () => {
    const { trades } = trading();
    await expect(runWorkflow(trades.workflow, { mocks: [mockState('Analyse stocks', returns({}))] }))
      .rejects.toThrow(/states\['Analyse stocks'\] names no Task state \(Task states: .*Analyse stock,/);
  });

  test('fails when a mock names a FanOutMap processor by its old name, giving the new one', async () => {
    const stack = new Stack(new App(), 'Shipping');
    const print = new lambda.Function(stack, 'Print', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async (p) => p;') });
    const labels = new FanOutMap(stack, 'Print labels', { items: ItemSource.jsonArray('$.parcels'), processor: FanOutProcessor.lambda(print) });
    const workflow = new Workflow(stack, 'Labels', { definition: labels });
    await expect(runWorkflow(workflow, { input: { parcels: [1] }, mocks: [mockState('Print labels item', returns({}))] }))
      .rejects.toThrow("states['Print labels item'] names no Task state (Task states: Print labels: each item); a FanOutMap's processor state is now named 'Print labels: each item' (it was 'Print labels item')");
    const run = await runWorkflow(workflow, { input: { parcels: [1, 2] }, mocks: [mockState('Print labels: each item', returns('printed'))] });
    expect(run.output).toEqual(['printed', 'printed']);
  });

  test('fails when a callback is given for a task that is not a callback task', async () => {
    const { trades } = trading();
    await expect(runWorkflow(trades.workflow, { callbacks: { 'Analyse stock': returns({}) } }))
      .rejects.toThrow(/callbacks\['Analyse stock'\] is given, but 'Analyse stock' is not a callback task/);
  });

  test('fails when an approval names a state that is not a gate', async () => {
    const { trades } = trading();
    await expect(runWorkflow(trades.workflow, { approvals: [approve('Analyse stock')] }))
      .rejects.toThrow("approvals: state 'Analyse stock' is not the Task state of an ApprovalGate");
  });

  test('fails when several approvers were asked and the decision does not say who decides', async () => {
    const { trades } = trading();
    await expect(runWorkflow(trades.workflow, { input: { tradeId: 't', companyId: 'ACME', amount: 1000 }, approvals: [approve(trades.approvalGate)] }))
      .rejects.toThrow("approve('Approve trade'): the gate sent 2 messages (to desk@example.com, risk@example.com); say who decides with { by: '...' }");
  });

  test('fails when an approval is given for a gate the run never reaches', async () => {
    const { trades } = trading();
    await expect(runWorkflow(trades.workflow, {
      input: { tradeId: 't', companyId: 'ACME', amount: 100 },
      approvals: [approve(trades.approvalGate, { by: 'desk@example.com' })],
    })).rejects.toThrow(/^approvals: approve\(Trading\/Trades\/Approve trade\) was given, but the run never reached gate 'Approve trade' \(it SUCCEEDED: Check trade request → Analyse stock → .*\); remove the decision, or give the input that leads to the gate$/);
  });

  describe('two stacks with the same workflow: the same state names and logical ids', () => {
    function twoDesks() {
      const app = new App();
      const env = { account: '123456789012', region: 'us-east-1' };
      const approval = { approverEmails: ['desk@example.com'] };
      return {
        london: new StockTradingWorkflow(new Stack(app, 'London', { env }), 'Trades', { approval }),
        tokyo: new StockTradingWorkflow(new Stack(app, 'Tokyo', { env }), 'Trades', { approval }),
      };
    }

    test('fails when the approval is another workflow\'s gate of the same state name', async () => {
      const { london, tokyo } = twoDesks();
      await expect(runWorkflow(london.workflow, { input: { tradeId: 't', companyId: 'ACME', amount: 1000 }, approvals: [approve(tokyo.approvalGate)] }))
        .rejects.toThrow(/^approvals: approve\(Tokyo\/Trades\/Approve trade\) is not the gate of this state machine's state 'Approve trade' \(that state's gate has the request function \w+ in stack London; this gate's is \w+ in stack Tokyo\); give the gate of the workflow you run$/);
      const run = await runWorkflow(london.workflow, { input: { tradeId: 't', companyId: 'ACME', amount: 1000 }, approvals: [approve(london.approvalGate)] });
      expect(run).toHaveSucceeded();
    });

    test('fails when a mock is another stack\'s function of the same logical id', async () => {
      const { london, tokyo } = twoDesks();
      await expect(runWorkflow(london.workflow, { input: { tradeId: 't', companyId: 'ACME', amount: 100 }, mocks: [mockFunction(tokyo.executionFunction, returns({ status: 'FILLED' }))] }))
        .rejects.toThrow(/^mockFunction\(Tokyo\/Trades\/\w+\): this function is in stack Tokyo, but the function of logical id \w+ that London\/Trades\/Workflow invokes is its own stack's \(London\); mock that one \(or the state, with mockState\)$/);
      const run = await runWorkflow(london.workflow, { input: { tradeId: 't', companyId: 'ACME', amount: 100 }, mocks: [mockFunction(london.executionFunction, returns({ status: 'FILLED', tradeId: 't' }))] });
      expect(run).toHaveSucceeded();
    });
  });

  test('fails when a mock names a function or resource no task calls', async () => {
    const { stack, trades } = trading();
    const other = new lambda.Function(stack, 'Unused', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=()=>1') });
    await expect(runWorkflow(trades.workflow, { mocks: [mockFunction(other, returns(1))] }))
      .rejects.toThrow('mockFunction(Trading/Unused): no task of Trading/Trades/Workflow (or of a state machine it can start) invokes this function');
    await expect(runWorkflow(trades.workflow, { mocks: [mockResource('arn:aws:states:::sns:publish', returns({}))] }))
      .rejects.toThrow("mockResource('arn:aws:states:::sns:publish'): no task");
  });

  test('fails when the construct is not a state machine', () => {
    const { trades } = trading();
    expect(() => LocalWorkflow.of(trades.analysisFunction)).toThrow(/LocalWorkflow.of\(Trading\/Trades\/AnalysisFunction\): not a state machine/);
  });

  test('a matcher given something else than a run says so', () => {
    expect(() => expect({}).toHaveSucceeded()).toThrow('toHaveSucceeded: expect() must be given a run');
  });
});

describe('any state machine, by construct or from a cloud assembly', () => {
  function ordering() {
    // The CDK CLI adds construct paths to a template; an app synthesized by a test asks for them.
    const app = new App({ context: { 'aws:cdk:enable-path-metadata': true } });
    const stack = new Stack(app, 'Orders');
    const check = new lambda.Function(stack, 'Check', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async (order) => ({ ...order, valid: order.items > 0 });'),
    });
    const definition = new tasks.LambdaInvoke(stack, 'Check order', { lambdaFunction: check, payloadResponseOnly: true })
      .next(new sfn.Choice(stack, 'Valid?').when(sfn.Condition.booleanEquals('$.valid', true), new sfn.Succeed(stack, 'Accepted')).otherwise(new sfn.Fail(stack, 'Refused', { error: 'Invalid' })));
    const machine = new sfn.StateMachine(stack, 'OrderMachine', { definitionBody: sfn.DefinitionBody.fromChainable(definition) });
    return { app, stack, check, machine };
  }

  test('an sfn.StateMachine: inline code runs; the ASL is valid', async () => {
    const { machine } = ordering();
    expect(validateAsl(aslOf(machine))).toEqual([]);
    await expect(runWorkflow(machine, { input: { items: 2 } })).resolves.toHaveTakenPath(['Check order', 'Valid?', 'Accepted']);
    await expect(runWorkflow(machine, { input: { items: 0 } })).resolves.toHaveFailedWith('Invalid');
  });

  test('fails when a construct path is given and the templates hold none: the message says why, and what to give', () => {
    const app = new App();
    const stack = new Stack(app, 'Orders');
    new sfn.StateMachine(stack, 'OrderMachine', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Noop')) });
    const dir = app.synth().directory;
    expect(() => LocalWorkflow.fromAssembly(dir, 'Orders/OrderMachine'))
      .toThrow(/no state machine 'Orders\/OrderMachine' in .*; its templates hold no construct paths \(the CDK CLI adds them; in a test, synthesize with new App\(\{ context: \{ 'aws:cdk:enable-path-metadata': true \} \}\)\), so give the logical id, or Stack\/LogicalId/);
    expect(LocalWorkflow.fromAssembly(dir, 'Orders/OrderMachineDD64566C').path).toBe('OrderMachineDD64566C');
  });

  test('a function of another stack of the app (an import) runs as one of its own', async () => {
    const app = new App();
    const functions = new Stack(app, 'Functions');
    const check = new lambda.Function(functions, 'Check', {
      runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async (order) => ({ ...order, valid: true });'),
    });
    const stack = new Stack(app, 'Orders');
    const machine = new sfn.StateMachine(stack, 'OrderMachine', {
      definitionBody: sfn.DefinitionBody.fromChainable(new tasks.LambdaInvoke(stack, 'Check order', { lambdaFunction: check, payloadResponseOnly: true })),
    });
    const run = await runWorkflow(machine, { input: { items: 1 } });
    expect(run).toHaveSucceeded();
    expect(run.output).toEqual({ items: 1, valid: true });
  });

  test('from a synthesized cloud assembly, by a construct id only it has', async () => {
    const { app } = ordering();
    const dir = app.synth().directory;
    const workflow = LocalWorkflow.fromAssembly(dir, 'OrderMachine');
    expect(workflow.path).toBe('Orders/OrderMachine');
    await expect(workflow.run({ input: { items: 1 } })).resolves.toHaveSucceeded();
    expect(() => LocalWorkflow.fromAssembly(dir, 'Nope')).toThrow(/no state machine 'Nope' in .*; the state machines there are:\n {2}Orders\/OrderMachine/);
  });

  test('a sequence given to two runs starts again at its first answer in each', async () => {
    const { machine, check } = ordering();
    const refusedFirst = mockFunction(check, inSequence(returns({ valid: false }), returns({ valid: true })));
    for (let i = 0; i < 2; i++) {
      const run = await runWorkflow(machine, { mocks: [refusedFirst] });
      expect(run).toHaveTakenPath(['Check order', 'Valid?', 'Refused']);
    }
  });

  test('validateAsl lists what Step Functions would refuse', () => {
    expect(validateAsl({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' } } })).toEqual([expect.stringMatching(/'B'/)]);
    expect(validateAsl({ StartAt: 'A', States: { A: { Type: 'Pass', End: true } } })).toEqual([]);
  });
});
