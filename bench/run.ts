/**
 * The benchmark: what the patterns cost at synth time and at run time, against hand-written CDK.
 *
 *   npm run bench                 # every measurement; writes bench/RESULTS.md and prints it
 *   npm run bench -- --smoke      # smallest sizes, one repetition, prints only (or --out FILE)
 *   npm run bench -- --section 2  # one section (1 to 12): measured again and put in place of its
 *                                 # old text in bench/RESULTS.md, the other sections kept as they are
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ScaleRow, measureScale } from './distributed-scale';
import { endpointSection } from './endpoint';
import { measureShapes } from './engine-shapes';
import { fanOutCostSection } from './fan-out-cost';
import { sharedServiceSection } from './gates-per-stack';
import { ORACLE_VERSION } from './oracle/load';
import { SHAPES, measureQueryLanguages } from './query-languages';
import { sagaSection } from './saga';
import { measureSealedRuns } from './sealed-runs';
import { measureHandlers, measureTarball } from './sizes';
import { Summary, kib, ratio, showSummary, summarize, table } from './stats';
import { ROOT, measureSynth } from './synth';
import { EXTRA_TRANSITIONS, PATHS, describeOutcome, measureEngine, measureTransitions } from './transitions';
import { workAnywhereSection } from './work-anywhere';
import { PRICING_DATE, PRICING_REGION, PRICING_SOURCE, formatUsd } from '../src/testing/cost';

interface Options {
  readonly smoke: boolean;
  readonly out?: string;
  /** Only this section, spliced into the existing results. */
  readonly section?: number;
}

const SECTIONS = 12;

function parse(argv: string[]): Options {
  const smoke = argv.includes('--smoke');
  const at = argv.indexOf('--out');
  const out = at >= 0 ? argv[at + 1] : smoke ? undefined : path.join(ROOT, 'bench', 'RESULTS.md');
  if (at >= 0 && !out) throw new Error('bench: --out needs a file name');
  const sectionAt = argv.indexOf('--section');
  const section = sectionAt >= 0 ? Number(argv[sectionAt + 1]) : undefined;
  if (section !== undefined && !(Number.isInteger(section) && section >= 1 && section <= SECTIONS)) {
    throw new Error(`bench: --section needs a section number from 1 to ${SECTIONS} (got ${argv[sectionAt + 1]})`);
  }
  if (section !== undefined && (!out || !fs.existsSync(out))) {
    throw new Error(`bench: --section ${section} replaces one section of an existing results file, and ${out ?? 'no file'} is not there; run the whole bench first`);
  }
  return { smoke, out, section };
}

/**
 * The results file with the text of section `n` (from its `## n.` heading to the next heading)
 * replaced; a section the file does not have yet (the last one, new) is added at its end.
 */
function spliceSection(existing: string, n: number, text: string): string {
  const start = existing.indexOf(`\n## ${n}. `);
  if (start < 0 && n === SECTIONS) return `${existing.trimEnd()}\n\n${text.trimEnd()}\n`;
  if (start < 0) throw new Error(`bench: no section ${n} in the existing results`);
  const next = existing.indexOf('\n## ', start + 1);
  return `${existing.slice(0, start + 1)}${text.trimEnd()}\n${next < 0 ? '' : existing.slice(next)}`;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  const options = parse(process.argv.slice(2));
  const sizes = options.smoke ? [{ n: 1, reps: 1 }] : [{ n: 1, reps: 5 }, { n: 10, reps: 5 }, { n: 50, reps: 5 }];
  const sections: string[] = [];
  const wanted = (n: number) => options.section === undefined || options.section === n;

  if (wanted(1)) {
    log('synth...');
    const synth = measureSynth(sizes, log);
    const rows = sizes.map(({ n }) => {
      const o = synth.find(s => s.n === n && s.side === 'ours')!;
      const b = synth.find(s => s.n === n && s.side === 'baseline')!;
      return [n, o.wallMs.runs,
        showSummary(o.wallMs), showSummary(b.wallMs), ratio(o.wallMs.median, b.wallMs.median),
        showSummary(o.synthMs), showSummary(b.synthMs),
        showSummary(o.maxRssMb), showSummary(b.maxRssMb), ratio(o.maxRssMb.median, b.maxRssMb.median),
        `${kib(o.templateBytesPerWorkflow)} / ${o.resourcesPerWorkflow}`, `${kib(b.templateBytesPerWorkflow)} / ${b.resourcesPerWorkflow}`,
        ratio(o.templateBytesPerWorkflow, b.templateBytesPerWorkflow)];
    });
    sections.push('## 1. Synth: N StockTradingWorkflows against the hand-written baseline',
      'One stack per workflow. Each run is a fresh Node.js process; ours and the baseline alternate. '
    + 'Median (min–max). Wall: the whole process (start, load aws-cdk-lib, build, synth, exit); synth: building and '
    + 'synthesizing inside the process. Memory: peak resident set of the process.',
      table(['N', 'runs', 'wall ms, ours', 'wall ms, baseline', 'ratio', 'synth ms, ours', 'synth ms, baseline',
        'peak MB, ours', 'peak MB, baseline', 'ratio', 'template per workflow / resources, ours', 'baseline', 'ratio'], rows));
  }

  if (wanted(2)) {
    log('transitions per path...');
    const paths = await measureTransitions();
    for (const p of paths) {
    // Each design gives the same outcome in both languages; only the transitions may differ.
      if (describeOutcome(p.ours) !== describeOutcome(p.oursJsonata) || describeOutcome(p.baseline) !== describeOutcome(p.baselineJsonata)) {
        throw new Error(`bench: path '${p.path.name}' ends differently in JSONPath and in JSONata`);
      }
    }
    sections.push('## 2. Run time: state transitions per path',
      'Every path run on the local engine (src/engine, through src/testing) with the sample functions: StockTradingWorkflow '
    + '(`queryLanguage` JSONPath, the default, and JSONata) and the baseline\'s minimal definition written by hand in each language '
    + '(bench/baseline/minimal-asl.ts); a retry counts as a transition. '
    + `Cost per 1,000,000 executions in Step Functions charges only (Standard, ${PRICING_REGION}, list price read ${PRICING_DATE}, ${PRICING_SOURCE}); Lambda is billed on top.`,
      table(['path', 'ours: outcome', 'JSONPath: ours', 'JSONPath: minimal', 'JSONata: ours', 'JSONata: minimal', 'minimal: outcome',
        'extra, JSONPath', 'extra, JSONata', 'per 1M: ours, JSONPath', 'ours, JSONata', 'minimal', 'states ours adds, JSONPath', 'states ours adds, JSONata'],
      paths.map(p => [p.path.name, describeOutcome(p.ours),
        p.ours.transitions, p.baseline.transitions, p.oursJsonata.transitions, p.baselineJsonata.transitions,
        describeOutcome(p.baseline), p.ours.transitions - p.baseline.transitions, p.oursJsonata.transitions - p.baselineJsonata.transitions,
        formatUsd(p.oursPerMillionUsd), formatUsd(p.oursJsonataPerMillionUsd), formatUsd(p.baselinePerMillionUsd),
        p.extra.join(', '), p.extraJsonata.join(', ')])),
      'Why each extra state earns its transition:',
      Object.entries(EXTRA_TRANSITIONS).map(([state, why]) => `- **${state}**: ${why}.`).join('\n'),
      'The two invalid requests show what the first one buys: with a text amount the baseline pays for a Lambda call to fail, '
    + 'and a numeric trade id goes through the baseline without a complaint.');
  }

  if (wanted(3)) {
    log('fan-out cost model...');
    sections.push(...fanOutCostSection());
  }

  if (wanted(4)) {
    log('local engine...');
    const [rounds, perRound] = options.smoke ? [1, 10] : [6, 200];
    const engine = await measureEngine(rounds, perRound);
    const rate = (name: string): Summary => summarize(engine.find(e => e.engine === name)!.perSecond);
    const languages = await measureQueryLanguages(rounds, options.smoke ? 10 : 300);
    const shape = (name: string): Summary => summarize(languages.find(l => l.shape === name)!.perSecond);
    sections.push('## 4. Local engine throughput',
      `StockTradingWorkflow, all ${PATHS.length} paths in turn through the test harness (runLocally), ${perRound} executions a round, `
    + `${rounds} rounds each engine, alternating; the sample functions run in process against an in-memory DynamoDB. `
    + 'aws-local-stepfunctions runs through the former harness (bench/oracle), kept only for this comparison.',
      table(['engine', 'executions per second', 'ratio'], [
        ['ours (src/engine)', showSummary(rate('ours')), ratio(rate('ours').median, rate('aws-local-stepfunctions').median)],
        ['aws-local-stepfunctions 3.0.0', showSummary(rate('aws-local-stepfunctions')), ''],
      ]),
      'One order-pricing workflow of the same shape written three ways (bench/query-languages.ts: a Pass, an inline Map of 5 Lambda tasks, '
    + 'a Lambda task, a Choice, a Pass), run on our engine in alternating rounds:',
      table(['query language', 'executions per second', 'time per execution against JSONPath'], Object.keys(SHAPES).map(name => [
        name, showSummary(shape(name)), ratio(shape('JSONPath').median, shape(name).median),
      ])));
  }

  if (wanted(5)) {
    log('sizes...');
    const handlers = measureHandlers(options.smoke ? 1 : 7);
    const tarball = measureTarball(!options.smoke);
    sections.push('## 5. Size',
      'Each handler bundled and minified with esbuild as the bundle task does (AWS SDK v3 external: the Lambda runtime has it); '
    + 'load time: `require()` of the bundle in a fresh Node.js process, the SDK resolved from node_modules.',
      table(['handler', 'bytes (minified)', 'module load ms'], handlers.map(h => [h.handler, h.bytes.toLocaleString('en-US'), showSummary(h.loadMs, 1)])),
      tarball
        ? `npm tarball (\`npm pack --dry-run\` after \`npx projen compile\`): ${tarball.bytes.toLocaleString('en-US')} bytes packed, `
        + `${tarball.unpackedBytes.toLocaleString('en-US')} unpacked, ${tarball.files} files.`
        : 'npm tarball: not measured (lib/ is not compiled; the full run compiles it).');
  }

  if (wanted(6)) {
    log('distributed map at scale...');
    const scaleSizes = options.smoke ? [100, 1_000] : [1_000, 10_000, 100_000, 1_000_000];
    const scale = measureScale(scaleSizes);
    const largest = scale[scale.length - 1];
    // The proof that the live set, not the resident set, is what the run needs: the largest size again, its heap capped.
    const cap = options.smoke ? 256 : 640;
    let capped: string;
    try {
      const [r] = measureScale([largest.items], cap);
      capped = `runs to its end with the heap capped at ${cap} MiB (\`--max-old-space-size=${cap}\`), in ${(r.ms / 1000).toFixed(2)} s, peak resident set ${r.peakMiB.toFixed(0)} MiB`;
    } catch {
      capped = `does NOT run with the heap capped at ${cap} MiB (\`--max-old-space-size=${cap}\`)`;
    }
    const growth = (r: ScaleRow) => {
      const before = scale[scale.indexOf(r) - 1];
      return before ? (r.liveMiB - before.liveMiB) / ((r.items - before.items) / 1000) : undefined;
    };
    const lastGrowth = growth(largest);
    sections.push('## 6. A Distributed Map at scale on the local engine',
      'bench/distributed-scale.ts: items in a JSON Lines file in the local S3, batches of 100 items, each batch an Express child '
    + 'execution whose inline Map runs the per-item task, results written back; no MaxConcurrency (up to 10,000 children at once); '
    + 'each size in a fresh Node.js process. Peak resident set: that process\'s maximum, Node.js itself included, as large as V8 '
    + 'lets its heap grow before collecting. Live heap: the largest heap left after a full garbage collection, during the run or just '
    + 'after it (`--trace-gc`, Node.js\'s own heap included): what the run really held. Held after the run: the heap the finished run still holds, its result with the '
    + 'first 1,000 children\'s histories (limits.childHistories) and the local S3 with the source and the results.',
      table(['items', 'child executions', 'wall time', 'per 1,000 items', 'peak resident set', 'live heap at its peak', 'live heap, per 1,000 items more than the row above', 'held after the run'],
        scale.map(r => [
          r.items.toLocaleString('en-US'), r.children.toLocaleString('en-US'), `${(r.ms / 1000).toFixed(2)} s`, `${(r.ms / (r.items / 1000)).toFixed(1)} ms`,
          `${r.peakMiB.toFixed(0)} MiB`, `${r.liveMiB.toFixed(0)} MiB`, growth(r) === undefined ? '' : `${growth(r)!.toFixed(2)} MiB`,
          `${Math.max(0, r.retainedMiB).toFixed(0)} MiB`,
        ])),
      `The ${largest.items.toLocaleString('en-US')}-item run ${capped}. Children that take no virtual time run one after another `
    + '(each still starts at the map run\'s first instant and counts as concurrent, as in AWS), so the engine never holds '
    + 'thousands of unfinished children. Up to 1,000 children the live heap grows with their histories, which the run keeps '
    + '(limits.childHistories); past them it grows by what the items and their results need'
    + (lastGrowth === undefined ? '.' : `, about ${Math.round(lastGrowth * 2 ** 20 / 1000)} bytes an item from the row above to the last.`));
  }

  if (wanted(7)) {
    log('saga transitions per failure point...');
    sections.push(...await sagaSection());
  }

  if (wanted(8)) {
    log('sealed local runs...');
    const sealed = await measureSealedRuns(options.smoke ? 3 : 21);
    sections.push('## 8. Sealed local runs',
      'bench/sealed-runs.ts: the testing toolkit\'s complete example (docs/testing.md) (a Lambda-priced order through an ApprovalGate, approved with '
    + '`approvals: [approve(gate)]`) run with `runWorkflow` again and again in one process, a fresh stack each time as a test builds it. '
    + 'Each run synthesizes the stack and runs the three functions\' code (the price function, the gate\'s request and decision '
    + 'functions) sealed, each in a worker thread of its own started for the run and ended with it.',
      table(['run', 'milliseconds'], [
        ['first in the process (cold: modules loaded, first synth)', sealed.firstMs.toFixed(0)],
        [`each later one (median, min–max of ${sealed.laterMs.runs})`, showSummary(sealed.laterMs)],
      ]));
  }

  if (wanted(9)) {
    log('engine shapes against aws-local-stepfunctions...');
    const [rounds, perRound] = options.smoke ? [2, 5] : [8, 300];
    const shapes = await measureShapes(rounds, perRound, options.smoke ? 0 : 250);
    sections.push('## 9. The local engine against aws-local-stepfunctions, shape by shape',
      'bench/engine-shapes.ts: each definition run through each engine\'s harness (src/testing\'s runLocally; the former harness on '
    + `aws-local-stepfunctions ${ORACLE_VERSION}, bench/oracle), with the same handlers, in one process: ${rounds} rounds of at least ${perRound} `
    + 'executions and a quarter of a second each, the engines alternating. Both end every shape the same way (checked before measuring). Median (min–max).',
      table(['shape', 'executions per second, ours', 'aws-local-stepfunctions', 'ratio'],
        shapes.map(r => [r.shape, showSummary(r.ours), showSummary(r.theirs), ratio(r.ours.median, r.theirs.median)])));
  }

  if (wanted(10)) {
    log('work hosted anywhere...');
    sections.push(...await workAnywhereSection());
  }

  if (wanted(11)) {
    log('the local endpoint...');
    sections.push(...await endpointSection(options.smoke));
  }

  if (wanted(12)) {
    log('a shared approval service...');
    sections.push(...sharedServiceSection(sizes, log));
  }

  if (options.section !== undefined) {
    const text = spliceSection(fs.readFileSync(options.out!, 'utf8'), options.section, sections.join('\n\n'));
    process.stdout.write(text);
    fs.writeFileSync(options.out!, text);
    log(`section ${options.section} replaced in ${path.relative(process.cwd(), options.out!)}`);
    return;
  }

  const cpu = os.cpus();
  const header = [
    '# Benchmark results',
    '',
    `Generated by \`${options.smoke ? 'npm run bench -- --smoke' : 'npm run bench'}\` (bench/run.ts) on ${new Date().toISOString().slice(0, 10)}: `
    + `${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores (shared), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node.js ${process.version}, ${os.platform()} ${os.release()}.`,
    '',
    'Commands: `npm ci && npx projen bundle && npm run bench`. The smoke run in the tests: `npm run bench -- --smoke`.',
  ].join('\n');
  const text = `${[header, ...sections].join('\n\n')}\n`;
  process.stdout.write(text);
  if (options.out) {
    fs.writeFileSync(options.out, text);
    log(`written to ${path.relative(process.cwd(), options.out)}`);
  }
}

main().catch(e => {
  process.stderr.write(`${e instanceof Error ? e.stack : e}\n`);
  process.exit(1);
});
