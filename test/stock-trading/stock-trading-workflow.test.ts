import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { StockTradingWorkflow, StockTradingWorkflowProps, WorkflowType } from '../../src';
import * as analysis from '../../src/stock-trading/analysis.lambda';
import * as execution from '../../src/stock-trading/execute-trade.lambda';
import { arnOf, aslOf, logicalIdOf } from '../support/asl';
import { FakeDynamoDB } from '../support/fake-dynamodb';
import { LocalRunOptions, TaskFailure, TaskHandler, runLocally } from '../support/local-execution';
import { expectNagClean } from '../support/nag';
import { snapshotOf } from '../support/snapshot';

function newStack() {
  return new Stack(new App(), 'Test', { env: { account: '123456789012', region: 'us-east-1' } });
}

function trading(props: StockTradingWorkflowProps = {}) {
  const stack = newStack();
  const trades = new StockTradingWorkflow(stack, 'Trading', { approval: { approverEmails: ['desk@example.com'] }, ...props });
  return { stack, trades };
}

const decided = (decision: 'APPROVED' | 'REJECTED') => (request: any) =>
  ({ decision, approver: 'desk@example.com', comment: null, decidedAt: '2026-11-28T10:00:00.000Z', requestId: request.requestId });

/** The states the approval gate adds in JSONPath to the minimal definition; none in JSONata. */
const GATE_STATES = {
  JSONPath: { queryLanguage: sfn.QueryLanguage.JSON_PATH, opened: ['Approve trade: open request'], expired: ['Approve trade: expired'] },
  JSONata: { queryLanguage: sfn.QueryLanguage.JSONATA, opened: [] as string[], expired: [] as string[] },
};

describe.each(['JSONPath', 'JSONata'] as const)('running every path locally, with the sample functions, in %s', language => {
  const { queryLanguage, opened, expired } = GATE_STATES[language];
  let ddb: FakeDynamoDB;
  beforeEach(() => {
    ddb = new FakeDynamoDB();
    ddb.addTable('Trades', 'idempotencyKey');
    process.env.TRADES_TABLE_NAME = 'Trades';
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => {
    ddb.restore();
    jest.restoreAllMocks();
  });

  function run(input: unknown, options: Partial<LocalRunOptions> & { execute?: TaskHandler } = {}) {
    const { stack, trades } = trading({ queryLanguage });
    const asl = aslOf(stack, trades.workflow.stateMachine);
    expect(asl.QueryLanguage).toBe(language);
    return runLocally(asl, {
      input,
      resources: {
        [arnOf(trades.analysisFunction)]: (e: any) => analysis.handler(e),
        [arnOf(trades.executionFunction)]: options.execute ?? ((e: any) => execution.handler(e)),
      },
      callbacks: options.callbacks,
    });
  }
  const trades = () => ddb.writes.filter(w => w.table === 'Trades');

  test('no trade recommended: succeeds without trading', async () => {
    const result = await run({ tradeId: 't-1', companyId: 'GLOBEX', amount: 1000 });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toEqual(['Check trade request', 'Analyse stock', 'Trade recommended?', 'No trade recommended']);
    expect(result.transitions).toBe(4);
    expect(result.output.analysis).toEqual({ companyId: 'GLOBEX', stockCount: 11, price: 88, tradeAmount: 968, recommended: false, rating: 'HOLD' });
    expect(trades()).toHaveLength(0);
  });

  test('at or below the threshold: executed at once, verified, succeeds', async () => {
    const result = await run({ tradeId: 't-2', companyId: 'ACME', amount: 100 });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toEqual(['Check trade request', 'Analyse stock', 'Trade recommended?', 'Execute trade', 'Trade successful?', 'Trade successful']);
    expect(result.transitions).toBe(6);
    expect(result.output.trade).toMatchObject({ tradeId: 't-2', status: 'FILLED', filledCount: 8, tradeAmount: 100 });
    expect(trades()).toHaveLength(1);
  });

  test('below the threshold, verification fails: the market refused the order', async () => {
    const result = await run({ tradeId: 't-3', companyId: 'INITECH', amount: 90 });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('TradeUnsuccessful');
    expect(JSON.parse(result.cause!)).toMatchObject({ status: 'REJECTED', reason: 'trading in INITECH is halted' });
    expect(result.path).toEqual(['Check trade request', 'Analyse stock', 'Trade recommended?', 'Execute trade', 'Trade successful?', 'Trade unsuccessful']);
    expect(result.transitions).toBe(6);
  });

  test('above the threshold and approved: the gate, then the trade', async () => {
    const requests: any[] = [];
    const result = await run({ tradeId: 't-4', companyId: 'ACME', amount: 1000 }, {
      callbacks: { 'Approve trade': (request: any) => { requests.push(request); return decided('APPROVED')(request); } },
    });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toEqual([
      'Check trade request', 'Analyse stock', 'Trade recommended?', ...opened, 'Approve trade', 'Approve trade: approved?',
      'Execute trade', 'Trade successful?', 'Trade successful',
    ]);
    expect(result.transitions).toBe(8 + opened.length);
    expect(requests[0].summary).toBe('Trade t-4: buy 80 shares of ACME at 12.5 (1000 in all)');
    expect(result.output.approval.decision).toBe('APPROVED');
    expect(result.output.trade).toMatchObject({ status: 'FILLED', filledCount: 80 });
  });

  test.each([
    ['rejected', () => decided('REJECTED'), ['Approve trade', 'Approve trade: approved?'], 'REJECTED'],
    ['expired', () => () => { throw new TaskFailure('States.Timeout'); }, ['Approve trade', ...expired], 'EXPIRED'],
  ])('above the threshold and %s: fails with the decision as cause, nothing traded', async (_what, callback, gatePath, decision) => {
    const result = await run({ tradeId: 't-5', companyId: 'ACME', amount: 1000 }, { callbacks: { 'Approve trade': callback() } });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('TradeNotApproved');
    expect(JSON.parse(result.cause!)).toMatchObject({ decision, requestId: expect.any(String) });
    expect(result.path).toEqual(['Check trade request', 'Analyse stock', 'Trade recommended?', ...opened, ...gatePath, 'Trade not approved']);
    expect(result.transitions).toBe(4 + opened.length + gatePath.length);
    expect(trades()).toHaveLength(0);
  });

  test('the analysis function fails (not transiently): a Fail state with its error, no retry, no hang', async () => {
    const result = await run({ tradeId: 't-6', companyId: '', amount: 1000 });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('StockAnalysisFailed');
    expect(result.cause).toContain('companyId is missing');
    expect(result.retries).toEqual([]);
    expect(result.path).toEqual(['Check trade request', 'Analyse stock', 'Analysis failed']);
    expect(result.transitions).toBe(3);
  });

  test('the execution function is throttled, then succeeds: one retry, one trade', async () => {
    let calls = 0;
    const result = await run({ tradeId: 't-7', companyId: 'ACME', amount: 50 }, {
      execute: (e: any) => {
        calls++;
        if (calls === 1) throw new TaskFailure('Lambda.TooManyRequestsException', 'Rate exceeded');
        return execution.handler(e);
      },
    });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.retries).toEqual([{ state: 'Execute trade', error: 'Lambda.TooManyRequestsException', attempt: 1 }]);
    expect(result.transitions).toBe(7); // a retry is a state transition too
    expect(trades()).toHaveLength(1);
  });

  test('the execution\'s response is lost after it traded: the retry gets the first result, and nothing trades twice', async () => {
    let first: any;
    const keys: string[] = [];
    const result = await run({ tradeId: 't-8', companyId: 'ACME', amount: 50 }, {
      execute: async (e: any) => {
        keys.push(e.idempotencyKey);
        const out = await execution.handler(e);
        if (!first) {
          first = out;
          throw new TaskFailure('Lambda.ServiceException', 'response lost');
        }
        return out;
      },
    });
    expect(result.status).toBe('SUCCEEDED');
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBe(keys[1]);
    expect(keys[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(result.output.trade).toEqual(first);
    expect(trades()).toHaveLength(1);
  });

  test.each([
    ['no trade id', { companyId: 'ACME', amount: 10 }, 'Invalid request: no trade id', 'tradeId is missing or not a string'],
    ['a trade id that is a number', { tradeId: 7, companyId: 'ACME', amount: 10 }, 'Invalid request: no trade id', 'tradeId is missing or not a string'],
    ['no company', { tradeId: 't', amount: 10 }, 'Invalid request: no company', 'companyId is missing or not a string'],
    ['an amount that is text', { tradeId: 't', companyId: 'ACME', amount: '10' }, 'Invalid request: amount not a number', 'amount is missing or not a number'],
    ['a negative amount', { tradeId: 't', companyId: 'ACME', amount: -5 }, 'Invalid request: negative amount', 'amount must be 0 or more'],
    ['a non-numeric price', { tradeId: 't', companyId: 'ACME', amount: 10, price: 'cheap' }, 'Invalid request: price not a number', 'price must be a number'],
    ['a zero price', { tradeId: 't', companyId: 'ACME', amount: 10, price: 0 }, 'Invalid request: price not above 0', 'price must be above 0'],
  ])('a malformed input (%s) fails before anything runs', async (_what, input, state, cause) => {
    const result = await run(input);
    expect(result).toMatchObject({ status: 'FAILED', error: 'InvalidTradeRequest', cause, path: ['Check trade request', state], transitions: 2 });
    expect(result.calls).toEqual([]);
  });
});

describe('resources and options', () => {
  test('the approval threshold of 0, the least, is accepted: every trade above 0 waits for approval', () => {
    const { stack, trades } = trading({ approvalThreshold: 0 });
    expect(trades.approvalThreshold).toBe(0);
    expect(aslOf(stack, trades.workflow.stateMachine).States['Trade recommended?'].Choices[2].NumericGreaterThan).toBe(0);
  });

  test('in JSONata: valid ASL, every state declared JSONata, the same idempotency key and threshold', () => {
    const { stack, trades } = trading({ queryLanguage: sfn.QueryLanguage.JSONATA, approvalThreshold: 250 });
    const asl = aslOf(stack, trades.workflow.stateMachine);
    expect(asl).toBeValidAsl();
    expect(asl.QueryLanguage).toBe('JSONata');
    expect(Object.values(asl.States).map((st: any) => st.QueryLanguage)).toEqual(Object.keys(asl.States).map(() => 'JSONata'));
    expect(asl.States['Execute trade'].Arguments.Payload.idempotencyKey).toBe("{% $hash($states.context.Execution.Id & '|' & $states.input.tradeId, 'SHA-256') %}");
    expect(asl.States['Trade recommended?'].Choices[2]).toEqual({ Condition: '{% $states.input.analysis.tradeAmount > 250 %}', Next: 'Approve trade' });
    expectNagClean(stack);
  });

  test('a Standard workflow whose ASL is valid, with the idempotency key derived from the execution and the trade id', () => {
    const { stack, trades } = trading();
    const asl = aslOf(stack, trades.workflow.stateMachine);
    expect(asl).toBeValidAsl();
    Template.fromStack(stack).hasResourceProperties('AWS::StepFunctions::StateMachine', { StateMachineType: 'STANDARD' });
    expect(asl.States['Execute trade'].Parameters['idempotencyKey.$']).toBe("States.Hash(States.Format('{}|{}', $$.Execution.Id, $.tradeId), 'SHA-256')");
    for (const state of ['Analyse stock', 'Execute trade']) {
      expect(asl.States[state].Retry[0].ErrorEquals).toContain('Lambda.TooManyRequestsException');
    }
    expect(asl.States['Trade recommended?'].Choices[2]).toEqual({ Variable: '$.analysis.tradeAmount', NumericGreaterThan: 100, Next: 'Approve trade: open request' });
  });

  test('the approval threshold and approval options pass through', () => {
    const { stack, trades } = trading({ approvalThreshold: 2500, approval: { timeout: Duration.hours(2), approverEmails: ['risk@example.com'] } });
    const asl = aslOf(stack, trades.workflow.stateMachine);
    expect(asl.States['Trade recommended?'].Choices[2].NumericGreaterThan).toBe(2500);
    expect(asl.States['Approve trade'].TimeoutSeconds).toBe(7200);
    Template.fromStack(stack).hasResourceProperties('AWS::SNS::Subscription', { Endpoint: 'risk@example.com' });
  });

  test('the sample execution function may only put and get items of its trades table', () => {
    const { stack, trades } = trading();
    const t = Template.fromStack(stack);
    const policy = Object.values(t.findResources('AWS::IAM::Policy'))
      .find(p => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: logicalIdOf(trades.executionFunction.role!) }]))!;
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      expect.objectContaining({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'] }),
      { Action: ['dynamodb:PutItem', 'dynamodb:GetItem'], Effect: 'Allow', Resource: [{ 'Fn::GetAtt': [logicalIdOf(trades.tradesTable!), 'Arn'] }] },
    ]);
    t.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'idempotencyKey', KeyType: 'HASH' }],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
    });
  });

  test('functions of the user replace the samples: no sample function, no trades table', () => {
    const stack = newStack();
    const fn = (id: string) => new lambda.Function(stack, id, { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async e => e') });
    const analyse = fn('MyAnalysis');
    const execute = fn('MyExecution');
    const trades = new StockTradingWorkflow(stack, 'Trading', { analysisFunction: analyse, executionFunction: execute });
    expect(trades.tradesTable).toBeUndefined();
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::Lambda::Function', 5); // the user's two and the approval gate's three
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'lambda:InvokeFunction', Resource: Match.arrayWith([{ 'Fn::GetAtt': [logicalIdOf(execute), 'Arn'] }]) })]) },
    });
  });

  test('fails when an Express type is asked for', () => {
    expect(() => new StockTradingWorkflow(newStack(), 'Trading', { type: WorkflowType.expressSync() }))
      .toThrow("StockTradingWorkflow 'Trading': trades above the threshold wait for a person's approval, which an EXPRESS (SYNC) workflow cannot do; leave type out (Standard)");
  });

  test('fails when the threshold is negative', () => {
    expect(() => new StockTradingWorkflow(newStack(), 'Trading', { approvalThreshold: -1 }))
      .toThrow("StockTradingWorkflow 'Trading': approvalThreshold must be a number of at least 0 (got -1)");
  });

  test('cdk-nag AwsSolutions finds nothing unsuppressed', () => {
    expectNagClean(trading().stack);
  });

  test('snapshot', () => {
    expect(snapshotOf(trading().stack)).toMatchSnapshot();
  });
});
