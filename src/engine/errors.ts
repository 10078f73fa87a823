/**
 * The two kinds of failure the engine knows:
 * - {@link StatesError}: a Step Functions error (`States.Runtime`, a task's own error...). It happens
 *   inside the execution, and Retry and Catch see it, exactly as on AWS.
 * - {@link EngineError} and its subclasses: the run itself cannot go on (an invalid definition, a
 *   task with no handler, a budget exceeded). They stop the run; no Catch ever sees them.
 */

/** An error inside the execution, with the name and cause Step Functions would report. */
export class StatesError extends Error {
  /**
   * A task timed out for want of a heartbeat: reported as States.Timeout (as AWS records it), and
   * matched by a retrier or catcher of States.HeartbeatTimeout, which AWS offers in those fields only.
   */
  public fromHeartbeat = false;

  constructor(
    public readonly error: string,
    public readonly causeText: string = '',
    /** The field whose evaluation failed (`Arguments/Payload`), for the EvaluationFailed event. */
    public readonly location?: string,
    /**
     * The error or the cause was never given (a `SendTaskFailure` without them): AWS then reports it as
     * `null` in the error output, and leaves it out of the events.
     */
    public readonly absent: { readonly error?: boolean; readonly cause?: boolean } = {},
  ) {
    // Errors inside an execution are values, not bugs: no stack trace is captured (it costs more than the rest of a state).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(`${error}: ${causeText}`);
    Error.stackTraceLimit = limit;
    this.name = 'StatesError';
  }
}

/** The run cannot go on; never caught by a Catch. */
export class EngineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EngineError';
  }
}

/** The definition is not valid Amazon States Language (or uses a field in the wrong query language). */
export class DefinitionError extends EngineError {
  constructor(public readonly problems: string[]) {
    super(`invalid state machine definition:\n  ${problems.join('\n  ')}`);
    this.name = 'DefinitionError';
  }
}

/** A task has no handler, or a handler broke a rule of the engine's API. */
export class EngineSetupError extends EngineError {
  constructor(message: string, public readonly state?: string) {
    super(message);
    this.name = 'EngineSetupError';
  }
}

/** The run went past one of its budgets (transitions or virtual time): it would not have ended. */
export class EngineBudgetError extends EngineError {
  constructor(message: string, public readonly budget: 'transitions' | 'virtual time') {
    super(message);
    this.name = 'EngineBudgetError';
  }
}

/** The definition uses something the engine does not implement: refused, never silently ignored. */
export class EngineUnsupportedError extends EngineError {
  constructor(message: string, public readonly state?: string, public readonly field?: string) {
    super(message);
    this.name = 'EngineUnsupportedError';
  }
}

/** A state failed with a Step Functions error that ends its branch, iteration or execution (a Catch did not take it). */
export class StateFailure {
  constructor(public readonly error: StatesError) {}
}

/** A Fail state's error: never retried or caught, even by States.ALL. */
export class FailStateError extends StatesError {
  readonly errorGiven: boolean;
  readonly causeGiven: boolean;

  constructor(error: string | undefined, cause: string | undefined) {
    super(error ?? '', cause ?? '');
    this.errorGiven = error !== undefined;
    this.causeGiven = cause !== undefined;
  }
}

/** Adds "An error occurred while executing the state..." to errors the engine raised itself, as AWS words them. */
export function withLocation(e: StatesError, state: string, enteredId: number): StatesError {
  if (!['States.Runtime', 'States.QueryEvaluationError'].includes(e.error) || e.causeText.startsWith('An error occurred')) return e;
  return new StatesError(e.error, `An error occurred while executing the state '${state}' (entered at the event id #${enteredId}). ${e.causeText}`, e.location);
}
