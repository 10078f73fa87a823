/**
 * State transitions of the Saga per failure point: the order saga of examples/order-saga.ts, in
 * JSONPath and in JSONata, against the minimal hand-written saga (bench/baseline/minimal-saga.ts),
 * all run on the local engine with the example's own inline functions, so every count is measured.
 *
 *   npm run bench -- --section 7     # this section alone, replaced in bench/RESULTS.md
 */
import * as vm from 'vm';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { minimalSaga } from './baseline/minimal-saga';
import { table } from './stats';
import { inlineFunctions } from '../examples/inline-functions';
import { ORDER_SAGA_FUNCTIONS, OrderSagaStack } from '../examples/order-saga';
import { Asl, aslOf, arnOf } from '../test/support/asl';
import { LocalRunResult, TaskHandler, runLocally } from '../test/support/local-execution';

export interface FailurePoint {
  readonly name: string;
  readonly input: Record<string, unknown>;
  /** RefundPayment fails this many times before it succeeds (Infinity: never). */
  readonly refundFailures?: number;
}

const order = { orderId: 'o-1', items: ['book'], total: 12, card: 'visa', address: '1 Main St' };

export const FAILURE_POINTS: FailurePoint[] = [
  { name: 'no failure', input: order },
  { name: 'step 1 fails (out of stock)', input: { ...order, items: ['sold-out'] } },
  { name: 'step 2 fails (card declined; its own refund runs)', input: { ...order, card: 'declined' } },
  { name: 'step 3 fails (no carrier; its own cancellation runs)', input: { ...order, address: 'nowhere' } },
  { name: 'step 3 fails, the refund fails once', input: { ...order, address: 'nowhere' }, refundFailures: 1 },
  { name: 'step 3 fails, the refund fails for good', input: { ...order, address: 'nowhere' }, refundFailures: Infinity },
];

/** Why each state the Saga enters beyond the minimal saga earns its transition. */
export const SAGA_EXTRA_TRANSITIONS: Record<string, string> = {
  'Order: begin': 'draws the id of this entry of the saga (a variable), which every idempotency key includes: a saga entered again in the same '
    + 'execution (rolled back, then tried again through a loop) gives its steps new keys, so a second charge is not answered with the first, refunded one',
  '<step>: failed (JSONPath only)': 'records in the payload ($.saga) which step failed, its error and what is to be undone, '
    + 'so that the rolled-back Fail names them and a replaced route can read them; JSONata does it in the Catch\'s Assign, for free',
  '<step>: not undone (JSONPath only)': 'records which compensation failed, its error, the steps not undone and their idempotency keys, '
    + 'for the record and the Fail; JSONata does it in the Catch\'s Assign',
  'Order: record not undone': 'sends that record to the queue the alarm watches: an operator is told, and has the keys to finish the undo by hand; '
    + 'the minimal saga only fails with a fixed cause, and nothing alarms',
};

interface Subject { readonly name: string; readonly asl: Asl; readonly fnArns: Record<string, string> }

function subjects(): Subject[] {
  const env = { account: '123456789012', region: 'us-east-1' };
  const app = new App();
  const ours = new OrderSagaStack(app, 'Ours', { env });
  const fnArns = (stack: Stack) => Object.fromEntries(Object.keys(ORDER_SAGA_FUNCTIONS).map(name => [name, arnOf(stack.node.findChild(name))]));
  const base = new Stack(app, 'Baseline', { env });
  const fns = inlineFunctions(base, ORDER_SAGA_FUNCTIONS);
  const machine = new sfn.StateMachine(base, 'MinimalSaga', {
    definitionBody: sfn.DefinitionBody.fromChainable(minimalSaga(base, {
      fns,
      compensationRetry: {
        errors: [sfn.Errors.ALL],
        interval: Duration.seconds(2),
        maxAttempts: 10,
        backoffRate: 2,
        maxDelay: Duration.seconds(30),
        jitterStrategy: sfn.JitterType.FULL,
      },
    })),
  });
  return [
    { name: 'Saga, JSONPath', asl: aslOf(ours, ours.workflow), fnArns: fnArns(ours) },
    { name: 'Saga, JSONata', asl: aslOf(ours, ours.jsonataWorkflow), fnArns: fnArns(ours) },
    { name: 'minimal', asl: aslOf(base, machine), fnArns: fnArns(base) },
  ];
}

function handlerOf(code: string): (input: any) => unknown {
  const module = { exports: {} as any };
  vm.runInNewContext(code, { exports: module.exports, module, JSON, Error, Object, Boolean });
  return (input: any) => module.exports.handler(input);
}

async function run(subject: Subject, point: FailurePoint): Promise<LocalRunResult> {
  const resources: Record<string, TaskHandler> = { 'arn:aws:states:::sqs:sendMessage': () => ({ MessageId: 'm-1' }) };
  for (const [name, code] of Object.entries(ORDER_SAGA_FUNCTIONS)) {
    const handler = handlerOf(code);
    resources[subject.fnArns[name]] = name === 'RefundPayment' && point.refundFailures
      ? (input: any, call) => {
        if (call.attempt <= point.refundFailures!) throw Object.assign(new Error('bank unavailable'), { name: 'RefundUnavailable' });
        return handler(input);
      }
      : handler;
  }
  return runLocally(subject.asl, { input: point.input, resources, seed: 11 });
}

export interface SagaRow {
  readonly point: string;
  readonly results: Record<string, LocalRunResult>;
}

export async function measureSaga(): Promise<SagaRow[]> {
  const all = subjects();
  const rows: SagaRow[] = [];
  for (const point of FAILURE_POINTS) {
    const results: Record<string, LocalRunResult> = {};
    for (const subject of all) results[subject.name] = await run(subject, point);
    rows.push({ point: point.name, results });
  }
  return rows;
}

const outcome = (r: LocalRunResult) => (r.status === 'SUCCEEDED' ? 'SUCCEEDED' : `FAILED (${r.error})`);

/** The states a run of ours entered that the minimal saga has no counterpart for. */
function extraStates(r: LocalRunResult): string {
  // (The Saga's 'Order: not undone' Fail is the minimal saga's 'Order not undone'.)
  const extra = r.path.filter(s => s === 'Order: begin' || s === 'Order: record not undone' || (/: (failed|not undone)$/.test(s) && s !== 'Order: not undone'));
  return [...new Set(extra)].join(', ');
}

export async function sagaSection(): Promise<string[]> {
  const rows = await measureSaga();
  return ['## 7. Saga: state transitions per failure point',
    'The order saga of examples/order-saga.ts (reserve stock, charge payment, book shipping; the charge and the shipment undone when '
    + 'their own action fails), in JSONPath and in JSONata, against the minimal hand-written saga of bench/baseline/minimal-saga.ts, '
    + 'each run on the local engine with the example\'s inline functions (bench/saga.ts). A retry counts as a transition; the compensation '
    + 'that fails for good is tried 11 times (10 retries) on every side.',
    table(['failure point', 'outcome (all three)', 'JSONPath', 'JSONata', 'minimal', 'extra JSONPath', 'extra JSONata', 'states the Saga adds'],
      rows.map(({ point, results }) => {
        const p = results['Saga, JSONPath'];
        const j = results['Saga, JSONata'];
        const m = results.minimal;
        const outcomes = [...new Set([outcome(p), outcome(j), outcome(m)])].join(' / ');
        return [point, outcomes, p.transitions, j.transitions, m.transitions, p.transitions - m.transitions, j.transitions - m.transitions, extraStates(p) || '(none)'];
      })),
    'Why each extra state earns its transition:',
    Object.entries(SAGA_EXTRA_TRANSITIONS).map(([state, why]) => `- **${state}**: ${why}.`).join('\n'),
    'The JSONata saga costs one transition more than the minimal one on the happy path and on every rolled-back path (its begin state, '
    + 'which gives each entry of the saga keys of its own), and keeps its record in variables (Assign on the Catch) for free; the minimal '
    + 'saga\'s Fail states cannot say what failed or what was undone, and it gives a saga entered twice in one execution the same keys.'];
}

