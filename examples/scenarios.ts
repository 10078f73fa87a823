/**
 * The executions the demo runs against the synthesized example app, with the outcome each must have.
 * Lambda functions run from their synthesized code; only what lives outside the app (callbacks,
 * service calls) is given here.
 */
import { printLabel } from './label-printer-worker';
import type { ContainerBehaviour } from '../src/testing/containers';
import type { CallbackHandler, TaskHandler } from '../src/testing/local-execution';
import type { ActivityHandler } from '../src/worker';
import type { ApprovalScript } from '../test/support/approval-simulator';

export interface DemoScenario {
  /** What the execution shows. */
  readonly name: string;
  /** Construct path of the state machine (without `/Resource`). */
  readonly stateMachine: string;
  readonly input: unknown;
  /** Handlers for non-Lambda resources, by resource ARN. */
  readonly resources?: Record<string, TaskHandler>;
  /** Decisions for callback tasks, by state name. */
  readonly callbacks?: Record<string, CallbackHandler>;
  /**
   * ApprovalGates decided through their real handlers (in-memory AWS services), by the gate's
   * task state name: who opens which link, and what they confirm.
   */
  readonly approvals?: Record<string, ApprovalScript>;
  /** Objects in the local S3 before the run: bucket construct path → key → body. */
  readonly s3?: Record<string, Record<string, string>>;
  /**
   * A stand-in for an HTTPS API the workflow calls (HttpTask): the demo starts it on 127.0.0.1 and
   * maps `apiRoot` to it; it answers the requests in turn (the last answer repeats).
   */
  readonly httpStandIn?: { readonly apiRoot: string; readonly answers: ReadonlyArray<{ readonly status: number; readonly body?: unknown }> };
  /** Activity tasks: the worker's handler, by the task's state name (run as cdk-workflow-patterns/worker runs it). */
  readonly activities?: Record<string, ActivityHandler>;
  /** Container tasks: a function standing for each container, by the task's state name. */
  readonly containers?: Record<string, ContainerBehaviour>;
  /** The outcome the demo checks. */
  readonly expectStatus: 'SUCCEEDED' | 'FAILED';
  /** The error a failed execution must end with. */
  readonly expectError?: string;
}

/** The queue that keeps the records of sagas that could not undo their steps, as SQS answers a send. */
const recordsQueue = { 'arn:aws:states:::sqs:sendMessage': () => ({ MessageId: 'record-1', MD5OfMessageBody: 'not checked' }) };
const order = { orderId: 'o-200', items: ['book', 'lamp'], total: 42, card: 'visa', address: '1 Main St' };

const PAYMENTS = 'https://api.payments.example.com';
const basket = { amount: 4200, card: 'tok_visa' };

/** The checkout: the payments API answers paid, declined, down for a moment, and down for good. */
const CHECKOUT_SCENARIOS: DemoScenario[] = [
  {
    name: 'paid: the payments API charges the card',
    stateMachine: 'CheckoutExample/Checkout',
    input: basket,
    httpStandIn: { apiRoot: PAYMENTS, answers: [{ status: 201, body: { id: 'ch_1', status: 'succeeded' } }] },
    expectStatus: 'SUCCEEDED',
  },
  {
    name: 'card declined: 402 is not retried, and caught',
    stateMachine: 'CheckoutExample/Checkout',
    input: { ...basket, card: 'tok_declined' },
    httpStandIn: { apiRoot: PAYMENTS, answers: [{ status: 402, body: { error: 'card_declined' } }] },
    expectStatus: 'FAILED',
    expectError: 'CardDeclined',
  },
  {
    name: 'the payments API is down for a moment: 503, retried, then paid',
    stateMachine: 'CheckoutExample/Checkout',
    input: basket,
    httpStandIn: { apiRoot: PAYMENTS, answers: [{ status: 503 }, { status: 201, body: { id: 'ch_2', status: 'succeeded' } }] },
    expectStatus: 'SUCCEEDED',
  },
  {
    name: 'the payments API stays down: 503 through every retry',
    stateMachine: 'CheckoutExample/Checkout',
    input: basket,
    httpStandIn: { apiRoot: PAYMENTS, answers: [{ status: 503 }] },
    expectStatus: 'FAILED',
    expectError: 'PaymentsUnavailable',
  },
];

/** The order saga: every outcome, in JSONPath, and the happy and not-undone paths in JSONata. */
export const SAGA_SCENARIOS: DemoScenario[] = [
  { name: 'an order placed: stock reserved, card charged, shipping booked', stateMachine: 'OrderSagaExample/OrderSaga', input: order, expectStatus: 'SUCCEEDED' },
  {
    name: 'out of stock: nothing to undo',
    stateMachine: 'OrderSagaExample/OrderSaga',
    input: { ...order, orderId: 'o-201', items: ['sold-out'] },
    expectStatus: 'FAILED',
    expectError: 'SagaRolledBack',
  },
  {
    name: 'card declined: the charge\'s own refund, then the stock released',
    stateMachine: 'OrderSagaExample/OrderSaga',
    input: { ...order, orderId: 'o-202', card: 'declined' },
    expectStatus: 'FAILED',
    expectError: 'SagaRolledBack',
  },
  {
    name: 'no carrier: shipment cancelled, card refunded, stock released',
    stateMachine: 'OrderSagaExample/OrderSaga',
    input: { ...order, orderId: 'o-203', address: 'nowhere' },
    expectStatus: 'FAILED',
    expectError: 'SagaRolledBack',
  },
  {
    name: 'no carrier, and the refund fails for good: recorded for an operator',
    stateMachine: 'OrderSagaExample/OrderSaga',
    input: { ...order, orderId: 'o-204', address: 'nowhere', card: 'closed' },
    resources: recordsQueue,
    expectStatus: 'FAILED',
    expectError: 'SagaNotUndone',
  },
  { name: 'an order placed (JSONata)', stateMachine: 'OrderSagaExample/OrderSagaJsonata', input: order, expectStatus: 'SUCCEEDED' },
  {
    name: 'no carrier, and the refund fails for good (JSONata)',
    stateMachine: 'OrderSagaExample/OrderSagaJsonata',
    input: { ...order, orderId: 'o-205', address: 'nowhere', card: 'closed' },
    resources: recordsQueue,
    expectStatus: 'FAILED',
    expectError: 'SagaNotUndone',
  },
];

export const SCENARIOS: DemoScenario[] = [
  {
    name: 'a manifest of 5 parcels in S3, one without a weight',
    stateMachine: 'ParcelManifestExample/ManifestWorkflow',
    input: {},
    s3: {
      'ParcelManifestExample/Manifests': {
        'manifests/today.csv': 'parcelId,weightKg\np1,1.5\np2,0.4\np3,\np4,12\np5,3.25\n',
      },
    },
    expectStatus: 'SUCCEEDED',
  },
  {
    name: 'checkout: a Standard child prices the order, an Express child records it',
    stateMachine: 'NestedWorkflowExample/CheckoutWorkflow',
    input: { orderId: 'o-7', subtotal: 40, shipping: 5 },
    expectStatus: 'SUCCEEDED',
  },
  {
    name: 'two items in stock',
    stateMachine: 'OrderWorkflowExample/OrderWorkflow',
    input: { orderId: 'o-100', items: ['book', 'lamp'] },
    expectStatus: 'SUCCEEDED',
  },
  {
    name: 'nothing in stock',
    stateMachine: 'OrderWorkflowExample/OrderWorkflow',
    input: { orderId: 'o-101', items: [] },
    expectStatus: 'SUCCEEDED',
  },
  {
    name: 'invalid order (no id) is rejected',
    stateMachine: 'OrderWorkflowExample/OrderWorkflow',
    input: { items: ['book'] },
    expectStatus: 'FAILED',
    expectError: 'OrderRejected',
  },
  {
    name: 'quote for 3 units',
    stateMachine: 'QuoteWorkflowExample/QuoteWorkflow',
    input: { product: 'lamp', quantity: 3 },
    expectStatus: 'SUCCEEDED',
  },
  {
    name: 'bulk quote for 150 units',
    stateMachine: 'QuoteWorkflowExample/QuoteWorkflow',
    input: { product: 'lamp', quantity: 150 },
    expectStatus: 'SUCCEEDED',
  },
  {
    name: 'quote for no units is refused',
    stateMachine: 'QuoteWorkflowExample/QuoteWorkflow',
    input: { product: 'lamp', quantity: 0 },
    expectStatus: 'FAILED',
    expectError: 'InvalidQuote',
  },
  {
    name: 'labels for three parcels',
    stateMachine: 'FanOutWorkflowExample/ShippingWorkflow',
    input: { shipmentId: 's-1', parcels: [{ parcelId: 'p-1', weightKg: 1.2 }, { parcelId: 'p-2', weightKg: 3 }, { parcelId: 'p-3', weightKg: 0.5 }] },
    expectStatus: 'SUCCEEDED',
  },
  {
    name: 'a parcel without weight is caught, the others get labels',
    stateMachine: 'FanOutWorkflowExample/ShippingWorkflow',
    input: { shipmentId: 's-2', parcels: [{ parcelId: 'p-4', weightKg: 2 }, { parcelId: 'p-5' }, { parcelId: 'p-6', weightKg: 7 }] },
    expectStatus: 'SUCCEEDED',
  },
  {
    name: 'a 240 EUR purchase needs no approval',
    stateMachine: 'PurchaseApprovalExample/PurchaseWorkflow',
    input: { orderId: 'po-7', requestedBy: 'sam@example.com', lines: [{ quantity: 2, unitPrice: 120 }] },
    expectStatus: 'SUCCEEDED',
  },
  {
    name: 'a 1,800 EUR purchase approved by the desk through its link',
    stateMachine: 'PurchaseApprovalExample/PurchaseWorkflow',
    input: { orderId: 'po-8', requestedBy: 'sam@example.com', lines: [{ quantity: 3, unitPrice: 600 }] },
    approvals: { 'Approve purchase': { by: 'purchasing@example.com', action: 'approve', comment: 'budgeted for Q4' } },
    expectStatus: 'SUCCEEDED',
  },
  {
    name: 'a 9,000 EUR purchase rejected, then submitted again (409)',
    stateMachine: 'PurchaseApprovalExample/PurchaseWorkflow',
    input: { orderId: 'po-9', requestedBy: 'sam@example.com', lines: [{ quantity: 10, unitPrice: 900 }] },
    approvals: { 'Approve purchase': { by: 'purchasing@example.com', action: 'reject', comment: 'get three quotes first', submitTwice: true } },
    expectStatus: 'FAILED',
    expectError: 'ApprovalRejected',
  },
  // Two workflows whose gates share one ApprovalService: each lead decides through the link of their own gate.
  {
    name: 'a refund approved by the support lead, through the shared approval service',
    stateMachine: 'SharedApprovalsExample/RefundWorkflow',
    input: { orderId: 'o-31', amount: 120 },
    approvals: { 'Approve refund': { by: 'support-lead@example.com', action: 'approve' } },
    expectStatus: 'SUCCEEDED',
  },
  {
    name: 'a discount rejected by the sales lead, through the same service',
    stateMachine: 'SharedApprovalsExample/DiscountWorkflow',
    input: { orderId: 'o-32', percent: 40 },
    approvals: { 'Approve discount': { by: 'sales-lead@example.com', action: 'reject', comment: 'too deep' } },
    expectStatus: 'FAILED',
    expectError: 'ApprovalRejected',
  },
  // StockTradingWorkflow: every path, on the sample functions' simulated market.
  {
    name: 'GLOBEX is rated HOLD: no trade recommended',
    stateMachine: 'StockTradingExample/StockTrading/Workflow',
    input: { tradeId: 'tr-1', companyId: 'GLOBEX', amount: 1000 },
    expectStatus: 'SUCCEEDED',
  },
  {
    name: '100 in ACME, at the threshold: traded without approval',
    stateMachine: 'StockTradingExample/StockTrading/Workflow',
    input: { tradeId: 'tr-2', companyId: 'ACME', amount: 100 },
    expectStatus: 'SUCCEEDED',
  },
  {
    name: '90 in INITECH, whose trading is halted: the trade is unsuccessful',
    stateMachine: 'StockTradingExample/StockTrading/Workflow',
    input: { tradeId: 'tr-3', companyId: 'INITECH', amount: 90 },
    expectStatus: 'FAILED',
    expectError: 'TradeUnsuccessful',
  },
  {
    name: '1,000 in ACME, approved by the desk through its link',
    stateMachine: 'StockTradingExample/StockTrading/Workflow',
    input: { tradeId: 'tr-4', companyId: 'ACME', amount: 1000 },
    approvals: { 'Approve trade': { by: 'trading-desk@example.com', action: 'approve' } },
    expectStatus: 'SUCCEEDED',
  },
  {
    name: '1,000 in ACME, rejected by the desk',
    stateMachine: 'StockTradingExample/StockTrading/Workflow',
    input: { tradeId: 'tr-5', companyId: 'ACME', amount: 1000 },
    approvals: { 'Approve trade': { by: 'trading-desk@example.com', action: 'reject', comment: 'over the daily limit' } },
    expectStatus: 'FAILED',
    expectError: 'TradeNotApproved',
  },
  {
    name: '1,000 in ACME, nobody decides in time',
    stateMachine: 'StockTradingExample/StockTrading/Workflow',
    input: { tradeId: 'tr-6', companyId: 'ACME', amount: 1000 },
    approvals: { 'Approve trade': { by: 'trading-desk@example.com', action: 'ignore' } },
    expectStatus: 'FAILED',
    expectError: 'TradeNotApproved',
  },
  {
    name: 'the analysis fails (no company given)',
    stateMachine: 'StockTradingExample/StockTrading/Workflow',
    input: { tradeId: 'tr-7', companyId: '', amount: 1000 },
    expectStatus: 'FAILED',
    expectError: 'StockAnalysisFailed',
  },
  {
    name: 'a negative amount is refused before anything runs',
    stateMachine: 'StockTradingExample/StockTrading/Workflow',
    input: { tradeId: 'tr-8', companyId: 'ACME', amount: -50 },
    expectStatus: 'FAILED',
    expectError: 'InvalidTradeRequest',
  },
  ...SAGA_SCENARIOS,
  ...CHECKOUT_SCENARIOS,
  {
    name: 'a label printed by the warehouse\'s worker (an activity)',
    stateMachine: 'LabelPrinterExample/Shipping',
    input: { orderId: 'o-300', address: '1 Main St' },
    activities: { 'Print label': printLabel },
    expectStatus: 'SUCCEEDED',
  },
  {
    name: 'the printer is out of paper: the worker fails the task, and its Catch takes it',
    stateMachine: 'LabelPrinterExample/Shipping',
    input: { orderId: 'o-301', address: 'tray empty' },
    activities: { 'Print label': printLabel },
    expectStatus: 'FAILED',
    expectError: 'PrinterOutOfPaper',
  },
  {
    name: 'the handler never ends: the worker keeps heartbeating, and the task times out after its hour',
    stateMachine: 'LabelPrinterExample/Shipping',
    input: { orderId: 'o-302', address: '1 Main St' },
    activities: { 'Print label': () => new Promise(() => undefined) },
    expectStatus: 'FAILED',
    expectError: 'States.Timeout',
  },
  {
    name: 'the nightly report: the container builds it for the day the schedule gives',
    stateMachine: 'NightlyReportExample/Nightly',
    input: { day: '2026-12-06T02:00:00Z' },
    containers: { 'Build report': container => (container.environment.REPORT_DAY ? 0 : 1) },
    expectStatus: 'SUCCEEDED',
  },
  {
    name: 'the report container exits with 1: States.TaskFailed, caught',
    stateMachine: 'NightlyReportExample/Nightly',
    input: { day: '2026-12-06T02:00:00Z' },
    containers: { 'Build report': () => 1 },
    expectStatus: 'FAILED',
    expectError: 'ReportFailed',
  },
];
