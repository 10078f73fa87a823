/**
 * The executions the demo runs against the synthesized example app, with the outcome each must have.
 * Lambda functions run from their synthesized code; only what lives outside the app (callbacks,
 * service calls) is given here.
 */
import type { CallbackHandler, TaskHandler } from '../cli/harness/local-execution';

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
  /** The outcome the demo checks. */
  readonly expectStatus: 'SUCCEEDED' | 'FAILED';
}

export const SCENARIOS: DemoScenario[] = [
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
  },
];
