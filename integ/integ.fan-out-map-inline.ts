/**
 * Integration test: an inline FanOutMap (the example shipping workflow) over a list in the input,
 * one parcel caught as invalid. Offline (`npm test`), integ-runner synthesizes it and compares with
 * the committed snapshot. With AWS credentials it deploys, starts an execution and waits for SUCCEEDED.
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration } from 'aws-cdk-lib';
import { FanOutWorkflowStack } from '../examples/fan-out-workflow';

const app = new App();
const stack = new FanOutWorkflowStack(app, 'FanOutInlineInteg');
const integ = new IntegTest(app, 'FanOutInlineTest', { testCases: [stack] });

const start = integ.assertions.awsApiCall('StepFunctions', 'startExecution', {
  stateMachineArn: stack.workflow.stateMachineArn,
  input: JSON.stringify({ shipmentId: 'integ-1', parcels: [{ parcelId: 'p-1', weightKg: 2 }, { parcelId: 'p-2' }] }),
});
const describeExecution = integ.assertions.awsApiCall('StepFunctions', 'describeExecution', {
  executionArn: start.getAttString('executionArn'),
}).expect(ExpectedResult.objectLike({ status: 'SUCCEEDED' }))
  .waitForAssertions({ totalTimeout: Duration.minutes(3), interval: Duration.seconds(10) });
start.next(describeExecution);

app.synth();
