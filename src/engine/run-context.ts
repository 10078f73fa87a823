/**
 * The shapes the engine's parts share: what one state's run sees of its execution, and what task and
 * Distributed Map code sees of both. The interpreter (execution.ts), one state's run (state-run.ts),
 * tasks (tasks.ts) and Distributed Maps (distributed-map.ts) depend on these, not on each other.
 */
import type { DataFlow, PathScope, Variables } from './data-flow';
import type { Graph } from './definition';
import type { StatesError } from './errors';
import type { History } from './history';
import type { JsonataScope } from './jsonata';
import type { LocalS3 } from './local-s3';
import type { SeededRandom } from './random';
import type { Scheduler, Scope } from './scheduler';
import type { ExecutionOptions, ExecutionResult, MapRunRecord, QueryLanguage } from './types';

/** The 256 KiB payload limit, in bytes of UTF-8 JSON. */
export const MAX_PAYLOAD_BYTES = 262_144;

/**
 * An execution's ARN: `...:execution:<machine>:<name>` for Standard; for Express, AWS adds an id after
 * the name (`...:express:<machine>:<name>:<id>`, recorded), which `expressId` draws.
 */
export function executionArnOf(
  type: 'STANDARD' | 'EXPRESS', region: string, account: string, machine: string, name: string, expressId: () => string,
): string {
  if (type === 'STANDARD') return `arn:aws:states:${region}:${account}:execution:${machine}:${name}`;
  return `arn:aws:states:${region}:${account}:express:${machine}:${name}:${expressId()}`;
}

/** A line of execution: the top level, a Parallel branch or a Map iteration. */
export interface Thread {
  readonly scope: Scope;
  readonly variables: Variables;
  /** The last history event of this thread (previousEventId of the next). */
  lastEventId: number;
  /** `$$.Map.Item`, inside an iteration's ItemSelector. */
  readonly mapItem?: { readonly Index: number; readonly Value: unknown };
  /** The iteration or branch index, and the Map or Parallel state, for the state records. */
  readonly index?: number;
  readonly parent?: string;
}

/** What a child execution shares with the execution that started it. */
export interface ParentLink {
  readonly sched: Scheduler;
  readonly scope: Scope;
  readonly executionArn: string;
  readonly stateMachineArn: string;
}

/** What a state's work gives: its output, where it goes next, and the variables it assigned. */
export interface StepResult {
  readonly output: unknown;
  readonly next?: string;
  /** A Choice state: the index of the rule that matched (undefined: its Default). */
  readonly rule?: number;
  /** Variables assigned, as the StateExited event shows them (values as JSON text). */
  readonly assigned?: Record<string, string>;
}

/** An execution, as a state's run, a task and a Distributed Map use it. */
export interface ExecutionContext {
  readonly sched: Scheduler;
  readonly history: History;
  readonly random: SeededRandom;
  readonly flow: DataFlow;
  readonly options: ExecutionOptions;
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly region: string;
  readonly account: string;
  /** The S3 Distributed Maps read from and write to. */
  readonly s3: LocalS3;
  readonly mapRuns: MapRunRecord[];
  readonly children: ExecutionResult[];
  /** Threads started and not waited for (request-response child executions): the run ends after them. */
  readonly detached: Promise<unknown>[];
  /** The execution's own scope (what outlives any one state). */
  readonly rootScope: Scope;
  /** Runs a child execution (a Distributed Map item or batch, a nested state machine) in this run's virtual time. */
  child(
    graph: Graph, options: Pick<ExecutionOptions, 'input' | 'type' | 'executionName' | 'startedWith'>, scope: Scope, executionArn: string, stateMachineArn: string,
  ): Promise<ExecutionResult>;
  /** A child state machine's definition, parsed and validated once. */
  definitionOf(definition: object | string, arn: string): Graph;
  /** `$$`: the context object, as a state sees it. */
  context(state: string, enteredAt: number, retryCount: number | undefined, extra?: Record<string, unknown>): Record<string, unknown>;
  /** Runs a chain of states from StartAt to an end; throws StateFailure when it fails. */
  runGraph(graph: Graph, input: unknown, thread: Thread, inherited: QueryLanguage): Promise<unknown>;
  /** Counts one billed state transition (a retry counts as one). */
  countTransition(): void;
}

/** One state's run, as task and Distributed Map code uses it. */
export interface StateContext {
  readonly stateName: string;
  readonly currentThread: Thread;
  readonly input: unknown;
  /** 1 for the first attempt, 2 for the first retry... */
  readonly attempt: number;
  readonly language: QueryLanguage;
  /** The error a Map's iteration, a Parallel's branch or a map run failed with: its StateFailed event is due. */
  branchFailure?: StatesError;
  /** What JSONPath paths resolve against (input, context, variables). */
  pathScope(input?: unknown, extra?: Record<string, unknown>): PathScope;
  /** What JSONata expressions see. */
  scopeFor(extra?: Record<string, unknown>, contextExtra?: Record<string, unknown>): JsonataScope;
}
