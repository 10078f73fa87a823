/**
 * One synth measurement, run in a fresh Node.js process by bench/synth.ts (bundled to plain
 * JavaScript first, so no TypeScript compiler runs here):
 *
 *   node synth-app.js <ours|baseline|ours-shared|baseline-shared> <N> <outdir>
 *
 * Synthesizes an app of N stacks, one StockTradingWorkflow (or its hand-written baseline) each, into
 * outdir: each with an approval service of its own (`ours`, `baseline`: 48 resources a workflow, so
 * that 50 in one stack would pass CloudFormation's 500 resource limit), or all sharing one approval
 * service in a stack of its own (`ours-shared`: an ApprovalService; `baseline-shared`: its hand-written
 * equivalent). Prints one JSON line: the time to load the side's code, build and synthesize the app,
 * the template bytes and the process's peak resident memory.
 */
import * as fs from 'fs';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { App, Stack } from 'aws-cdk-lib';

export type SynthSide = 'ours' | 'baseline' | 'ours-shared' | 'baseline-shared';
export const SIDES: readonly SynthSide[] = ['ours', 'baseline', 'ours-shared', 'baseline-shared'];

export interface SynthSample {
  readonly side: SynthSide;
  readonly n: number;
  /** Loading the side's code, building the constructs and synthesizing (after aws-cdk-lib's core is loaded). */
  readonly synthMs: number;
  /** Bytes of all the templates. */
  readonly templateBytes: number;
  /** Resources in all the templates. */
  readonly resources: number;
  /** Peak resident memory of the process, in KiB. */
  readonly maxRssKb: number;
}

async function main(): Promise<void> {
  const [given, count, outdir] = process.argv.slice(2);
  const side = given as SynthSide;
  const n = Number(count);
  if (!SIDES.includes(side) || !Number.isInteger(n) || n < 1 || !outdir) {
    throw new Error(`usage: synth-app <${SIDES.join('|')}> <N> <outdir> (got ${process.argv.slice(2).join(' ')})`);
  }
  // Each side loads only its own code (the bundler keeps require() lazy).
  const start = performance.now();
  const app = new App({ outdir });
  if (side === 'ours') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only on this side
    const { StockTradingWorkflow } = require('../src') as typeof import('../src');
    for (let i = 0; i < n; i++) {
      const stack = new Stack(app, `Trading${i}`);
      new StockTradingWorkflow(stack, 'StockTrading', { approvalThreshold: 100, approval: { approverEmails: ['trading-desk@example.com'] } });
    }
  } else if (side === 'ours-shared') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only on this side
    const { ApprovalService, StockTradingWorkflow } = require('../src') as typeof import('../src');
    const service = new ApprovalService(new Stack(app, 'Approvals'), 'Approvals');
    for (let i = 0; i < n; i++) {
      const stack = new Stack(app, `Trading${i}`);
      new StockTradingWorkflow(stack, 'StockTrading', { approvalThreshold: 100, approval: { service, approverEmails: ['trading-desk@example.com'] } });
    }
  } else if (side === 'baseline') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only on this side
    const { BaselineStockTradingStack } = require('./baseline/stock-trading') as typeof import('./baseline/stock-trading');
    for (let i = 0; i < n; i++) new BaselineStockTradingStack(app, `Trading${i}`);
  } else {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only on this side
    const { BaselineApprovalServiceStack, BaselineSharedTradingStack } = require('./baseline/stock-trading') as typeof import('./baseline/stock-trading');
    const service = new BaselineApprovalServiceStack(app, 'Approvals');
    for (let i = 0; i < n; i++) new BaselineSharedTradingStack(app, `Trading${i}`, service);
  }
  const assembly = app.synth();
  const synthMs = performance.now() - start;
  let templateBytes = 0;
  let resources = 0;
  for (const stack of assembly.stacks) {
    const file = path.join(assembly.directory, stack.templateFile);
    templateBytes += fs.statSync(file).size;
    resources += Object.keys(JSON.parse(fs.readFileSync(file, 'utf8')).Resources ?? {}).length;
  }
  const sample: SynthSample = { side, n, synthMs, templateBytes, resources, maxRssKb: process.resourceUsage().maxRSS };
  process.stdout.write(`${JSON.stringify(sample)}\n`);
}

main().catch(e => {
  process.stderr.write(`${e instanceof Error ? e.stack : e}\n`);
  process.exit(1);
});
