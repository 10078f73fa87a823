/**
 * TestState: one state run on its own, with no account and no role, as AWS documents it: a mocked
 * result or error (`mock`), variables, one state of a whole definition (`stateName`), a retrier's
 * count so far (`stateConfiguration.retrierRetryCount`), and at DEBUG or TRACE what the data was at
 * each step. The answer's status is SUCCEEDED, FAILED, RETRIABLE (a retrier would retry the error) or
 * CAUGHT_ERROR (a catcher took it), with the state it goes to next.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html
 */
import { inspectionOf } from './inspection';
import { allStates } from '../local-execution';
import type { Params } from './params';
import { ApiError, invalidField } from './protocol';
import type { StepFunctionsService } from './service';
import { execute, ExecutionResult, TaskError } from '../../engine';
import { exceedsTolerance } from '../../engine/map-fields';
import { matches } from '../../engine/state-run';

const MOCKED = 'arn:aws:states:::testState:mocked';
const SUPPORTED = ['Task', 'Wait', 'Pass', 'Succeed', 'Fail', 'Choice'];

function json(text: string | undefined, what: string): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ApiError('ValidationException', `${what} must be valid JSON: ${(e as Error).message}`);
  }
}

const numberOrUndefined = (v: unknown) => (v === undefined ? undefined : Number(v));

/** The states a state goes to: Next, a Choice's rules and Default, its catchers'. */
function targets(state: any): string[] {
  return [state.Next, state.Default, ...(state.Choices ?? []).map((c: any) => c.Next), ...(state.Catch ?? []).map((c: any) => c.Next)]
    .filter((t): t is string => typeof t === 'string');
}

/** What was tested, for its answer. */
interface Tested {
  readonly name: string;
  /** The state as given (its retriers apart). */
  readonly state: any;
  readonly language: string;
  readonly input: unknown;
  readonly inputText: string;
  readonly level: string;
  readonly retriers?: any[];
  readonly retried: number;
}

export async function testState(p: Params, service: StepFunctionsService): Promise<object> {
  const text = p.required('definition', { min: 1, max: 1_048_576 });
  const roleArn = p.string('roleArn', { min: 1, max: 256 });
  const inputText = p.string('input', { max: 262_144 }) ?? '{}';
  const level = p.oneOf('inspectionLevel', ['INFO', 'DEBUG', 'TRACE'] as const) ?? 'INFO';
  const reveal = p.boolean('revealSecrets') ?? false;
  const variables = json(p.string('variables', { max: 262_144 }), 'variables') as Record<string, unknown> | undefined;
  if (variables !== undefined && (variables === null || typeof variables !== 'object' || Array.isArray(variables))) {
    throw new ApiError('ValidationException', 'variables must be a JSON object: each variable by its name');
  }
  const stateName = p.string('stateName', { min: 1, max: 80 });
  const mock = p.object('mock');
  const config = p.object('stateConfiguration') ?? {};
  if (p.string('context') !== undefined) {
    throw new ApiError('ValidationException', 'This local endpoint does not take a context object in TestState: leave out `context` (the state sees the context of a local execution)');
  }
  for (const key of Object.keys(config)) {
    if (!['retrierRetryCount', 'errorCausedByState', 'mapIterationFailureCount'].includes(key)) {
      throw new ApiError('ValidationException', `This local endpoint does not take stateConfiguration.${key} (it takes retrierRetryCount, errorCausedByState, mapIterationFailureCount)`);
    }
  }
  let parsed: any;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ApiError('InvalidDefinition', `Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: ${(e as Error).message}'`);
  }
  let input: unknown;
  try {
    input = JSON.parse(inputText);
  } catch (e) {
    throw new ApiError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${(e as Error).message}'`);
  }
  const name = stateName ?? 'StateName';
  let state: any;
  let language: string | undefined;
  if (stateName !== undefined) {
    state = parsed?.States?.[stateName];
    language = parsed?.QueryLanguage;
    if (!state) throw new ApiError('ValidationException', 'State not found in definition');
  } else {
    state = parsed;
  }
  if (state === null || typeof state !== 'object' || typeof state.Type !== 'string') {
    throw new ApiError('InvalidDefinition', "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: These fields are required: [Type] at /States/StateName'");
  }
  const type: string = state.Type;
  if (![...SUPPORTED, 'Map', 'Parallel'].includes(type)) {
    throw new ApiError('InvalidDefinition', 'Invalid State Machine Definition: \'SCHEMA_VALIDATION_FAILED: The field \'Type\' should have one of these values: '
      + `[Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map] at /States/${stateName ?? 'StateName'}/Type'`);
  }
  if (!mock && !SUPPORTED.includes(type)) {
    throw new ApiError('InvalidDefinition', 'TestState API does not support Map or Parallel states. Supported state types include: [Task, Wait, Pass, Succeed, Fail, Choice]');
  }
  let mocked: { result?: unknown; error?: string; cause?: string } | undefined;
  if (mock) {
    if (!['Task', 'Map', 'Parallel'].includes(type)) throw new ApiError('ValidationException', `State type '${type}' is not supported when a mock is specified`);
    if (mock.result !== undefined && mock.errorOutput !== undefined) throw new ApiError('ValidationException', 'A test mock should have only one of the following fields: [result, errorOutput].');
    if (reveal) throw new ApiError('ValidationException', 'TestState does not support RevealSecrets when a mock is specified.');
    if (mock.result !== undefined) {
      if (typeof mock.result !== 'string') throw invalidField('mock.result', mock.result, 'Member must be a string');
      try {
        mocked = { result: JSON.parse(mock.result) };
      } catch {
        throw new ApiError('ValidationException', 'Mocked result must be valid JSON');
      }
      if (type === 'Parallel' && !Array.isArray(mocked.result)) throw new ApiError('ValidationException', 'Mocked result must be an array.');
      if (type === 'Parallel' && (mocked.result as unknown[]).length !== (state.Branches ?? []).length) {
        throw new ApiError('ValidationException', 'Mocked result must contain the same number of items as number of Parallel branches.');
      }
      if (type === 'Map' && !state.ResultWriter && !Array.isArray(mocked.result)) throw new ApiError('ValidationException', 'Mocked result must be an array.');
    } else {
      const out = (mock.errorOutput ?? {}) as { error?: unknown; cause?: unknown };
      mocked = { error: String(out.error ?? ''), cause: String(out.cause ?? '') };
    }
  } else if (type === 'Task' && roleArn === undefined) {
    throw new ApiError('ValidationException', 'RoleArn must be specified when testing a Task state');
  }
  const causedBy = config.errorCausedByState;
  if (causedBy !== undefined) {
    const inner = type === 'Map' || type === 'Parallel' ? allStates({ States: { [stateName ?? 'StateName']: state } }).slice(1).map(s => s.name) : [];
    if (!inner.includes(String(causedBy))) {
      throw new ApiError('ValidationException', type === 'Map' || type === 'Parallel'
        ? `stateConfiguration.errorCausedByState names no state of this ${type} ('${causedBy}'; its states: ${inner.join(', ')})`
        : `stateConfiguration.errorCausedByState is for a Map or Parallel state (this state is a ${type})`);
    }
  }
  const failures = config.mapIterationFailureCount;
  if (failures !== undefined) {
    if (!mock) throw new ApiError('ValidationException', 'TestState does not support MapIterationFailureCount when a mock is not specified.');
    if (Array.isArray(mocked?.result) && Number(failures) > mocked!.result.length) {
      throw new ApiError('ValidationException', 'Map iteration failure count must be less than or equal to the number of Map iterations');
    }
  }

  // The state on its own: each state it goes to is a Succeed that ends the run there; its retriers are judged below, not run.
  const { Retry: retriers, ...tested } = state as Record<string, any>;
  let run: Record<string, any> = tested;
  if (mocked && type !== 'Task') {
    // A mocked Map or Parallel is a task that answers the mock, with the same paths, selector, catchers and transition.
    const kept = ['Comment', 'QueryLanguage', 'InputPath', 'ResultSelector', 'ResultPath', 'OutputPath', 'Catch', 'Next', 'End', 'Assign', 'Output'];
    if (type === 'Parallel') kept.push('Parameters', 'Arguments');
    run = { ...Object.fromEntries(Object.entries(tested).filter(([k]) => kept.includes(k))), Type: 'Task', Resource: MOCKED };
    if (type === 'Map' && failures !== undefined && exceedsTolerance(Number(failures), Array.isArray(mocked.result) ? mocked.result.length : 0,
      numberOrUndefined(tested.ToleratedFailureCount), numberOrUndefined(tested.ToleratedFailurePercentage))) {
      mocked = { error: 'States.ExceedToleratedFailureThreshold', cause: 'The specified tolerated failure threshold was exceeded' };
    }
  } else if (mocked) {
    const suffix = /\.(waitForTaskToken|sync(:2)?)$/.exec(String(tested.Resource ?? ''))?.[0] ?? '';
    run = { ...tested, Resource: MOCKED + suffix };
  }
  const ends = Object.fromEntries(targets(run).filter(t => t !== name).map(t => [t, { Type: 'Succeed' }]));
  // The variables, set by a JSONata state before it (allowed in either language), each value a JSON literal: nothing in them is evaluated.
  const assign = Object.fromEntries(Object.entries(variables ?? {}).map(([k, v]) => [k, `{% ${JSON.stringify(v)} %}`]));
  const seed = Object.keys(assign).length > 0 ? { 'TestState.Variables': { Type: 'Pass', QueryLanguage: 'JSONata', Assign: assign, Next: name } } : {};
  const definition = {
    ...(language ? { QueryLanguage: language } : {}),
    StartAt: Object.keys(seed)[0] ?? name,
    States: { ...seed, ...ends, [name]: run },
  };
  const answer = mocked
    ? () => {
      if (mocked!.error !== undefined) throw new TaskError(mocked!.error, mocked!.cause);
      return mocked!.result;
    }
    : undefined;
  let result: ExecutionResult;
  try {
    result = await execute(definition, {
      input,
      // Standard, so that a mocked callback or .sync task (which TestState takes with a mock) runs; its answer comes at once.
      type: 'STANDARD',
      executionName: 'TestState',
      stateMachineName: 'TestState',
      tasks: answer ? { [name]: answer } : {},
      onTask: req => service.testTaskHandler(req),
    });
  } catch (e) {
    throw new ApiError(e instanceof Error && e.name === 'DefinitionError' ? 'InvalidDefinition' : 'ValidationException', `TestState '${name}': ${(e as Error).message}`);
  }
  return answerOf(result, {
    name, state: tested, language: language ?? state.QueryLanguage ?? 'JSONPath', input, inputText, level, retriers, retried: Number(config.retrierRetryCount ?? 0),
  });
}

/** The answer of TestState from the run of the state on its own. */
async function answerOf(run: ExecutionResult, t: Tested): Promise<object> {
  const record = run.states.find(s => s.name === t.name);
  const failed = record?.caught ?? record?.failed;
  const inspection = t.level === 'INFO' ? undefined : await inspectionOf(t.state, t.language, t.input, t.inputText, run, t.name);
  const withInspection = (out: Record<string, unknown>) => (inspection
    ? { ...out, inspectionData: { ...inspection, ...(out.errorDetails ? { errorDetails: out.errorDetails } : {}) } }
    : { ...out, errorDetails: undefined });
  if (failed) {
    const { error, cause } = failed;
    const retryIndex = (t.retriers ?? []).findIndex(r => matches(r.ErrorEquals ?? [], error));
    if (retryIndex >= 0) {
      const r = t.retriers![retryIndex];
      if (t.retried < (r.MaxAttempts ?? 3)) {
        const delay = Math.min((r.IntervalSeconds ?? 1) * (r.BackoffRate ?? 2) ** t.retried, r.MaxDelaySeconds ?? Infinity);
        return withInspection({ status: 'RETRIABLE', error, cause, errorDetails: { retryIndex, retryBackoffIntervalSeconds: Math.round(delay) } });
      }
    }
    if (record?.caught) {
      const next = record.caught.next;
      const catchIndex = (t.state.Catch ?? []).findIndex((c: any) => c.Next === next && matches(c.ErrorEquals ?? [], error));
      const target = run.states.find(s => s.name === next);
      return withInspection({ status: 'CAUGHT_ERROR', error, cause, nextState: next, output: JSON.stringify(target?.input ?? null), errorDetails: { catchIndex } });
    }
    return withInspection({ status: 'FAILED', error, cause, ...(retryIndex >= 0 ? { errorDetails: { retryIndex } } : {}) });
  }
  if (run.status !== 'SUCCEEDED') return withInspection({ status: 'FAILED', error: run.error, cause: run.cause });
  return withInspection({ status: 'SUCCEEDED', output: JSON.stringify(record?.output ?? run.output ?? null), ...(record?.next ? { nextState: record.next } : {}) });
}
