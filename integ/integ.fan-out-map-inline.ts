/**
 * Integration test: an inline FanOutMap (the example shipping workflow) over a list in the input,
 * one parcel caught as invalid. Offline (`npm test`), integ-runner synthesizes it and compares with
 * the committed snapshot. With AWS credentials it deploys, starts an execution and waits for SUCCEEDED.
 */
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App } from 'aws-cdk-lib';
import { expectExecution } from './execution-assertions';
import { FanOutWorkflowStack } from '../examples/fan-out-workflow';

const app = new App();
const stack = new FanOutWorkflowStack(app, 'FanOutInlineInteg');
const integ = new IntegTest(app, 'FanOutInlineTest', { testCases: [stack] });

expectExecution(integ, stack.workflow.stateMachineArn, {
  input: { shipmentId: 'integ-1', parcels: [{ parcelId: 'p-1', weightKg: 2 }, { parcelId: 'p-2' }] },
  expected: { status: 'SUCCEEDED' },
});

app.synth();
