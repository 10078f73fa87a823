/**
 * The testing toolkit under Vitest, imported as an ES module: the shop's purchases, decided.
 */
import { App } from 'aws-cdk-lib';
import { approve, reject, runWorkflow, workflowMatchers, WorkflowMatchers } from 'cdk-workflow-patterns/testing';
import { describe, expect, test } from 'vitest';
import { ShopStack } from '../lib/shop-stack';

declare module 'vitest' {
  interface Assertion<T = any> extends WorkflowMatchers<T> {}
}

expect.extend(workflowMatchers);

const shop = () => new ShopStack(new App(), 'Shop', { env: { account: '123456789012', region: 'eu-west-1' } });

describe('purchases, under Vitest', () => {
  test('approved by the buyer', async () => {
    const stack = shop();
    const run = await runWorkflow(stack.purchases, { input: { orderId: 'o-1', quantity: 2 }, approvals: [approve(stack.approval, { by: 'buyer@example.com' })] });
    expect(run).toHaveSucceeded();
    expect(run).toHaveTransitions(5);
    expect(run.output.approval.approver).toBe('buyer@example.com');
  });

  test('rejected by finance', async () => {
    const stack = shop();
    const run = await runWorkflow(stack.purchases, { input: { orderId: 'o-2', quantity: 2 }, approvals: [reject(stack.approval, { by: 'finance@example.com' })] });
    expect(run).toHaveFailedWith('ApprovalRejected');
  });
});
