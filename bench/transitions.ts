/**
 * State transitions per path: every path of StockTradingWorkflow and of the baseline's minimal
 * definition, in JSONPath and in JSONata, all run on the local engine with the sample functions
 * (the same way as test/stock-trading/stock-trading-workflow.test.ts), so every count is measured.
 */
import { performance } from 'perf_hooks';
import { App, Stack } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { BaselineStockTradingStack } from './baseline/stock-trading';
import { StockTradingStack } from '../examples/stock-trading';
import { runLocally as runOnAls } from './oracle/als-execution';
import * as analysis from '../src/stock-trading/analysis.lambda';
import * as execution from '../src/stock-trading/execute-trade.lambda';
import { StockTradingWorkflow } from '../src/stock-trading/stock-trading-workflow';
import { standardCost } from '../src/testing/cost';
import { Asl, aslOf, arnOf } from '../test/support/asl';
import { FakeDynamoDB } from '../test/support/fake-dynamodb';
import { LocalRunResult, TaskFailure, TaskHandler, runLocally } from '../test/support/local-execution';

export interface TradingPath {
  readonly name: string;
  readonly input: Record<string, unknown>;
  readonly decision?: 'APPROVED' | 'REJECTED' | 'EXPIRED';
  /** The execution function is throttled once, then succeeds (a retry). */
  readonly throttledOnce?: boolean;
}

export const PATHS: TradingPath[] = [
  { name: 'no trade recommended', input: { tradeId: 't-1', companyId: 'GLOBEX', amount: 1000 } },
  { name: 'at or below the threshold: traded', input: { tradeId: 't-2', companyId: 'ACME', amount: 100 } },
  { name: 'below the threshold: market refuses', input: { tradeId: 't-3', companyId: 'INITECH', amount: 90 } },
  { name: 'above the threshold: approved, traded', input: { tradeId: 't-4', companyId: 'ACME', amount: 1000 }, decision: 'APPROVED' },
  { name: 'above the threshold: rejected', input: { tradeId: 't-5', companyId: 'ACME', amount: 1000 }, decision: 'REJECTED' },
  { name: 'above the threshold: expired', input: { tradeId: 't-6', companyId: 'ACME', amount: 1000 }, decision: 'EXPIRED' },
  { name: 'execution throttled once, retried', input: { tradeId: 't-7', companyId: 'ACME', amount: 50 }, throttledOnce: true },
  { name: 'analysis fails (no company)', input: { tradeId: 't-8', companyId: '', amount: 1000 } },
  { name: 'invalid request: amount is text', input: { tradeId: 't-9', companyId: 'ACME', amount: '10' } },
  { name: 'invalid request: trade id is a number', input: { tradeId: 9, companyId: 'ACME', amount: 10 } },
];

/**
 * Why each state StockTradingWorkflow enters beyond the baseline earns its transition. In JSONata
 * only the first remains: the gate computes the request id in the request's Arguments and makes the
 * expired decision in its Catch's Output.
 */
export const EXTRA_TRANSITIONS: Record<string, string> = {
  'Check trade request': 'validates the request before a Lambda is paid for, and rejects what the analysis function does not check '
    + '(a trade id that is not a string, a bad limit price) with InvalidTradeRequest instead of trading on it',
  'Approve trade: open request': '(JSONPath only) creates the request id (States.UUID) in the state, so that every route, the expired one included, '
    + 'still names its request; the baseline makes it inside the task payload and loses it on a timeout. A JSONPath Catch has no '
    + 'Output, so nothing but a state can carry the id to the expired route',
  'Approve trade: expired': '(JSONPath only) gives an expiry the same decision shape as approve/reject ({ decision: EXPIRED, requestId, decidedAt }), '
    + 'so the failure cause names the request an auditor looks up; the baseline fails with a fixed text. In JSONata the Catch\'s Output '
    + 'makes the same decision, with a request id derived from the execution, the state, its entry time and its input',
};

export interface Subject {
  readonly asl: Asl;
  readonly analysisArn: string;
  readonly executionArn: string;
}

export interface Subjects {
  readonly ours: Subject;
  readonly baseline: Subject;
  readonly oursJsonata: Subject;
  readonly baselineJsonata: Subject;
}

export function subjects(): Subjects {
  const app = new App();
  const env = { account: '123456789012', region: 'us-east-1' };
  const oursStack = new StockTradingStack(app, 'Ours', { env });
  const oursJsonataStack = new Stack(app, 'OursJsonata', { env });
  // The example stack's workflow, in JSONata.
  const oursJsonata = new StockTradingWorkflow(oursJsonataStack, 'StockTrading', {
    approvalThreshold: 100,
    approval: { approverEmails: ['trading-desk@example.com'] },
    queryLanguage: sfn.QueryLanguage.JSONATA,
  });
  const baseStack = new BaselineStockTradingStack(app, 'Baseline', { env });
  const baseJsonataStack = new BaselineStockTradingStack(app, 'BaselineJsonata', { env, queryLanguage: sfn.QueryLanguage.JSONATA });
  const baseline = (stack: BaselineStockTradingStack): Subject => ({
    asl: aslOf(stack as Stack, stack.stateMachine),
    analysisArn: arnOf(stack.analysisFunction),
    executionArn: arnOf(stack.executionFunction),
  });
  return {
    ours: {
      asl: aslOf(oursStack, oursStack.trading.workflow.stateMachine),
      analysisArn: arnOf(oursStack.trading.analysisFunction),
      executionArn: arnOf(oursStack.trading.executionFunction),
    },
    oursJsonata: {
      asl: aslOf(oursJsonataStack, oursJsonata.workflow.stateMachine),
      analysisArn: arnOf(oursJsonata.analysisFunction),
      executionArn: arnOf(oursJsonata.executionFunction),
    },
    baseline: baseline(baseStack),
    baselineJsonata: baseline(baseJsonataStack),
  };
}

/** The engine a path runs on: ours, or aws-local-stepfunctions through the former harness. */
export type EngineName = 'ours' | 'aws-local-stepfunctions';

/** Runs one path with the sample functions and an in-memory trades table. */
export async function runPath(subject: Subject, path: TradingPath, ddb: FakeDynamoDB, engine: EngineName = 'ours'): Promise<Pick<LocalRunResult, 'status' | 'error' | 'transitions' | 'path'>> {
  ddb.addTable('Trades', 'idempotencyKey');
  process.env.TRADES_TABLE_NAME = 'Trades';
  let calls = 0;
  const execute: TaskHandler = (e: any) => {
    calls++;
    if (path.throttledOnce && calls === 1) throw new TaskFailure('Lambda.TooManyRequestsException', 'Rate exceeded');
    return execution.handler(e);
  };
  const decide = (request: any) => {
    if (path.decision === 'EXPIRED') throw new TaskFailure('States.Timeout');
    return { decision: path.decision, approver: 'desk@example.com', comment: null, decidedAt: '2026-11-28T10:00:00.000Z', requestId: request.requestId };
  };
  const options = {
    input: path.input,
    resources: { [subject.analysisArn]: (e: any) => analysis.handler(e), [subject.executionArn]: execute },
    callbacks: { 'Approve trade': decide },
  };
  return engine === 'ours' ? runLocally(subject.asl, options) : runOnAls(subject.asl, options);
}

/** Runs `fn` with console.log silenced (the sample functions log what they do). */
export async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const log = console.log;
  console.log = () => undefined;
  try {
    return await fn();
  } finally {
    console.log = log;
  }
}

type Run = Pick<LocalRunResult, 'status' | 'error' | 'transitions' | 'path'>;

export interface PathRow {
  readonly path: TradingPath;
  readonly ours: Run;
  readonly baseline: Run;
  readonly oursJsonata: Run;
  readonly baselineJsonata: Run;
  readonly oursPerMillionUsd: number;
  readonly baselinePerMillionUsd: number;
  readonly oursJsonataPerMillionUsd: number;
  /** States of ours that the baseline does without (see EXTRA_TRANSITIONS), in JSONPath. */
  readonly extra: string[];
  /** The same, in JSONata. */
  readonly extraJsonata: string[];
}

export function describeOutcome(r: Pick<LocalRunResult, 'status' | 'error'>): string {
  return r.status === 'SUCCEEDED' ? 'SUCCEEDED' : `FAILED (${r.error})`;
}

export async function measureTransitions(): Promise<PathRow[]> {
  const { ours, baseline, oursJsonata, baselineJsonata } = subjects();
  const ddb = new FakeDynamoDB();
  try {
    return await quietly(async () => {
      const rows: PathRow[] = [];
      for (const path of PATHS) {
        const o = await runPath(ours, path, ddb);
        const b = await runPath(baseline, path, ddb);
        const oj = await runPath(oursJsonata, path, ddb);
        const bj = await runPath(baselineJsonata, path, ddb);
        rows.push({
          path,
          ours: o,
          baseline: b,
          oursJsonata: oj,
          baselineJsonata: bj,
          oursPerMillionUsd: standardCost(o.transitions).usd * 1_000_000,
          baselinePerMillionUsd: standardCost(b.transitions).usd * 1_000_000,
          oursJsonataPerMillionUsd: standardCost(oj.transitions).usd * 1_000_000,
          extra: o.path.filter(state => state in EXTRA_TRANSITIONS),
          extraJsonata: oj.path.filter(state => state in EXTRA_TRANSITIONS),
        });
      }
      return rows;
    });
  } finally {
    ddb.restore();
  }
}

export interface EngineRate {
  readonly engine: EngineName;
  /** Executions per second, one value per round. */
  readonly perSecond: number[];
}

/**
 * StockTradingWorkflow's paths, every one in turn, on our engine and on aws-local-stepfunctions,
 * rounds alternating; executions per second.
 */
export async function measureEngine(rounds: number, executionsPerRound: number): Promise<EngineRate[]> {
  const { ours } = subjects();
  const ddb = new FakeDynamoDB();
  const engines: EngineName[] = ['ours', 'aws-local-stepfunctions'];
  const rates: Record<EngineName, number[]> = { 'ours': [], 'aws-local-stepfunctions': [] };
  try {
    await quietly(async () => {
      for (const engine of engines) await runPath(ours, PATHS[0], ddb, engine); // warm-up
      for (let r = 0; r < rounds; r++) {
        for (const engine of r % 2 === 0 ? engines : [...engines].reverse()) {
          const start = performance.now();
          for (let i = 0; i < executionsPerRound; i++) await runPath(ours, PATHS[i % PATHS.length], ddb, engine);
          rates[engine].push(executionsPerRound / ((performance.now() - start) / 1000));
        }
      }
    });
  } finally {
    ddb.restore();
  }
  return engines.map(engine => ({ engine, perSecond: rates[engine] }));
}
