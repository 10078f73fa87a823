/**
 * The operations on state machines, activities and tags.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_Operations.html
 */
import { randomUUID } from 'crypto';
import { activityArn, arnKind, checkName, expectArn, normalArn, stateMachineArn } from './arns';
import { AFTER_SEND, machineArnOf, MAX_DEFINITION, Operation } from './operation';
import { page } from './params';
import { ApiError, invalidField } from './protocol';
import { MachineRecord, MachineType, StepFunctionsService } from './service';
import { testState } from './test-state';
import { DefinitionError, EngineError, validateDefinition } from '../../engine';
import { expressProblems } from '../../engine/definition';

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

/** The most tags a resource takes. @see https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html */
const MAX_TAGS = 50;

function tooManyTags(arn: string, count: number): ApiError {
  return new ApiError('TooManyTags', `Too many tags: a resource takes at most ${MAX_TAGS}, and '${arn}' would have ${count}`);
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

export const MACHINE_OPERATIONS: Record<string, Operation> = {
  CreateStateMachine: (p, service) => {
    const name = checkName(p.required('name', { min: 1, max: 80 }));
    const text = p.required('definition', { min: 1, max: MAX_DEFINITION });
    const type = p.oneOf('type', ['STANDARD', 'EXPRESS'] as const) ?? 'STANDARD';
    const roleArn = p.required('roleArn', { min: 1, max: 256 });
    const logging = p.object('loggingConfiguration') ?? { level: 'OFF', includeExecutionData: false };
    const tracing = p.object('tracingConfiguration') ?? { enabled: false };
    const arn = stateMachineArn(name);
    const tags = new Map(tagsOf(p.list('tags')));
    if (tags.size > MAX_TAGS) throw tooManyTags(arn, tags.size);
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
    if (tags.size > 0) service.tags.set(arn, tags);
    return { stateMachineArn: arn, creationDate: record.creationDate };
  },

  DescribeStateMachine: (p, service) => describeMachine(service.machine(machineArnOf(p))),

  ListStateMachines: (p, service) => {
    const machines = [...service.machines.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const { items, nextToken } = page(machines, p.paging(), 'ListStateMachines', m => m.name);
    const stateMachines = items.map(m => ({ stateMachineArn: m.arn, name: m.name, type: m.type, creationDate: m.creationDate }));
    return { stateMachines, ...(nextToken ? { nextToken } : {}) };
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

  CreateActivity: (p, service) => {
    const name = checkName(p.required('name', { min: 1, max: 80 }));
    const tags = new Map(tagsOf(p.list('tags')));
    if (tags.size > MAX_TAGS) throw tooManyTags(activityArn(name), tags.size);
    const activity = service.activities.create(name, new Date());
    if (tags.size > 0) service.tags.set(activity.arn, tags);
    return { activityArn: activity.arn, creationDate: activity.creationDate };
  },

  DescribeActivity: (p, service) => {
    const arn = p.required('activityArn', { min: 1, max: 256 });
    expectArn(arn, 'activityArn', 'activity');
    const a = service.activities.get(normalArn(arn));
    return { activityArn: a.arn, name: a.name, creationDate: a.creationDate, encryptionConfiguration: { type: 'AWS_OWNED_KEY' } };
  },

  ListActivities: (p, service) => {
    const { items, nextToken } = page([...service.activities.activities.values()], p.paging(), 'ListActivities', a => a.seq);
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
    if (!given) return {};
    const delivered = (sent: boolean) => service.activities.delivered(normalArn(arn), given, worker, sent);
    return { taskToken: given.token, input: given.input, [AFTER_SEND]: delivered };
  },

  TagResource: (p, service) => {
    const arn = taggable(service, p.required('resourceArn', { min: 1, max: 256 }));
    const tags = new Map(service.tags.get(arn) ?? []);
    for (const [k, v] of tagsOf(p.list('tags'))) tags.set(k, v);
    if (tags.size > MAX_TAGS) throw tooManyTags(arn, tags.size);
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
