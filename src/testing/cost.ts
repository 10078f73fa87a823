/**
 * The estimated cost of one execution, from the published Step Functions prices.
 *
 * Prices: https://aws.amazon.com/step-functions/pricing/ (US East (N. Virginia), read 2026-11-28).
 * Free tiers (4,000 Standard state transitions a month) and the cheaper Express duration tiers past
 * 1,000 GB-hours a month are left out: this is the price of one more execution at list price, and
 * what the tasks call (Lambda, DynamoDB...) is billed by those services on top.
 */
import { plural } from './format';

/** Standard workflows: USD per 1,000 state transitions (retries included). */
export const STANDARD_PRICE_PER_1000_TRANSITIONS = 0.025;
/** Express workflows: USD per 1,000,000 requests (executions started). */
export const EXPRESS_PRICE_PER_MILLION_REQUESTS = 1.0;
/** Express workflows: USD per GB-second of duration (first 1,000 GB-hours a month). */
export const EXPRESS_PRICE_PER_GB_SECOND = 0.00001667;
/** Express duration is rounded up to the next 100 ms. */
export const EXPRESS_BILLING_INCREMENT_MS = 100;
/** Express memory is billed in chunks of 64 MB. */
export const EXPRESS_MEMORY_CHUNK_MB = 64;
export const PRICING_SOURCE = 'https://aws.amazon.com/step-functions/pricing/';
export const PRICING_DATE = '2026-11-28';
export const PRICING_REGION = 'us-east-1';

export type WorkflowKind = 'STANDARD' | 'EXPRESS';

export interface CostEstimate {
  readonly kind: WorkflowKind;
  /** USD for one execution. */
  readonly usd: number;
  /** How it was computed, for a reader. */
  readonly breakdown: string[];
}

/** One Standard execution: its state transitions at the per-1,000 price. */
export function standardCost(transitions: number): CostEstimate {
  if (!Number.isInteger(transitions) || transitions < 0) {
    throw new Error(`standardCost: transitions must be a whole number >= 0 (got ${transitions})`);
  }
  const usd = (transitions * STANDARD_PRICE_PER_1000_TRANSITIONS) / 1000;
  return {
    kind: 'STANDARD',
    usd,
    breakdown: [`${transitions} state transitions × $${STANDARD_PRICE_PER_1000_TRANSITIONS} per 1,000 = ${formatUsd(usd)}`],
  };
}

/**
 * One Express execution: one request, plus its duration (rounded up to 100 ms) at its memory
 * (rounded up to 64 MB chunks).
 */
export function expressCost(durationMs: number, memoryMb = EXPRESS_MEMORY_CHUNK_MB): CostEstimate {
  if (!(durationMs >= 0) || !Number.isFinite(durationMs)) {
    throw new Error(`expressCost: duration must be a number of milliseconds >= 0 (got ${durationMs})`);
  }
  if (!(memoryMb > 0) || !Number.isFinite(memoryMb)) {
    throw new Error(`expressCost: memory must be a number of MB > 0 (got ${memoryMb})`);
  }
  const billedMs = Math.max(EXPRESS_BILLING_INCREMENT_MS, Math.ceil(durationMs / EXPRESS_BILLING_INCREMENT_MS) * EXPRESS_BILLING_INCREMENT_MS);
  const billedMb = Math.ceil(memoryMb / EXPRESS_MEMORY_CHUNK_MB) * EXPRESS_MEMORY_CHUNK_MB;
  const gbSeconds = (billedMb / 1024) * (billedMs / 1000);
  const request = EXPRESS_PRICE_PER_MILLION_REQUESTS / 1_000_000;
  const duration = gbSeconds * EXPRESS_PRICE_PER_GB_SECOND;
  return {
    kind: 'EXPRESS',
    usd: request + duration,
    breakdown: [
      `1 request × $${EXPRESS_PRICE_PER_MILLION_REQUESTS.toFixed(2)} per 1,000,000 = ${formatUsd(request)}`,
      `${billedMs} ms (billed from ${Math.round(durationMs)} ms) × ${billedMb} MB = ${gbSeconds} GB-s × $${EXPRESS_PRICE_PER_GB_SECOND} = ${formatUsd(duration)}`,
    ],
  };
}

/** A child execution, as the cost of its parent needs it. */
export interface ChildExecutionLike {
  readonly type: WorkflowKind;
  readonly transitions: number;
  readonly startDate: Date;
  readonly stopDate: Date;
  readonly children?: readonly ChildExecutionLike[];
  readonly mapRuns?: ReadonlyArray<{ readonly executions: readonly ChildExecutionLike[] }>;
}

/** Every child execution under `parent`: nested executions and Distributed Map children, at every depth. */
function descendants(parent: Pick<ChildExecutionLike, 'children' | 'mapRuns'>): ChildExecutionLike[] {
  const direct = [...(parent.children ?? []), ...(parent.mapRuns ?? []).flatMap(r => r.executions)];
  return direct.flatMap(c => [c, ...descendants(c)]);
}

/**
 * One execution with the child executions it started (a Distributed Map's, a nested workflow's): each
 * Standard child at its transitions, each Express child as one request and its own duration (rounded
 * up to 100 ms, at `memoryMb`), as AWS bills them.
 */
export function costWithChildren(own: CostEstimate, parent: Pick<ChildExecutionLike, 'children' | 'mapRuns'>, memoryMb = EXPRESS_MEMORY_CHUNK_MB): CostEstimate {
  const children = descendants(parent);
  if (children.length === 0) return own;
  const standard = children.filter(c => c.type === 'STANDARD');
  const express = children.filter(c => c.type === 'EXPRESS');
  const lines = [`this execution: ${formatUsd(own.usd)} (${own.breakdown.join('; ')})`];
  let usd = own.usd;
  if (standard.length > 0) {
    const transitions = standard.reduce((n, c) => n + c.transitions, 0);
    const cost = standardCost(transitions).usd;
    usd += cost;
    lines.push(`${plural(standard.length, 'Standard child execution')}: ${transitions} state transitions × $${STANDARD_PRICE_PER_1000_TRANSITIONS} per 1,000 = ${formatUsd(cost)}`);
  }
  if (express.length > 0) {
    const costs = express.map(c => expressCost(c.stopDate.getTime() - c.startDate.getTime(), memoryMb).usd);
    const cost = costs.reduce((a, b) => a + b, 0);
    usd += cost;
    lines.push(`${plural(express.length, 'Express child execution')}: ${plural(express.length, 'request')} × $${EXPRESS_PRICE_PER_MILLION_REQUESTS.toFixed(2)} per 1,000,000 `
      + `plus each one's duration (rounded up to ${EXPRESS_BILLING_INCREMENT_MS} ms) × ${Math.ceil(memoryMb / EXPRESS_MEMORY_CHUNK_MB) * EXPRESS_MEMORY_CHUNK_MB} MB = ${formatUsd(cost)}`);
  }
  return { kind: own.kind, usd, breakdown: lines };
}

/** Dollars: cents from $0.01 up (`$225.00`), three significant digits below (`$0.000225`). */
export function formatUsd(usd: number): string {
  if (usd === 0) return '$0';
  if (usd >= 0.01) return `$${usd.toFixed(2)}`;
  const digits = Math.ceil(-Math.log10(usd)) + 2;
  return `$${usd.toFixed(Math.min(digits, 12)).replace(/(\.\d*?[1-9])0+$/, '$1')}`;
}

/** The price of a million such executions, to compare designs. */
export function perMillion(estimate: CostEstimate): string {
  return formatUsd(estimate.usd * 1_000_000);
}
