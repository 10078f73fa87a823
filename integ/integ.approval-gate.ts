/**
 * Integration test: the example purchase workflow with its ApprovalGate. Offline (`npm test`),
 * integ-runner synthesizes it and compares with the committed snapshot. With AWS credentials it
 * deploys and checks, for real: a small purchase goes through without approval; a large one sends
 * the request and, with nobody deciding within the 1-minute timeout, ends in ApprovalExpired; the
 * decision endpoint refuses a link without its parameters (400) and never runs the function for it.
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration } from 'aws-cdk-lib';
import { expectExecution } from './execution-assertions';
import { PurchaseApprovalStack } from '../examples/approval-workflow';

const app = new App();
const stack = new PurchaseApprovalStack(app, 'ApprovalGateInteg', { approvalTimeout: Duration.minutes(1) });
const integ = new IntegTest(app, 'ApprovalGateTest', { testCases: [stack] });

function execution(name: string, total: number, expected: Record<string, unknown>) {
  expectExecution(integ, stack.workflow.stateMachineArn, {
    name,
    input: { orderId: name, requestedBy: 'integ@example.com', lines: [{ quantity: 1, unitPrice: total }] },
    expected,
    totalTimeout: Duration.minutes(5),
    interval: Duration.seconds(15),
  });
}

execution('small-purchase', 100, { status: 'SUCCEEDED' });
execution('unanswered-purchase', 1000, { status: 'FAILED', error: 'ApprovalExpired' });

integ.assertions.httpApiCall(stack.gate.decisionUrl)
  .expect(ExpectedResult.objectLike({ status: 400 }));

app.synth();
