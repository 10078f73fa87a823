/**
 * Step Functions' own integrations, answered by the engine: a task that starts a state machine of the
 * run (request-response, `.sync`, `.sync:2`, `startSyncExecution`) runs it as a child execution, and
 * DescribeMapRun reads a map run of this execution.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/connect-stepfunctions.html
 */
import { StatesError } from './errors';
import { executionArnOf } from './run-context';
import type { ExecutionContext as Execution, StateContext as StateRun } from './run-context';
import type { Scope } from './scheduler';
import type { TaskRequest } from './types';

/** What a nested execution needs to know of its task's Resource. */
interface Resource {
  readonly pattern: TaskRequest['pattern'];
  /** The API and its suffix: `startExecution.sync:2`. */
  readonly resourceName: string;
  readonly base: string;
}

const START_EXECUTION = /^arn:[^:]+:states:::states:startExecution$/;
const START_SYNC_EXECUTION = /^arn:[^:]+:states:::aws-sdk:sfn:startSyncExecution$/;

/** The state machine a task starts, when the run holds its definition (and no handler is given for the state itself). */
export function nestedTarget(ex: Execution, base: string, params: Record<string, unknown> | null, state: string): string | undefined {
  if (!START_EXECUTION.test(base) && !START_SYNC_EXECUTION.test(base)) return undefined;
  if (Object.prototype.hasOwnProperty.call(ex.options.tasks ?? {}, state)) return undefined;
  const arn = params?.StateMachineArn;
  return typeof arn === 'string' && ex.options.stateMachines?.[arn] ? arn : undefined;
}

/**
 * Starts a state machine of the run on the engine: request-response returns at once (the child runs
 * on), `.sync` and `.sync:2` wait for it, `startSyncExecution` waits for an Express child.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/connect-stepfunctions.html
 */
export async function runNested(
  ex: Execution, run: StateRun, res: Resource, arn: string, params: Record<string, unknown>, onStarted: (started: Record<string, unknown>) => void,
): Promise<unknown> {
  const target = ex.options.stateMachines![arn];
  const graph = ex.definitionOf(target.definition, arn);
  const type = target.type ?? 'STANDARD';
  const syncExpress = START_SYNC_EXECUTION.test(res.base);
  if (syncExpress && type !== 'EXPRESS') {
    throw new StatesError('StepFunctions.InvalidArnException', `startSyncExecution needs an Express state machine; ${arn} is Standard.`);
  }
  let input: unknown = params.Input ?? {};
  if (typeof input === 'string') {
    try {
      input = JSON.parse(input);
    } catch {
      throw new StatesError('StepFunctions.InvalidExecutionInputException', `Invalid State Machine Execution Input: '${input}'`);
    }
  }
  const name = typeof params.Name === 'string' ? params.Name : ex.random.uuid();
  const machine = arn.split(':').pop();
  const [, , , region, account] = arn.split(':');
  const executionArn = executionArnOf(type, region, account, machine!, name, () => ex.random.uuid());
  const startedWith = syncExpress ? 'StartSyncExecution' : 'StartExecution';
  const start = (scope: Scope) => ex.child(graph, { input, type, executionName: name, startedWith }, scope, executionArn, arn);
  const startDate = ex.sched.now;
  if (res.pattern === 'request-response' && !syncExpress) {
    const child = ex.sched.spawn(() => start(ex.rootScope)).then(r => {
      ex.children.push(r);
      return r;
    });
    ex.detached.push(child);
    return { ExecutionArn: executionArn, StartDate: startDate };
  }
  if (!syncExpress) onStarted({ ExecutionArn: executionArn, StartDate: startDate });
  const [settled] = await ex.sched.all([() => start(run.currentThread.scope.child())]);
  if (settled.status === 'rejected') throw settled.reason;
  const result = settled.value;
  ex.children.push(result);
  const objects = res.resourceName.endsWith('.sync:2');
  const described: Record<string, unknown> = {
    ExecutionArn: result.executionArn,
    Input: objects ? input : JSON.stringify(input),
    InputDetails: { Included: true },
    Name: name,
    ...(result.status === 'SUCCEEDED' ? { Output: objects ? result.output : JSON.stringify(result.output), OutputDetails: { Included: true } } : {}),
    ...(result.error !== undefined ? { Error: result.error } : {}),
    ...(result.cause !== undefined ? { Cause: result.cause } : {}),
    StartDate: result.startDate.getTime(),
    StateMachineArn: arn,
    Status: result.status,
    StopDate: result.stopDate.getTime(),
  };
  if (syncExpress) {
    const duration = result.stopDate.getTime() - result.startDate.getTime();
    const billed = Math.max(100, Math.ceil(duration / 100) * 100);
    return { BillingDetails: { BilledDurationInMilliseconds: billed, BilledMemoryUsedInMB: 64 }, ...described };
  }
  if (result.status !== 'SUCCEEDED') throw new StatesError('States.TaskFailed', JSON.stringify(described));
  return described;
}

const DESCRIBE_MAP_RUN = /^arn:[^:]+:states:::aws-sdk:sfn:describeMapRun$/;

/** DescribeMapRun of a map run of this execution, answered by the engine itself (unless the state has its own handler). */
export function describeMapRun(ex: Execution, base: string, params: Record<string, unknown> | null, state: string): unknown {
  if (!DESCRIBE_MAP_RUN.test(base) || Object.prototype.hasOwnProperty.call(ex.options.tasks ?? {}, state)) return undefined;
  const run = ex.mapRuns.find(r => r.mapRunArn === params?.MapRunArn);
  if (!run) return undefined;
  const counts = (c: typeof run.itemCounts, written?: number) => ({
    Aborted: c.aborted,
    Failed: c.failed,
    FailuresNotRedrivable: 0,
    Pending: c.pending,
    PendingRedrive: 0,
    ...(written !== undefined ? { ResultsWritten: written } : {}),
    Running: 0,
    Succeeded: c.succeeded,
    TimedOut: c.timedOut,
    Total: c.total,
  });
  return {
    ExecutionArn: ex.executionArn,
    ExecutionCounts: counts(run.executionCounts, run.resultsWritten === 0 ? 0 : run.executionCounts.total - run.executionCounts.pending),
    ItemCounts: counts(run.itemCounts, run.resultsWritten),
    MapRunArn: run.mapRunArn,
    MaxConcurrency: run.maxConcurrency,
    RedriveCount: 0,
    StartDate: run.startDate.toISOString(),
    Status: run.status,
    StopDate: run.stopDate.toISOString(),
    ToleratedFailureCount: run.toleratedFailureCount,
    ToleratedFailurePercentage: run.toleratedFailurePercentage,
  };
}
