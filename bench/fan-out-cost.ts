/**
 * The FanOutMap cost model: what fanning out over M items costs in Step Functions charges (the
 * work the items do, in Lambda or elsewhere, is billed on top and is the same for every design),
 * with the price constants of the run report (cli/cost.ts).
 *
 * Assumptions, stated once:
 * - Distributed Map: the parent (Standard) pays one state transition for the Map state and one for
 *   each child execution the Map Run starts (AWS: "you're charged one state transition for each
 *   child workflow execution that the Map Run starts"). ItemReader/ResultWriter add no transition.
 * - The item processor is one Lambda task: one state transition per Standard child.
 * - An Express child runs at the smallest billed memory (64 MB) for 100 ms per item alone, or
 *   100 ms plus 10 ms per item when it takes a batch (one Lambda call for the whole batch).
 * - Batches of 100 items (`batching: { maxItemsPerBatch: 100 }`). FanOutMap does not batch unless
 *   told: the two Express rows show the default and the batched configuration.
 * - Inline Map: items travel in the state input (256 KiB in all) and each iteration's events count
 *   towards the 25,000 events of a Standard execution's history, so it fits small item lists only;
 *   here up to 1,000 items of at most 200 bytes.
 * - List prices, no free tier (cli/cost.ts).
 */
import { EXPRESS_MEMORY_CHUNK_MB, STANDARD_PRICE_PER_1000_TRANSITIONS, expressCost } from '../cli/cost';

export const BATCH_SIZE = 100;
export const EXPRESS_CHILD_MS_PER_ITEM_ALONE = 100;
export const EXPRESS_BATCH_OVERHEAD_MS = 100;
export const EXPRESS_BATCH_MS_PER_ITEM = 10;
export const INLINE_MAX_ITEMS = 1_000;
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

function express(name: string, description: string, batch: number): FanOutDesign {
  const children = (items: number) => Math.ceil(items / batch);
  const childMs = batch === 1 ? EXPRESS_CHILD_MS_PER_ITEM_ALONE : EXPRESS_BATCH_OVERHEAD_MS + EXPRESS_BATCH_MS_PER_ITEM * batch;
  return {
    name,
    description,
    transitions: items => 1 + children(items),
    expressChildren: children,
    costUsd: items => {
      // The last batch may be smaller: bill it for what it holds.
      const full = Math.floor(items / batch);
      const rest = items - full * batch;
      const restMs = rest === 0 ? 0 : batch === 1 ? EXPRESS_CHILD_MS_PER_ITEM_ALONE : EXPRESS_BATCH_OVERHEAD_MS + EXPRESS_BATCH_MS_PER_ITEM * rest;
      const childUsd = full * expressCost(childMs, EXPRESS_MEMORY_CHUNK_MB).usd + (rest ? expressCost(restMs, EXPRESS_MEMORY_CHUNK_MB).usd : 0);
      return standardUsd(1 + children(items)) + childUsd;
    },
  };
}

export const DESIGNS: FanOutDesign[] = [
  express('a) ours, batched', `Distributed, Express children, batches of ${BATCH_SIZE}`, BATCH_SIZE),
  express('a′) ours, default', 'Distributed, Express children, one item per child (FanOutMap without batching)', 1),
  {
    name: 'b) Standard children',
    description: 'Distributed, Standard children, no batching',
    transitions: items => 1 + items + items,
    expressChildren: () => 0,
    costUsd: items => standardUsd(1 + 2 * items),
  },
  {
    name: 'c) inline Map',
    description: `Inline Map in the Standard parent (fits up to ${INLINE_MAX_ITEMS.toLocaleString('en-US')} items here)`,
    transitions: items => (items <= INLINE_MAX_ITEMS ? 1 + items : undefined),
    expressChildren: () => 0,
    costUsd: items => (items <= INLINE_MAX_ITEMS ? standardUsd(1 + items) : undefined),
  },
];

export const ITEM_COUNTS = [1_000, 100_000, 10_000_000];
