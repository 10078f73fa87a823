/**
 * The FanOutMap cost model (bench/fan-out-cost.ts): the default meets its cost target, and the
 * cost tables of docs/costs.md are the ones the bench prints.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DESIGNS, GROUP_SIZES, defaultAgainstStandard, fanOutCostMarkdown, withReadmeTables } from '../../bench/fan-out-cost';
import { FanOutMap } from '../../src';

const COSTS = path.join(__dirname, '..', '..', 'docs', 'costs.md');

describe('FanOutMap cost model', () => {
  test('the default costs at most 1/100 of Standard children of one item, at 10 million items', () => {
    expect(defaultAgainstStandard(10_000_000)).toBeLessThanOrEqual(1 / 100);
    expect(DESIGNS[0].costUsd(10_000_000)).toBeCloseTo(2.70, 2);
    expect(DESIGNS[3].costUsd(10_000_000)).toBeCloseTo(500, 2);
  });

  test('the default the model prices is the construct\'s, and is among the sizes compared', () => {
    expect(DESIGNS[0].description).toContain(`Express children of ${FanOutMap.DEFAULT_ITEMS_PER_CHILD_EXECUTION} items`);
    expect(GROUP_SIZES).toContain(FanOutMap.DEFAULT_ITEMS_PER_CHILD_EXECUTION);
    expect(fanOutCostMarkdown()).toContain(`| **${FanOutMap.DEFAULT_ITEMS_PER_CHILD_EXECUTION}** (default) |`);
  });

  test('docs/costs.md holds the tables as the bench prints them (refresh: npx ts-node -P tsconfig.dev.json bench/fan-out-cost.ts --readme)', () => {
    const readme = fs.readFileSync(COSTS, 'utf8');
    expect(readme).toContain(fanOutCostMarkdown());
    expect(withReadmeTables(readme)).toBe(readme);
  });
});
