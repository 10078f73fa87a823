/**
 * Integration test: one ApprovalService shared by the gates of two workflows. Offline (`npm test`),
 * integ-runner synthesizes it and compares with the committed snapshot. With AWS credentials it
 * deploys and checks, for real: each workflow sends its request through the shared service and, with
 * nobody deciding within the 1-minute timeout, ends in ApprovalExpired; the shared endpoint refuses a
 * link without its parameters (400).
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration } from 'aws-cdk-lib';
import { expectExecution } from './execution-assertions';
import { SharedApprovalsStack } from '../examples/shared-approvals';

const app = new App();
const stack = new SharedApprovalsStack(app, 'ApprovalServiceInteg', { approvalTimeout: Duration.minutes(1) });
const integ = new IntegTest(app, 'ApprovalServiceTest', { testCases: [stack] });

for (const [name, workflow, input] of [
  ['unanswered-refund', stack.refunds, { orderId: 'o-1', amount: 10 }],
  ['unanswered-discount', stack.discounts, { orderId: 'o-2', percent: 5 }],
] as const) {
  expectExecution(integ, workflow.stateMachineArn, {
    name, input, expected: { status: 'FAILED', error: 'ApprovalExpired' }, totalTimeout: Duration.minutes(5), interval: Duration.seconds(15),
  });
}

integ.assertions.httpApiCall(stack.service.decisionUrl)
  .expect(ExpectedResult.objectLike({ status: 400 }));

app.synth();
