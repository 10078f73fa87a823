/**
 * Integration test: the label printer example (an ActivityTask). Offline (`npm test`), integ-runner
 * synthesizes it and compares with the committed snapshot. With AWS credentials it deploys, starts
 * an execution, and acts as the worker does: takes the task (GetActivityTask) and answers it
 * (SendTaskSuccess); the execution then succeeds.
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration } from 'aws-cdk-lib';
import { LabelPrinterStack } from '../examples/label-printer';

const app = new App();
const stack = new LabelPrinterStack(app, 'LabelPrinterInteg');
const integ = new IntegTest(app, 'LabelPrinterTest', { testCases: [stack] });

const start = integ.assertions.awsApiCall('StepFunctions', 'startExecution', {
  stateMachineArn: stack.workflow.stateMachineArn,
  input: JSON.stringify({ orderId: 'integ-1', address: '1 Main St' }),
});
const take = integ.assertions.awsApiCall('StepFunctions', 'getActivityTask', {
  activityArn: stack.printLabel.activity.activityArn,
  workerName: 'integ-worker',
});
const answer = integ.assertions.awsApiCall('StepFunctions', 'sendTaskSuccess', {
  taskToken: take.getAttString('taskToken'),
  output: JSON.stringify({ labelId: 'LBL-integ-1' }),
});
const done = integ.assertions.awsApiCall('StepFunctions', 'describeExecution', { executionArn: start.getAttString('executionArn') })
  .expect(ExpectedResult.objectLike({ status: 'SUCCEEDED' }))
  .waitForAssertions({ totalTimeout: Duration.minutes(3), interval: Duration.seconds(10) });
start.next(take).next(answer).next(done);

app.synth();
