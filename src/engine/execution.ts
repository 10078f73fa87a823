/**
 * The interpreter: runs a validated definition state by state, in virtual time, and records the
 * history Step Functions would record.
 *
 * Reading order for a newcomer: {@link execute} (the entry), `Execution.runGraph` (one chain of
 * states), `Execution.runState` (one state: entered, exited, its output checked), then
 * ./state-run (each state type's work, retry and catch). The engine's README maps the rest.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/concepts-amazon-states-language.html
 */
import { DataFlow, Variables } from './data-flow';
import { expressProblems, Graph, validateDefinition } from './definition';
import { DefinitionError, EngineBudgetError, EngineError, FailStateError, StateFailure, StatesError, withLocation } from './errors';
import { History } from './history';
import { LocalS3 } from './local-s3';
import { SeededRandom } from './random';
import { ExecutionContext, executionArnOf, MAX_PAYLOAD_BYTES, Thread } from './run-context';
import { Aborted, Scheduler, Scope } from './scheduler';
import { StateRun } from './state-run';
import type { ExecutionOptions, ExecutionResult, MapRunRecord, QueryLanguage, StateRecord } from './types';

const YEAR_SECONDS = 365 * 24 * 3600;
const EXPRESS_SECONDS = 300;

/** What a child execution shares with the execution that started it. */
export interface ParentLink {
  readonly sched: Scheduler;
  readonly scope: Scope;
  readonly executionArn: string;
  readonly stateMachineArn: string;
}

/** How a state ended: go to `next` (or end) with `output`. */
interface StateOutcome {
  readonly output: unknown;
  readonly next?: string;
}

export class Execution implements ExecutionContext {
  readonly sched: Scheduler;
  readonly history: History;
  readonly random: SeededRandom;
  readonly seed: number;
  readonly flow: DataFlow;
  readonly executionArn: string;
  /** The region and the account of the execution's ARN. */
  readonly region: string;
  readonly account: string;
  /** `$$.Execution.Name`: the name it was started with (an Express execution's ARN goes on after it). */
  readonly executionName: string;
  readonly stateMachineArn: string;
  readonly input: unknown;
  readonly startTime: number;
  transitions = 0;
  readonly records: StateRecord[] = [];
  private readonly maxTransitions: number;
  private budgetExceeded?: EngineBudgetError;
  private timedOut = false;
  /** StopExecution's error and cause, once it came. */
  private stopped?: { readonly error?: string; readonly cause?: string };
  private ended = false;
  private readonly root: Scope;
  private contextBase?: { Execution: Record<string, unknown>; StateMachine: Record<string, unknown> };
  private localS3?: LocalS3;

  readonly type: 'STANDARD' | 'EXPRESS';
  readonly mapRuns: MapRunRecord[] = [];
  readonly children: ExecutionResult[] = [];
  /** Threads started and not waited for (request-response child executions): the run ends after them. */
  readonly detached: Promise<unknown>[] = [];

  constructor(readonly definition: Graph, readonly options: ExecutionOptions, parent?: ParentLink) {
    const region = options.region ?? 'us-east-1';
    const account = options.accountId ?? '123456789012';
    const machine = options.stateMachineName ?? 'LocalStateMachine';
    const name = options.executionName ?? 'local-execution';
    this.type = options.type ?? 'STANDARD';
    this.executionName = name;
    this.seed = options.seed ?? Math.floor(Math.random() * 2 ** 32);
    this.stateMachineArn = parent?.stateMachineArn ?? `arn:aws:states:${region}:${account}:stateMachine:${machine}`;
    this.executionArn = parent?.executionArn ?? executionArnOf(this.type, region, account, machine, name, () => new SeededRandom(this.seed).uuid());
    [, , , this.region, this.account] = this.executionArn.split(':');
    this.sched = parent?.sched ?? new Scheduler((options.startTime ?? new Date()).getTime(), options.realTime ?? false);
    this.startTime = this.sched.now;
    this.root = parent ? parent.scope.child() : new Scope(this.sched);
    this.history = new History(this.sched, options.limits?.maxHistoryEvents ?? 25_000);
    this.random = new SeededRandom(this.seed);
    this.input = options.input === undefined ? {} : options.input;
    this.maxTransitions = options.limits?.maxTransitions ?? 100_000;
    this.flow = new DataFlow();
  }

  /** The S3 Distributed Maps read from and write to. */
  get s3(): LocalS3 {
    this.localS3 ??= this.options.s3 ?? new LocalS3();
    return this.localS3;
  }

  /** Runs a child execution (a Distributed Map item or batch, a nested state machine) in this run's virtual time. */
  async child(
    graph: Graph, options: Pick<ExecutionOptions, 'input' | 'type' | 'executionName' | 'startedWith'>, scope: Scope, executionArn: string, stateMachineArn: string,
  ): Promise<ExecutionResult> {
    const validatedGraph = validated.get(graph) ?? validateDefinition(graph);
    validated.set(graph, validatedGraph);
    const child = new Execution(validatedGraph, {
      ...this.options,
      s3: this.s3,
      input: options.input,
      type: options.type,
      executionName: options.executionName,
      startedWith: options.startedWith,
      seed: Math.floor(this.random.next() * 2 ** 32),
      // What is seen of a running execution is the one started, not its children.
      onStart: undefined,
    }, { sched: this.sched, scope, executionArn, stateMachineArn });
    return child.run();
  }

  /** The execution's own scope (what outlives any one state). */
  get rootScope(): Scope {
    return this.root;
  }

  /** A child state machine's definition, parsed and validated once. */
  definitionOf(definition: object | string, arn: string): Graph {
    try {
      return graphOf(definition);
    } catch (e) {
      if (e instanceof EngineError && !(e instanceof DefinitionError) && /^the definition is not JSON/.test(e.message)) {
        throw new EngineError(e.message.replace('the definition', `the definition of ${arn}`));
      }
      throw e;
    }
  }

  /** The role the execution runs as (`$$.Execution.RoleArn`). */
  get roleArn(): string {
    return `arn:aws:iam::${this.account}:role/LocalStateMachineRole`;
  }


  /** `$$`: the context object, as a state sees it. */
  context(state: string, enteredAt: number, retryCount: number | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> {
    this.contextBase ??= {
      Execution: {
        Id: this.executionArn,
        Input: this.input,
        Name: this.executionName,
        RoleArn: this.roleArn,
        StartTime: new Date(this.startTime).toISOString(),
        // An Express execution started with StartSyncExecution has none (recorded by AWS).
        ...(this.type === 'EXPRESS' && this.options.startedWith === 'StartSyncExecution' ? {} : { RedriveCount: 0 }),
      },
      StateMachine: { Id: this.stateMachineArn, Name: this.stateMachineArn.split(':').pop() },
    };
    return {
      ...this.contextBase,
      State: { Name: state, EnteredTime: new Date(enteredAt).toISOString(), ...(retryCount !== undefined ? { RetryCount: retryCount } : {}) },
      ...extra,
    };
  }

  async run(): Promise<ExecutionResult> {
    const limit = this.definition.TimeoutSeconds ?? (this.type === 'EXPRESS' ? EXPRESS_SECONDS : YEAR_SECONDS);
    const timers = [this.sched.timer(this.startTime + limit * 1000, () => {
      this.timedOut = true;
      this.root.abort();
    })];
    const budget = this.options.limits?.maxVirtualSeconds;
    if (budget !== undefined) {
      timers.push(this.sched.timer(this.startTime + budget * 1000, () => {
        this.budgetExceeded ??= new EngineBudgetError(`the run went past its virtual-time budget of ${budget} seconds (limits.maxVirtualSeconds)`, 'virtual time');
        this.root.abort();
      }));
    }
    const thread: Thread = { scope: this.root, variables: new Variables(), lastEventId: 0 };
    this.options.onStart?.({
      executionArn: this.executionArn,
      events: this.history.events,
      mapRuns: this.mapRuns,
      stop: (error, cause) => {
        if (this.ended || this.stopped || this.timedOut) return false;
        this.stopped = { error, cause };
        this.root.abort();
        return true;
      },
    });
    this.history.add(thread, 'ExecutionStarted', {
      executionStartedEventDetails: { input: JSON.stringify(this.input), inputDetails: { truncated: false }, roleArn: this.roleArn },
    });
    thread.lastEventId = 0;
    let status: ExecutionResult['status'];
    let output: unknown;
    let error: string | undefined;
    let cause: string | undefined;
    try {
      output = await this.runGraph(this.definition, this.input, thread, this.definition.QueryLanguage ?? 'JSONPath');
      if (this.stopped) throw new Aborted();
      status = 'SUCCEEDED';
      this.history.add(thread, 'ExecutionSucceeded', { executionSucceededEventDetails: { output: JSON.stringify(output), outputDetails: { truncated: false } } });
    } catch (e) {
      if (this.budgetExceeded) throw this.budgetExceeded;
      // Once stopped, the execution is ABORTED whatever its threads met after (a function's code ended with the endpoint, say).
      if (this.stopped) {
        status = 'ABORTED';
        ({ error, cause } = this.stopped);
        thread.lastEventId = 0;
        this.history.add(thread, 'ExecutionAborted', { executionAbortedEventDetails: failureDetails(error, cause) });
      } else if (e instanceof Aborted && this.timedOut) {
        status = 'TIMED_OUT';
        error = 'States.Timeout';
        cause = `The execution timed out after ${limit} seconds.`;
        this.history.add(thread, 'ExecutionTimedOut', { executionTimedOutEventDetails: { error } });
      } else if (e instanceof StateFailure) {
        status = 'FAILED';
        const fail = e.error instanceof FailStateError ? e.error : undefined;
        error = fail && !fail.errorGiven ? undefined : e.error.error;
        cause = fail && !fail.causeGiven ? undefined : e.error.causeText || undefined;
        this.history.add(thread, 'ExecutionFailed', { executionFailedEventDetails: failureDetails(error, cause) });
      } else {
        timers.forEach(t => t.cancel());
        throw e;
      }
    }
    timers.forEach(t => t.cancel());
    this.ended = true;
    const stopDate = new Date(this.sched.now);
    // Child executions started without waiting (request-response) still run to their end.
    if (this.detached.length > 0) await this.sched.join(this.detached);
    return {
      status,
      output: status === 'SUCCEEDED' ? output : undefined,
      error,
      cause,
      executionArn: this.executionArn,
      type: this.type,
      startDate: new Date(this.startTime),
      stopDate,
      transitions: this.transitions,
      events: this.history.events,
      states: this.records,
      seed: this.seed,
      mapRuns: this.mapRuns,
      children: this.children,
      billing: this.billing(stopDate.getTime() - this.startTime),
    };
  }

  private billing(durationMs: number): ExecutionResult['billing'] {
    const own = { standardTransitions: this.type === 'STANDARD' ? this.transitions : 0, expressRequests: this.type === 'EXPRESS' ? 1 : 0, expressDurationMs: this.type === 'EXPRESS' ? durationMs : 0 };
    const all = [...this.children, ...this.mapRuns.flatMap(r => r.executions)];
    return all.reduce((sum, c) => ({
      standardTransitions: sum.standardTransitions + c.billing.standardTransitions,
      expressRequests: sum.expressRequests + c.billing.expressRequests,
      expressDurationMs: sum.expressDurationMs + c.billing.expressDurationMs,
    }), own);
  }

  /** Runs a chain of states from StartAt to an end; throws StateFailure when it fails. */
  async runGraph(graph: Graph, input: unknown, thread: Thread, inherited: QueryLanguage): Promise<unknown> {
    const language: QueryLanguage = graph.QueryLanguage ?? inherited;
    let name = graph.StartAt;
    let data = input;
    for (;;) {
      const state = graph.States[name];
      const outcome = await this.runState(name, state, data, thread, state.QueryLanguage ?? language);
      if (outcome.next === undefined) return outcome.output;
      data = outcome.output;
      name = outcome.next;
    }
  }

  countTransition(): void {
    this.transitions++;
    if (this.transitions > this.maxTransitions) {
      this.budgetExceeded ??= new EngineBudgetError(
        `the run went past its budget of ${this.maxTransitions} state transitions (limits.maxTransitions): a loop that never ends?`, 'transitions');
      throw this.budgetExceeded;
    }
  }

  private async runState(name: string, state: any, input: unknown, thread: Thread, language: QueryLanguage): Promise<StateOutcome> {
    if (thread.scope.aborted) throw new Aborted();
    this.countTransition();
    const enteredPrevious = thread.lastEventId;
    let enteredId: number;
    try {
      enteredId = this.history.add(thread, `${state.Type}StateEntered`, {
        stateEnteredEventDetails: { name, input: JSON.stringify(input), inputDetails: { truncated: false } },
      });
    } catch (e) {
      throw e instanceof StatesError ? new StateFailure(e) : e;
    }
    const record: StateRecord = {
      name,
      type: state.Type,
      enteredEventId: enteredId,
      enteredAt: new Date(this.sched.now),
      input,
      retries: [],
      ...(thread.index !== undefined ? { index: thread.index, parent: thread.parent } : {}),
    };
    this.records.push(record);
    const step = new StateRun(this, name, state, input, thread, language, enteredId, record);
    try {
      const result = await step.run();
      // Aborted while its work ran (a handler that answered after StopExecution): the state does not exit.
      if (thread.scope.aborted) throw new Aborted();
      record.exitedAt = new Date(this.sched.now);
      record.output = result.output;
      if (result.next !== undefined && !record.caught) record.next = result.next;
      if (result.rule !== undefined) record.rule = result.rule;
      const outputText = JSON.stringify(result.output) ?? 'null';
      if (outputText.length > MAX_PAYLOAD_BYTES / 4 && Buffer.byteLength(outputText, 'utf8') > MAX_PAYLOAD_BYTES) {
        throw new StateFailure(new StatesError('States.DataLimitExceeded',
          `The state/task '${name}' returned a result with a size exceeding the maximum number of bytes service limit.`));
      }
      if (state.Type !== 'Fail') {
        this.history.add(thread, `${state.Type}StateExited`, {
          stateExitedEventDetails: {
            name,
            output: outputText,
            outputDetails: { truncated: false },
            ...(result.assigned ? { assignedVariables: result.assigned, assignedVariablesDetails: { truncated: false } } : {}),
          },
        });
      }
      return { output: result.output, next: result.next };
    } catch (e) {
      if (e instanceof Aborted) {
        record.aborted = true;
        // Stopped with StopExecution, AWS records no state's abort: only ExecutionAborted (recorded: localstack test_stop_execution).
        if (!this.stopped && ['Task', 'Wait', 'Map', 'Parallel'].includes(state.Type)) this.history.add(thread, `${state.Type}StateAborted`, {});
        throw e;
      }
      const failure = e instanceof StatesError ? withLocation(e, name, enteredId) : e instanceof StateFailure ? e.error : undefined;
      if (e instanceof StatesError && failure && failure.error === 'States.QueryEvaluationError') {
        // AWS links EvaluationFailed to the event before the state was entered.
        if (state.Type !== 'Map' && state.Type !== 'Parallel') thread.lastEventId = enteredPrevious;
        this.history.add(thread, 'EvaluationFailed', {
          evaluationFailedEventDetails: {
            error: failure.error, cause: failure.causeText, ...(e.location ? { location: e.location } : {}), state: name,
          },
        });
        if (state.Type === 'Map' || state.Type === 'Parallel') this.history.add(thread, `${state.Type}StateFailed`, {});
      }
      if (failure) {
        record.failed = { error: failure.error, cause: failure.causeText };
        throw e instanceof StateFailure ? e : new StateFailure(failure);
      }
      throw e;
    }
  }
}

function failureDetails(error?: string, cause?: string): Record<string, string> {
  return { ...(error !== undefined ? { error } : {}), ...(cause ? { cause } : {}) };
}

/** Definitions already validated (by identity: a definition is not changed between runs). */
const validated = new WeakMap<object, Graph>();
/** Definitions given as JSON text, parsed and validated once, by their text (the most recent few hundred). */
const validatedTexts = new Map<string, Graph>();
const MAX_CACHED_TEXTS = 256;

/** A definition, parsed and validated once: by its identity when it is an object, by its text when it is JSON text. */
export function graphOf(definition: object | string): Graph {
  if (typeof definition === 'string') {
    const known = validatedTexts.get(definition);
    if (known) return known;
    let parsed: unknown;
    try {
      parsed = JSON.parse(definition);
    } catch (e) {
      throw new EngineError(`the definition is not JSON: ${(e as Error).message}`);
    }
    const graph = validateDefinition(parsed);
    if (validatedTexts.size >= MAX_CACHED_TEXTS) validatedTexts.delete(validatedTexts.keys().next().value!);
    validatedTexts.set(definition, graph);
    return graph;
  }
  const graph = validated.get(definition) ?? validateDefinition(definition);
  validated.set(definition, graph);
  return graph;
}

/** Runs one execution of a definition (an object, or its JSON text). Throws EngineError subclasses when the run cannot go on. */
export async function execute(definition: object | string, options: ExecutionOptions = {}): Promise<ExecutionResult> {
  const graph = graphOf(definition);
  if (options.type === 'EXPRESS') {
    const problems = expressProblems(graph);
    if (problems.length > 0) throw new DefinitionError(problems);
  }
  return new Execution(graph, options).run();
}
