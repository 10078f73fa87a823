/**
 * The benchmark's smoke run (`npm run bench -- --smoke`): the smallest sizes, one repetition, so
 * that the benchmark keeps working. No time thresholds: only that every table is produced with
 * finite numbers.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DESIGNS, GROUP_SIZES } from '../../bench/fan-out-cost';
import { FAILURE_POINTS } from '../../bench/saga';
import { PATHS } from '../../bench/transitions';

const ROOT = path.resolve(__dirname, '..', '..');

function tableRows(markdown: string, heading: string): string[][] {
  const section = markdown.split('\n## ').find(s => s.startsWith(heading));
  if (!section) throw new Error(`no section '${heading}' in:\n${markdown}`);
  // The body rows of every table of the section: each table's header and separator left out.
  const lines = section.split('\n');
  const isSeparator = (l: string | undefined) => l !== undefined && /^\| (--- \| )*--- \|$/.test(l);
  return lines.filter((l, i) => l.startsWith('| ') && !isSeparator(l) && !isSeparator(lines[i + 1])).map(l => l.slice(2, -2).split(' | '));
}

describe('benchmark smoke run', () => {
  let markdown: string;
  beforeAll(() => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-smoke-')), 'RESULTS.md');
    const run = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'ts-node'),
      // Types are checked by npm test's tsc step: transpile only.
      ['--transpile-only', '--prefer-ts-exts', '-P', 'tsconfig.dev.json', 'bench/run.ts', '--smoke', '--out', out], { cwd: ROOT, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`bench --smoke failed (exit ${run.status}):\n${run.stderr}`);
    markdown = fs.readFileSync(out, 'utf8');
    expect(run.stdout).toBe(markdown);
  }, 240_000);

  test('every table is produced, with no number that is not finite', () => {
    for (const heading of ['1. Synth', '2. Run time', '3. FanOutMap', '4. Local engine', '5. Size', '6. A Distributed Map', '7. Saga', '9. The local engine against', '10. Work hosted anywhere', '11. The local Step Functions endpoint', '12. Many approval-gated workflows']) {
      expect(tableRows(markdown, heading).length).toBeGreaterThan(0);
    }
    expect(markdown).not.toMatch(/NaN|Infinity|undefined/);
  });

  test('synth: one row for N=1, ours and the baseline measured, ratios given', () => {
    const [row] = tableRows(markdown, '1. Synth');
    expect(row[0]).toBe('1');
    for (const cell of [row[2], row[3], row[7], row[8]]) expect(Number(cell.replace(/,/g, ''))).toBeGreaterThan(0);
    expect(row[4]).toMatch(/^\d+\.\d\d×$/);
  });

  test('transitions: every path, measured on both sides', () => {
    const rows = tableRows(markdown, '2. Run time');
    expect(rows.map(r => r[0])).toEqual(PATHS.map(p => p.name));
    for (const row of rows) {
      expect(Number(row[2])).toBeGreaterThan(0);
      expect(Number(row[5])).toBeGreaterThan(0);
    }
  });

  test('fan-out cost, engine throughput and handler sizes are numbers', () => {
    // Two tables: the designs, then the sizes of a child compared.
    expect(tableRows(markdown, '3. FanOutMap')).toHaveLength(DESIGNS.length + GROUP_SIZES.length);
    // A rate reads 'median (min–max)': its median is checked.
    for (const row of tableRows(markdown, '4. Local engine')) expect(parseFloat(row[1].replace(/,/g, ''))).toBeGreaterThan(0);
    for (const row of tableRows(markdown, '5. Size')) expect(Number(row[1].replace(/,/g, ''))).toBeGreaterThan(0);
    const scale = tableRows(markdown, '6. A Distributed Map');
    expect(scale.map(r => r[0])).toEqual(['100', '1,000']);
    expect(scale.map(r => r[1])).toEqual(['1', '10']);
    // The live heap is measured (V8's trace of full collections was read), and the largest size ran under the cap.
    for (const row of scale) expect(parseFloat(row[5])).toBeGreaterThan(0);
    expect(markdown).toMatch(/The 1,000-item run runs to its end with the heap capped at 256 MiB/);
  });

  test('work hosted anywhere: every path of the three examples, each ended as its name says', () => {
    const rows = tableRows(markdown, '10. Work hosted anywhere');
    expect(rows.map(r => `${r[0]}: ${r[1]}`)).toHaveLength(10);
    for (const row of rows) expect(row[2]).toEqual(/caught|never ends|dies/.test(row[1]) ? expect.stringMatching(/^FAILED/) : 'SUCCEEDED');
    // A retry is a transition: the 503 that lasts pays for its three retries.
    expect(rows.find(r => r[1].startsWith('503 through'))![4]).toBe('3');
  });

  test('saga: every failure point, the same outcome on every side, never fewer transitions than the minimal saga', () => {
    const rows = tableRows(markdown, '7. Saga');
    expect(rows.map(r => r[0])).toEqual(FAILURE_POINTS.map(p => p.name));
    for (const row of rows) {
      expect(row[1]).toMatch(/^(SUCCEEDED|FAILED \(\w+\))$/);
      for (const extra of [row[5], row[6]]) expect(Number(extra)).toBeGreaterThanOrEqual(0);
    }
  });
});
