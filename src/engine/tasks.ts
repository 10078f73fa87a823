/**
 * Task states: what the resource is (a Lambda function, a service integration, an activity), how its
 * handler is found and called, what AWS wraps around its answer, and how timeouts and heartbeats end
 * it in virtual time.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html
 */
import { EngineSetupError, EngineUnsupportedError, StatesError } from './errors';
import type { JsonataScope } from './jsonata';
import { waitForAnswer } from './outside-answer';
import type { ExecutionContext as Execution, StateContext as StateRun } from './run-context';
import { Aborted } from './scheduler';
import { describeMapRun, nestedTarget, runNested } from './sfn-integrations';
import { TaskAnswer, TaskError, TaskHandler, TaskOutcome, TaskRequest } from './types';

const MAX_BYTES = 262_144;
const LAMBDA_INVOKE = /^arn:[^:]+:states:::lambda:invoke$/;
const LAMBDA_ARN = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:[^:]+(:[^:]+)?$/;
// `arn:partition:states:region:account:service:api`: AWS documents the region and the account as part of
// the form, and its examples leave them empty (https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html).
const SERVICE = /^arn:([^:]+):states:([^:]*):([^:]*):([^:]+(?::[^:]+)?):([^:]+)$/;
const ACTIVITY = /^arn:[^:]+:states:[^:]*:[^:]*:activity:.+$/;
const SUFFIX = /\.(waitForTaskToken|sync(:2)?)$/;

interface Resource {
  readonly integration: TaskRequest['integration'];
  readonly pattern: TaskRequest['pattern'];
  /** Without its suffix, and for a service integration in the form without region and account (`arn:aws:states:::sns:publish`). */
  readonly base: string;
  /** A service integration's region and account, when the Resource names them. */
  readonly region?: string;
  readonly account?: string;
  /** `resourceType` and `resource` of the Task* events. */
  readonly resourceType: string;
  readonly resourceName: string;
}

const resources = new Map<string, Resource>();

/** What a Task state's Resource is; the same resource is described once. */
export function describeResource(resource: string, state: string): Resource {
  let known = resources.get(resource);
  if (!known) {
    known = describe(resource, state);
    resources.set(resource, known);
  }
  return known;
}

function describe(resource: string, state: string): Resource {
  const suffix = SUFFIX.exec(resource)?.[1];
  const pattern: Resource['pattern'] = suffix === 'waitForTaskToken' ? 'callback' : suffix ? 'sync' : 'request-response';
  const base = resource.replace(SUFFIX, '');
  if (LAMBDA_ARN.test(resource)) return { integration: 'lambda', pattern: 'request-response', base: resource, resourceType: 'lambda', resourceName: resource };
  if (ACTIVITY.test(resource)) return { integration: 'activity', pattern: 'request-response', base: resource, resourceType: 'activity', resourceName: resource };
  const m = SERVICE.exec(base);
  if (!m) {
    throw new EngineUnsupportedError(`state '${state}': the Resource '${resource}' is not a Lambda function ARN, an activity ARN or a service integration (arn:aws:states:::service:action)`, state, 'Resource');
  }
  const [, partition, region, account, service, api] = m;
  const canonical = `arn:${partition}:states:::${service}:${api}`;
  const integration = LAMBDA_INVOKE.test(canonical) ? 'lambda' : 'service';
  return {
    integration,
    pattern,
    base: canonical,
    ...(region ? { region } : {}),
    ...(account ? { account } : {}),
    resourceType: service,
    resourceName: api + (suffix ? `.${suffix}` : ''),
  };
}

function unqualified(functionArn: string): string {
  const parts = functionArn.split(':');
  return parts.length > 7 ? parts.slice(0, 7).join(':') : functionArn;
}

const lookups = new Map<string, string[]>();

/** Where a handler is looked up, in order (worked out once for each state, resource and function). */
function handlerKeys(state: string, resource: string, base: string, functionName?: string): string[] {
  const id = `${state}\u0000${resource}\u0000${functionName ?? ''}`;
  let keys = lookups.get(id);
  if (!keys) {
    keys = keysOf(state, resource, base, functionName);
    if (lookups.size > 10_000) lookups.clear();
    lookups.set(id, keys);
  }
  return keys;
}

function keysOf(state: string, resource: string, base: string, functionName?: string): string[] {
  const keys = [state, resource, base];
  if (functionName) {
    keys.push(functionName, unqualified(functionName));
    const name = /function:([^:]+)/.exec(functionName)?.[1];
    if (name) keys.push(name);
  }
  return [...new Set(keys)];
}

/** A value and its JSON type, for messages: `an object: {"name":"f"}`. */
function describeValue(value: unknown): string {
  const type = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
  const text = JSON.stringify(value) ?? String(value);
  return `${type}: ${text.length > 200 ? `${text.slice(0, 199)}…` : text}`;
}

/** How the Node.js Lambda runtime reports a thrown value. */
function lambdaError(e: unknown): { errorType: string; errorMessage: string; trace: string[] } {
  if (e instanceof Error) {
    return { errorType: e.name || 'Error', errorMessage: e.message, trace: (e.stack ?? '').split('\n') };
  }
  try {
    return { errorType: typeof e, errorMessage: String((e as { toString(): string }).toString()), trace: [] };
  } catch {
    return { errorType: 'handled', errorMessage: 'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack', trace: [] };
  }
}

/** A value as it crosses the wire: JSON semantics, or an error when it cannot be serialized. */
function asJson(value: unknown): { ok: true; value: unknown } | { ok: false } {
  try {
    const text = JSON.stringify(value === undefined ? null : value);
    return { ok: true, value: JSON.parse(text ?? 'null') };
  } catch {
    return { ok: false };
  }
}

interface Settled {
  readonly kind: 'succeed' | 'fail' | 'never' | 'outside';
  readonly answer?: TaskAnswer;
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
  readonly after: number;
  readonly heartbeats: number[];
  readonly wholeResponse?: boolean;
}

async function callHandler(handler: TaskHandler, request: TaskRequest, lambda: boolean, state: string): Promise<Settled> {
  let answer: unknown;
  try {
    answer = await handler(request);
  } catch (e) {
    if (e instanceof TaskError) return { kind: 'fail', error: e.error, cause: e.causeText, after: 0, heartbeats: [] };
    if (e instanceof EngineSetupError) throw e;
    // A Lambda function's error reaches the state as the runtime reports it (JSON); any other thrown value as its message.
    const err = lambdaError(e);
    const cause = lambda && request.pattern !== 'callback' ? JSON.stringify(err) : err.errorMessage;
    return { kind: 'fail', error: err.errorType, cause, after: 0, heartbeats: [] };
  }
  if (answer instanceof TaskOutcome) {
    const after = answer.options.afterSeconds ?? 0;
    const heartbeats = [...(answer.options.heartbeatsAt ?? [])].sort((a, b) => a - b);
    if (!(after >= 0) || heartbeats.some(h => !(h >= 0))) {
      throw new EngineSetupError(`task '${state}': a TaskOutcome's afterSeconds and heartbeatsAt must be non-negative numbers`, state);
    }
    return {
      kind: answer.kind,
      output: answer.output,
      error: answer.error,
      cause: answer.cause,
      after,
      heartbeats,
      answer: answer.answer,
      wholeResponse: answer.options.wholeResponse,
    };
  }
  return { kind: 'succeed', output: answer, after: 0, heartbeats: [] };
}

function positiveInteger(value: unknown, field: string): number {
  if (!(Number.isInteger(value) && (value as number) > 0)) {
    throw new StatesError('States.Runtime', `The ${field} field refers to value ${JSON.stringify(value)}, which is not a positive integer.`);
  }
  return value as number;
}

/** Runs one attempt of a Task state and returns its result, or throws the StatesError it fails with. */
export async function invokeTask(ex: Execution, run: StateRun, state: any, effective: unknown, scope: JsonataScope | undefined): Promise<unknown> {
  const name = run.stateName;
  const thread = run.currentThread;
  const res = describeResource(state.Resource, name);
  if ((res.region !== undefined && res.region !== ex.region) || (res.account !== undefined && res.account !== ex.account)) {
    // "Step Functions doesn't support referencing ARNs across partitions, regions, or accounts" (the developer guide).
    throw new EngineUnsupportedError(`state '${name}': the Resource '${state.Resource}' names region ${res.region ?? '(none)'} and account ${res.account ?? '(none)'}, `
      + `but the execution runs in ${ex.region} and ${ex.account}: Step Functions does not call a service integration in another region or account`, name, 'Resource');
  }
  // A callback task's token; a .sync task has one too, which its parameters may pass on (recorded:
  // localstack test_sync_with_task_token, $$.Task.Token in a states:startExecution.sync task).
  const token = res.pattern !== 'request-response' ? `local-token-${ex.random.uuid()}` : undefined;
  const taskToken = res.pattern === 'callback' ? token : undefined;
  const tokenContext = token ? { Task: { Token: token } } : undefined;
  const flow = ex.flow;

  let parameters: unknown;
  let timeout: number | undefined;
  let heartbeat: number | undefined;
  if (scope) {
    const withToken = run.scopeFor({}, tokenContext);
    parameters = state.Arguments === undefined ? withToken.states.input : await flow.template(state.Arguments, 'Arguments', withToken);
    if (state.TimeoutSeconds !== undefined) timeout = positiveInteger(await flow.template(state.TimeoutSeconds, 'TimeoutSeconds', withToken), 'TimeoutSeconds');
    if (state.HeartbeatSeconds !== undefined) heartbeat = positiveInteger(await flow.template(state.HeartbeatSeconds, 'HeartbeatSeconds', withToken), 'HeartbeatSeconds');
  } else {
    const ps = run.pathScope(effective, tokenContext);
    parameters = state.Parameters === undefined ? effective : flow.payloadTemplate(state.Parameters, 'Parameters', ps);
    timeout = state.TimeoutSecondsPath !== undefined ? positiveInteger(flow.required(state.TimeoutSecondsPath, 'TimeoutSecondsPath', ps), 'TimeoutSecondsPath') : state.TimeoutSeconds;
    heartbeat = state.HeartbeatSecondsPath !== undefined ? positiveInteger(flow.required(state.HeartbeatSecondsPath, 'HeartbeatSecondsPath', ps), 'HeartbeatSecondsPath') : state.HeartbeatSeconds;
  }
  if (heartbeat !== undefined && timeout !== undefined && heartbeat >= timeout) {
    throw new StatesError('States.Runtime', `HeartbeatSeconds (${heartbeat}) must be smaller than TimeoutSeconds (${timeout})`);
  }

  const legacyLambda = LAMBDA_ARN.test(state.Resource);
  const lambdaInvoke = res.integration === 'lambda' && !legacyLambda;
  const params = parameters as Record<string, unknown> | null;
  const functionName = legacyLambda ? state.Resource : lambdaInvoke ? String(params?.FunctionName ?? '') : undefined;
  if (lambdaInvoke && (typeof params?.FunctionName !== 'string' || params.FunctionName === '')) {
    const found = params?.FunctionName;
    throw new StatesError('States.Runtime', found === undefined
      ? `The field 'FunctionName' is required for the resource ${state.Resource} (state '${name}')`
      : `The field 'FunctionName' of the resource ${state.Resource} (state '${name}') must be a function name or ARN, a non-empty string; it is ${describeValue(found)}`);
  }
  const payload = lambdaInvoke ? (params && 'Payload' in params ? params.Payload : {}) : parameters;

  const scheduledAt = ex.sched.now;
  const timing = {
    ...(timeout !== undefined ? { timeoutInSeconds: timeout } : {}),
    ...(heartbeat !== undefined ? { heartbeatInSeconds: heartbeat } : {}),
  };
  const events = legacyLambda ? {
    scheduled: () => ex.history.add(thread, 'LambdaFunctionScheduled', {
      lambdaFunctionScheduledEventDetails: {
        resource: state.Resource, input: JSON.stringify(parameters), inputDetails: { truncated: false }, ...timing,
      },
    }),
    started: () => ex.history.add(thread, 'LambdaFunctionStarted', {}),
    submitted: (_output?: unknown) => undefined,
    succeeded: (output: unknown) => ex.history.add(thread, 'LambdaFunctionSucceeded', {
      lambdaFunctionSucceededEventDetails: { output: JSON.stringify(output), outputDetails: { truncated: false } },
    }),
    failed: (error: string, cause: string, _absent?: { error?: boolean; cause?: boolean }) => ex.history.add(thread, 'LambdaFunctionFailed', { lambdaFunctionFailedEventDetails: { error, cause } }),
    timedOut: (error: string) => ex.history.add(thread, 'LambdaFunctionTimedOut', { lambdaFunctionTimedOutEventDetails: { error } }),
  } : res.integration === 'activity' ? {
    // As recorded (localstack test_activities): Activity* events, the input in full, the worker's name when it gives one.
    scheduled: () => ex.history.add(thread, 'ActivityScheduled', {
      activityScheduledEventDetails: { resource: state.Resource, input: JSON.stringify(parameters), inputDetails: { truncated: false }, ...timing },
    }),
    started: (worker?: string) => ex.history.add(thread, 'ActivityStarted', { activityStartedEventDetails: worker !== undefined ? { workerName: worker } : {} }),
    submitted: (_output?: unknown) => undefined,
    succeeded: (output: unknown) => ex.history.add(thread, 'ActivitySucceeded', {
      activitySucceededEventDetails: { output: JSON.stringify(output), outputDetails: { truncated: false } },
    }),
    failed: (error: string, cause: string, _absent?: { error?: boolean; cause?: boolean }) => ex.history.add(thread, 'ActivityFailed', { activityFailedEventDetails: { error, cause } }),
    timedOut: (error: string) => ex.history.add(thread, 'ActivityTimedOut', { activityTimedOutEventDetails: { error } }),
  } : {
    scheduled: () => ex.history.add(thread, 'TaskScheduled', {
      taskScheduledEventDetails: {
        resourceType: res.resourceType,
        resource: res.resourceName,
        region: ex.region,
        parameters: JSON.stringify(parameters),
        ...timing,
      },
    }),
    started: () => ex.history.add(thread, 'TaskStarted', { taskStartedEventDetails: { resourceType: res.resourceType, resource: res.resourceName } }),
    submitted: (output?: unknown) => ex.history.add(thread, 'TaskSubmitted', {
      taskSubmittedEventDetails: {
        resourceType: res.resourceType,
        resource: res.resourceName,
        ...(output !== undefined ? { output: JSON.stringify(output), outputDetails: { truncated: false } } : {}),
      },
    }),
    succeeded: (output: unknown) => ex.history.add(thread, 'TaskSucceeded', {
      taskSucceededEventDetails: {
        resourceType: res.resourceType, resource: res.resourceName, output: JSON.stringify(output), outputDetails: { truncated: false },
      },
    }),
    failed: (error: string, cause: string, absent: { error?: boolean; cause?: boolean } = {}) => ex.history.add(thread, 'TaskFailed', {
      taskFailedEventDetails: {
        resourceType: res.resourceType, resource: res.resourceName, ...(absent.error ? {} : { error }), ...(absent.cause ? {} : { cause }),
      },
    }),
    timedOut: (error: string) => ex.history.add(thread, 'TaskTimedOut', {
      taskTimedOutEventDetails: { resourceType: res.resourceType, resource: res.resourceName, error },
    }),
  };
  events.scheduled();
  // An activity worked from outside the run starts when a worker takes it (GetActivityTask).
  const startsLater = res.integration === 'activity' && ex.options.activitiesFromOutside === true;
  if (!startsLater) events.started();

  const described = describeMapRun(ex, res.base, params, name);
  if (described !== undefined) {
    events.succeeded(described);
    return described;
  }

  const nestedArn = nestedTarget(ex, res.base, params, name);
  if (nestedArn !== undefined) {
    let result: unknown;
    try {
      result = await runNested(ex, run, res, nestedArn, params ?? {}, started => {
        if (res.pattern !== 'request-response') events.submitted(started);
      });
    } catch (e) {
      if (e instanceof StatesError) events.failed(e.error, e.causeText);
      throw e;
    }
    events.succeeded(result);
    return result;
  }

  const keys = handlerKeys(name, state.Resource, res.base, functionName);
  const tasks = ex.options.tasks ?? {};
  const key = keys.find(k => Object.prototype.hasOwnProperty.call(tasks, k));
  const handler = key !== undefined ? tasks[key] : ex.options.onTask;
  if (!handler) {
    throw new EngineSetupError(`task '${name}' (${state.Resource}${functionName && !legacyLambda ? `, function ${functionName}` : ''}) has no handler: give one in tasks under one of ${keys.map(k => `'${k}'`).join(', ')}, or an onTask handler`, name);
  }
  const request: TaskRequest = {
    state: name,
    resource: state.Resource,
    baseResource: res.base,
    integration: res.integration,
    pattern: res.pattern,
    functionName,
    input: payload,
    parameters,
    attempt: run.attempt,
    taskToken,
    timeoutSeconds: timeout,
    heartbeatSeconds: heartbeat,
    now: new Date(scheduledAt),
    executionArn: ex.executionArn,
  };
  let answeredFromOutside = false;
  const calling = callHandler(handler, request, res.integration === 'lambda', name);
  // In real time, the clock goes on while a handler runs (a timeout, another branch's Wait), and a stop ends the wait at once.
  let settled = ex.sched.realTime ? await ex.sched.outsideAnswer(calling, thread.scope) : await calling;
  // Stopped (or timed out) while the handler ran: its answer comes too late to count.
  if (thread.scope.aborted) throw new Aborted();
  if (res.pattern !== 'request-response') events.submitted();
  if (settled.kind === 'outside') {
    const outcome = await waitForAnswer(ex.sched, thread.scope, settled.answer!, {
      scheduledAt, timeout, heartbeat, startsLater, started: worker => events.started(worker),
    });
    if (outcome.kind === 'timeout') {
      events.timedOut('States.Timeout');
      const timedOut = new StatesError('States.Timeout', '');
      timedOut.fromHeartbeat = outcome.byHeartbeat;
      throw timedOut;
    }
    answeredFromOutside = true;
    settled = outcome.kind === 'succeed'
      ? { kind: 'succeed', output: outcome.output, after: 0, heartbeats: [] }
      : { kind: 'fail', error: outcome.error, cause: outcome.cause, after: 0, heartbeats: [] };
  } else if (startsLater) {
    events.started();
  }

  // When the answer arrives, and whether a timeout or a missed heartbeat comes first.
  const arrival = settled.kind === 'never' ? Infinity : scheduledAt + settled.after * 1000;
  let deadline = timeout !== undefined ? scheduledAt + timeout * 1000 : Infinity;
  // A missed heartbeat ends the task with States.Timeout, as recorded AWS executions show.
  const deadlineError = 'States.Timeout';
  let byHeartbeat = false;
  if (heartbeat !== undefined) {
    let last = scheduledAt;
    for (const h of [...settled.heartbeats.map(s => scheduledAt + s * 1000), arrival]) {
      if (h > arrival) break;
      if (h - last > heartbeat * 1000) break;
      last = h;
    }
    const missed = last + heartbeat * 1000;
    if (missed < arrival && missed < deadline) {
      deadline = missed;
      byHeartbeat = true;
    }
  }
  if (deadline < arrival) {
    await ex.sched.sleep(deadline, thread.scope);
    events.timedOut(deadlineError);
    const timedOut = new StatesError(deadlineError, '');
    timedOut.fromHeartbeat = byHeartbeat;
    throw timedOut;
  }
  if (arrival > ex.sched.now) await ex.sched.sleep(arrival, thread.scope);

  if (settled.kind === 'fail') {
    const error = settled.error ?? '';
    const cause = settled.cause ?? '';
    // SendTaskFailure may leave out the error and the cause: AWS's TaskFailed event then has neither, and
    // the error output holds null (recorded: localstack test_sqs_failure_in_wait_for_task_tok_no_error_field).
    const absent = res.pattern === 'callback' || answeredFromOutside ? { error: settled.error === undefined, cause: settled.cause === undefined } : {};
    events.failed(error, cause, absent);
    throw new StatesError(error, cause, undefined, absent);
  }
  const json = asJson(settled.output);
  if (!json.ok) {
    const err = { errorType: 'Error', errorMessage: 'Unable to stringify response body', trace: [] };
    if (res.integration === 'lambda') {
      events.failed(err.errorType, JSON.stringify(err));
      throw new StatesError(err.errorType, JSON.stringify(err));
    }
    throw new EngineSetupError(`task '${name}': its handler returned a value that is not JSON`, name);
  }
  const result = lambdaInvoke && res.pattern !== 'callback' && !settled.wholeResponse ? lambdaResponse(json.value) : json.value;
  if (Buffer.byteLength(JSON.stringify(result), 'utf8') > MAX_BYTES) {
    const cause = `The state/task '${legacyLambda ? state.Resource : res.resourceType}' returned a result with a size exceeding the maximum number of bytes service limit.`;
    events.failed('States.DataLimitExceeded', cause);
    throw new StatesError('States.DataLimitExceeded', cause);
  }
  events.succeeded(result);
  return result;
}

/** What `lambda:invoke` returns around the function's own result. */
function lambdaResponse(payload: unknown): Record<string, unknown> {
  return {
    ExecutedVersion: '$LATEST',
    Payload: payload,
    SdkHttpMetadata: { HttpStatusCode: 200 },
    SdkResponseMetadata: {},
    StatusCode: 200,
  };
}
