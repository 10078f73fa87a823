import {
  EXPRESS_PRICE_PER_GB_SECOND, EXPRESS_PRICE_PER_MILLION_REQUESTS, STANDARD_PRICE_PER_1000_TRANSITIONS,
  costWithChildren, expressCost, formatUsd, perMillion, standardCost,
} from '../../src/testing/cost';

describe('cost estimate', () => {
  test('uses the published us-east-1 prices', () => {
    expect(STANDARD_PRICE_PER_1000_TRANSITIONS).toBe(0.025);
    expect(EXPRESS_PRICE_PER_MILLION_REQUESTS).toBe(1);
    expect(EXPRESS_PRICE_PER_GB_SECOND).toBe(0.00001667);
  });

  test('prices a Standard execution by its state transitions', () => {
    const cost = standardCost(9);
    expect(cost.usd).toBeCloseTo(0.000225, 12);
    expect(cost.breakdown).toEqual(['9 state transitions × $0.025 per 1,000 = $0.000225']);
    expect(perMillion(cost)).toBe('$225.00');
    expect(standardCost(0).usd).toBe(0);
  });

  test('prices an Express execution: one request plus duration rounded up to 100 ms at 64 MB', () => {
    const cost = expressCost(42);
    // 1e-6 for the request; 0.1 s × 0.0625 GB = 0.00625 GB-s × 0.00001667
    expect(cost.usd).toBeCloseTo(0.000001 + 0.00625 * 0.00001667, 15);
    expect(cost.breakdown[1]).toBe('100 ms (billed from 42 ms) × 64 MB = 0.00625 GB-s × $0.00001667 = $0.000000104');
    expect(expressCost(0).usd).toBeCloseTo(expressCost(100).usd, 15);
    expect(expressCost(101).usd).toBeCloseTo(0.000001 + 0.0125 * 0.00001667, 15);
  });

  test('bills Express memory in 64 MB chunks', () => {
    expect(expressCost(1000, 100).usd).toBeCloseTo(0.000001 + (128 / 1024) * 0.00001667, 15);
    expect(expressCost(1000, 128).usd).toBe(expressCost(1000, 100).usd);
  });

  test('fails when the figures are impossible', () => {
    expect(() => standardCost(-1)).toThrow('standardCost: transitions must be a whole number >= 0 (got -1)');
    expect(() => standardCost(1.5)).toThrow(/got 1.5/);
    expect(() => expressCost(Number.NaN)).toThrow('expressCost: duration must be a number of milliseconds >= 0 (got NaN)');
    expect(() => expressCost(100, 0)).toThrow('expressCost: memory must be a number of MB > 0 (got 0)');
  });

  test('formats cents, and smaller amounts to three significant digits', () => {
    expect(formatUsd(0.000225)).toBe('$0.000225');
    expect(formatUsd(225)).toBe('$225.00');
    expect(formatUsd(1.5)).toBe('$1.50');
    expect(formatUsd(0.0000001041875)).toBe('$0.000000104');
    expect(formatUsd(0)).toBe('$0');
  });

  test('a Distributed Map\'s child executions are billed too, each as AWS bills it', () => {
    const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms);
    const express = (ms: number) => ({ type: 'EXPRESS' as const, transitions: 12, startDate: at(0), stopDate: at(ms) });
    const parent = standardCost(3);
    const cost = costWithChildren(parent, {
      mapRuns: [{ executions: [express(50), express(250)] }],
      children: [{ type: 'STANDARD', transitions: 4, startDate: at(0), stopDate: at(10), mapRuns: [{ executions: [express(0)] }] }],
    });
    // 3 + 4 Standard transitions; three Express children: 100 ms, 300 ms and 100 ms at 64 MB, one request each.
    const expected = (3 + 4) * 0.025 / 1000 + 3 * 0.000001 + (0.1 + 0.3 + 0.1) * (64 / 1024) * 0.00001667;
    expect(cost.usd).toBeCloseTo(expected, 15);
    expect(cost.breakdown).toEqual([
      'this execution: $0.000075 (3 state transitions × $0.025 per 1,000 = $0.000075)',
      '1 Standard child execution: 4 state transitions × $0.025 per 1,000 = $0.0001',
      expect.stringMatching(/^3 Express child executions: 3 requests × \$1\.00 per 1,000,000 plus each one's duration \(rounded up to 100 ms\) × 64 MB = \$0\.00000/),
    ]);
    expect(costWithChildren(parent, {})).toBe(parent);
  });
});
