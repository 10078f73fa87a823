/**
 * The order saga example (examples/order-saga.ts) run locally with its own inline functions: every
 * scenario the demo runs ends as the demo expects, through the states the README describes.
 */
import * as vm from 'vm';
import { App } from 'aws-cdk-lib';
import { ORDER_SAGA_FUNCTIONS, OrderSagaStack } from '../../examples/order-saga';
import { SAGA_SCENARIOS } from '../../examples/scenarios';
import { aslOf, arnOf } from '../support/asl';
import { TaskHandler, runLocally } from '../support/local-execution';

/** An inline function's handler, run in a sandbox as Lambda would run its code. */
function handlerOf(code: string): TaskHandler {
  const module = { exports: {} as any };
  vm.runInNewContext(code, { exports: module.exports, module, JSON, Error, Object, Boolean });
  return (input: any) => module.exports.handler(input);
}

const stack = new OrderSagaStack(new App(), 'OrderSagaExample', { env: { account: '123456789012', region: 'us-east-1' } });
const functions = Object.fromEntries(Object.entries(ORDER_SAGA_FUNCTIONS).map(([name, code]) =>
  [arnOf(stack.node.findChild(name)), handlerOf(code)]));
const machines: Record<string, any> = {
  'OrderSagaExample/OrderSaga': aslOf(stack, stack.workflow),
  'OrderSagaExample/OrderSagaJsonata': aslOf(stack, stack.jsonataWorkflow),
};

test('the demo runs the happy path, a failure at each step and a compensation that fails, in both languages', () => {
  expect(SAGA_SCENARIOS.map(s => [s.stateMachine.split('/')[1], s.expectError ?? s.expectStatus])).toEqual([
    ['OrderSaga', 'SUCCEEDED'], ['OrderSaga', 'SagaRolledBack'], ['OrderSaga', 'SagaRolledBack'], ['OrderSaga', 'SagaRolledBack'],
    ['OrderSaga', 'SagaNotUndone'], ['OrderSagaJsonata', 'SUCCEEDED'], ['OrderSagaJsonata', 'SagaNotUndone'],
  ]);
});

const PATHS: Record<string, string[]> = {
  'an order placed: stock reserved, card charged, shipping booked': ['Order: begin', 'Reserve stock', 'Charge payment', 'Book shipping', 'Order placed'],
  'out of stock: nothing to undo': ['Order: begin', 'Reserve stock', 'Reserve stock: failed', 'Order: rolled back'],
  'card declined: the charge\'s own refund, then the stock released': ['Order: begin', 'Reserve stock', 'Charge payment', 'Charge payment: failed', 'Charge payment: undo', 'Reserve stock: undo', 'Order: rolled back'],
  'no carrier: shipment cancelled, card refunded, stock released': ['Order: begin', 'Reserve stock', 'Charge payment', 'Book shipping', 'Book shipping: failed', 'Book shipping: undo', 'Charge payment: undo', 'Reserve stock: undo', 'Order: rolled back'],
  'no carrier, and the refund fails for good: recorded for an operator': ['Order: begin', 'Reserve stock', 'Charge payment', 'Book shipping', 'Book shipping: failed',
    'Book shipping: undo', 'Charge payment: undo', 'Charge payment: not undone', 'Order: record not undone', 'Order: not undone'],
  'an order placed (JSONata)': ['Order (JSONata): begin', 'Reserve stock', 'Charge payment', 'Book shipping', 'Order placed'],
  'no carrier, and the refund fails for good (JSONata)': ['Order (JSONata): begin', 'Reserve stock', 'Charge payment', 'Book shipping', 'Book shipping: undo', 'Charge payment: undo', 'Order (JSONata): record not undone', 'Order (JSONata): not undone'],
};

test.each(SAGA_SCENARIOS.map(s => [s.name, s] as const))('%s', async (_name, scenario) => {
  const resources = { ...functions, ...scenario.resources };
  const run = await runLocally(machines[scenario.stateMachine], { input: scenario.input, resources, seed: 3 });
  expect([run.status, run.error]).toEqual([scenario.expectStatus, scenario.expectError]);
  // (A compensation retried is entered once: the path lists each state once per entry.)
  expect(run.path).toEqual(PATHS[scenario.name]);
});
