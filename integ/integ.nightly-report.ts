/**
 * Integration test: the nightly report example (a ContainerTask on Fargate). Offline (`npm test`),
 * integ-runner synthesizes it and compares with the committed snapshot. With AWS credentials it
 * deploys and runs the container for real: the report task ends with exit code 0.
 */
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration } from 'aws-cdk-lib';
import { expectExecution } from './execution-assertions';
import { NightlyReportStack } from '../examples/nightly-report';

const app = new App();
const stack = new NightlyReportStack(app, 'NightlyReportInteg');
const integ = new IntegTest(app, 'NightlyReportTest', { testCases: [stack] });
// A Fargate task takes a minute or two to start, pull and stop.
expectExecution(integ, stack.workflow.stateMachineArn, {
  input: { day: '2026-12-06' },
  expected: { status: 'SUCCEEDED' },
  totalTimeout: Duration.minutes(15),
  interval: Duration.seconds(30),
});

app.synth();
