/**
 * The FanOutMap cost model: what fanning out over M items costs in Step Functions charges (the
 * work the items do, in Lambda or elsewhere, is billed on top and is the same for every design),
 * with the price constants of the run report (src/testing/cost.ts).
 *
 * Assumptions, stated once:
 * - Distributed Map: the parent (Standard) pays one state transition for the Map state and one for
 *   each child execution the Map Run starts (AWS: "you're charged one state transition for each
 *   child workflow execution that the Map Run starts"). ItemReader/ResultWriter add no transition.
 * - The item processor is one Lambda task taking 100 ms for one item: one state transition per
 *   Standard child; an Express child bills its duration at the smallest memory (64 MB).
 * - FanOutMap's default: Express children of `FanOutMap.DEFAULT_ITEMS_PER_CHILD_EXECUTION` items,
 *   each item through the processor, 10 at a time: a child lasts ceil(items / 10) x 100 ms.
 * - Explicit batching (`batching: { maxItemsPerBatch: 100 }`): the processor takes the whole batch
 *   in one Lambda call of 100 ms plus 10 ms per item.
 * - Inline Map: items travel in the state input (256 KiB in all) and each iteration's events count
 *   towards the 25,000 events of a Standard execution's history, so it fits small item lists only;
 *   here up to 1,000 items of at most 200 bytes.
 * - List prices, no free tier (src/testing/cost.ts).
 *
 * The tables are pure functions of these constants: `npm run bench` prints them in bench/RESULTS.md,
 * and docs/costs.md holds the same text, checked by test/bench/fan-out-cost.test.ts.
 */
import * as fs from 'fs';
import * as path from 'path';
import { table } from './stats';
import { FanOutMap } from '../src/fan-out-map/fan-out-map';
import { EXPRESS_MEMORY_CHUNK_MB, STANDARD_PRICE_PER_1000_TRANSITIONS, expressCost, formatUsd } from '../src/testing/cost';

export const DEFAULT_ITEMS_PER_CHILD = FanOutMap.DEFAULT_ITEMS_PER_CHILD_EXECUTION;
export const BATCH_SIZE = 100;
export const ITEM_MS = 100;
export const ITEMS_AT_ONCE_PER_CHILD = 10;
export const EXPRESS_BATCH_OVERHEAD_MS = 100;
export const EXPRESS_BATCH_MS_PER_ITEM = 10;
export const INLINE_MAX_ITEMS = 1_000;
export const PAYLOAD_LIMIT_BYTES = 262_144;
export const EXPRESS_MAX_SECONDS = 300;
export const DISTRIBUTED_MAP_SOURCE = 'https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html';

export interface FanOutDesign {
  readonly name: string;
  readonly description: string;
  /** Standard state transitions (parent and Standard children), or undefined where the design does not fit. */
  transitions(items: number): number | undefined;
  /** Express child executions started. */
  expressChildren(items: number): number;
  /** USD for one fan-out over `items`, or undefined where the design does not fit. */
  costUsd(items: number): number | undefined;
}

const standardUsd = (transitions: number) => transitions * STANDARD_PRICE_PER_1000_TRANSITIONS / 1000;

/** How long an Express child of `n` items runs, each item through the processor, 10 at a time. */
const groupMs = (n: number) => Math.ceil(n / ITEMS_AT_ONCE_PER_CHILD) * ITEM_MS;
/** How long an Express child runs a batch of `n` items in one Lambda call. */
const batchMs = (n: number) => EXPRESS_BATCH_OVERHEAD_MS + EXPRESS_BATCH_MS_PER_ITEM * n;

/** Distributed, Express children of `size` items, a child of n items lasting `ms(n)`. */
export function express(name: string, description: string, size: number, ms: (n: number) => number): FanOutDesign {
  const children = (items: number) => Math.ceil(items / size);
  return {
    name,
    description,
    transitions: items => 1 + children(items),
    expressChildren: children,
    costUsd: items => {
      // The last child may hold fewer items: bill it for what it holds.
      const full = Math.floor(items / size);
      const rest = items - full * size;
      const childUsd = full * expressCost(ms(size), EXPRESS_MEMORY_CHUNK_MB).usd + (rest ? expressCost(ms(rest), EXPRESS_MEMORY_CHUNK_MB).usd : 0);
      return standardUsd(1 + children(items)) + childUsd;
    },
  };
}

export const DESIGNS: FanOutDesign[] = [
  express('a) default', `FanOutMap without batching: Express children of ${DEFAULT_ITEMS_PER_CHILD} items, each item through the processor, ${ITEMS_AT_ONCE_PER_CHILD} at a time`,
    DEFAULT_ITEMS_PER_CHILD, groupMs),
  express('b) batching', `\`batching: { maxItemsPerBatch: ${BATCH_SIZE} }\`: the processor takes ${BATCH_SIZE} items in one call`, BATCH_SIZE, batchMs),
  express('c) one item per child', 'Express children of one item (`itemsPerChildExecution: 1`, or a partial `toleratedFailure`)', 1, groupMs),
  {
    name: 'd) Standard children',
    description: 'Standard children of one item',
    transitions: items => 1 + items + items,
    expressChildren: () => 0,
    costUsd: items => standardUsd(1 + 2 * items),
  },
  {
    name: 'e) inline Map',
    description: `Inline Map in the Standard parent (fits up to ${INLINE_MAX_ITEMS.toLocaleString('en-US')} items here)`,
    transitions: items => (items <= INLINE_MAX_ITEMS ? 1 + items : undefined),
    expressChildren: () => 0,
    costUsd: items => (items <= INLINE_MAX_ITEMS ? standardUsd(1 + items) : undefined),
  },
];

export const ITEM_COUNTS = [1_000, 100_000, 10_000_000];
/** Items per child compared for the default. */
export const GROUP_SIZES = [1, 10, 25, 50, 100, 200, 500];

const LARGEST = ITEM_COUNTS[ITEM_COUNTS.length - 1];
const count = (n: number) => n.toLocaleString('en-US');

/** The default against Standard children of one item, at the largest item count (the fraction of the cost). */
export function defaultAgainstStandard(items: number = LARGEST): number {
  const design = (prefix: string) => DESIGNS.find(d => d.name.startsWith(prefix))!;
  return design('a)').costUsd(items)! / design('d)').costUsd(items)!;
}

/** The designs at each item count (Markdown). */
export function designTable(): string {
  return table(['design', ...ITEM_COUNTS.flatMap(m => [`${count(m)} items: transitions`, 'Express children', 'cost'])],
    DESIGNS.map(d => [`${d.name}: ${d.description}`, ...ITEM_COUNTS.flatMap(m => {
      const t = d.transitions(m);
      const c = d.costUsd(m);
      return t === undefined || c === undefined ? ['does not fit', '', ''] : [count(t), count(d.expressChildren(m)), formatUsd(c)];
    })]));
}

/** How the default's size was chosen: cost at the largest count against what each item is left of the limits (Markdown). */
export function groupSizeTable(): string {
  const standard = standardUsd(1 + 2 * LARGEST);
  return table(['items per child', `${count(LARGEST)} items: cost`, 'against Standard children', 'output room per item (256 KiB / items)', 'time an item may take (5 min / rounds of 10)'],
    GROUP_SIZES.map(size => {
      const usd = express('', '', size, groupMs).costUsd(LARGEST)!;
      const rounds = Math.ceil(size / ITEMS_AT_ONCE_PER_CHILD);
      return [size === DEFAULT_ITEMS_PER_CHILD ? `**${size}** (default)` : size, formatUsd(usd), `1/${Math.round(standard / usd)}`,
        `${(PAYLOAD_LIMIT_BYTES / size / 1024).toFixed(1)} KiB`, `${Math.floor(EXPRESS_MAX_SECONDS / rounds)} s`];
    }));
}

/** Section 3 of bench/RESULTS.md, and the cost tables of docs/costs.md: the same text. */
export function fanOutCostMarkdown(): string {
  return [
    designTable(),
    `The default costs ${formatUsd(DESIGNS[0].costUsd(LARGEST)!)} for ${count(LARGEST)} items, 1/${Math.round(1 / defaultAgainstStandard())} of Standard children `
    + `(${formatUsd(DESIGNS[3].costUsd(LARGEST)!)}). How many items a child runs by default:`,
    groupSizeTable(),
  ].join('\n\n');
}

/** Section 3 of bench/RESULTS.md: heading, introduction, tables. */
export function fanOutCostSection(): string[] {
  return ['## 3. FanOutMap cost model',
    'Step Functions charges for one fan-out over M items (bench/fan-out-cost.ts states every assumption: a one-task item processor '
    + 'taking 100 ms an item, Express children at 64 MB, one parent transition per child started, '
    + `${DISTRIBUTED_MAP_SOURCE}). The work of the items themselves is the same in every design and left out. `
    + 'docs/costs.md shows these tables as printed here (test/bench/fan-out-cost.test.ts checks it).',
    fanOutCostMarkdown()];
}

/** bench/RESULTS.md with section 3 replaced (it depends on the price constants only, no measurement). */
export function withResultsSection(results: string): string {
  const start = results.indexOf('## 3. FanOutMap cost model');
  const end = results.indexOf('\n## 4. ', start);
  if (start < 0 || end < 0) throw new Error('bench/RESULTS.md: no section 3 followed by section 4');
  const note = 'This section was rewritten on its own (`bench/fan-out-cost.ts --results`): it is computed from the price constants, not measured.';
  return `${results.slice(0, start)}${[...fanOutCostSection(), note].join('\n\n')}\n${results.slice(end)}`;
}

/** docs/costs.md (or any page) between its fan-out-cost markers, with these tables. */
export function withReadmeTables(readme: string): string {
  const begin = '<!-- fan-out-cost:begin -->';
  const end = '<!-- fan-out-cost:end -->';
  const [before, rest] = readme.split(begin);
  if (rest === undefined || !rest.includes(end)) throw new Error(`docs/costs.md: no ${begin} ... ${end} block`);
  return `${before}${begin}\n${fanOutCostMarkdown()}\n${end}${rest.slice(rest.indexOf(end) + end.length)}`;
}

// `npx ts-node -P tsconfig.dev.json bench/fan-out-cost.ts --readme` writes the tables into docs/costs.md;
// `--results` rewrites section 3 of bench/RESULTS.md without running the measurements.
if (require.main === module) {
  const rewrite = (file: string, change: (text: string) => string) => fs.writeFileSync(file, change(fs.readFileSync(file, 'utf8')));
  if (process.argv.includes('--readme')) rewrite(path.join(__dirname, '..', 'docs', 'costs.md'), withReadmeTables);
  if (process.argv.includes('--results')) rewrite(path.join(__dirname, 'RESULTS.md'), withResultsSection);
}
