/**
 * What one more approval-gated workflow costs a stack, with an ApprovalService its gates share and
 * with a service of each gate's own: resources and template bytes, and how many such workflows fit
 * in one stack under CloudFormation's 500 resources. Synthesized in this process, as `cdk synth`
 * writes the templates.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { kib, ratio, showSummary, table } from './stats';
import { measureSynth } from './synth';
import { ApprovalGate, ApprovalService, StockTradingWorkflow, Workflow } from '../src';

/** CloudFormation's limit of resources in one stack. */
export const STACK_RESOURCE_LIMIT = 500;

export type GatedKind = 'Workflow with an ApprovalGate' | 'StockTradingWorkflow';
export const KINDS: readonly GatedKind[] = ['Workflow with an ApprovalGate', 'StockTradingWorkflow'];

export interface StackCost {
  readonly kind: GatedKind;
  readonly shared: boolean;
  /** Resources of a stack with one workflow (and the service, when shared). */
  readonly first: number;
  /** Resources and template bytes one more workflow adds. */
  readonly perMore: number;
  readonly bytesPerMore: number;
  /** The most workflows one stack holds, checked by synthesizing that many (and one more). */
  readonly fit: number;
}

/** One stack with `n` gated workflows of a kind; its resources and template bytes as written. */
function synthesize(kind: GatedKind, shared: boolean, n: number): { resources: number; bytes: number } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-gates-'));
  try {
    const app = new App({ outdir });
    const stack = new Stack(app, 'Gated');
    const service = shared ? new ApprovalService(stack, 'Approvals') : undefined;
    for (let i = 0; i < n; i++) {
      if (kind === 'StockTradingWorkflow') {
        new StockTradingWorkflow(stack, `Trading${i}`, { approval: { service, approverEmails: ['trading-desk@example.com'] } });
      } else {
        const gate = new ApprovalGate(stack, `Approve${i}`, { service, timeout: Duration.hours(24), summary: 'An order waits', approverEmails: ['desk@example.com'] });
        new Workflow(stack, `Orders${i}`, { definition: gate.next(new sfn.Pass(stack, `Place${i}`)) });
      }
    }
    let assembly;
    try {
      assembly = app.synth({ validateOnSynthesis: false });
    } catch (e) {
      // Past the limit, aws-cdk-lib refuses to synthesize, and says how many there are.
      const over = /Number of resources in stack 'Gated': (\d+)/.exec(String((e as Error).message));
      if (over) return { resources: Number(over[1]), bytes: NaN };
      throw e;
    }
    const file = path.join(assembly.directory, assembly.getStackByName('Gated').templateFile);
    return { resources: Object.keys(JSON.parse(fs.readFileSync(file, 'utf8')).Resources).length, bytes: fs.statSync(file).size };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

export function measureStackCost(kind: GatedKind, shared: boolean): StackCost {
  const one = synthesize(kind, shared, 1);
  const two = synthesize(kind, shared, 2);
  const perMore = two.resources - one.resources;
  let fit = 1 + Math.floor((STACK_RESOURCE_LIMIT - one.resources) / perMore);
  // Checked, not assumed: that many fit, one more does not.
  while (fit > 1 && synthesize(kind, shared, fit).resources > STACK_RESOURCE_LIMIT) fit--;
  while (synthesize(kind, shared, fit + 1).resources <= STACK_RESOURCE_LIMIT) fit++;
  return { kind, shared, first: one.resources, perMore, bytesPerMore: two.bytes - one.bytes, fit };
}


/** Section 12: the stack costs, and the synth of N StockTradingWorkflows sharing one service against the hand-written equivalent. */
export function sharedServiceSection(sizes: Array<{ n: number; reps: number }>, log: (line: string) => void): string[] {
  const costs = KINDS.flatMap(kind => [false, true].map(shared => {
    log(`  stack cost: ${kind}, ${shared ? 'shared service' : 'own service'}`);
    return measureStackCost(kind, shared);
  }));
  const synth = measureSynth(sizes, log, ['ours-shared', 'baseline-shared']);
  const rows = sizes.map(({ n }) => {
    const o = synth.find(s => s.n === n && s.side === 'ours-shared')!;
    const b = synth.find(s => s.n === n && s.side === 'baseline-shared')!;
    return [n, o.synthMs.runs, showSummary(o.synthMs), showSummary(b.synthMs), ratio(o.synthMs.median, b.synthMs.median),
      showSummary(o.wallMs), showSummary(b.wallMs), ratio(o.wallMs.median, b.wallMs.median),
      `${kib(o.templateBytesPerWorkflow)} / ${o.resourcesPerWorkflow.toFixed(1)}`, `${kib(b.templateBytesPerWorkflow)} / ${b.resourcesPerWorkflow.toFixed(1)}`,
      ratio(o.templateBytesPerWorkflow, b.templateBytesPerWorkflow)];
  });
  return [
    '## 12. Many approval-gated workflows: a shared ApprovalService',
    `What one more approval-gated workflow adds to a stack (one approver each), and how many fit in one stack under CloudFormation's ${STACK_RESOURCE_LIMIT} `
    + 'resources: each gate with a service of its own, or all the gates of the stack sharing one `ApprovalService`. "First" is a stack with one '
    + 'workflow (and the service). The fit is checked by synthesizing that many workflows, and one more. Bytes: the template as `cdk synth` writes it.',
    table(['workflow', 'approval service', 'resources, first', 'resources, each more', 'template, each more', `fit in one stack (${STACK_RESOURCE_LIMIT})`],
      costs.map(c => [c.kind, c.shared ? 'shared' : 'its own', c.first, c.perMore, kib(c.bytesPerMore), c.fit])),
    'Synth: N StockTradingWorkflows, one stack each, whose gates share one `ApprovalService` in a stack of its own, against the same app '
    + 'written by hand with aws-cdk-lib (bench/baseline/stock-trading.ts: one shared approval backend, and per workflow its functions, '
    + 'topic, state machine, alarms and grants). Each run is a fresh Node.js process; ours and the baseline alternate. Median (min–max). '
    + 'Template per workflow: all the templates, the service\'s included, over N.',
    table(['N', 'runs', 'synth ms, ours', 'synth ms, baseline', 'ratio', 'wall ms, ours', 'wall ms, baseline', 'ratio',
      'template per workflow / resources, ours', 'baseline', 'ratio'], rows),
  ];
}
