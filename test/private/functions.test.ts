/**
 * The library's own functions follow the newest Node.js runtime of the installed aws-cdk-lib, so that
 * cdk-nag's AwsSolutions-L1 holds on every aws-cdk-lib of the peer range.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { ApprovalGate, StockTradingWorkflow, Workflow } from '../../src';
import { newestNodeRuntime } from '../../src/private/functions';

function runtimesOfAGateAndATradingWorkflow(): string[] {
  const stack = new Stack(new App(), 'Test', { env: { account: '123456789012', region: 'us-east-1' } });
  const gate = new ApprovalGate(stack, 'Gate', { timeout: Duration.minutes(10), summary: 's', onApproved: new sfn.Succeed(stack, 'Ok') });
  new Workflow(stack, 'Flow', { definition: gate });
  new StockTradingWorkflow(stack, 'Trades', { approval: { approverEmails: ['desk@example.com'] } });
  return Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function')).map(f => f.Properties.Runtime);
}

test('the newest Node.js runtime aws-cdk-lib declares; one an app makes up does not count', () => {
  new lambda.Runtime('nodejs99.x', lambda.RuntimeFamily.NODEJS);
  expect(newestNodeRuntime().name).toBe('nodejs24.x');
});

test('a newer aws-cdk-lib that names a newer Node.js runtime: every function of the library runs on it', () => {
  Object.defineProperty(lambda.Runtime, 'NODEJS_26_X', { value: new lambda.Runtime('nodejs26.x', lambda.RuntimeFamily.NODEJS), configurable: true });
  try {
    const runtimes = runtimesOfAGateAndATradingWorkflow();
    // The gate's request, decision and sweep functions, twice (one gate each), and the trading workflow's two sample functions.
    expect(runtimes).toHaveLength(8);
    expect(new Set(runtimes)).toEqual(new Set(['nodejs26.x']));
  } finally {
    delete (lambda.Runtime as any).NODEJS_26_X;
  }
  expect(new Set(runtimesOfAGateAndATradingWorkflow())).toEqual(new Set(['nodejs24.x']));
});
