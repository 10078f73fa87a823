/**
 * Runs a state machine of a cloud assembly locally (the same engine and harness as the tests) and
 * turns what happened into an execution history, the path taken and a cost estimate.
 */
import { placeholderFor } from './asl';
import { appBuckets, AssemblyStateMachine, localFunctions, stackTemplates, stateMachinesIn } from './assembly';
import { costWithChildren, expressCost, standardCost, CostEstimate, EXPRESS_MEMORY_CHUNK_MB, WorkflowKind } from './cost';
import { clockTime, humanDuration } from './format';
import { FunctionLog, FunctionSandbox } from './function-sandbox';
import { graphOf, takenPath, TakenPath, Trace, WorkflowGraph } from './graph';
import { checkEndpoints, HTTP_INVOKE, httpInvokeHandler } from './http';
import { CallbackHandler, LocalRunResult, LocalS3, runLocally, TaskHandler } from './local-execution';
import { OfflineAws } from './offline-aws';
import type { ChildStateMachine } from '../engine';

/** One state entered, as the Step Functions console lists it. */
export interface HistoryRow {
  readonly state: string;
  readonly type: string;
  /** When the state was entered, on the run's virtual clock (waits, retry intervals and timeouts advance it). */
  readonly startedAt: Date;
  /** Milliseconds since the execution started. */
  readonly startedMs: number;
  /** Milliseconds until the state was left (undefined while it never was). */
  readonly durationMs?: number;
  /** `succeeded`, `caught` (an error went to a Catch), `failed` (an error ended it). */
  readonly outcome: 'succeeded' | 'caught' | 'failed' | 'unfinished';
  /** The errors retried, in order. */
  readonly retried: string[];
  /** The error that was caught or that failed the state. */
  readonly error?: string;
  /** Where a Catch sent the execution. */
  readonly caughtBy?: string;
  /** For a state inside a Map iteration or Parallel branch: its index, and the Map or Parallel. */
  readonly iteration?: number;
  readonly parent?: string;
  readonly input: unknown;
  readonly output?: unknown;
}

/** The rows of an execution, in the order the states were entered, from the engine's state records. */
export function historyOf(result: Pick<LocalRunResult, 'states' | 'events'>): HistoryRow[] {
  const started = result.events.find(e => e.type === 'ExecutionStarted')?.timestamp.getTime() ?? 0;
  const end = result.events[result.events.length - 1]?.timestamp.getTime() ?? started;
  return result.states.map(s => {
    const entered = s.enteredAt.getTime();
    const outcome: HistoryRow['outcome'] = s.caught ? 'caught' : s.failed ? 'failed' : s.exitedAt ? 'succeeded' : 'unfinished';
    const stopped = s.exitedAt?.getTime() ?? (s.failed ? end : undefined);
    return {
      state: s.name,
      type: s.type,
      startedAt: s.enteredAt,
      startedMs: entered - started,
      ...(stopped !== undefined ? { durationMs: stopped - entered } : {}),
      outcome,
      retried: s.retries.map(r => r.error),
      ...(s.caught ? { error: s.caught.error, caughtBy: s.caught.next } : s.failed ? { error: s.failed.error } : {}),
      ...(s.index !== undefined ? { iteration: s.index, parent: s.parent } : {}),
      input: s.input,
      ...(s.exitedAt && !s.caught ? { output: s.output } : {}),
    };
  });
}

/** What a run did, as drawing its path needs: the states entered and left, the catches, the Choice rules that matched. */
export function traceOf(result: Pick<LocalRunResult, 'states' | 'events' | 'path' | 'catches'>): Trace {
  return {
    entered: result.path,
    exited: historyOf(result).filter(h => h.outcome === 'succeeded').map(h => h.state),
    catches: result.catches,
    choices: result.states.filter(s => s.type === 'Choice' && s.next !== undefined).map(s => ({ state: s.name, rule: s.rule })),
  };
}

/**
 * Every Lambda function of the assembly that can run offline (a nested state machine may call any of
 * them), sealed in `sandbox`.
 */
export function functionsFor(assemblyDir: string, machine: AssemblyStateMachine, sandbox: FunctionSandbox): Record<string, TaskHandler> {
  const templates = Object.values(stackTemplates(assemblyDir));
  // The state machine's own stack last: its functions win over another stack's with the same logical id.
  return Object.assign({}, ...[...templates, machine.template].map(t => localFunctions(assemblyDir, t, sandbox)));
}

/** The assembly's state machines, by the ARN a task that starts one names: a nested execution runs on the engine. */
export function childStateMachines(assemblyDir: string): Record<string, ChildStateMachine> {
  const out: Record<string, ChildStateMachine> = {};
  for (const m of stateMachinesIn(assemblyDir)) {
    out[placeholderFor(m.logicalId, 'AWS::StepFunctions::StateMachine')] = { definition: m.asl, type: workflowKindOf(m) };
  }
  return out;
}

/** Standard or Express, from the state machine's CloudFormation resource. */
export function workflowKindOf(machine: AssemblyStateMachine): WorkflowKind {
  const type = (machine.template.Resources?.[machine.logicalId] as any)?.Properties?.StateMachineType;
  return type === 'EXPRESS' ? 'EXPRESS' : 'STANDARD';
}

export interface ExecuteOptions {
  readonly input?: unknown;
  /** Task handlers by state name (they win over everything else). */
  readonly states?: Record<string, TaskHandler>;
  /** Task handlers by resource (they win over the functions' synthesized code). */
  readonly resources?: Record<string, TaskHandler>;
  readonly callbacks?: Record<string, CallbackHandler>;
  /** The S3 a Distributed Map reads from and writes to; every bucket of the app is created in it. @default an empty one */
  readonly s3?: LocalS3;
  /** Seeds UUIDs, task tokens and retry jitter. @default random */
  readonly seed?: number;
  /** Virtual start time. @default now */
  readonly startTime?: Date;
  /** The offline AWS services the library's own functions use. @default new ones */
  readonly offline?: OfflineAws;
  /** Where the functions' code runs, sealed; the run disposes of it when it ends. @default a new one with `offline` */
  readonly sandbox?: FunctionSandbox;
  /** Express cost: the memory to bill. @default 64 */
  readonly memoryMb?: number;
  /** Express cost: the duration to bill. @default - the local run's duration */
  readonly durationMs?: number;
  /** HTTP tasks: API URLs mapped to local addresses (`{ 'https://api.example.com': 'http://127.0.0.1:8080' }`). @default none: an HTTP task stops the run */
  readonly httpEndpoints?: Readonly<Record<string, string>>;
}

export interface Execution {
  readonly machine: AssemblyStateMachine;
  readonly kind: WorkflowKind;
  readonly input: unknown;
  readonly result: LocalRunResult;
  readonly history: HistoryRow[];
  readonly graph: WorkflowGraph;
  readonly taken: TakenPath;
  /** Wall-clock milliseconds of the local run (waits and retry intervals take virtual time only). */
  readonly localDurationMs: number;
  readonly cost: CostEstimate;
  /** What the functions' code printed, in order. */
  readonly logs: FunctionLog[];
}

/**
 * Runs a state machine of the assembly at `assemblyDir`. Lambda functions whose code is in the
 * assembly (inline, or a Node.js asset) run from it unless a handler is given for their resource or
 * state.
 */
export async function execute(assemblyDir: string, machine: AssemblyStateMachine, options: ExecuteOptions = {}): Promise<Execution> {
  const graph = graphOf(machine.asl);
  const input = options.input ?? {};
  const began = Date.now();
  const offline = options.offline ?? new OfflineAws();
  const templates = stackTemplates(assemblyDir);
  for (const template of Object.values(templates)) offline.dynamodb.addTablesOf(template);
  // Every bucket of the app exists in the local S3, as in AWS once deployed (a FanOutMap writes its results to its own).
  const s3 = options.s3 ?? new LocalS3();
  for (const bucket of appBuckets(templates)) s3.createBucket(bucket.name);
  const sandbox = options.sandbox ?? new FunctionSandbox(offline);
  let result: LocalRunResult;
  try {
    result = await runLocally(machine.asl, {
      input,
      states: options.states,
      // The offline services answer the service integrations they know unless a mock does.
      resources: {
        ...offline.integrations(),
        [HTTP_INVOKE]: httpInvokeHandler(checkEndpoints(options.httpEndpoints, 'httpEndpoints'), Object.values(templates)),
        ...options.resources,
      },
      functions: functionsFor(assemblyDir, machine, sandbox),
      callbacks: options.callbacks,
      s3,
      seed: options.seed,
      startTime: options.startTime,
      stateMachines: childStateMachines(assemblyDir),
    });
  } finally {
    // Nothing a function started outlives the run.
    await sandbox.dispose();
  }
  const localDurationMs = Date.now() - began;
  const history = historyOf(result);
  const taken = takenPath(graph, traceOf(result));
  const kind = workflowKindOf(machine);
  const memoryMb = options.memoryMb ?? EXPRESS_MEMORY_CHUNK_MB;
  const own = kind === 'EXPRESS' ? expressCost(options.durationMs ?? localDurationMs, memoryMb) : standardCost(result.transitions);
  // The child executions it started are billed too: a Distributed Map's, a nested workflow's.
  const cost = costWithChildren(own, result, memoryMb);
  return { machine, kind, input, result, history, graph, taken, localDurationMs, cost, logs: sandbox.logs };
}

/** What the functions printed, one line each: `function (state) level: message`. */
export function logLines(execution: Pick<Execution, 'logs'>): string[] {
  return execution.logs.map(l => `${l.functionId}${l.state !== undefined ? ` (${l.state})` : ''} ${l.level}: ${l.message}`);
}

/** A failure cause for people: a Lambda function's error JSON becomes its message. */
export function readableCause(cause: string | undefined): string {
  if (cause === undefined) return '';
  try {
    const parsed = JSON.parse(cause);
    if (typeof parsed?.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // not JSON: as it is
  }
  return cause;
}

/** JSON on one line, cut to `max` characters. */
export function shortJson(value: unknown, max = 48): string {
  if (value === undefined) return '';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The Time cell of a history row: the virtual clock when the state was entered, and how long it took when it took any time. */
export function timeCell(row: Pick<HistoryRow, 'startedAt' | 'durationMs'>): string {
  return `${clockTime(row.startedAt)}${row.durationMs ? ` (${humanDuration(row.durationMs)})` : ''}`;
}

/** The history as a plain-text table. */
export function historyTable(rows: HistoryRow[]): string {
  const header = ['#', 'state', 'type', 'time', 'retries', 'caught error', 'input', 'output'];
  const lines = rows.map((row, i) => [
    String(i + 1),
    row.state,
    row.type,
    timeCell(row),
    row.retried.length === 0 ? '' : `${row.retried.length} (${[...new Set(row.retried)].join(', ')})`,
    row.outcome === 'caught' ? `${row.error} → ${row.caughtBy}` : row.outcome === 'failed' ? `${row.error} (not caught)` : '',
    shortJson(row.input, 36),
    shortJson(row.output, 36),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...lines.map(l => l[c].length)));
  const format = (cells: string[]) => cells.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd();
  return [format(header), format(widths.map(w => '-'.repeat(w))), ...lines.map(format)].join('\n');
}
