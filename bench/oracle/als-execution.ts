/**
 * The former local harness, on aws-local-stepfunctions, kept unchanged as the benchmark's point of
 * comparison for the project's own engine (bench section 4). Nothing else uses it.
 *
 * It runs an ASL definition with task resources mapped to local functions. That engine has known
 * gaps: this harness works around some and refuses to run definitions that use others.
 */
import { StateMachine } from './als-engine';
import type { Asl } from '../../src/testing/asl';
import type { CallbackHandler, TaskCall, TaskHandler } from '../../src/testing/local-execution';


/** The engine workarounds; each can be switched off in a test to show the engine bug it covers. */
export enum Workaround {
  /** `IsPresent: false` (and `IsNull`, `IsString`, `IsNumeric`, `IsBoolean`, `IsTimestamp`) always evaluate false: rewritten as `Not { ...: true }`. */
  NEGATIVE_TYPE_TESTS = 'NEGATIVE_TYPE_TESTS',
  /** A Pass state whose `Result` is falsy (0, false, "", null) passes its input through: run as a Task returning the value. */
  FALSY_PASS_RESULT = 'FALSY_PASS_RESULT',
  /**
   * Objects from another realm (jest's sandbox vs Node's, e.g. made by `structuredClone`) fail the
   * engine's plain-object checks: every value handed to the engine is re-created in this realm.
   */
  REALM_SAFE_VALUES = 'REALM_SAFE_VALUES',
  /** `ResultPath: "$"` writes a key named `$` instead of replacing the input: dropped (the same meaning). */
  RESULT_PATH_ROOT = 'RESULT_PATH_ROOT',
  /**
   * A Fail state's `CausePath`/`ErrorPath` given as an intrinsic function (`States.Format(...)`,
   * `States.JsonToString($.x)`), which Step Functions evaluates, is read as a plain path: run as a
   * Task whose Parameters evaluate it and which fails with the result.
   */
  INTRINSIC_FAIL_PATHS = 'INTRINSIC_FAIL_PATHS',
}

/** A mistake in the test's setup (a missing handler...): fails the run, is never caught by a Catch. */
export class HarnessError extends Error {
  constructor(message: string) {
    super(message);
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
    super(message);
  }
}

/** Thrown by a task or callback handler to fail the task with a Step Functions error name. */
export class TaskFailure extends Error {
  constructor(public readonly error: string, public readonly causeText = '') {
    super(causeText);
    this.name = error;
  }
}

/** The definition uses a feature the local engine would silently ignore or get wrong. */
export class EngineLimitationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EngineLimitationError';
  }
}

// The handlers' shapes are the toolkit's: the same handlers run on either engine.
export type { CallbackHandler, TaskCall, TaskHandler };

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
  /** The decision for each `.waitForTaskToken` task, by state name. */
  readonly callbacks?: Record<string, CallbackHandler>;
  /** Extra context object fields (`$$.Execution...`). */
  readonly context?: Record<string, unknown>;
  /** Keep Wait durations and retry intervals as written. @default false (zeroed) */
  readonly realTime?: boolean;
  /** Switch workarounds off, to show what the engine does without them. @default none */
  readonly disabledWorkarounds?: Workaround[];
}

export interface RetryRecord { readonly state: string; readonly error: string; readonly attempt: number }
export interface CatchRecord { readonly state: string; readonly error: string; readonly next: string }

export interface LocalRunResult {
  readonly status: 'SUCCEEDED' | 'FAILED';
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
  /** The engine's raw event log. */
  readonly events: any[];
}

export const LOCAL_TASK_TOKEN = 'local-task-token';

/** The execution's identity in `$$` (the engine fills in only Input and StartTime), unless the run gives its own. */
function localContext(given: Record<string, any>): Record<string, any> {
  const name = String(given.Execution?.Name ?? `local-${Math.random().toString(16).slice(2, 10)}`);
  const machine = String(given.StateMachine?.Name ?? 'LocalStateMachine');
  return {
    ...given,
    Execution: { Id: `arn:aws:states:us-east-1:123456789012:execution:${machine}:${name}`, Name: name, RedriveCount: 0, ...given.Execution },
    StateMachine: { Id: `arn:aws:states:us-east-1:123456789012:stateMachine:${machine}`, Name: machine, ...given.StateMachine },
  };
}

/**
 * `$$.State`, which the engine leaves out: `EnteredTime` reads the clock when a path reads it
 * (as the state is entered, give or take the time its input processing takes).
 */
const LIVE_STATE_CONTEXT = Object.freeze({
  get EnteredTime(): string {
    return new Date().toISOString();
  },
});
const LAMBDA_INVOKE = /^arn:[^:]+:states:::lambda:invoke(\.waitForTaskToken)?$/;
const LAMBDA_ARN = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:[^:]+/;
const SUFFIX = /\.(waitForTaskToken|sync(:\d+)?)$/;

interface StateRef { readonly name: string; readonly state: any; readonly where: string }

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

/** The features the engine ignores, as one message per use (empty when the definition is safe to run). */
export function engineLimitations(asl: Asl): string[] {
  const found: string[] = [];
  if (asl.QueryLanguage === 'JSONata') found.push('the state machine uses QueryLanguage JSONata (the engine evaluates JSONPath only)');
  for (const { name, state, where } of allStates(asl)) {
    const at = `state '${name}' in ${where}`;
    if (state.QueryLanguage === 'JSONata') found.push(`${at} uses QueryLanguage JSONata (the engine evaluates JSONPath only)`);
    if (state.Assign !== undefined) found.push(`${at} uses Assign (workflow variables are ignored by the engine)`);
    for (const c of state.Catch ?? []) {
      if (c.Assign !== undefined) found.push(`${at} has a Catch with Assign (ignored by the engine)`);
    }
    for (const field of ['ItemReader', 'ItemBatcher', 'ResultWriter', 'ToleratedFailurePercentage', 'ToleratedFailurePercentagePath', 'ToleratedFailureCount', 'ToleratedFailureCountPath']) {
      if (state[field] !== undefined) found.push(`${at} uses Distributed Map ${field} (ignored by the engine; run its item processor with itemProcessorOf() instead)`);
    }
  }
  return found;
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
  return definition;
}

function realmSafe<T>(value: T): T {
  return value === undefined ? value : JSON.parse(JSON.stringify(value));
}

const NEGATABLE = ['IsPresent', 'IsNull', 'IsString', 'IsNumeric', 'IsBoolean', 'IsTimestamp'];
function rewriteRule(rule: any): any {
  if (rule.And) return { ...rule, And: rule.And.map(rewriteRule) };
  if (rule.Or) return { ...rule, Or: rule.Or.map(rewriteRule) };
  if (rule.Not) return { ...rule, Not: rewriteRule(rule.Not) };
  const test = NEGATABLE.find(t => rule[t] === false);
  if (!test) return rule;
  const { Next, Variable, [test]: _negated, ...rest } = rule;
  const negated = { Not: { Variable, [test]: true, ...rest } };
  return Next === undefined ? negated : { ...negated, Next };
}

interface Prepared { definition: Asl; passValues: Record<string, unknown> }

/** The definition as the engine should see it: workarounds applied (a deep copy). */
const FAIL_RESOURCE = 'arn:aws:states:::local:fail';

function prepare(asl: Asl, disabled: Set<Workaround>): Prepared {
  const definition = JSON.parse(JSON.stringify(asl));
  const passValues: Record<string, unknown> = {};
  for (const { name, state } of allStates(definition)) {
    if (state.Type === 'Choice' && !disabled.has(Workaround.NEGATIVE_TYPE_TESTS)) {
      state.Choices = state.Choices.map(rewriteRule);
    }
    if (state.ResultPath === '$' && !disabled.has(Workaround.RESULT_PATH_ROOT)) {
      delete state.ResultPath;
    }
    if (state.Type === 'Pass' && 'Result' in state && !state.Result && state.Parameters === undefined
      && !disabled.has(Workaround.FALSY_PASS_RESULT)) {
      passValues[name] = state.Result;
      delete state.Result;
      state.Type = 'Task';
      state.Resource = 'arn:aws:states:::local:pass-result';
    }
    const intrinsic = (path: unknown) => typeof path === 'string' && path.startsWith('States.');
    if (state.Type === 'Fail' && (intrinsic(state.CausePath) || intrinsic(state.ErrorPath)) && !disabled.has(Workaround.INTRINSIC_FAIL_PATHS)) {
      state.Parameters = {
        ...(state.ErrorPath ? { 'error.$': state.ErrorPath } : { error: state.Error ?? '' }),
        ...(state.CausePath ? { 'cause.$': state.CausePath } : { cause: state.Cause ?? '' }),
      };
      for (const field of ['Error', 'Cause', 'ErrorPath', 'CausePath']) delete state[field];
      state.Type = 'Task';
      state.Resource = FAIL_RESOURCE;
      state.End = true;
    }
  }
  return { definition, passValues };
}

function stateTypes(asl: Asl): Record<string, string> {
  return Object.fromEntries(allStates(asl).map(s => [s.name, s.state.Type]));
}

/** Runs a definition locally and reports what happened. Throws on an engine limitation. */
export async function runLocally(asl: Asl, options: LocalRunOptions = {}): Promise<LocalRunResult> {
  const limitations = engineLimitations(asl);
  if (limitations.length > 0) {
    throw new EngineLimitationError(`cannot run this definition locally: the engine would silently ignore what it uses:\n  ${limitations.join('\n  ')}`);
  }
  const disabled = new Set(options.disabledWorkarounds ?? []);
  const safe = disabled.has(Workaround.REALM_SAFE_VALUES) ? <T>(v: T) => v : realmSafe;
  const { definition, passValues } = prepare(asl, disabled);
  const calls: TaskCall[] = [];
  const harnessErrors: HarnessError[] = [];
  const attempts: Record<string, number> = {};

  const handlers: Record<string, (input: any) => Promise<any>> = {};
  const waits: Record<string, number> = {};
  const retryIntervals: Record<string, number> = {};
  for (const { name, state } of allStates(definition)) {
    if (state.Type === 'Wait') waits[name] = 0;
    if (state.Retry) retryIntervals[name] = 0;
    if (state.Type !== 'Task') continue;
    if (name in passValues) {
      handlers[name] = async () => safe(passValues[name]);
      continue;
    }
    if (state.Resource === FAIL_RESOURCE) {
      handlers[name] = async (input: { error: string; cause: string }) => {
        throw new TaskFailure(input.error, input.cause);
      };
      continue;
    }
    handlers[name] = async (input: any) => {
      attempts[name] = (attempts[name] ?? 0) + 1;
      try {
        return safe(await invokeTask(name, state.Resource, input, attempts[name], options, calls));
      } catch (e) {
        if (e instanceof HarnessError) harnessErrors.push(e);
        throw e;
      }
    };
  }

  const machine = new StateMachine(definition as any, { validationOptions: { noValidate: true } });
  const execution = machine.run(safe(options.input ?? {}) as any, {
    overrides: {
      taskResourceLocalHandlers: handlers,
      ...(options.realTime ? {} : { waitTimeOverrides: waits, retryIntervalOverrides: retryIntervals }),
    },
    context: { ...safe({ ...localContext(options.context ?? {}), Task: { Token: LOCAL_TASK_TOKEN } }), State: LIVE_STATE_CONTEXT } as any,
  });
  const events: any[] = [];
  const collecting = (async () => {
    for await (const event of execution.eventLogs) events.push(event);
  })();
  let output: unknown;
  let failure: unknown;
  try {
    output = await execution.result;
  } catch (e) {
    failure = e;
  }
  await collecting;
  if (harnessErrors.length > 0) throw harnessErrors[0];
  return summarize(asl, events, calls, output, failure);
}

async function invokeTask(
  state: string, resource: string, input: any, attempt: number, options: LocalRunOptions, calls: TaskCall[],
): Promise<unknown> {
  const waitsForToken = resource.endsWith('.waitForTaskToken');
  const lambdaInvoke = LAMBDA_INVOKE.test(resource);
  const functionArn = lambdaInvoke ? String(input?.FunctionName ?? '') : LAMBDA_ARN.test(resource) ? resource : undefined;
  const key = functionArn !== undefined ? unqualified(functionArn) : resource.replace(SUFFIX, '');
  const payload = lambdaInvoke ? input?.Payload : input;
  const call: TaskCall = { state, resource, input: payload, attempt, ...(waitsForToken ? { taskToken: LOCAL_TASK_TOKEN } : {}) };
  calls.push(call);

  const handler = options.states?.[state]
    ?? options.resources?.[key]
    ?? options.resources?.[functionArn ?? ''];
  const callback = options.callbacks?.[state];
  if (waitsForToken && !callback) {
    throw new MissingHandlerError(`local run: task '${state}' waits for a task token (${resource}); give its decision in callbacks['${state}']`,
      state, resource, key, 'callback');
  }
  if (!handler && !waitsForToken) {
    const what = `resource ${resource}${functionArn ? `, function ${key}` : ''}`;
    throw new MissingHandlerError(`local run: no handler for task '${state}' (${what}); give one in resources['${key}'] or states['${state}']`,
      state, resource, key, 'handler');
  }
  let result = handler ? await handler(payload, call) : undefined;
  if (callback) {
    result = await callback(payload, call);
    return result;
  }
  if (lambdaInvoke) {
    return { ExecutedVersion: '$LATEST', Payload: result ?? null, StatusCode: 200 };
  }
  return result ?? null;
}

function unqualified(functionArn: string): string {
  const parts = functionArn.split(':');
  return parts.length > 7 ? parts.slice(0, 7).join(':') : functionArn;
}

function summarize(asl: Asl, events: any[], calls: TaskCall[], output: unknown, failure: unknown): LocalRunResult {
  const types = stateTypes(asl);
  const path: string[] = [];
  const retries: RetryRecord[] = [];
  const catches: CatchRecord[] = [];
  const lastError: Record<string, string> = {};
  let error: string | undefined;
  let cause: string | undefined;
  // Map iterations run concurrently: an error is matched with its retry or catch by state and iteration.
  const at = (e: any) => `${e.state.name}#${e.index ?? ''}`;
  for (const e of events) {
    switch (e.type) {
      case 'StateEntered': path.push(e.state.name); break;
      case 'StateFailed': lastError[at(e)] = e.Error; break;
      case 'StateRetried': retries.push({ state: e.state.name, error: lastError[at(e)], attempt: e.retry.attempt }); break;
      case 'StateCaught': catches.push({ state: e.state.name, error: lastError[at(e)], next: e.catch.catcher.Next }); break;
      case 'ExecutionFailed':
        error = e.Error;
        cause = typeof e.Cause === 'string' ? e.Cause : JSON.stringify(e.Cause);
        break;
    }
  }
  if (failure !== undefined && error === undefined) {
    // A failure the engine did not log as ExecutionFailed (a harness or engine error): surface it.
    const f = failure as Error & { cause?: Error };
    throw f.cause instanceof Error ? f.cause : f;
  }
  for (const name of path) {
    if (!(name in types)) throw new Error(`local run: the engine entered an unknown state '${name}'`);
  }
  return {
    status: failure === undefined ? 'SUCCEEDED' : 'FAILED',
    output: failure === undefined ? output : undefined,
    error,
    cause,
    path,
    retries,
    catches,
    transitions: path.length + retries.length,
    calls,
    events,
  };
}
