/**
 * Runs an ASL definition locally on the project's Step Functions engine (src/engine), with task
 * resources mapped to local functions and callbacks decided by the caller.
 *
 * The engine runs in virtual time (waits, retry intervals and timeouts take no wall time but carry
 * their real timestamps in the history), evaluates JSONPath and JSONata, and refuses, with an error
 * naming the state and the field, whatever it does not implement: it never passes silently.
 */
import type { Asl } from './asl';
import {
  ChildStateMachine, EngineSetupError, EngineUnsupportedError, ExecutionResult, HistoryEvent, LocalS3, MapRunRecord, StateRecord, TaskError,
  TaskOutcome, TaskRequest, execute,
} from '../engine';

export { LocalS3, TaskOutcome };

/** A mistake in the test's setup (a missing handler...): fails the run, is never caught by a Catch. */
export class HarnessError extends EngineSetupError {
  constructor(message: string, state?: string) {
    super(message, state);
    this.name = 'HarnessError';
  }
}

/** A task without a handler, or a `.waitForTaskToken` task without a callback decision. */
export class MissingHandlerError extends HarnessError {
  constructor(
    message: string,
    /** The Task state's name. */
    public readonly state: string,
    /** The task's Resource. */
    public readonly resource: string,
    /** The key a handler would be found under in `resources` (the unqualified function ARN...). */
    public readonly resourceKey: string,
    /** `callback` when the decision of a `.waitForTaskToken` task is missing. */
    public readonly missing: 'handler' | 'callback',
  ) {
    super(message, state);
  }
}

/** Thrown by a task or callback handler to fail the task with a Step Functions error name. */
export class TaskFailure extends TaskError {
  /**
   * @param error the Step Functions error name
   * @param causeText the cause; left out, a callback's failure has none (`SendTaskFailure` without a
   *   cause: the error output's `Cause` is null), and any other task's cause is empty
   */
  constructor(error: string, causeText?: string) {
    super(error, causeText);
  }
}

/** The definition uses a feature the local engine does not implement (it names the state and the field). */
export const EngineLimitationError = EngineUnsupportedError;
export type EngineLimitationError = EngineUnsupportedError;

/** One invocation of a task, as a handler sees it. */
export interface TaskCall {
  /** The Task state's name. */
  readonly state: string;
  /** The task's Resource. */
  readonly resource: string;
  /** What the handler received (the effective input, or the Lambda Payload). */
  readonly input: any;
  /** 1 for the first attempt, 2 for the first retry... */
  readonly attempt: number;
  /** The task token, for `.waitForTaskToken` tasks. */
  readonly taskToken?: string;
  /** Virtual time when the task was scheduled. */
  readonly now?: Date;
  /** The task's TimeoutSeconds and HeartbeatSeconds, when it has them. */
  readonly timeoutSeconds?: number;
  readonly heartbeatSeconds?: number;
}

export type TaskHandler = (input: any, call: TaskCall) => unknown;
/**
 * Returns the `SendTaskSuccess` output, throws a {@link TaskFailure} for `SendTaskFailure`, or returns a
 * {@link TaskOutcome} (an answer after some virtual time, heartbeats, or `TaskOutcome.never()`).
 */
export type CallbackHandler = (request: any, call: TaskCall) => unknown;

export interface LocalRunOptions {
  /** The execution input. @default {} */
  readonly input?: unknown;
  /**
   * Handlers by resource: a Lambda function ARN (for `lambda:invoke` tasks and Lambda ARN resources;
   * the handler receives the Payload and returns the function's result), or a service integration
   * ARN without its `.sync`/`.waitForTaskToken` suffix (`arn:aws:states:::sns:publish`).
   */
  readonly resources?: Record<string, TaskHandler>;
  /** Handlers by Task state name; they win over `resources`. */
  readonly states?: Record<string, TaskHandler>;
  /**
   * The functions' own code, by function ARN like `resources`, for a task with no handler in
   * `states` or `resources`. A callback task whose decision `callbacks` gives does not run it: the
   * decision alone settles the task.
   */
  readonly functions?: Record<string, TaskHandler>;
  /** The decision for each `.waitForTaskToken` task, by state name. */
  readonly callbacks?: Record<string, CallbackHandler>;
  /** The execution's and the state machine's names (`$$.Execution.Name`, `$$.StateMachine.Name`). */
  readonly context?: { readonly Execution?: { readonly Name?: string }; readonly StateMachine?: { readonly Name?: string } };
  /** Standard or Express. @default 'STANDARD' */
  readonly type?: 'STANDARD' | 'EXPRESS';
  /** Virtual start time. @default now */
  readonly startTime?: Date;
  /** Seeds UUIDs, task tokens and retry jitter. @default a random seed (reported in the result) */
  readonly seed?: number;
  /** The S3 a Distributed Map reads from and writes to (load one with `LocalS3.fromFolder`). @default an empty one */
  readonly s3?: LocalS3;
  /** State machines a task may start (`states:startExecution`...), by ARN: they run locally too. */
  readonly stateMachines?: Record<string, ChildStateMachine>;
}

export interface RetryRecord { readonly state: string; readonly error: string; readonly attempt: number }
export interface CatchRecord { readonly state: string; readonly error: string; readonly next: string }

export interface LocalRunResult {
  readonly status: ExecutionResult['status'];
  readonly output?: any;
  readonly error?: string;
  readonly cause?: string;
  /** Names of the states entered, in order (states inside Parallel branches and Map iterations included). */
  readonly path: string[];
  readonly retries: RetryRecord[];
  readonly catches: CatchRecord[];
  /** State transitions as Step Functions bills them: every state entered, plus every retry. */
  readonly transitions: number;
  /** Every task invocation, in order. */
  readonly calls: TaskCall[];
  /** The execution history, shaped like GetExecutionHistory. */
  readonly events: HistoryEvent[];
  /** Every state entered, with its input, output, retries and outcome. */
  readonly states: StateRecord[];
  /** Virtual milliseconds from start to end. */
  readonly durationMs: number;
  /** The seed of the run: pass it back to replay it exactly. */
  readonly seed: number;
  /** Distributed Map runs, with their child executions and item counts. */
  readonly mapRuns: MapRunRecord[];
  /** Nested executions started by this one. */
  readonly children: ExecutionResult[];
  /** Standard transitions, Express requests and Express duration, this execution and its children together. */
  readonly billing: ExecutionResult['billing'];
}

interface StateRef { readonly name: string; readonly state: any; readonly where: string }

/** A FanOutMap processor's state as it was named before: `<id> item` is now `<id>: each item`. */
function renamedHint(name: string, states: string[]): string {
  const m = /^(.*) (item|batch)( failed)?$/.exec(name);
  const now = m ? `${m[1]}: each ${m[2]}${m[3] ?? ''}` : undefined;
  return now !== undefined && states.includes(now) ? `; a FanOutMap's processor state is now named '${now}' (it was '${name}')` : '';
}

/** Every state of a definition, nested ones included, with where it stands. */
export function allStates(asl: Asl, where = 'the state machine'): StateRef[] {
  const out: StateRef[] = [];
  for (const [name, state] of Object.entries<any>(asl.States ?? {})) {
    out.push({ name, state, where });
    (state.Branches ?? []).forEach((b: Asl, i: number) => out.push(...allStates(b, `branch ${i + 1} of Parallel '${name}'`)));
    const processor = state.ItemProcessor ?? state.Iterator;
    if (processor) out.push(...allStates(processor, `the item processor of Map '${name}'`));
  }
  return out;
}

/**
 * The item processor of a Map state as a stand-alone definition, to run one item (or one batch)
 * the way a Distributed Map child execution would.
 */
export function itemProcessorOf(asl: Asl, mapState: string): Asl {
  const ref = allStates(asl).find(s => s.name === mapState);
  const processor = ref?.state.ItemProcessor ?? ref?.state.Iterator;
  if (!ref || ref.state.Type !== 'Map' || !processor) {
    throw new Error(`itemProcessorOf: no Map state '${mapState}' (Map states: ${allStates(asl).filter(s => s.state.Type === 'Map').map(s => s.name).join(', ') || 'none'})`);
  }
  const { ProcessorConfig: _config, ...definition } = processor;
  return { ...(asl.QueryLanguage ? { QueryLanguage: asl.QueryLanguage } : {}), ...definition };
}

function unqualified(functionArn: string): string {
  const parts = functionArn.split(':');
  return parts.length > 7 ? parts.slice(0, 7).join(':') : functionArn;
}

/** What a handler is told of one attempt of a task. */
export function taskCallOf(req: TaskRequest): TaskCall {
  return {
    state: req.state,
    resource: req.resource,
    input: req.input,
    attempt: req.attempt,
    ...(req.taskToken !== undefined ? { taskToken: req.taskToken } : {}),
    now: req.now,
    ...(req.timeoutSeconds !== undefined ? { timeoutSeconds: req.timeoutSeconds } : {}),
    ...(req.heartbeatSeconds !== undefined ? { heartbeatSeconds: req.heartbeatSeconds } : {}),
  };
}

/** The key a task's handler is found under: a Lambda task's unqualified function ARN, or the resource without its suffix. */
export function handlerKeyOf(req: TaskRequest): string {
  return req.integration === 'lambda' && req.functionName !== undefined ? unqualified(req.functionName) : req.baseResource;
}

/** The Task states of a definition, by identity (a definition is not changed between runs). */
const taskStates = new WeakMap<object, StateRef[]>();

/** Checks that every handler and callback given names a task that exists (a typo would otherwise go unnoticed). */
function checkNames(asl: Asl, options: LocalRunOptions): void {
  if (options.states === undefined && options.callbacks === undefined) return;
  let tasks = taskStates.get(asl);
  if (!tasks) {
    tasks = allStates(asl).filter(s => s.state.Type === 'Task');
    taskStates.set(asl, tasks);
  }
  for (const name of Object.keys(options.states ?? {})) {
    if (!tasks.some(t => t.name === name)) {
      throw new HarnessError(`local run: states['${name}'] names no Task state (Task states: ${tasks.map(t => t.name).join(', ') || 'none'})${renamedHint(name, tasks.map(t => t.name))}`);
    }
  }
  for (const name of Object.keys(options.callbacks ?? {})) {
    const task = tasks.find(t => t.name === name);
    if (!task) throw new HarnessError(`local run: callbacks['${name}'] names no Task state (Task states: ${tasks.map(t => t.name).join(', ') || 'none'})`);
    if (!String(task.state.Resource).endsWith('.waitForTaskToken')) {
      throw new HarnessError(`local run: callbacks['${name}'] is given, but '${name}' is not a callback task (its Resource ${task.state.Resource} has no .waitForTaskToken); give its result in states['${name}'] instead`);
    }
  }
}

/** Runs a definition locally and reports what happened. Throws on a setup mistake or an engine limitation. */
export async function runLocally(asl: Asl, options: LocalRunOptions = {}): Promise<LocalRunResult> {
  checkNames(asl, options);
  const calls: TaskCall[] = [];
  const onTask = async (req: TaskRequest): Promise<unknown> => {
    const call = taskCallOf(req);
    calls.push(call);
    const waitsForToken = req.pattern === 'callback';
    const functionArn = req.integration === 'lambda' ? req.functionName : undefined;
    const key = handlerKeyOf(req);
    const callback = options.callbacks?.[req.state];
    const handler = options.states?.[req.state] ?? options.resources?.[key] ?? options.resources?.[functionArn ?? '']
      ?? (waitsForToken && callback ? undefined : options.functions?.[key] ?? options.functions?.[functionArn ?? '']);
    if (waitsForToken && !callback) {
      throw new MissingHandlerError(`local run: task '${req.state}' waits for a task token (${req.resource}); give its decision in callbacks['${req.state}']`,
        req.state, req.resource, key, 'callback');
    }
    if (!handler && !waitsForToken) {
      const what = `resource ${req.resource}${functionArn ? `, function ${key}` : ''}`;
      const own = /:activity:/.test(req.resource) ? `activities['${req.state}'] (the worker's handler)`
        : /:ecs:runTask\.sync$/.test(req.resource) ? `containers['${req.state}'] (a function for the container)` : undefined;
      if (own) {
        throw new MissingHandlerError(`local run: no handler for task '${req.state}' (${what}); give ${own}, or mock it with mockState('${req.state}', ...)`,
          req.state, req.resource, key, 'handler');
      }
      throw new MissingHandlerError(`local run: no handler for task '${req.state}' (${what}); give one in resources['${key}'] or states['${req.state}']`,
        req.state, req.resource, key, 'handler');
    }
    const result = handler ? await handler(req.input, call) : undefined;
    return callback ? callback(req.input, call) : result;
  };
  const result = await execute(asl as object, {
    input: options.input ?? {},
    // Handlers by state name win over everything, a nested state machine included.
    tasks: Object.fromEntries(Object.keys(options.states ?? {}).map(name => [name, onTask])),
    onTask,
    executionName: options.context?.Execution?.Name,
    stateMachineName: options.context?.StateMachine?.Name,
    type: options.type,
    startTime: options.startTime,
    seed: options.seed,
    s3: options.s3,
    stateMachines: options.stateMachines,
  });
  return {
    status: result.status,
    output: result.output,
    error: result.error,
    cause: result.cause,
    path: result.states.map(s => s.name),
    retries: result.states.flatMap(s => s.retries.map((r, i) => ({ state: s.name, error: r.error, attempt: i + 1 }))),
    catches: result.states.filter(s => s.caught).map(s => ({ state: s.name, error: s.caught!.error, next: s.caught!.next })),
    transitions: result.transitions,
    calls,
    events: result.events,
    states: result.states,
    durationMs: result.stopDate.getTime() - result.startDate.getTime(),
    seed: result.seed,
    mapRuns: result.mapRuns,
    children: result.children,
    billing: result.billing,
  };
}
