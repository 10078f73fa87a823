/**
 * Integration test: the example order workflow. Offline (`npm test`), integ-runner synthesizes it and
 * compares with the committed snapshot. With AWS credentials (`integ-runner --directory integ`) it
 * deploys, starts an execution and waits for SUCCEEDED.
 */
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App } from 'aws-cdk-lib';
import { expectExecution } from './execution-assertions';
import { OrderWorkflowStack } from '../examples/order-workflow';

const app = new App();
const stack = new OrderWorkflowStack(app, 'OrderWorkflowInteg');
const integ = new IntegTest(app, 'OrderWorkflowTest', { testCases: [stack] });

expectExecution(integ, stack.workflow.stateMachineArn, {
  input: { orderId: 'integ-1', items: ['book', 'lamp'] },
  expected: { status: 'SUCCEEDED' },
});

app.synth();
