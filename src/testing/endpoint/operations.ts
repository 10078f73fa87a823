/**
 * The Step Functions API's operations, each as AWS answers it: its fields checked, its errors with
 * AWS's codes and messages, its answer shaped as the API reference and AWS's recorded answers show.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_Operations.html
 */
import { randomUUID } from 'crypto';
import { ACCOUNT, REGION, arnKind, checkName, expectArn, normalArn, stateMachineArn } from './arns';
import { page, Params } from './params';
import { ApiError, ApiRequest, invalidField } from './protocol';
import { ExecutionRecord, MachineRecord, MachineType, StepFunctionsService } from './service';
import { testState } from './test-state';
import { DefinitionError, EngineError, validateDefinition } from '../../engine';
import { expressProblems } from '../../engine/definition';

const MAX_DEFINITION = 1_048_576;
const MAX_DATA = 262_144;
const STATUSES = ['SUCCEEDED', 'TIMED_OUT', 'PENDING_REDRIVE', 'ABORTED', 'FAILED', 'RUNNING'] as const;

type Operation = (p: Params, service: StepFunctionsService, request: ApiRequest, gone: Promise<void>) => object | Promise<object>;

/** A definition's problems, or none: AWS's check before it creates or updates a state machine. */
export function definitionProblems(text: string, type: MachineType): Array<{ code: string; message: string; location?: string }> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return [{ code: 'INVALID_JSON_DESCRIPTION', message: (e as Error).message }];
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return [{ code: 'SCHEMA_VALIDATION_FAILED', message: 'Definition must be a valid JSON object' }];
  const required = ['States', 'StartAt'].filter(f => !(f in (parsed as object)));
  if (required.length > 0) return [{ code: 'SCHEMA_VALIDATION_FAILED', message: `These fields are required: [${required.join(', ')}]`, location: '/' }];
  try {
    const graph = validateDefinition(parsed);
    if (type === 'EXPRESS') return expressProblems(graph).map(message => ({ code: 'SCHEMA_VALIDATION_FAILED', message }));
    return [];
  } catch (e) {
    if (e instanceof DefinitionError) return e.problems.map(message => ({ code: 'SCHEMA_VALIDATION_FAILED', message }));
    if (e instanceof EngineError) return [{ code: 'SCHEMA_VALIDATION_FAILED', message: e.message }];
    throw e;
  }
}

function checkDefinition(text: string, type: MachineType): object {
  const problems = definitionProblems(text, type);
  if (problems.length > 0) {
    throw new ApiError('InvalidDefinition', `Invalid State Machine Definition: '${problems.map(p => `${p.code}: ${p.message}${p.location ? ` at ${p.location}` : ''}`).join(', ')}'`);
  }
  return JSON.parse(text);
}

/** An execution input or task output: JSON text within AWS's size. */
function jsonText(p: Params, field: string, fallback: string | undefined, error: { code: string; prefix: string }): string {
  const text = p.string(field) ?? fallback;
  if (text === undefined) throw invalidField(field, null, 'Member must not be null');
  if (Buffer.byteLength(text, 'utf8') > MAX_DATA) throw invalidField(field, `${text.slice(0, 32)}…`, `Member must have length less than or equal to ${MAX_DATA}`);
  if (text.trim() === '') throw new ApiError(error.code, `${error.prefix}: 'Invalid execution input.'`);
  try {
    JSON.parse(text);
  } catch (e) {
    throw new ApiError(error.code, `${error.prefix}: '${(e as Error).message}'`);
  }
  return text;
}

const INPUT_ERROR = { code: 'InvalidExecutionInput', prefix: 'Invalid State Machine Execution Input' };
const OUTPUT_ERROR = { code: 'InvalidOutput', prefix: 'Invalid Output' };

function machineArnOf(p: Params, field = 'stateMachineArn'): string {
  const arn = p.required(field, { min: 1, max: 256 });
  expectArn(arn, field, 'stateMachine');
  return normalArn(arn);
}

function executionArnOf(p: Params, field = 'executionArn'): string {
  const arn = p.required(field, { min: 1, max: 256 });
  // AWS keeps no history of an Express execution: DescribeExecution, GetExecutionHistory and StopExecution refuse its ARN (recorded).
  expectArn(arn, field, 'execution');
  return normalArn(arn);
}

function describeMachine(m: MachineRecord): object {
  return {
    stateMachineArn: m.arn,
    name: m.name,
    status: 'ACTIVE',
    definition: m.definition,
    roleArn: m.roleArn,
    type: m.type,
    creationDate: m.creationDate,
    loggingConfiguration: m.loggingConfiguration,
    tracingConfiguration: m.tracingConfiguration,
    encryptionConfiguration: { type: 'AWS_OWNED_KEY' },
    ...(m.revisionId ? { revisionId: m.revisionId } : {}),
    ...(m.description ? { description: m.description } : {}),
  };
}

function redrive(e: ExecutionRecord): object {
  if (e.status === 'RUNNING' || e.status === 'SUCCEEDED') {
    return { redriveCount: 0, redriveStatus: 'NOT_REDRIVABLE', redriveStatusReason: `Execution is ${e.status} and cannot be redriven` };
  }
  return { redriveCount: 0, redriveStatus: 'REDRIVABLE' };
}

function describeExecution(e: ExecutionRecord): object {
  return {
    executionArn: e.arn,
    stateMachineArn: e.machine.arn,
    name: e.name,
    status: e.status,
    startDate: e.startDate,
    ...(e.stopDate ? { stopDate: e.stopDate } : {}),
    input: e.input,
    inputDetails: { included: true },
    ...(e.output !== undefined ? { output: e.output, outputDetails: { included: true } } : {}),
    ...(e.error !== undefined ? { error: e.error } : {}),
    ...(e.cause !== undefined ? { cause: e.cause } : {}),
    ...redrive(e),
  };
}

/** The name of a new execution: the one given, or a UUID as AWS gives. */
function executionName(p: Params): string {
  const name = p.string('name', { min: 1, max: 80 });
  return name === undefined ? randomUUID() : checkName(name);
}

/** `arn#TestCase`: the state machine and the test case of the mock configuration file. */
function withTestCase(p: Params): { arn: string; testCase?: string } {
  const raw = p.required('stateMachineArn', { min: 1, max: 256 });
  const at = raw.indexOf('#');
  if (at < 0) return { arn: machineArnOf(p) };
  const arn = raw.slice(0, at);
  expectArn(arn, 'stateMachineArn', 'stateMachine');
  return { arn: normalArn(arn), testCase: raw.slice(at + 1) };
}

function tagsOf(list: unknown[] | undefined): Array<[string, string]> {
  return (list ?? []).map((t, i) => {
    const tag = t as { key?: unknown; value?: unknown };
    if (typeof tag?.key !== 'string' || tag.key.length < 1 || tag.key.length > 128) throw invalidField(`tags.${i + 1}.member.key`, tag?.key, 'Member must have length between 1 and 128');
    if (tag.value !== undefined && (typeof tag.value !== 'string' || tag.value.length > 256)) throw invalidField(`tags.${i + 1}.member.value`, tag.value, 'Member must have length less than or equal to 256');
    return [tag.key, (tag.value as string | undefined) ?? ''];
  });
}

function taggable(service: StepFunctionsService, raw: string): string {
  const arn = normalArn(raw);
  const kind = arnKind(raw, 'resourceArn');
  const exists = kind === 'stateMachine' ? service.machines.has(arn) : kind === 'activity' ? service.activities.activities.has(arn) : false;
  if (!exists) throw new ApiError('ResourceNotFound', `Resource not found: '${raw}'`);
  return arn;
}

function task(service: StepFunctionsService, p: Params) {
  const token = p.required('taskToken', { min: 1, max: 2048 });
  const answer = service.tokens.get(token);
  if (!answer) throw new ApiError('InvalidToken', "Invalid Token: 'Invalid token'");
  return answer;
}

const TASK_GONE = () => new ApiError('TaskTimedOut', "Task Timed Out: 'Provided task does not exist anymore'");

export const OPERATIONS: Record<string, Operation> = {
  CreateStateMachine: (p, service) => {
    const name = checkName(p.required('name', { min: 1, max: 80 }));
    const text = p.required('definition', { min: 1, max: MAX_DEFINITION });
    const type = p.oneOf('type', ['STANDARD', 'EXPRESS'] as const) ?? 'STANDARD';
    const roleArn = p.required('roleArn', { min: 1, max: 256 });
    const logging = p.object('loggingConfiguration') ?? { level: 'OFF', includeExecutionData: false };
    const tracing = p.object('tracingConfiguration') ?? { enabled: false };
    const arn = stateMachineArn(name);
    const existing = service.machines.get(arn);
    // The same name and the very same definition text is the same state machine (recorded); anything else is a clash.
    if (existing) {
      if (existing.definition === text && existing.type === type) return { stateMachineArn: arn, creationDate: existing.creationDate };
      throw new ApiError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`);
    }
    const asl = checkDefinition(text, type);
    const record: MachineRecord = {
      arn, name, type, definition: text, asl, roleArn, creationDate: new Date(), loggingConfiguration: logging, tracingConfiguration: tracing,
    };
    service.machines.set(arn, record);
    const tags = tagsOf(p.list('tags'));
    if (tags.length > 0) service.tags.set(arn, new Map(tags));
    return { stateMachineArn: arn, creationDate: record.creationDate };
  },

  DescribeStateMachine: (p, service) => describeMachine(service.machine(machineArnOf(p))),

  ListStateMachines: (p, service) => {
    const machines = [...service.machines.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const { items, nextToken } = page(machines, p.paging());
    return { stateMachines: items.map(m => ({ stateMachineArn: m.arn, name: m.name, type: m.type, creationDate: m.creationDate })), ...(nextToken ? { nextToken } : {}) };
  },

  UpdateStateMachine: (p, service) => {
    const machine = service.machine(machineArnOf(p));
    const text = p.string('definition', { min: 1, max: MAX_DEFINITION });
    const roleArn = p.string('roleArn', { min: 1, max: 256 });
    const logging = p.object('loggingConfiguration');
    const tracing = p.object('tracingConfiguration');
    if (text === undefined && roleArn === undefined && logging === undefined && tracing === undefined) {
      throw new ApiError('MissingRequiredParameter', 'Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified');
    }
    const asl = text !== undefined ? checkDefinition(text, machine.type) : undefined;
    const changed = (text !== undefined && text !== machine.definition) || (roleArn !== undefined && roleArn !== machine.roleArn)
      || logging !== undefined || tracing !== undefined || machine.revisionId === undefined;
    if (text !== undefined) Object.assign(machine, { definition: text, asl });
    if (roleArn !== undefined) machine.roleArn = roleArn;
    if (logging) machine.loggingConfiguration = logging;
    if (tracing) machine.tracingConfiguration = tracing;
    if (changed) {
      machine.revisionId = randomUUID();
      machine.updateDate = new Date();
    }
    return { updateDate: machine.updateDate, revisionId: machine.revisionId };
  },

  DeleteStateMachine: (p, service) => {
    const arn = machineArnOf(p);
    // Deleting a state machine that is not there is no error (recorded); its running executions go on.
    service.machines.delete(arn);
    service.tags.delete(arn);
    return {};
  },

  ValidateStateMachineDefinition: p => {
    const text = p.required('definition', { min: 1, max: MAX_DEFINITION });
    const type = p.oneOf('type', ['STANDARD', 'EXPRESS'] as const) ?? 'STANDARD';
    const max = p.integer('maxResults', 0, 100) || 100;
    const diagnostics = definitionProblems(text, type).map(d => ({ severity: 'ERROR', ...d }));
    return { result: diagnostics.length === 0 ? 'OK' : 'FAIL', diagnostics: diagnostics.slice(0, max), truncated: diagnostics.length > max };
  },

  StartExecution: (p, service) => {
    const { arn, testCase } = withTestCase(p);
    const machine = service.machine(arn);
    const name = executionName(p);
    const input = jsonText(p, 'input', '{}', INPUT_ERROR);
    if (machine.type === 'STANDARD') {
      const existing = service.executions.get(`arn:aws:states:${REGION}:${ACCOUNT}:execution:${machine.name}:${name}`);
      if (existing) {
        // The same name and input while it runs is the same execution (recorded); closed, or another input, is a clash.
        if (existing.status === 'RUNNING' && existing.input === input) return { executionArn: existing.arn, startDate: existing.startDate };
        throw new ApiError('ExecutionAlreadyExists', `Execution Already Exists: '${existing.arn}'`);
      }
    }
    const record = service.start(machine, name, input, { sync: false, testCase });
    return { executionArn: record.arn, startDate: record.startDate };
  },

  StartSyncExecution: async (p, service) => {
    const { arn, testCase } = withTestCase(p);
    const machine = service.machine(arn);
    if (machine.type !== 'EXPRESS') throw new ApiError('StateMachineTypeNotSupported', 'This operation is not supported by this type of state machine');
    const name = executionName(p);
    const input = jsonText(p, 'input', '{}', INPUT_ERROR);
    const record = service.start(machine, name, input, { sync: true, testCase });
    await record.done;
    const ms = (record.stopDate ?? new Date()).getTime() - record.startDate.getTime();
    return {
      executionArn: record.arn,
      stateMachineArn: machine.arn,
      name,
      startDate: record.startDate,
      stopDate: record.stopDate,
      status: record.status,
      ...(record.error !== undefined ? { error: record.error } : {}),
      ...(record.cause !== undefined ? { cause: record.cause } : {}),
      input,
      inputDetails: { included: true },
      ...(record.output !== undefined ? { output: record.output } : {}),
      outputDetails: { included: true },
      billingDetails: { billedMemoryUsedInMB: 64, billedDurationInMilliseconds: Math.max(100, Math.ceil(ms / 100) * 100) },
    };
  },

  DescribeExecution: (p, service) => describeExecution(service.execution(executionArnOf(p))),

  DescribeStateMachineForExecution: (p, service) => {
    const e = service.execution(executionArnOf(p));
    const m = e.machine;
    return {
      stateMachineArn: m.arn,
      name: m.name,
      definition: e.definition,
      roleArn: m.roleArn,
      updateDate: m.updateDate ?? m.creationDate,
      loggingConfiguration: m.loggingConfiguration,
      tracingConfiguration: m.tracingConfiguration,
      encryptionConfiguration: { type: 'AWS_OWNED_KEY' },
      ...(m.revisionId ? { revisionId: m.revisionId } : {}),
    };
  },

  ListExecutions: (p, service) => {
    const arn = machineArnOf(p);
    const machine = service.machine(arn);
    if (machine.type === 'EXPRESS') throw new ApiError('StateMachineTypeNotSupported', 'This operation is not supported by this type of state machine');
    const status = p.oneOf('statusFilter', STATUSES);
    const paging = { maxResults: p.integer('maxResults', 0, 1000) || 100, nextToken: p.string('nextToken', { min: 1, max: 3096 }) };
    const all = [...service.executions.values()]
      .filter(e => e.machine.arn === arn && (status === undefined || e.status === status))
      .reverse();
    const { items, nextToken } = page(all, paging);
    return {
      executions: items.map(e => ({
        executionArn: e.arn, stateMachineArn: arn, name: e.name, status: e.status, startDate: e.startDate, ...(e.stopDate ? { stopDate: e.stopDate } : {}), redriveCount: 0,
      })),
      ...(nextToken ? { nextToken } : {}),
    };
  },

  GetExecutionHistory: (p, service) => {
    const e = service.execution(executionArnOf(p));
    const reverse = p.boolean('reverseOrder') ?? false;
    const withData = p.boolean('includeExecutionData') ?? true;
    const events = reverse ? [...e.events].reverse() : [...e.events];
    const { items, nextToken } = page(events, p.paging());
    return { events: items.map(event => (withData ? event : withoutData(event))), ...(nextToken ? { nextToken } : {}) };
  },

  StopExecution: (p, service) => {
    const e = service.execution(executionArnOf(p));
    const error = p.string('error', { max: 256 });
    const cause = p.string('cause', { max: 32_768 });
    e.live?.stop(error, cause);
    return { stopDate: e.stopDate ?? new Date() };
  },

  SendTaskSuccess: (p, service) => {
    const answer = task(service, p);
    const output = jsonText(p, 'output', undefined, OUTPUT_ERROR);
    if (!answer.succeed(JSON.parse(output))) throw TASK_GONE();
    return {};
  },

  SendTaskFailure: (p, service) => {
    const answer = task(service, p);
    const error = p.string('error', { max: 256 });
    const cause = p.string('cause', { max: 32_768 });
    if (!answer.fail(error, cause)) throw TASK_GONE();
    return {};
  },

  SendTaskHeartbeat: (p, service) => {
    if (!task(service, p).heartbeat()) throw TASK_GONE();
    return {};
  },

  CreateActivity: (p, service) => {
    const activity = service.activities.create(checkName(p.required('name', { min: 1, max: 80 })), new Date());
    const tags = tagsOf(p.list('tags'));
    if (tags.length > 0) service.tags.set(activity.arn, new Map(tags));
    return { activityArn: activity.arn, creationDate: activity.creationDate };
  },

  DescribeActivity: (p, service) => {
    const arn = p.required('activityArn', { min: 1, max: 256 });
    expectArn(arn, 'activityArn', 'activity');
    const a = service.activities.get(normalArn(arn));
    return { activityArn: a.arn, name: a.name, creationDate: a.creationDate, encryptionConfiguration: { type: 'AWS_OWNED_KEY' } };
  },

  ListActivities: (p, service) => {
    const { items, nextToken } = page([...service.activities.activities.values()], p.paging());
    return { activities: items.map(a => ({ activityArn: a.arn, name: a.name, creationDate: a.creationDate })), ...(nextToken ? { nextToken } : {}) };
  },

  DeleteActivity: (p, service) => {
    const arn = p.required('activityArn', { min: 1, max: 256 });
    expectArn(arn, 'activityArn', 'activity');
    service.activities.delete(normalArn(arn));
    return {};
  },

  GetActivityTask: async (p, service, _request, gone) => {
    const arn = p.required('activityArn', { min: 1, max: 256 });
    expectArn(arn, 'activityArn', 'activity');
    const worker = p.string('workerName', { min: 1, max: 80 });
    const given = await service.activities.poll(normalArn(arn), worker, gone);
    return given ? { taskToken: given.token, input: given.input } : {};
  },

  ListMapRuns: (p, service) => {
    const e = service.execution(executionArnOf(p));
    const { items, nextToken } = page(e.mapRuns, p.paging());
    return {
      mapRuns: items.map(r => ({
        executionArn: e.arn, mapRunArn: r.mapRunArn, stateMachineArn: `${e.machine.arn}/${r.mapRunArn.split('/')[1].split(':')[0]}`, startDate: r.startDate, stopDate: r.stopDate,
      })),
      ...(nextToken ? { nextToken } : {}),
    };
  },

  DescribeMapRun: (p, service) => {
    const arn = p.required('mapRunArn', { min: 1, max: 2000 });
    expectArn(arn, 'mapRunArn', 'mapRun');
    for (const e of service.executions.values()) {
      const run = e.mapRuns.find(r => r.mapRunArn === normalArn(arn));
      if (!run) continue;
      const counts = (c: typeof run.itemCounts, written: number) => ({ ...c, running: 0, resultsWritten: written, failuresNotRedrivable: 0, pendingRedrive: 0 });
      return {
        mapRunArn: run.mapRunArn,
        executionArn: e.arn,
        status: run.status,
        startDate: run.startDate,
        stopDate: run.stopDate,
        maxConcurrency: run.maxConcurrency,
        toleratedFailureCount: run.toleratedFailureCount,
        toleratedFailurePercentage: run.toleratedFailurePercentage,
        itemCounts: counts(run.itemCounts, run.resultsWritten),
        executionCounts: counts(run.executionCounts, run.resultsWritten > 0 ? run.executions.length : 0),
        redriveCount: 0,
      };
    }
    throw new ApiError('ResourceNotFound', `Resource not found: '${arn}'`);
  },

  TagResource: (p, service) => {
    const arn = taggable(service, p.required('resourceArn', { min: 1, max: 256 }));
    const tags = service.tags.get(arn) ?? new Map<string, string>();
    for (const [k, v] of tagsOf(p.list('tags'))) tags.set(k, v);
    service.tags.set(arn, tags);
    return {};
  },

  UntagResource: (p, service) => {
    const arn = taggable(service, p.required('resourceArn', { min: 1, max: 256 }));
    for (const key of p.list('tagKeys') ?? []) service.tags.get(arn)?.delete(String(key));
    return {};
  },

  ListTagsForResource: (p, service) => {
    const arn = taggable(service, p.required('resourceArn', { min: 1, max: 256 }));
    return { tags: [...(service.tags.get(arn) ?? new Map()).entries()].map(([key, value]) => ({ key, value })) };
  },

  TestState: (p, service) => testState(p, service),
};

/** An event without its input and output (`includeExecutionData: false`). */
function withoutData(event: object): object {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(event)) {
    if (v !== null && typeof v === 'object' && !(v instanceof Date) && k.endsWith('EventDetails')) {
      const { input: _i, output: _o, inputDetails: _id, outputDetails: _od, ...rest } = v as Record<string, unknown>;
      out[k] = rest;
    } else {
      out[k] = v;
    }
  }
  return out;
}
