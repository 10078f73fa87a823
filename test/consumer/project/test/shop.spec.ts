/**
 * The shop's workflows, tested as a user tests them: the testing toolkit's public API only.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import {
  LocalS3, LocalWorkflow, approve, aslOf, bucketNameOf, expire, fails, inSequence, mockFunction, mockState, nagFindings, reject, returns, runWorkflow,
} from 'cdk-workflow-patterns/testing';
import { ShopStack } from '../lib/shop-stack';

const shop = () => new ShopStack(new App(), 'Shop', { env: { account: '123456789012', region: 'eu-west-1' } });

beforeEach(() => {
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

describe('Workflow: quotes (Express)', () => {
  test('prices a quote with the function\'s own inline code', async () => {
    const run = await runWorkflow(shop().quotes, { input: { quantity: 4 } });
    expect(run).toHaveSucceeded();
    expect(run.output).toEqual({ quantity: 4, total: 50 });
    expect(run).toHaveTakenPath(['Price quote']);
  });

  test('an invalid quote is caught', async () => {
    await expect(runWorkflow(shop().quotes, { input: { quantity: 0 } })).resolves.toHaveFailedWith('InvalidQuote');
  });

  test('a throttled function is retried by the library\'s Lambda retry', async () => {
    const stack = shop();
    const run = await runWorkflow(stack.quotes, {
      input: { quantity: 1 },
      mocks: [mockFunction(stack.priceFunction, inSequence(fails('Lambda.TooManyRequestsException'), returns({ total: 1 })))],
    });
    expect(run).toHaveSucceeded();
    expect(run).toHaveTransitions(2);
    expect(run).toHaveCalled(stack.priceFunction, 2);
  });

  test('the ASL is valid, and the stack is cdk-nag clean apart from the user\'s own bucket and functions', () => {
    const stack = shop();
    expect(aslOf(stack.quotes)).toBeValidAsl();
    const findings = nagFindings(stack);
    expect(findings.filter(f => !/^\/?Shop\/(Customers|[A-Za-z]+Function)\//.test(f))).toEqual([]);
  });
});

describe('ApprovalGate: purchases', () => {
  const order = { orderId: 'o-1', quantity: 8 };

  test('approved by the finance approver, with a comment: the order is placed', async () => {
    const stack = shop();
    const run = await runWorkflow(stack.purchases, { input: order, approvals: [approve(stack.approval, { by: 'finance@example.com', comment: 'ok' })] });
    expect(run).toHaveTakenPath(['Price order', 'Approve purchase: open request', 'Approve purchase', 'Approve purchase: approved?', 'Order placed']);
    expect(run.output.approval).toMatchObject({ decision: 'APPROVED', approver: 'finance@example.com', comment: 'ok' });
    expect(run.aws.messages.map(m => m.recipient)).toEqual(['buyer@example.com', 'finance@example.com']);
    expect(run.aws.messages[1].message).toContain('Order o-1 for 100 EUR');
  });

  test('rejected by the buyer', async () => {
    const stack = shop();
    const run = await runWorkflow(stack.purchases, { input: order, approvals: [reject(stack.approval, { by: 'buyer@example.com' })] });
    expect(run).toHaveFailedWith('ApprovalRejected', /^REJECTED \(request [0-9a-f-]+\)$/);
  });

  test('expired: nobody decides within 24 hours', async () => {
    const stack = shop();
    const run = await runWorkflow(stack.purchases, { input: order, approvals: [expire(stack.approval)] });
    expect(run).toHaveFailedWith('ApprovalExpired');
    expect(run.durationMs).toBe(24 * 3600 * 1000);
  });
});

describe('ApprovalService: returns', () => {
  test('the returns\' gate, on a shared service: approved through the service\'s functions, its link naming its gate', async () => {
    const stack = shop();
    const run = await runWorkflow(stack.returns, { input: { orderId: 'o-9' }, approvals: [approve(stack.returnApproval)] });
    expect(run).toHaveSucceeded();
    expect(run.output.approval.approver).toBe('support@example.com');
    expect(run.aws.messages.map(m => m.topicArn)).toHaveLength(1);
    expect(run.aws.messages[0].message).toMatch(/[?&]g=[0-9a-f]{42}&/);
  });
});

describe('StockTradingWorkflow: trades', () => {
  test('below the threshold: traded at once with the sample functions', async () => {
    const run = await runWorkflow(shop().trades.workflow, { input: { tradeId: 't-1', companyId: 'ACME', amount: 100 } });
    expect(run).toHaveSucceeded();
    expect(run).toHaveTransitions(6);
  });

  test('above the threshold: approved by the desk, then traded', async () => {
    const stack = shop();
    const run = await runWorkflow(stack.trades.workflow, {
      input: { tradeId: 't-2', companyId: 'ACME', amount: 1000 },
      approvals: [approve(stack.trades.approvalGate, { by: 'desk@example.com' })],
    });
    expect(run).toHaveSucceeded();
    expect(run).toHaveEnteredState('Execute trade');
    expect(run.output.trade).toMatchObject({ status: 'FILLED' });
  });

  test('in JSONata: approved by the desk, with no state to open the request', async () => {
    const stack = shop();
    const input = { tradeId: 't-4', companyId: 'ACME', amount: 1000 };
    const decide = (gate: typeof stack.trades.approvalGate) => [approve(gate, { by: 'desk@example.com' })];
    const jsonPath = await runWorkflow(stack.trades.workflow, { input, approvals: decide(stack.trades.approvalGate) });
    const jsonata = await runWorkflow(stack.jsonataTrades.workflow, { input, approvals: decide(stack.jsonataTrades.approvalGate) });
    expect(aslOf(stack.jsonataTrades.workflow).QueryLanguage).toBe('JSONata');
    expect(jsonata).toHaveSucceeded();
    expect(jsonPath.path).toContain('Approve trade: open request');
    expect(jsonata.path).not.toContain('Approve trade: open request');
    expect(jsonata.transitions).toBe(jsonPath.transitions - 1);
  });

  test('the execution fails for good: a named Fail state', async () => {
    const run = await runWorkflow(shop().trades.workflow, {
      input: { tradeId: 't-3', companyId: 'ACME', amount: 100 },
      mocks: [mockState('Execute trade', fails('MarketClosed', 'the market is closed'))],
    });
    expect(run).toHaveFailedWith('TradeExecutionFailed');
  });
});

describe('FanOutMap', () => {
  test('inline: every parcel labelled, an invalid one caught', async () => {
    const run = await runWorkflow(shop().shipping, { input: { parcels: [{ id: 'p1' }, {}, { id: 'p3' }] } });
    expect(run).toHaveSucceeded();
    expect(run.output.labels.map((l: any) => l.label ?? l.error.Error)).toEqual(['L-p1', 'InvalidParcel', 'L-p3']);
  });

  test('distributed: items from a local S3, results written back', async () => {
    const stack = shop();
    const s3 = new LocalS3();
    const bucket = bucketNameOf(stack.customers);
    s3.putObject(bucket, 'customers.json', JSON.stringify([{ email: 'a@example.com' }, { email: 'b@example.com' }]));
    const run = await runWorkflow(stack.imports, { input: { key: 'customers.json' }, s3 });
    expect(run).toHaveSucceeded();
    expect(run.output.ItemCounts).toMatchObject({ Total: 2, Succeeded: 2, Failed: 0 });
    expect(run.mapRuns).toHaveLength(1);
    const manifest = JSON.parse(s3.getText(run.output.ResultWriterDetails.Bucket, run.output.ResultWriterDetails.Key)!);
    expect(manifest.ResultFiles.SUCCEEDED).toHaveLength(1);
  });
});

describe('Saga: orders', () => {
  const order = { orderId: 'o-1' };

  test('every step succeeds: the order is placed, each step with its own idempotency key', async () => {
    const stack = shop();
    const run = await runWorkflow(stack.orders, { input: order });
    expect(run).toHaveSucceeded();
    expect(run).toHaveTakenPath(['Order: begin', 'Reserve stock', 'Charge payment', 'Book shipping', 'Order shipped']);
    expect(run.output.reservation.reserve).toMatch(/^[0-9a-f]{64}$/);
    expect(run.output.reservation.reserve).not.toBe(run.output.payment.charge);
  });

  test('the shipping fails: the payment is refunded and the stock released, last step first', async () => {
    const stack = shop();
    const run = await runWorkflow(stack.orders, { input: order, mocks: [mockFunction(stack.sagaFunctions.Ship, fails('NoCarrier'))] });
    expect(run).toHaveFailedWith('SagaRolledBack', 'Book shipping failed (NoCarrier)');
    const calls = run.calls.map(c => c.state);
    expect(calls.indexOf('Charge payment: undo')).toBeLessThan(calls.indexOf('Reserve stock: undo'));
    expect(run).toHaveCalled(stack.sagaFunctions.Refund, 1);
    expect(run).toHaveCalled(stack.sagaFunctions.Release, 1);
    expect(run).toHaveCalled(stack.sagaFunctions.CancelShipment, 0);
  });

  test('a refund that fails for good: the saga says what was not undone', async () => {
    const stack = shop();
    const run = await runWorkflow(stack.orders, {
      input: order,
      mocks: [mockFunction(stack.sagaFunctions.Ship, fails('NoCarrier')), mockFunction(stack.sagaFunctions.Refund, fails('PaymentGatewayDown'))],
    });
    expect(run).toHaveFailedWith('SagaNotUndone');
    expect(run.cause).toContain('Charge payment');
    expect(run).toHaveCalled(stack.sagaFunctions.Release, 0);
    // The operator's record, sent to the saga's queue.
    expect(run.aws.queueMessages).toHaveLength(1);
    expect(JSON.parse(run.aws.queueMessages[0].body as string)).toMatchObject({ notUndone: ['Charge payment', 'Reserve stock'] });
  });
});

describe('from the cdk synth output', () => {
  test('runs a state machine of cdk.out by its construct id, and writes its report', async () => {
    const workflow = LocalWorkflow.fromAssembly(path.join(__dirname, '..', '..', 'cdk.out'), 'Quotes');
    const run = await workflow.run({ input: { quantity: 2 } });
    expect(run).toHaveSucceeded();
    const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'shop-')), 'quotes.html');
    run.writeReport(report);
    expect(fs.readFileSync(report, 'utf8')).toContain('Price quote');
    expect(workflow.diagram()).toContain('data-state="Price quote"');
  });
});
