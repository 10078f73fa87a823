/**
 * The engine's public vocabulary: what a caller gives an execution (input, task handlers, clock,
 * seed, limits) and what it gets back (status, output, error, AWS-shaped history, transitions).
 */

/** `QueryLanguage` of a state machine or a state. */
export type QueryLanguage = 'JSONPath' | 'JSONata';

/** Standard or Express: changes the execution's time limit and how a run is billed, never the semantics. */
export type ExecutionType = 'STANDARD' | 'EXPRESS';

/** Everything a task handler is told about one attempt of a Task state. */
export interface TaskRequest {
  /** The Task state's name. */
  readonly state: string;
  /** The state's `Resource`, as written (`arn:aws:states:::lambda:invoke.waitForTaskToken`...). */
  readonly resource: string;
  /** The resource without its `.sync`, `.sync:2` or `.waitForTaskToken` suffix. */
  readonly baseResource: string;
  /** How the engine integrates with the resource. */
  readonly integration: 'lambda' | 'service' | 'activity';
  /** `.sync`/`.sync:2` (run a job), `.waitForTaskToken` (callback) or request-response. */
  readonly pattern: 'request-response' | 'sync' | 'callback';
  /** For Lambda tasks: the function name or ARN as given (`FunctionName`, or the legacy resource ARN). */
  readonly functionName?: string;
  /**
   * What the called code receives: the Lambda `Payload` (for `lambda:invoke`) or the effective input
   * (for a function ARN resource); for other resources, the evaluated `Parameters`/`Arguments`.
   */
  readonly input: any;
  /** The evaluated `Parameters` (JSONPath) or `Arguments` (JSONata), as the TaskScheduled event shows them. */
  readonly parameters: any;
  /** 1 for the first attempt, 2 for the first retry... */
  readonly attempt: number;
  /** The task token (`$$.Task.Token`), for `.waitForTaskToken` tasks. */
  readonly taskToken?: string;
  /** The task's effective `TimeoutSeconds`, if any. */
  readonly timeoutSeconds?: number;
  /** The task's effective `HeartbeatSeconds`, if any. */
  readonly heartbeatSeconds?: number;
  /** Virtual time when the task was scheduled. */
  readonly now: Date;
  /** The execution's ARN. */
  readonly executionArn: string;
}

/**
 * What a task handler returns: a plain value (the task's result, at once), a {@link TaskOutcome}
 * (a result or failure after some virtual time, heartbeats, or no answer at all), or a promise of
 * either. To fail the task, throw a {@link TaskError} (or any Error: its `name` becomes the error).
 */
export type TaskHandler = (request: TaskRequest) => unknown;

/** Options of a {@link TaskOutcome}: when it arrives and which heartbeats precede it. */
export interface TaskOutcomeOptions {
  /** Virtual seconds after the task was scheduled. @default 0 */
  readonly afterSeconds?: number;
  /** Virtual seconds (after scheduling) at which `SendTaskHeartbeat` arrives. @default none */
  readonly heartbeatsAt?: number[];
  /**
   * The output is the service's whole response, as a mock of it gives it: for `lambda:invoke`, the
   * response with its `Payload`, not the function's result for the engine to wrap.
   * @default false
   */
  readonly wholeResponse?: boolean;
}

/** Outcome of a task that takes virtual time, sends heartbeats or never answers. */
export class TaskOutcome {
  /** The task (or the callback, `SendTaskSuccess`) returns `output`. */
  public static succeed(output: unknown, options: TaskOutcomeOptions = {}): TaskOutcome {
    return new TaskOutcome('succeed', output, undefined, undefined, options);
  }

  /**
   * The task fails (or the callback is `SendTaskFailure`) with this error name and cause. A callback
   * may leave either out, as `SendTaskFailure` may: the error output then holds null there.
   */
  public static fail(error?: string, cause?: string, options: TaskOutcomeOptions = {}): TaskOutcome {
    return new TaskOutcome('fail', undefined, error, cause, options);
  }

  /** No answer ever comes: the task ends at its TimeoutSeconds or HeartbeatSeconds, or the execution at its own limit. */
  public static never(options: Omit<TaskOutcomeOptions, 'afterSeconds'> = {}): TaskOutcome {
    return new TaskOutcome('never', undefined, undefined, undefined, options);
  }

  /** The answer comes from outside the run, whenever it comes (SendTaskSuccess of the task token, an activity worker). */
  public static from(answer: TaskAnswer): TaskOutcome {
    return new TaskOutcome('outside', undefined, undefined, undefined, {}, answer);
  }

  private constructor(
    public readonly kind: 'succeed' | 'fail' | 'never' | 'outside',
    public readonly output: unknown,
    public readonly error: string | undefined,
    public readonly cause: string | undefined,
    public readonly options: TaskOutcomeOptions,
    public readonly answer?: TaskAnswer,
  ) {}
}

/** How a task that waits for an outside answer ended. */
export type AnswerOutcome =
  | { readonly kind: 'succeed'; readonly output: unknown }
  | { readonly kind: 'fail'; readonly error?: string; readonly cause?: string }
  | { readonly kind: 'timeout'; readonly byHeartbeat: boolean };

/**
 * A task's answer from outside the run: SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat of its
 * token, or an activity worker's. It may come before the task waits for it (it is kept), and is refused
 * once the task has ended (timed out, or its execution stopped).
 */
export class TaskAnswer {
  private outcome?: AnswerOutcome;
  private closed = false;
  private resolve?: (outcome: AnswerOutcome) => void;
  private readonly waiting: Promise<AnswerOutcome>;
  private onHeartbeat?: () => void;
  private onStart?: (worker?: string) => void;
  private startedBy?: { readonly worker?: string };

  constructor() {
    this.waiting = new Promise(resolve => {
      this.resolve = resolve;
    });
  }

  /** Whether the task still takes an answer (none came yet, and it has not ended). */
  get open(): boolean {
    return !this.closed && this.outcome === undefined;
  }

  /** SendTaskSuccess: false when the task no longer takes an answer. */
  succeed(output: unknown): boolean {
    return this.settle({ kind: 'succeed', output });
  }

  /** SendTaskFailure: either may be left out, as SendTaskFailure allows. */
  fail(error?: string, cause?: string): boolean {
    return this.settle({ kind: 'fail', error, cause });
  }

  /** SendTaskHeartbeat: false when the task no longer takes one. */
  heartbeat(): boolean {
    if (!this.open) return false;
    this.onHeartbeat?.();
    return true;
  }

  /** An activity worker took the task (GetActivityTask), naming itself or not. */
  start(worker?: string): void {
    if (this.startedBy) return;
    this.startedBy = { worker };
    this.onStart?.(worker);
  }

  /** @internal The engine: the outcome, when it comes. */
  wait(on: { heartbeat?: () => void; start?: (worker?: string) => void }): Promise<AnswerOutcome> {
    this.onHeartbeat = on.heartbeat;
    this.onStart = on.start;
    if (this.startedBy) on.start?.(this.startedBy.worker);
    return this.waiting;
  }

  /** @internal The engine: the task's time is up. */
  expire(byHeartbeat: boolean): void {
    this.settle({ kind: 'timeout', byHeartbeat });
  }

  /** @internal The engine: the task has ended; any later answer is refused. */
  close(): void {
    this.closed = true;
    this.onHeartbeat = undefined;
    this.onStart = undefined;
  }

  private settle(outcome: AnswerOutcome): boolean {
    if (!this.open) return false;
    this.outcome = outcome;
    this.resolve!(outcome);
    return true;
  }
}

/** Thrown by a task handler to fail the task with a Step Functions error name (what `SendTaskFailure` or a service error would give). */
export class TaskError extends Error {
  constructor(public readonly error: string, public readonly causeText?: string) {
    super(causeText ?? error);
    this.name = error;
  }
}

/** A state machine a task can start (`states:startExecution`, `.sync`, `.sync:2`, `startSyncExecution`): it runs on the engine too. */
export interface ChildStateMachine {
  /** Its definition (an object or JSON text). */
  readonly definition: object | string;
  /** @default 'STANDARD' */
  readonly type?: ExecutionType;
}

/** Counts of a map run, as DescribeMapRun gives them. */
export interface MapRunCounts {
  readonly total: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly timedOut: number;
  readonly aborted: number;
  readonly pending: number;
}

/** A Distributed Map run: its child executions and item counts. */
export interface MapRunRecord {
  readonly mapRunArn: string;
  /** The Distributed Map state. */
  readonly state: string;
  readonly executionType: ExecutionType;
  readonly status: 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  /** Items read (after MaxItems), by how the child execution that ran them ended (a batch counts each of its items). */
  readonly itemCounts: MapRunCounts;
  /** Child executions, by how they ended. */
  readonly executionCounts: MapRunCounts;
  /** Items whose results were written by the ResultWriter. */
  readonly resultsWritten: number;
  readonly startDate: Date;
  readonly stopDate: Date;
  readonly maxConcurrency: number;
  readonly toleratedFailureCount: number;
  readonly toleratedFailurePercentage: number;
  /** Child executions, in the order they started (one per item, or per batch). */
  readonly executions: ExecutionResult[];
  /** The most child executions that ran at the same virtual time. */
  readonly maxConcurrentExecutions: number;
}

/** Budgets that stop a runaway run with an {@link EngineBudgetError} instead of hanging. */
export interface ExecutionLimits {
  /** States entered plus retries. @default 100_000 */
  readonly maxTransitions?: number;
  /** History events; past it the execution fails as AWS fails it. @default 25_000 */
  readonly maxHistoryEvents?: number;
  /** Virtual seconds the run may cover. @default the execution type's limit (1 year Standard, 5 minutes Express) plus one day */
  readonly maxVirtualSeconds?: number;
  /**
   * How many of a map run's child executions keep their history (events and state records) in the
   * result: the first ones started. The others keep their outcome (status, output, error, cause,
   * dates, transitions, billing) and say `historyDropped`, so that a map run over millions of items
   * holds what its results need, not every child's history.
   * @default 1000
   */
  readonly childHistories?: number;
}

/** How one execution runs. */
export interface ExecutionOptions {
  /** The execution input. @default {} */
  readonly input?: unknown;
  /**
   * Task handlers, looked up in this order: the state's name, the resource as written, the resource
   * without its suffix, the Lambda function ARN (unqualified), the function name.
   */
  readonly tasks?: Record<string, TaskHandler>;
  /** Called for a task that `tasks` has no handler for. @default a task without handler stops the run with an EngineSetupError */
  readonly onTask?: TaskHandler;
  /** @default 'local-execution' */
  readonly executionName?: string;
  /** @default 'LocalStateMachine' */
  readonly stateMachineName?: string;
  /** @default 'STANDARD' */
  readonly type?: ExecutionType;
  /**
   * How an Express execution was started. AWS's context object differs: started with
   * `StartSyncExecution`, `$$.Execution` has no `RedriveCount`; with `StartExecution`, it has
   * `RedriveCount: 0`, as a Standard execution's has (both recorded by AWS).
   * @default 'StartExecution'
   */
  readonly startedWith?: 'StartExecution' | 'StartSyncExecution';
  /** Virtual time at which the execution starts. @default the current time */
  readonly startTime?: Date;
  /**
   * Seeds `States.UUID`, `$uuid()`, `$random()`, task tokens and FULL jitter: the same seed gives the same run.
   * @default a random seed (each execution gets its own UUIDs and tokens, as on AWS); the result says which
   */
  readonly seed?: number;
  /** @default the region us-east-1 */
  readonly region?: string;
  /** @default 123456789012 */
  readonly accountId?: string;
  /** Budgets. */
  readonly limits?: ExecutionLimits;
  /**
   * Follow the wall clock: a Wait of 2 seconds takes 2 seconds, a timeout comes when its time does.
   * @default false: virtual time (waits and timeouts take no wall time)
   */
  readonly realTime?: boolean;
  /**
   * Activity tasks are worked from outside the run (their handler answers with `TaskOutcome.from`):
   * `ActivityStarted` is recorded when a worker takes the task, not when it is scheduled.
   * @default false
   */
  readonly activitiesFromOutside?: boolean;
  /** Called as the execution starts, with what can be seen of it and done to it while it runs. */
  readonly onStart?: (live: LiveExecution) => void;
  /** The S3 a Distributed Map reads from and writes to. @default an empty LocalS3 */
  readonly s3?: import('./local-s3').LocalS3;
  /** State machines tasks may start, by ARN: they run on the engine. A state machine not listed needs a task handler. */
  readonly stateMachines?: Record<string, ChildStateMachine>;
}

/** An execution while it runs: its history so far, and StopExecution. */
export interface LiveExecution {
  readonly executionArn: string;
  /** The history so far (the same array grows as the execution goes on). */
  readonly events: readonly HistoryEvent[];
  /** Distributed Map runs started so far. */
  readonly mapRuns: readonly MapRunRecord[];
  /** StopExecution: the execution ends ABORTED, with this error and cause if given. False once it has ended. */
  stop(error?: string, cause?: string): boolean;
}

/** One event, shaped like an item of `GetExecutionHistory`'s `events`. */
export interface HistoryEvent {
  readonly id: number;
  readonly previousEventId: number;
  readonly timestamp: Date;
  readonly type: string;
  readonly [details: string]: unknown;
}

/** One state entered, as the engine saw it: what a test or a report needs beyond the raw history. */
export interface StateRecord {
  readonly name: string;
  /** Task, Pass, Choice... */
  readonly type: string;
  readonly enteredEventId: number;
  readonly enteredAt: Date;
  readonly input: unknown;
  /** For a state inside a Map iteration or a Parallel branch: the iteration's index or the branch's. */
  readonly index?: number;
  /** The enclosing Map or Parallel state, if any. */
  readonly parent?: string;
  exitedAt?: Date;
  output?: unknown;
  /** The state it went to when it left normally (a Catch's target is in `caught`). */
  next?: string;
  /** A Choice state: the index of the rule that matched; undefined when it took its Default. */
  rule?: number;
  /** Each error that was retried, in order. */
  readonly retries: Array<{ readonly error: string; readonly cause: string }>;
  /** The error a Catch handled, and where it went. */
  caught?: { readonly error: string; readonly cause: string; readonly next: string };
  /** The error that ended the state without a Catch (it then failed its branch, iteration or execution). */
  failed?: { readonly error: string; readonly cause: string };
  /** The state was stopped: a sibling branch failed, or the execution timed out. */
  aborted?: boolean;
}

/** How an execution ended, and what happened on the way. */
export interface ExecutionResult {
  /** ABORTED: stopped from outside (StopExecution). */
  readonly status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  /** The execution's output (SUCCEEDED only). */
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
  readonly executionArn: string;
  /** Standard or Express. */
  readonly type: ExecutionType;
  readonly startDate: Date;
  readonly stopDate: Date;
  /** State transitions as Step Functions bills them: states entered plus retries, iterations and branches included. */
  readonly transitions: number;
  /** The execution history, as `GetExecutionHistory` would list it. */
  readonly events: HistoryEvent[];
  /** A map run's child past `limits.childHistories`: its events, state records and own children were let go (empty here). */
  readonly historyDropped?: boolean;
  /** Every state entered, in the order entered. */
  readonly states: StateRecord[];
  /** The seed the run used: give it back in the options to replay the run exactly. */
  readonly seed: number;
  /** Distributed Map runs started by this execution (in their own executions, not counted in `transitions`). */
  readonly mapRuns: MapRunRecord[];
  /** Executions this one started with `states:startExecution`/`startSyncExecution`, run on the engine. */
  readonly children: ExecutionResult[];
  /** What the run costs as AWS bills it: this execution and every child (Distributed Map and nested). */
  readonly billing: {
    /** Standard state transitions: this execution's if Standard, plus those of Standard children. */
    readonly standardTransitions: number;
    /** Express executions (this one if Express, plus Express children). */
    readonly expressRequests: number;
    /** Express duration, summed, in milliseconds of virtual time. */
    readonly expressDurationMs: number;
  };
}
