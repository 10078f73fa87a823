/**
 * Integration test: the example order workflow. Offline (`npm test`), integ-runner synthesizes it and
 * compares with the committed snapshot. With AWS credentials (`integ-runner --directory integ`) it
 * deploys, starts an execution and waits for SUCCEEDED.
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration } from 'aws-cdk-lib';
import { OrderWorkflowStack } from '../examples/order-workflow';

const app = new App();
const stack = new OrderWorkflowStack(app, 'OrderWorkflowInteg');
const integ = new IntegTest(app, 'OrderWorkflowTest', { testCases: [stack] });

const start = integ.assertions.awsApiCall('StepFunctions', 'startExecution', {
  stateMachineArn: stack.workflow.stateMachineArn,
  input: JSON.stringify({ orderId: 'integ-1', items: ['book', 'lamp'] }),
});
const describeExecution = integ.assertions.awsApiCall('StepFunctions', 'describeExecution', {
  executionArn: start.getAttString('executionArn'),
}).expect(ExpectedResult.objectLike({ status: 'SUCCEEDED' }))
  .waitForAssertions({ totalTimeout: Duration.minutes(3), interval: Duration.seconds(10) });
start.next(describeExecution);

app.synth();
