/**
 * What sealing the functions' code costs a test: the testing toolkit's complete example (docs/testing.md) (a priced order and an
 * ApprovalGate, approved through the toolkit) run again and again with `runWorkflow` in one process,
 * each run synthesizing the stack and starting its functions' workers (the price function and the
 * gate's request and decision functions). The first run pays the cold starts of everything; the later
 * ones what a test file pays per test.
 *
 *   npm run bench -- --section 8     # this section alone, replaced in bench/RESULTS.md
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Summary, summarize } from './stats';
import { ApprovalGate, ResilientLambdaInvoke, Workflow } from '../src';
import { approve, runWorkflow } from '../src/testing';

function purchases() {
  const stack = new Stack(new App(), 'Purchases');
  const priceFn = new lambda.Function(stack, 'Price', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async (o) => ({ ...o, total: o.quantity * 12.5 });'),
  });
  const gate = new ApprovalGate(stack, 'Approve purchase', {
    timeout: Duration.hours(24),
    summary: sfn.JsonPath.format('Order {} for {} EUR', sfn.JsonPath.stringAt('$.orderId'), sfn.JsonPath.stringAt('$.total')),
    approverEmails: ['buyer@example.com'],
  });
  const price = new ResilientLambdaInvoke(stack, 'Price order', { lambdaFunction: priceFn, payloadResponseOnly: true });
  const workflow = new Workflow(stack, 'Orders', { definition: sfn.Chain.start(price).next(gate).next(new sfn.Succeed(stack, 'Order placed')) });
  return { workflow, gate };
}

export interface SealedRuns {
  /** The first run in the process, milliseconds. */
  readonly firstMs: number;
  /** Every later run. */
  readonly laterMs: Summary;
}

/** Runs the example `runs` times in this process (a fresh stack each time, as a test does). */
export async function measureSealedRuns(runs: number): Promise<SealedRuns> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const { workflow, gate } = purchases();
    const began = process.hrtime.bigint();
    const run = await runWorkflow(workflow, { input: { orderId: `o-${i}`, quantity: 4 }, approvals: [approve(gate)] });
    times.push(Number(process.hrtime.bigint() - began) / 1e6);
    if (run.status !== 'SUCCEEDED') throw new Error(`bench: the sealed run ${i + 1} ended ${run.status} (${run.error}: ${run.cause})`);
  }
  return { firstMs: times[0], laterMs: summarize(times.slice(1)) };
}
