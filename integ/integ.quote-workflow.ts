/**
 * Integration test: the example synchronous Express workflow. Offline (`npm test`), integ-runner
 * synthesizes it and compares with the committed snapshot. With AWS credentials it deploys, runs a
 * synchronous execution and checks its status and output.
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App } from 'aws-cdk-lib';
import { QuoteWorkflowStack } from '../examples/quote-workflow';

const app = new App();
const stack = new QuoteWorkflowStack(app, 'QuoteWorkflowInteg');
const integ = new IntegTest(app, 'QuoteWorkflowTest', { testCases: [stack] });

integ.assertions.awsApiCall('StepFunctions', 'startSyncExecution', {
  stateMachineArn: stack.workflow.stateMachineArn,
  input: JSON.stringify({ product: 'lamp', quantity: 150 }),
}).expect(ExpectedResult.objectLike({
  status: 'SUCCEEDED',
  output: JSON.stringify({ product: 'lamp', quantity: 150, unitPrice: 8, total: 1200, bulk: true }),
}));

app.synth();
