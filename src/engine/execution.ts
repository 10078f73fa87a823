/**
 * The interpreter: runs a validated definition state by state, in virtual time, and records the
 * history Step Functions would record.
 *
 * Reading order for a newcomer: {@link execute} (the entry), `Execution.runGraph` (one chain of
 * states), `Execution.runState` (one state: entered, its work, retry/catch, exited), then the
 * per-type methods. Data processing is in ./data-flow, task resources in ./tasks.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/concepts-amazon-states-language.html
 */
import { evaluateRule } from './choice';
import { DataFlow, PathScope, Variables } from './data-flow';
import { expressProblems, Graph, validateDefinition } from './definition';
import { notAnArray, readTolerance, runDistributedMap } from './distributed-map';
import { DefinitionError, EngineBudgetError, EngineError, StatesError } from './errors';
import { History } from './history';
import { LocalS3 } from './local-s3';
import { SeededRandom } from './random';
import { Aborted, Scheduler, Scope } from './scheduler';
import { invokeTask } from './tasks';
import type { ExecutionOptions, ExecutionResult, MapRunRecord, QueryLanguage, StateRecord } from './types';

/** The 256 KiB payload limit, in bytes of UTF-8 JSON. */
export const MAX_PAYLOAD_BYTES = 262_144;
const TOLERANCE_FIELDS = ['ToleratedFailureCount', 'ToleratedFailurePercentage', 'ToleratedFailureCountPath', 'ToleratedFailurePercentagePath'];
const YEAR_SECONDS = 365 * 24 * 3600;
const EXPRESS_SECONDS = 300;

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

/** How a state ended: go to `next` (or end) with `output`. */
interface StateOutcome {
  readonly output: unknown;
  readonly next?: string;
}

/** A state failed with a Step Functions error (never caught: States.Runtime, a Fail state...). */
export class StateFailure {
  constructor(public readonly error: StatesError) {}
}

export class Execution {
  readonly sched: Scheduler;
  readonly history: History;
  readonly random: SeededRandom;
  readonly seed: number;
  readonly flow: DataFlow;
  readonly executionArn: string;
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
    this.executionArn = parent?.executionArn ?? executionArnOf(this.type, region, account, machine, name, this.seed);
    this.sched = parent?.sched ?? new Scheduler((options.startTime ?? new Date()).getTime());
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

  get region(): string {
    return this.executionArn.split(':')[3];
  }

  get account(): string {
    return this.executionArn.split(':')[4];
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
      status = 'SUCCEEDED';
      this.history.add(thread, 'ExecutionSucceeded', { executionSucceededEventDetails: { output: JSON.stringify(output), outputDetails: { truncated: false } } });
    } catch (e) {
      if (this.budgetExceeded) throw this.budgetExceeded;
      if (e instanceof Aborted && this.timedOut) {
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
        if (['Task', 'Wait', 'Map', 'Parallel'].includes(state.Type)) this.history.add(thread, `${state.Type}StateAborted`, {});
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

/** Adds "An error occurred while executing the state..." to errors the engine raised itself, as AWS words them. */
function withLocation(e: StatesError, state: string, enteredId: number): StatesError {
  if (!['States.Runtime', 'States.QueryEvaluationError'].includes(e.error) || e.causeText.startsWith('An error occurred')) return e;
  return new StatesError(e.error, `An error occurred while executing the state '${state}' (entered at the event id #${enteredId}). ${e.causeText}`, e.location);
}

function failureDetails(error?: string, cause?: string): Record<string, string> {
  return { ...(error !== undefined ? { error } : {}), ...(cause ? { cause } : {}) };
}

interface StepResult {
  readonly output: unknown;
  readonly next?: string;
  /** A Choice state: the index of the rule that matched (undefined: its Default). */
  readonly rule?: number;
  /** Variables assigned, as the StateExited event shows them (values as JSON text). */
  readonly assigned?: Record<string, string>;
}

/** What JSONPath paths of a state resolve against; `$$` is built only when a path reads it (most read the input alone). */
class StatePathScope implements PathScope {
  constructor(private readonly run: StateRun, readonly input: unknown, private readonly extra: Record<string, unknown> | undefined) {}

  get context(): Record<string, unknown> {
    return this.run.context(this.extra);
  }

  get variables(): Variables {
    return this.run.currentThread.variables;
  }

  get random(): SeededRandom {
    return this.run.randomness;
  }
}

/** One state's run, from after StateEntered to its outcome (retries and catches included). */
class StateRun {
  private retryCount = 0;
  private readonly enteredAt: number;
  private cachedContext?: { retries: number; value: Record<string, unknown> };
  /** The error a Map's iteration, a Parallel's branch or a map run failed with: its StateFailed event is due. */
  branchFailure?: StatesError;

  constructor(
    private readonly ex: Execution,
    private readonly name: string,
    private readonly state: any,
    readonly input: unknown,
    private readonly thread: Thread,
    readonly language: QueryLanguage,
    private readonly enteredId: number,
    private readonly record: StateRecord,
  ) {
    this.enteredAt = ex.sched.now;
  }

  get jsonata(): boolean {
    return this.language === 'JSONata';
  }

  get randomness(): SeededRandom {
    return this.ex.random;
  }

  context(extra?: Record<string, unknown>): Record<string, unknown> {
    if (extra === undefined && this.cachedContext?.retries === this.retryCount) return this.cachedContext.value;
    const retries = ['Task', 'Map', 'Parallel'].includes(this.state.Type) ? this.retryCount : undefined;
    const value = this.ex.context(this.name, this.enteredAt, retries, extra);
    if (extra === undefined) this.cachedContext = { retries: this.retryCount, value };
    return value;
  }

  async run(): Promise<StepResult> {
    const flow = this.ex.flow;
    const s = this.state;
    switch (s.Type) {
      case 'Pass': return this.pass();
      case 'Succeed': {
        if (this.jsonata) {
          const output = s.Output === undefined ? this.input : await flow.template(s.Output, 'Output', this.scopeFor());
          return { output };
        }
        const effective = flow.inputPath(s.InputPath, this.input, this.pathScope());
        return { output: flow.outputPath(s.OutputPath, effective, this.pathScope()) };
      }
      case 'Fail': throw await this.fail();
      case 'Choice': return this.choice();
      case 'Wait': return this.wait();
      case 'Task':
      case 'Parallel':
      case 'Map':
        return this.withRetryAndCatch();
    }
    throw new EngineError(`state '${this.name}': unknown type ${s.Type}`);
  }

  /** What JSONPath paths resolve against (input, context, variables). */
  pathScope(input: unknown = this.input, extra?: Record<string, unknown>): PathScope {
    return new StatePathScope(this, input, extra);
  }

  /** What JSONata expressions see. */
  scopeFor(extra: Record<string, unknown> = {}, contextExtra?: Record<string, unknown>) {
    // `$states.context` is built only when an expression reads it.
    const states: Record<string, unknown> = { input: this.input, ...extra };
    Object.defineProperty(states, 'context', { enumerable: true, get: () => this.context(contextExtra) });
    return { states, variables: this.thread.variables.all(), random: this.ex.random };
  }

  private async pass(): Promise<StepResult> {
    const s = this.state;
    const flow = this.ex.flow;
    if (this.jsonata) {
      const scope = this.scopeFor();
      const assigned = s.Assign !== undefined ? await flow.assignJsonata(s.Assign, scope) : undefined;
      const output = s.Output === undefined ? this.input : await flow.template(s.Output, 'Output', scope);
      return { output, next: s.Next, assigned: this.commit(assigned) };
    }
    const ps = this.pathScope();
    const effective = flow.inputPath(s.InputPath, this.input, ps);
    let result: unknown = effective;
    // Result wins over Parameters.
    if ('Result' in s) result = s.Result;
    else if (s.Parameters !== undefined) result = flow.payloadTemplate(s.Parameters, 'Parameters', this.pathScope(effective));
    const assigned = s.Assign !== undefined ? flow.assignJsonPath(s.Assign, this.pathScope(result)) : undefined;
    const withResult = flow.resultPath(s.ResultPath, this.input, result);
    return { output: flow.outputPath(s.OutputPath, withResult, ps), next: s.Next, assigned: this.commit(assigned) };
  }

  private async fail(): Promise<StatesError> {
    const s = this.state;
    const flow = this.ex.flow;
    let error: string | undefined = s.Error;
    let cause: string | undefined = s.Cause;
    if (this.jsonata) {
      const scope = this.scopeFor();
      if (s.Error !== undefined) error = String(await flow.template(s.Error, 'Error', scope));
      if (s.Cause !== undefined) cause = String(await flow.template(s.Cause, 'Cause', scope));
    } else {
      const ps = this.pathScope();
      if (s.ErrorPath !== undefined) error = flow.stringField(s.ErrorPath, 'ErrorPath', ps);
      if (s.CausePath !== undefined) cause = flow.stringField(s.CausePath, 'CausePath', ps);
    }
    return new FailStateError(error, cause);
  }

  private async choice(): Promise<StepResult> {
    const s = this.state;
    const flow = this.ex.flow;
    if (this.jsonata) {
      const scope = this.scopeFor();
      for (const [i, rule] of (s.Choices as any[]).entries()) {
        const value = await flow.template(rule.Condition, `Choices[${i}].Condition`, scope);
        if (typeof value !== 'boolean') {
          throw new StatesError('States.QueryEvaluationError',
            `The JSONata expression '${String(rule.Condition)}' specified for the field 'Condition' returned an unexpected result type. Expected 'boolean', but was '${typeName(value)}' for value: ${JSON.stringify(value)}`);
        }
        if (value) {
          const assigned = rule.Assign !== undefined ? await flow.assignJsonata(rule.Assign, scope) : undefined;
          const output = rule.Output === undefined ? this.input : await flow.template(rule.Output, 'Output', scope);
          return { output, next: rule.Next, rule: i, assigned: this.commit(assigned) };
        }
      }
      if (s.Default === undefined) throw this.noChoice();
      const assigned = s.Assign !== undefined ? await flow.assignJsonata(s.Assign, scope) : undefined;
      const output = s.Output === undefined ? this.input : await flow.template(s.Output, 'Output', scope);
      return { output, next: s.Default, assigned: this.commit(assigned) };
    }
    const ps = this.pathScope();
    const effective = flow.inputPath(s.InputPath, this.input, ps);
    const eps = this.pathScope(effective);
    const lookup = (path: string) => flow.lookup(path, eps);
    for (const [i, rule] of (s.Choices as any[]).entries()) {
      if (evaluateRule(rule, lookup)) {
        const assigned = rule.Assign !== undefined ? flow.assignJsonPath(rule.Assign, eps) : undefined;
        return { output: flow.outputPath(s.OutputPath, effective, eps), next: rule.Next, rule: i, assigned: this.commit(assigned) };
      }
    }
    if (s.Default === undefined) throw this.noChoice();
    const assigned = s.Assign !== undefined ? flow.assignJsonPath(s.Assign, eps) : undefined;
    return { output: flow.outputPath(s.OutputPath, effective, eps), next: s.Default, assigned: this.commit(assigned) };
  }

  private noChoice(): StatesError {
    return new StatesError('States.NoChoiceMatched', `No Matches! in state '${this.name}'`);
  }

  private async wait(): Promise<StepResult> {
    const s = this.state;
    const flow = this.ex.flow;
    let until: number;
    let output: unknown;
    let assigned: Record<string, unknown> | undefined;
    if (this.jsonata) {
      const scope = this.scopeFor();
      until = await this.waitUntil(s.Seconds !== undefined ? await flow.template(s.Seconds, 'Seconds', scope) : undefined,
        s.Timestamp !== undefined ? await flow.template(s.Timestamp, 'Timestamp', scope) : undefined, 'Seconds', 'Timestamp');
      assigned = s.Assign !== undefined ? await flow.assignJsonata(s.Assign, scope) : undefined;
      output = s.Output === undefined ? this.input : await flow.template(s.Output, 'Output', scope);
    } else {
      const ps = this.pathScope();
      const effective = flow.inputPath(s.InputPath, this.input, ps);
      const eps = this.pathScope(effective);
      // A path that names nothing: AWS's own words for the Wait state, not the generic 'Invalid path'.
      const waitValue = (field: 'SecondsPath' | 'TimestampPath'): unknown => {
        const hit = flow.lookup(s[field], eps);
        if (!hit.found) throw new StatesError('States.Runtime', `The ${field} parameter does not reference an input value: ${s[field]}`);
        return hit.value;
      };
      const seconds = s.SecondsPath !== undefined ? waitValue('SecondsPath') : s.Seconds;
      const timestamp = s.TimestampPath !== undefined ? waitValue('TimestampPath') : s.Timestamp;
      until = await this.waitUntil(seconds, timestamp, s.SecondsPath !== undefined ? 'SecondsPath' : 'Seconds', s.TimestampPath !== undefined ? 'TimestampPath' : 'Timestamp');
      assigned = s.Assign !== undefined ? flow.assignJsonPath(s.Assign, eps) : undefined;
      output = flow.outputPath(s.OutputPath, effective, eps);
    }
    await this.ex.sched.sleep(until, this.thread.scope);
    return { output, next: s.Next, assigned: this.commit(assigned) };
  }

  private async waitUntil(seconds: unknown, timestamp: unknown, secondsField: string, timestampField: string): Promise<number> {
    const errorName = this.jsonata ? 'States.QueryEvaluationError' : 'States.Runtime';
    let until: number;
    if (seconds !== undefined) {
      const where = secondsField === 'SecondsPath' ? `${this.state.SecondsPath} == ${JSON.stringify(seconds)}` : JSON.stringify(seconds);
      if (!(typeof seconds === 'number' && Number.isInteger(seconds))) {
        throw new StatesError(errorName, `The ${secondsField} parameter cannot be parsed as a long value: ${where}`);
      }
      if (seconds < 0) throw new StatesError(errorName, `The ${secondsField} parameter references a negative value: ${where}`);
      until = this.ex.sched.now + seconds * 1000;
    } else {
      const t = typeof timestamp === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(timestamp) ? Date.parse(timestamp) : NaN;
      if (Number.isNaN(t)) {
        throw new StatesError(errorName, timestampField === 'TimestampPath'
          ? `The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: ${this.state.TimestampPath} == ${String(timestamp)}`
          : `The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: ${String(timestamp)}`);
      }
      until = Math.max(t, this.ex.sched.now);
    }
    // Step Functions keeps a delay in a 32-bit count of seconds.
    if ((until - this.ex.sched.now) / 1000 > 2_147_483_647) throw new StatesError(errorName, 'Wait state delay is too long.');
    return until;
  }

  /** Sets the staged variables in the thread's scope; returns them as the StateExited event shows them. */
  commit(assigned: Record<string, unknown> | undefined): Record<string, string> | undefined {
    if (assigned === undefined) return undefined;
    this.thread.variables.assign(assigned, this.name);
    return Object.fromEntries(Object.entries(assigned).map(([k, v]) => [k, JSON.stringify(v)]));
  }

  /** Task, Parallel and Map: the work, then Retry and Catch. */
  private async withRetryAndCatch(): Promise<StepResult> {
    const s = this.state;
    const attempts = new Map<number, number>();
    for (;;) {
      try {
        return await this.work();
      } catch (e) {
        if (!(e instanceof StatesError)) throw e;
        const failure = withLocation(e, this.name, this.enteredId);
        const fromBranches = e === this.branchFailure;
        this.branchFailure = undefined;
        const final = () => {
          if (fromBranches) this.ex.history.add(this.thread, `${s.Type}StateFailed`, {});
        };
        if (isTerminal(failure)) {
          final();
          throw failure;
        }
        const retrierIndex = (s.Retry ?? []).findIndex((r: any) => matches(r.ErrorEquals, failure.error));
        if (retrierIndex >= 0) {
          const retrier = s.Retry[retrierIndex];
          const done = attempts.get(retrierIndex) ?? 0;
          const max = retrier.MaxAttempts ?? 3;
          if (done < max) {
            attempts.set(retrierIndex, done + 1);
            const delay = retryDelay(retrier, done, this.ex.random);
            await this.ex.sched.sleep(this.ex.sched.now + delay * 1000, this.thread.scope);
            this.record.retries.push({ error: failure.error, cause: failure.causeText });
            this.retryCount++;
            this.ex.countTransition();
            continue;
          }
        }
        final();
        const catcher = (s.Catch ?? []).find((c: any) => matches(c.ErrorEquals, failure.error));
        if (!catcher) throw failure;
        this.record.caught = { error: failure.error, cause: failure.causeText, next: catcher.Next };
        return this.caught(catcher, failure);
      }
    }
  }

  private async caught(catcher: any, failure: StatesError): Promise<StepResult> {
    const flow = this.ex.flow;
    // A SendTaskFailure without an error or a cause gives null there, as AWS records it.
    const errorOutput = { Error: failure.absent.error ? null : failure.error, Cause: failure.absent.cause ? null : failure.causeText };
    if (this.jsonata) {
      const scope = this.scopeFor({ errorOutput });
      const assigned = catcher.Assign !== undefined ? await flow.assignJsonata(catcher.Assign, scope) : undefined;
      const output = catcher.Output === undefined ? errorOutput : await flow.template(catcher.Output, 'Output', scope);
      return { output, next: catcher.Next, assigned: this.commit(assigned) };
    }
    const assigned = catcher.Assign !== undefined ? flow.assignJsonPath(catcher.Assign, this.pathScope(errorOutput)) : undefined;
    const output = flow.resultPath(catcher.ResultPath, this.input, errorOutput);
    return { output, next: catcher.Next, assigned: this.commit(assigned) };
  }

  /** One attempt of a Task, Parallel or Map. */
  private async work(): Promise<StepResult> {
    const s = this.state;
    const flow = this.ex.flow;
    if (this.jsonata) {
      const scope = this.scopeFor();
      const result = await this.perform(undefined, scope);
      const after = this.scopeFor({ result });
      const assigned = s.Assign !== undefined ? await flow.assignJsonata(s.Assign, after) : undefined;
      const output = s.Output === undefined ? result : await flow.template(s.Output, 'Output', after);
      return { output, next: s.Next, assigned: this.commit(assigned) };
    }
    const ps = this.pathScope();
    const effective = flow.inputPath(s.InputPath, this.input, ps);
    const result = await this.perform(effective, undefined);
    const assigned = s.Assign !== undefined ? flow.assignJsonPath(s.Assign, this.pathScope(result)) : undefined;
    const selected = s.ResultSelector !== undefined ? flow.payloadTemplate(s.ResultSelector, 'ResultSelector', this.pathScope(result)) : result;
    const withResult = flow.resultPath(s.ResultPath, this.input, selected);
    return { output: flow.outputPath(s.OutputPath, withResult, ps), next: s.Next, assigned: this.commit(assigned) };
  }

  /** The state's own work: its result. */
  private async perform(effective: unknown, scope: ReturnType<StateRun['scopeFor']> | undefined): Promise<unknown> {
    switch (this.state.Type) {
      case 'Task': return invokeTask(this.ex, this, this.state, effective, scope);
      case 'Parallel': return this.parallel(effective, scope);
      default: return this.map(effective, scope);
    }
  }

  get stateName(): string {
    return this.name;
  }

  get currentThread(): Thread {
    return this.thread;
  }

  get attempt(): number {
    return this.retryCount + 1;
  }

  private async parallel(effective: unknown, scope: ReturnType<StateRun['scopeFor']> | undefined): Promise<unknown> {
    const s = this.state;
    const flow = this.ex.flow;
    let branchInput = effective;
    if (scope) branchInput = s.Arguments === undefined ? this.input : await flow.template(s.Arguments, 'Arguments', scope);
    else if (s.Parameters !== undefined) branchInput = flow.payloadTemplate(s.Parameters, 'Parameters', this.pathScope(effective));
    this.ex.history.add(this.thread, 'ParallelStateStarted', {});
    const startedId = this.thread.lastEventId;
    const group = this.thread.scope.child();
    const branches = (s.Branches as Graph[]).map((branch, index) => ({ branch, index, scopeOf: group.child() }));
    let failed: StateFailure | undefined;
    const settled = await this.ex.sched.all(branches.map(({ branch, index, scopeOf }) => async () => {
      const thread: Thread = { scope: scopeOf, variables: this.thread.variables.child(), lastEventId: startedId, index, parent: this.name };
      try {
        return await this.ex.runGraph(branch, branchInput, thread, this.language);
      } catch (e) {
        if (e instanceof StateFailure && !failed) {
          failed = e;
          group.abort();
        }
        throw e;
      }
    }));
    group.release();
    if (this.thread.scope.aborted) throw new Aborted();
    if (failed) {
      // ParallelStateFailed is recorded once, when no retry follows (withRetryAndCatch).
      this.branchFailure = (failed as StateFailure).error;
      throw this.branchFailure;
    }
    for (const r of settled) if (r.status === 'rejected' && !(r.reason instanceof Aborted)) throw r.reason;
    this.ex.history.add(this.thread, 'ParallelStateSucceeded', {});
    return settled.map(r => (r as PromiseFulfilledResult<unknown>).value);
  }

  private async map(effective: unknown, scope: ReturnType<StateRun['scopeFor']> | undefined): Promise<unknown> {
    const s = this.state;
    if ((s.ItemProcessor?.ProcessorConfig?.Mode ?? 'INLINE') === 'DISTRIBUTED') return runDistributedMap(this.ex, this, s, effective, scope);
    const flow = this.ex.flow;
    let items: unknown;
    let maxConcurrency: unknown = s.MaxConcurrency ?? 0;
    if (scope) {
      items = s.Items === undefined ? this.input : await flow.template(s.Items, 'Items', scope);
      if (!Array.isArray(items) && s.Items !== undefined) {
        throw new StatesError('States.QueryEvaluationError',
          `The JSONata expression '${String(s.Items).replace(/^\s*\{%\s*|\s*%\}\s*$/g, '')}' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was '${typeName(items)}' for value: ${JSON.stringify(items)}`, 'Items');
      }
      if (typeof s.MaxConcurrency === 'string') maxConcurrency = await flow.template(s.MaxConcurrency, 'MaxConcurrency', scope);
    } else {
      items = s.ItemsPath !== undefined ? flow.required(s.ItemsPath, 'ItemsPath', this.pathScope(effective)) : effective;
      if (s.MaxConcurrencyPath !== undefined) maxConcurrency = flow.required(s.MaxConcurrencyPath, 'MaxConcurrencyPath', this.pathScope(effective));
    }
    if (!Array.isArray(items)) {
      throw notAnArray(items, s.ItemsPath, scope !== undefined);
    }
    if (typeof maxConcurrency === 'string' && /^\d+$/.test(maxConcurrency)) maxConcurrency = Number(maxConcurrency);
    if (!(Number.isInteger(maxConcurrency) && (maxConcurrency as number) >= 0)) {
      const shown = `"${typeof maxConcurrency === 'string' ? maxConcurrency : JSON.stringify(maxConcurrency)}"`;
      throw new StatesError('States.Runtime', s.MaxConcurrencyPath !== undefined
        ? `The MaxConcurrencyPath field refers to value ${shown} which is not a valid integer: ${s.MaxConcurrencyPath}`
        : `The MaxConcurrency field refers to value ${shown} which is not a valid integer`);
    }
    const processor: Graph = s.ItemProcessor ?? s.Iterator;
    const selector = s.ItemSelector ?? s.Parameters;
    const inputs: unknown[] = [];
    for (let i = 0; i < items.length; i++) {
      const mapItem = { Index: i, Value: items[i] };
      if (selector === undefined) inputs.push(items[i]);
      else if (scope) inputs.push(await flow.template(selector, 'ItemSelector', this.scopeFor({}, { Map: { Item: mapItem } })));
      else inputs.push(flow.payloadTemplate(selector, 'ItemSelector', this.pathScope(effective, { Map: { Item: mapItem } })));
    }
    this.ex.history.add(this.thread, 'MapStateStarted', { mapStateStartedEventDetails: { length: items.length } });
    // Tolerated failures on an inline Map: read and checked as AWS does, not applied (AWS documents them for
    // Distributed Map runs only, and no recorded inline run shows them tolerating a failure).
    if (TOLERANCE_FIELDS.some(f => s[f] !== undefined)) await readTolerance(this.ex, this, s, effective, scope);
    const startedId = this.thread.lastEventId;
    const group = this.thread.scope.child();
    const limit = (maxConcurrency as number) === 0 ? inputs.length : (maxConcurrency as number);
    let failed: StateFailure | undefined;
    let failedInner: number | undefined;
    let nextIndex = 0;
    // AWS links an iteration's start to the last event inside the iteration before it.
    let lastInner = startedId;
    const results: unknown[] = new Array(inputs.length);
    const iteration = async (index: number) => {
      const iterationScope = group.child();
      const thread: Thread = { scope: iterationScope, variables: this.thread.variables.child(), lastEventId: lastInner, index, parent: this.name };
      const details = { mapIterationStartedEventDetails: { name: this.name, index } };
      this.ex.history.add(thread, 'MapIterationStarted', details);
      try {
        results[index] = await this.ex.runGraph(processor, inputs[index], thread, this.language);
        lastInner = thread.lastEventId;
        this.ex.history.add(thread, 'MapIterationSucceeded', { mapIterationSucceededEventDetails: { name: this.name, index } });
      } catch (e) {
        if (e instanceof StateFailure) {
          if (!failed) failedInner = thread.lastEventId;
          this.ex.history.add(thread, 'MapIterationFailed', { mapIterationFailedEventDetails: { name: this.name, index } });
          if (!failed) {
            failed = e;
            group.abort();
          }
        } else if (e instanceof Aborted) {
          this.ex.history.add(thread, 'MapIterationAborted', { mapIterationAbortedEventDetails: { name: this.name, index } });
        }
        throw e;
      } finally {
        iterationScope.release();
      }
    };
    // MaxConcurrency: each worker runs iterations one after the other, in index order.
    const worker = async () => {
      while (nextIndex < inputs.length && !group.aborted) {
        await iteration(nextIndex++);
      }
    };
    const settled = await this.ex.sched.all(Array.from({ length: Math.min(limit, inputs.length) }, () => worker));
    group.release();
    if (this.thread.scope.aborted) throw new Aborted();
    this.thread.lastEventId = this.ex.history.events.length;
    if (failed) {
      // MapStateFailed is recorded once, when no retry follows, linked to the failing iteration's last event.
      this.thread.lastEventId = failedInner ?? this.thread.lastEventId;
      this.branchFailure = (failed as StateFailure).error;
      throw this.branchFailure;
    }
    for (const r of settled) if (r.status === 'rejected' && !(r.reason instanceof Aborted)) throw r.reason;
    // AWS links MapStateExited to the same event as MapStateSucceeded.
    const before = this.thread.lastEventId;
    this.ex.history.add(this.thread, 'MapStateSucceeded', {});
    this.thread.lastEventId = before;
    return results;
  }
}

/** A Fail state's error: never retried or caught, even by States.ALL. */
class FailStateError extends StatesError {
  readonly errorGiven: boolean;
  readonly causeGiven: boolean;

  constructor(error: string | undefined, cause: string | undefined) {
    super(error ?? '', cause ?? '');
    this.errorGiven = error !== undefined;
    this.causeGiven = cause !== undefined;
  }
}

/** States.Runtime is never retried or caught, not even by a catcher that names it. */
function isTerminal(e: StatesError): boolean {
  return e.error === 'States.Runtime';
}

export function matches(errorEquals: string[], error: string): boolean {
  return errorEquals.some(name => name === error
    || (name === 'States.ALL' && error !== 'States.Runtime')
    || (name === 'States.TaskFailed' && error !== 'States.Timeout' && error !== 'States.Runtime'));
}

/** Seconds before retry number `done + 1`. */
function retryDelay(retrier: any, done: number, random: SeededRandom): number {
  const interval = retrier.IntervalSeconds ?? 1;
  const backoff = retrier.BackoffRate ?? 2;
  let delay = interval * Math.pow(backoff, done);
  if (retrier.MaxDelaySeconds !== undefined) delay = Math.min(delay, retrier.MaxDelaySeconds);
  if (retrier.JitterStrategy === 'FULL') delay = random.next() * delay;
  return delay;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/**
 * An execution's ARN: `...:execution:<machine>:<name>` for Standard; for Express, AWS adds an id after
 * the name (`...:express:<machine>:<name>:<id>`, recorded), drawn here from the seed.
 */
function executionArnOf(type: 'STANDARD' | 'EXPRESS', region: string, account: string, machine: string, name: string, seed: number): string {
  if (type === 'STANDARD') return `arn:aws:states:${region}:${account}:execution:${machine}:${name}`;
  return `arn:aws:states:${region}:${account}:express:${machine}:${name}:${new SeededRandom(seed).uuid()}`;
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

export type { StateRun };
