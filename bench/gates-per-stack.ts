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
