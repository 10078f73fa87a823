/**
 * The operations on executions and their tasks: start (and start and wait), describe, list, history,
 * stop, the answers to a task token, map runs.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_Operations.html
 */
import { randomUUID } from 'crypto';
import { ACCOUNT, REGION, checkName, expectArn, normalArn } from './arns';
import { machineArnOf, MAX_DATA, Operation } from './operation';
import { page, Params } from './params';
import { ApiError, invalidField } from './protocol';
import { ExecutionRecord } from './service';
import { executionArnOf as arnOfExecution } from '../../engine/run-context';

const STATUSES = ['SUCCEEDED', 'TIMED_OUT', 'PENDING_REDRIVE', 'ABORTED', 'FAILED', 'RUNNING'] as const;

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
function executionArnOf(p: Params, field = 'executionArn'): string {
  const arn = p.required(field, { min: 1, max: 256 });
  // AWS keeps no history of an Express execution: DescribeExecution, GetExecutionHistory and StopExecution refuse its ARN (recorded).
  expectArn(arn, field, 'execution');
  return normalArn(arn);
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

const tokenOf = (p: Params) => p.required('taskToken', { min: 1, max: 2048 });

export const EXECUTION_OPERATIONS: Record<string, Operation> = {
  StartExecution: (p, service) => {
    const { arn, testCase } = withTestCase(p);
    const machine = service.machine(arn);
    const name = executionName(p);
    const input = jsonText(p, 'input', '{}', INPUT_ERROR);
    p.string('traceHeader', { max: 256 });
    if (machine.type === 'STANDARD') {
      const existing = service.executions.get(arnOfExecution('STANDARD', REGION, ACCOUNT, machine.name, name, () => ''));
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
    p.string('traceHeader', { max: 256 });
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
    const { items, nextToken } = page(all, paging, `ListExecutions ${arn} ${status ?? ''}`, e => -e.seq);
    return {
      executions: items.map(e => ({
        executionArn: e.arn,
        stateMachineArn: arn,
        name: e.name,
        status: e.status,
        startDate: e.startDate,
        ...(e.stopDate ? { stopDate: e.stopDate } : {}),
        redriveCount: 0,
      })),
      ...(nextToken ? { nextToken } : {}),
    };
  },

  GetExecutionHistory: (p, service) => {
    const e = service.execution(executionArnOf(p));
    const reverse = p.boolean('reverseOrder') ?? false;
    const withData = p.boolean('includeExecutionData') ?? true;
    const events = reverse ? [...e.events].reverse() : [...e.events];
    const { items, nextToken } = page(events, p.paging(), `GetExecutionHistory ${e.arn} ${reverse}`, event => (reverse ? -event.id : event.id));
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
    const token = tokenOf(p);
    const output = jsonText(p, 'output', undefined, OUTPUT_ERROR);
    service.answerTask(token, answer => answer.succeed(JSON.parse(output)));
    return {};
  },

  SendTaskFailure: (p, service) => {
    const token = tokenOf(p);
    const error = p.string('error', { max: 256 });
    const cause = p.string('cause', { max: 32_768 });
    service.answerTask(token, answer => answer.fail(error, cause));
    return {};
  },

  SendTaskHeartbeat: (p, service) => {
    service.answerTask(tokenOf(p), answer => answer.heartbeat());
    return {};
  },

  ListMapRuns: (p, service) => {
    const e = service.execution(executionArnOf(p));
    const { items, nextToken } = page(e.mapRuns, p.paging(), `ListMapRuns ${e.arn}`, r => e.mapRuns.indexOf(r));
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
      const counts = (c: typeof run.itemCounts, written: number) => ({
        ...c, running: 0, resultsWritten: written, failuresNotRedrivable: 0, pendingRedrive: 0,
      });
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
