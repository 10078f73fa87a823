/**
 * One state's run, from after its StateEntered event to its outcome: the work of each state type, and
 * for Task, Parallel and Map states their Retry and Catch. Tasks are in ./tasks, Distributed Maps in
 * ./distributed-map, data processing in ./data-flow.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/concepts-states.html
 */
import { runInlineMap, runParallel } from './branches';
import { evaluateRule } from './choice';
import { PathScope, typeName, Variables } from './data-flow';
import { runDistributedMap } from './distributed-map';
import { EngineError, FailStateError, StatesError, withLocation } from './errors';
import { SeededRandom } from './random';
import type { ExecutionContext, StateContext, StepResult, Thread } from './run-context';
import { invokeTask } from './tasks';
import type { QueryLanguage, StateRecord } from './types';

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
export class StateRun implements StateContext {
  private retryCount = 0;
  private readonly enteredAt: number;
  private cachedContext?: { retries: number; value: Record<string, unknown> };
  /** The error a Map's iteration, a Parallel's branch or a map run failed with: its StateFailed event is due. */
  branchFailure?: StatesError;

  constructor(
    private readonly ex: ExecutionContext,
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
        const retrierIndex = (s.Retry ?? []).findIndex((r: any) => matches(r.ErrorEquals, failure.error, failure.fromHeartbeat));
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
        const catcher = (s.Catch ?? []).find((c: any) => matches(c.ErrorEquals, failure.error, failure.fromHeartbeat));
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
      case 'Parallel': return runParallel(this.ex, this, this.state, effective, scope);
      default: return (this.state.ItemProcessor?.ProcessorConfig?.Mode ?? 'INLINE') === 'DISTRIBUTED'
        ? runDistributedMap(this.ex, this, this.state, effective, scope)
        : runInlineMap(this.ex, this, this.state, effective, scope);
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
}

/** States.Runtime is never retried or caught, not even by a catcher that names it. */
function isTerminal(e: StatesError): boolean {
  return e.error === 'States.Runtime';
}

/**
 * Whether a retrier's or catcher's ErrorEquals takes the error. A missed heartbeat is States.Timeout,
 * which States.HeartbeatTimeout also takes (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html).
 */
export function matches(errorEquals: string[], error: string, fromHeartbeat = false): boolean {
  return errorEquals.some(name => name === error
    || (name === 'States.HeartbeatTimeout' && fromHeartbeat)
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
