/**
 * A Distributed Map over N items on the local engine, the way FanOutMap runs one by default: the
 * items in a JSON Lines file in S3, batches of 100 items, each batch an Express child execution
 * whose inline Map runs the per-item processor. Reports wall time and peak memory, measured in a
 * fresh process per size so that one size does not warm or bloat the next.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { LocalS3, execute } from '../src/engine';

const FN = 'arn:aws:lambda:us-east-1:123456789012:function:process';

export const DEFINITION = {
  StartAt: 'Fan out',
  States: {
    'Fan out': {
      Type: 'Map',
      End: true,
      ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSONL' }, Parameters: { Bucket: 'data', Key: 'items.jsonl' } },
      ItemBatcher: { MaxItemsPerBatch: 100 },
      ToleratedFailurePercentage: 5,
      ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'results', Prefix: 'runs' } },
      ItemProcessor: {
        ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' },
        StartAt: 'Each item',
        States: {
          'Each item': {
            Type: 'Map',
            ItemsPath: '$.Items',
            End: true,
            ItemProcessor: {
              StartAt: 'Process',
              States: {
                Process: {
                  Type: 'Task',
                  Resource: 'arn:aws:states:::lambda:invoke',
                  Parameters: { 'FunctionName': FN, 'Payload.$': '$' },
                  ResultSelector: { 'id.$': '$.Payload.id' },
                  End: true,
                },
              },
            },
          },
        },
      },
    },
  },
};

/** Runs the map over `items` items in this process. */
export async function runOnce(items: number): Promise<{ items: number; ms: number; children: number; succeeded: number; retainedMiB: number }> {
  const s3 = new LocalS3();
  s3.putObject('data', 'items.jsonl', Array.from({ length: items }, (_, i) => JSON.stringify({ id: i, sku: `sku-${i % 97}` })).join('\n'));
  s3.createBucket('results');
  (globalThis as { gc?: () => void }).gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const started = performance.now();
  const r = await execute(DEFINITION, {
    s3, tasks: { [FN]: req => ({ id: req.input.id }) }, limits: { maxHistoryEvents: 10_000_000, maxTransitions: 10_000_000 },
  });
  const ms = performance.now() - started;
  if (r.status !== 'SUCCEEDED') throw new Error(`${items} items: ${r.status} ${r.error} ${r.cause}`);
  // What the finished run still holds (its result, the kept child histories, the S3 with the results): the heap after a full GC.
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const retainedMiB = gc ? (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20 : NaN;
  return { items, ms, children: r.mapRuns[0].executions.length, succeeded: r.mapRuns[0].itemCounts.succeeded, retainedMiB };
}

export interface ScaleRow {
  readonly items: number;
  readonly ms: number;
  readonly peakMiB: number;
  /**
   * The largest heap left after a full garbage collection, during the run or just after it (V8's
   * `--trace-gc`): what the run really held, whereas the resident set also counts what V8 had not
   * yet collected.
   */
  readonly liveMiB: number;
  /** The heap the finished run still holds, after a full garbage collection. */
  readonly retainedMiB: number;
  readonly children: number;
  readonly succeeded: number;
  /** The old-space limit the process ran under (`--max-old-space-size`), if one was given. */
  readonly heapLimitMiB?: number;
}

/**
 * Each size in a fresh Node.js process (peak memory is that process's maximum resident set). With
 * `heapLimitMiB`, the process runs under that old-space limit: a run whose live set is larger dies.
 */
export function measureScale(sizes: number[], heapLimitMiB?: number): ScaleRow[] {
  return sizes.map(items => {
    const flags = ['--expose-gc', '--trace-gc', ...(heapLimitMiB ? [`--max-old-space-size=${heapLimitMiB}`] : [])];
    const out = execFileSync(process.execPath, [...flags, '-r', 'ts-node/register/transpile-only', __filename, String(items)], {
      cwd: path.join(__dirname, '..'),
      env: { ...process.env, TS_NODE_PROJECT: 'tsconfig.dev.json' },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const lines = out.trim().split('\n');
    const row = JSON.parse(lines.pop()!) as ScaleRow;
    // "Mark-Compact 357.7 (384.5) -> 313.1 (378.6) MB": the heap after each full collection, the one after the run included
    // (V8 collects when it chooses, so the largest of these is the least the run held at its peak).
    const after = lines.filter(l => l.includes('Mark-Compact')).map(l => Number(/-> ([\d.]+) \(/.exec(l)?.[1])).filter(n => !isNaN(n));
    return { ...row, liveMiB: Math.max(0, ...after) /* V8 prints MiB */, heapLimitMiB };
  });
}

if (require.main === module) {
  const items = Number(process.argv[2]);
  runOnce(items).then(r => {
    process.stdout.write(`${JSON.stringify({ ...r, peakMiB: process.resourceUsage().maxRSS / 1024 })}\n`);
  }, e => {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(1);
  });
}
