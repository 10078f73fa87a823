/**
 * Synth time and memory: each measurement is a fresh Node.js process (bench/synth-app.ts, bundled
 * to JavaScript once, aws-cdk-lib left external), ours and the baseline interleaved.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { Summary, summarize } from './stats';
import type { SynthSample, SynthSide } from './synth-app';

export const ROOT = path.resolve(__dirname, '..');
const BUILD_DIR = path.join(ROOT, '.tmp', 'bench');

export interface SynthResult {
  readonly n: number;
  readonly side: SynthSide;
  /** Wall time of the whole process (start, load, build, synth, exit), ms. */
  readonly wallMs: Summary;
  /** Build and synth inside the process, ms. */
  readonly synthMs: Summary;
  readonly maxRssMb: Summary;
  readonly templateBytesPerWorkflow: number;
  readonly resourcesPerWorkflow: number;
}

/** Bundles the measurement program; the generated function wrappers find assets/ two folders up, as from src/<feature>/. */
export function buildSynthApp(): string {
  const out = path.join(BUILD_DIR, 'synth-app.js');
  fs.mkdirSync(BUILD_DIR, { recursive: true });
  execFileSync(path.join(ROOT, 'node_modules', '.bin', 'esbuild'), [
    'bench/synth-app.ts', '--bundle', '--platform=node', '--target=node20', '--packages=external',
    `--outfile=${out}`, '--log-level=warning',
  ], { cwd: ROOT, stdio: 'inherit' });
  return out;
}

function measureOnce(program: string, side: SynthSide, n: number): SynthSample & { wallMs: number } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-synth-${side}-`));
  try {
    const start = performance.now();
    const child = spawnSync(process.execPath, [program, side, String(n), outdir], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, BENCH_ROOT: ROOT } });
    const wallMs = performance.now() - start;
    if (child.status !== 0) throw new Error(`synth of ${n} ${side} failed (exit ${child.status}):\n${child.stderr}`);
    return { ...(JSON.parse(child.stdout.trim().split('\n').pop()!) as SynthSample), wallMs };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** For each N: `reps` rounds of ours then baseline (A B A B ...); the sides are `ours` and `baseline`, or their shared-service forms. */
export function measureSynth(sizes: Array<{ n: number; reps: number }>, log: (line: string) => void,
  sides: readonly [SynthSide, SynthSide] = ['ours', 'baseline']): SynthResult[] {
  const program = buildSynthApp();
  const results: SynthResult[] = [];
  for (const { n, reps } of sizes) {
    const samples = Object.fromEntries(sides.map(side => [side, [] as Array<SynthSample & { wallMs: number }>]));
    for (let r = 0; r < reps; r++) {
      for (const side of sides) {
        const s = measureOnce(program, side, n);
        samples[side].push(s);
        log(`  synth N=${n} ${side} rep ${r + 1}/${reps}: ${Math.round(s.wallMs)} ms, ${Math.round(s.maxRssKb / 1024)} MB`);
      }
    }
    for (const side of sides) {
      const list = samples[side];
      results.push({
        n,
        side,
        wallMs: summarize(list.map(s => s.wallMs)),
        synthMs: summarize(list.map(s => s.synthMs)),
        maxRssMb: summarize(list.map(s => s.maxRssKb / 1024)),
        templateBytesPerWorkflow: Math.round(list[0].templateBytes / n),
        resourcesPerWorkflow: list[0].resources / n,
      });
    }
  }
  return results;
}
