/**
 * Integration test: the example order saga, in JSONPath and in JSONata. Offline (`npm test`),
 * integ-runner synthesizes it and compares with the committed snapshot. With AWS credentials it
 * deploys and checks three paths for real: an order placed, a declined card rolled back, and a refund
 * that fails for good (the saga ends not undone, with its record in the queue).
 */
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration } from 'aws-cdk-lib';
import { expectExecution } from './execution-assertions';
import { OrderSagaStack } from '../examples/order-saga';

const app = new App();
const stack = new OrderSagaStack(app, 'OrderSagaInteg');
const integ = new IntegTest(app, 'OrderSagaTest', { testCases: [stack] });

const order = { orderId: 'integ-1', items: ['book'], total: 12, card: 'visa', address: '1 Main St' };
// A compensation is retried 10 times, up to 30 seconds apart, before the saga gives up.
const long = { totalTimeout: Duration.minutes(10), interval: Duration.seconds(30) };

expectExecution(integ, stack.workflow.stateMachineArn, { input: order, expected: { status: 'SUCCEEDED' } });
expectExecution(integ, stack.workflow.stateMachineArn, { input: { ...order, card: 'declined' }, expected: { status: 'FAILED', error: 'SagaRolledBack' } });
expectExecution(integ, stack.jsonataWorkflow.stateMachineArn, { input: order, expected: { status: 'SUCCEEDED' } });
expectExecution(integ, stack.jsonataWorkflow.stateMachineArn, {
  input: { ...order, address: 'nowhere', card: 'closed' },
  expected: { status: 'FAILED', error: 'SagaNotUndone' },
  ...long,
});

app.synth();
