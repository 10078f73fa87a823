/**
 * What the endpoint holds and runs: state machines (the app's, and those created through the API),
 * their executions on the engine, task tokens waiting for SendTaskSuccess, activities and tags. All
 * in memory, for the endpoint's life.
 */
import { randomUUID } from 'crypto';
import { ActivityRecord, ActivityTaskQueue } from './activities';
import { ACCOUNT, activityArn, stateMachineArn } from './arns';
import { MockConfig, MockConfigError, MockedResponse } from './mock-config';
import { ApiError } from './protocol';
import {
  ChildStateMachine, EngineBudgetError, EngineSetupError, EngineUnsupportedError, execute, ExecutionResult, HistoryEvent, LiveExecution,
  LocalS3, MapRunRecord, TaskAnswer, TaskOutcome, TaskRequest,
} from '../../engine';
import { placeholderFor } from '../asl';
import { appBuckets, AssemblyStateMachine, stackTemplates, stateMachinesIn } from '../assembly';
import { functionsFor, workflowKindOf } from '../execution';
import { FunctionSandbox } from '../function-sandbox';
import { HTTP_INVOKE, httpInvokeHandler } from '../http';
import { allStates, handlerKeyOf, HarnessError, taskCallOf, TaskHandler } from '../local-execution';
import type { Mocks } from '../mocks';
import { OfflineAws } from '../offline-aws';

export type MachineType = 'STANDARD' | 'EXPRESS';

export interface MachineRecord {
  readonly arn: string;
  readonly name: string;
  type: MachineType;
  /** The definition as given (AWS compares and returns it as text). */
  definition: string;
  asl: object;
  roleArn: string;
  readonly creationDate: Date;
  updateDate?: Date;
  revisionId?: string;
  description?: string;
  loggingConfiguration: Record<string, unknown>;
  tracingConfiguration: Record<string, unknown>;
  /** The construct path, for a state machine of the app. */
  readonly path?: string;
}

export interface ExecutionRecord {
  /** The order it started in (paging lists by it). */
  readonly seq: number;
  readonly arn: string;
  readonly name: string;
  readonly machine: MachineRecord;
  /** The definition it runs (an update does not change a running execution). */
  readonly definition: string;
  readonly type: MachineType;
  readonly input: string;
  readonly startDate: Date;
  status: 'RUNNING' | ExecutionResult['status'];
  stopDate?: Date;
  output?: string;
  error?: string;
  cause?: string;
  /** The history so far. */
  events: readonly HistoryEvent[];
  mapRuns: readonly MapRunRecord[];
  live?: LiveExecution;
  /** Settles when the execution has ended. */
  done: Promise<void>;
  /** How many times each state was invoked (a mock configuration file's answers are by invocation). */
  readonly invocations: Map<string, number>;
}

/** How the endpoint runs what it holds. */
export interface ServiceOptions {
  /** The cloud assembly whose state machines are there at start. @default none */
  readonly assemblyDir?: string;
  /** The `run` command's mocks (by state name, by resource; callback decisions) for every execution. */
  readonly mocks?: Mocks;
  /** Step Functions Local's test cases, selected with `<stateMachineArn>#<TestCase>`. */
  readonly mockConfig?: MockConfig;
  readonly s3?: LocalS3;
  /** Real time (the wall clock) or virtual time. @default 'real' */
  readonly time?: 'real' | 'virtual';
  readonly httpEndpoints?: Readonly<Record<string, string>>;
  /** How long GetActivityTask waits for a task. @default 60 */
  readonly activityPollSeconds?: number;
  /** Called when an execution has ended, with the S3 it may have written to. */
  readonly onEnded?: (s3: LocalS3) => void;
}

const DEFAULT_ROLE = `arn:aws:iam::${ACCOUNT}:role/LocalStepFunctionsRole`;

export class StepFunctionsService {
  readonly machines = new Map<string, MachineRecord>();
  readonly executions = new Map<string, ExecutionRecord>();
  /** Every execution still running, Express ones included (they are stopped with the endpoint). */
  private readonly running = new Set<ExecutionRecord>();
  readonly activities: ActivityTaskQueue;
  readonly tags = new Map<string, Map<string, string>>();
  /** Task tokens waiting for SendTaskSuccess, SendTaskFailure or SendTaskHeartbeat. */
  readonly tokens = new Map<string, TaskAnswer>();
  readonly offline: OfflineAws;
  readonly sandbox: FunctionSandbox;
  readonly s3: LocalS3;
  private readonly appFunctions: Record<string, TaskHandler> = {};
  private readonly integrations: Record<string, TaskHandler>;
  /** Placeholder ARNs of the app's state machines and activities, and the ARNs they have here. */
  private readonly renamed = new Map<string, string>();
  private closed = false;
  private started = 0;

  constructor(readonly options: ServiceOptions = {}) {
    this.activities = new ActivityTaskQueue(options.activityPollSeconds ?? 60);
    this.offline = new EndpointAws(this);
    // A function's worker idle for 30 seconds ends: the endpoint lives long, and its busiest moment must not stay in memory.
    this.sandbox = new FunctionSandbox(this.offline, 30_000);
    this.s3 = options.s3 ?? new LocalS3();
    const templates = options.assemblyDir ? stackTemplates(options.assemblyDir) : {};
    this.integrations = {
      ...this.offline.integrations(),
      [HTTP_INVOKE]: httpInvokeHandler(options.httpEndpoints ?? {}, Object.values(templates)),
    };
    if (options.assemblyDir) this.loadApp(options.assemblyDir, templates);
    // A mocked state that the app's state machine does not have is a mistake to tell at once, not a task that silently runs.
    const problems = [...this.machines.values()].flatMap(m => options.mockConfig?.problems(m.name, taskStatesOf(m)) ?? []);
    if (problems.length > 0) throw new MockConfigError(`the mock configuration file: ${problems.join('; ')}`);
  }

  /** The app's state machines and activities, under the names their templates give (else their logical ids). */
  private loadApp(assemblyDir: string, templates: ReturnType<typeof stackTemplates>): void {
    for (const template of Object.values(templates)) {
      this.offline.dynamodb.addTablesOf(template);
      for (const [id, resource] of Object.entries(template.Resources ?? {})) {
        if (resource.Type !== 'AWS::StepFunctions::Activity') continue;
        const name = typeof resource.Properties?.Name === 'string' ? resource.Properties.Name : id;
        this.renamed.set(placeholderFor(id, resource.Type), activityArn(name));
        this.activities.create(name, new Date());
      }
    }
    for (const bucket of appBuckets(templates)) this.s3.createBucket(bucket.name);
    const machines = stateMachinesIn(assemblyDir);
    for (const m of machines) {
      const given = (m.template.Resources?.[m.logicalId] as any)?.Properties?.StateMachineName;
      this.renamed.set(placeholderFor(m.logicalId, 'AWS::StepFunctions::StateMachine'), stateMachineArn(typeof given === 'string' ? given : m.logicalId));
    }
    for (const m of machines) {
      Object.assign(this.appFunctions, functionsFor(assemblyDir, m, this.sandbox));
      const asl = this.rename(m.asl) as object;
      const arn = this.renamed.get(placeholderFor(m.logicalId, 'AWS::StepFunctions::StateMachine'))!;
      const definition = JSON.stringify(asl);
      this.machines.set(arn, {
        arn,
        name: arn.split(':').pop()!,
        type: workflowKindOf(m as AssemblyStateMachine),
        definition,
        asl,
        roleArn: DEFAULT_ROLE,
        creationDate: new Date(),
        loggingConfiguration: { level: 'OFF', includeExecutionData: false },
        tracingConfiguration: { enabled: false },
        path: m.path,
      });
    }
  }

  /** Every placeholder ARN of an app's state machine or activity in a definition, as it is here. */
  private rename(value: unknown): unknown {
    if (typeof value === 'string') return this.renamed.get(value) ?? value;
    if (Array.isArray(value)) return value.map(v => this.rename(v));
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.rename(v)]));
    return value;
  }

  machine(arn: string): MachineRecord {
    const found = this.machines.get(arn);
    if (!found) throw new ApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return found;
  }

  execution(arn: string): ExecutionRecord {
    const found = this.executions.get(arn);
    if (!found) throw new ApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return found;
  }

  /** Starts an execution; `testCase` selects a test case of the mock configuration file. */
  start(machine: MachineRecord, name: string, input: string, how: { sync: boolean; testCase?: string }): ExecutionRecord {
    if (this.closed) throw new ApiError('ServiceUnavailable', 'The local endpoint is stopping', 503);
    const mocked = how.testCase !== undefined ? this.testCase(machine, how.testCase) : undefined;
    const startDate = new Date();
    const record: ExecutionRecord = {
      seq: ++this.started,
      arn: '',
      name,
      machine,
      definition: machine.definition,
      type: machine.type,
      input,
      startDate,
      status: 'RUNNING',
      events: [],
      mapRuns: [],
      done: Promise.resolve(),
      invocations: new Map(),
    };
    const run = execute(machine.asl, {
      input: JSON.parse(input),
      executionName: name,
      stateMachineName: machine.name,
      type: machine.type,
      startedWith: how.sync ? 'StartSyncExecution' : 'StartExecution',
      startTime: startDate,
      realTime: this.options.time !== 'virtual',
      activitiesFromOutside: true,
      s3: this.s3,
      stateMachines: this.children(),
      onTask: req => this.answer(req, mocked, record),
      onStart: live => {
        Object.assign(record, { arn: live.executionArn, live, events: live.events, mapRuns: live.mapRuns });
      },
    });
    record.done = run.then(result => this.finish(record, result), e => this.broke(record, e)).then(() => this.ended());
    // AWS keeps no record of an Express execution: only Standard ones can be described, listed and stopped.
    if (machine.type === 'STANDARD') this.executions.set(record.arn, record);
    this.running.add(record);
    void record.done.then(() => this.running.delete(record));
    return record;
  }

  private testCase(machine: MachineRecord, testCase: string): Record<string, MockedResponse> {
    const problems = this.options.mockConfig?.problems(machine.name, taskStatesOf(machine)) ?? [];
    if (problems.length > 0) throw new ApiError('ValidationException', `The mock configuration file does not fit this state machine: ${problems.join('; ')}`);
    const cases = this.options.mockConfig?.testCase(machine.name, testCase);
    if (!cases) {
      const known = this.options.mockConfig?.testCasesOf(machine.name) ?? [];
      throw new ApiError('InvalidName', this.options.mockConfig
        ? `Invalid Name: '${testCase}': the mock configuration file has no test case '${testCase}' for the state machine '${machine.name}' (its test cases: ${known.join(', ') || 'none'})`
        : `Invalid Name: '${testCase}': '#${testCase}' selects a test case of a mock configuration file, and the endpoint was started without one (--mocks FILE)`);
    }
    return cases;
  }

  /** The state machines a task may start, by ARN: all of them, as they are now. */
  private children(): Record<string, ChildStateMachine> {
    const out: Record<string, ChildStateMachine> = {};
    for (const m of this.machines.values()) out[m.arn] = { definition: m.asl, type: m.type };
    return out;
  }

  /** A task's answer: a mocked response, a mock, an activity worker, a task token, or the task's own code. */
  private async answer(req: TaskRequest, mocked: Record<string, MockedResponse> | undefined, record: ExecutionRecord): Promise<unknown> {
    const call = taskCallOf(req);
    // Step Functions Local answers a mocked task at once, a callback task too (its token is generated, not waited for).
    const response = mocked?.[req.state];
    if (response) {
      const invocation = record.invocations.get(req.state) ?? 0;
      record.invocations.set(req.state, invocation + 1);
      return response.answer(invocation, req.state);
    }
    const mocks = this.options.mocks;
    const key = handlerKeyOf(req);
    const mock = mocks?.states[req.state] ?? mocks?.resources[key];
    const callback = req.pattern === 'callback' ? mocks?.callbacks[req.state] : undefined;
    if (callback) return callback(req.input, call);
    if (req.integration === 'activity' && !mock) {
      const answer = new TaskAnswer();
      const token = `activity-token-${randomUUID()}`;
      this.tokens.set(token, answer);
      this.activities.enqueue(req.resource, { token, input: JSON.stringify(req.parameters ?? {}), answer, executionArn: record.arn });
      return TaskOutcome.from(answer);
    }
    const handler = mock ?? this.appFunctions[key] ?? (req.functionName !== undefined ? this.appFunctions[req.functionName] : undefined)
      ?? this.integrations[req.baseResource];
    if (req.pattern === 'callback') {
      const answer = new TaskAnswer();
      this.tokens.set(req.taskToken!, answer);
      // The call itself is made (a function's code runs with the token); a service with no local stand-in is taken as called.
      try {
        if (handler) await handler(req.input, call);
      } catch (e) {
        // The call failed, and the task with it: its token takes no answer.
        answer.close();
        throw e;
      }
      return TaskOutcome.from(answer);
    }
    if (!handler) {
      throw new HarnessError(`task '${req.state}' (${req.resource}${req.functionName ? `, function ${req.functionName}` : ''}) has nothing to answer it locally: `
        + `give it a mocked response in a mock configuration file (--mocks) and start a test case (${record.machine.arn}#<TestCase>), `
        + `or "states": { "${req.state}": { "result": ... } } in a mocks file`, req.state);
    }
    return handler(req.input, call);
  }

  /** After an execution: the S3 written back where it came from; a failure to write is told, not thrown into the API's answer. */
  private ended(): void {
    try {
      this.options.onEnded?.(this.s3);
    } catch (e) {
      process.emitWarning(`cdk-workflow-patterns local endpoint: the local S3 could not be written back: ${(e as Error).message}`);
    }
  }

  /**
   * Gives a task token's task its answer (`send` returns false once the task has ended): InvalidToken
   * for a token that is not one, TaskTimedOut for a task that no longer takes an answer, as AWS answers.
   */
  answerTask(token: string, send: (answer: TaskAnswer) => boolean): void {
    const answer = this.tokens.get(token);
    if (!answer) throw new ApiError('InvalidToken', "Invalid Token: 'Invalid token'");
    if (!send(answer)) throw new ApiError('TaskTimedOut', "Task Timed Out: 'Provided task does not exist anymore'");
  }

  /** TestState's task without a mock: the app's function of that ARN runs; anything else needs a mock. */
  testTaskHandler(req: TaskRequest): unknown {
    const handler = this.appFunctions[handlerKeyOf(req)] ?? this.integrations[req.baseResource];
    if (!handler) {
      throw new HarnessError(`task '${req.state}' (${req.resource}${req.functionName ? `, function ${req.functionName}` : ''}) calls nothing this endpoint runs: `
        + 'give TestState a mock ({ "result": "..." } or { "errorOutput": {...} })', req.state);
    }
    return handler(req.input, taskCallOf(req));
  }

  private finish(record: ExecutionRecord, result: ExecutionResult): void {
    record.status = result.status;
    record.stopDate = result.stopDate;
    record.events = result.events;
    record.mapRuns = result.mapRuns;
    if (result.status === 'SUCCEEDED') record.output = JSON.stringify(result.output ?? null);
    record.error = result.error;
    record.cause = result.cause;
  }

  /** The run could not go on (nothing answers a task, an engine limit): the execution fails, and its history says why. */
  private broke(record: ExecutionRecord, e: unknown): void {
    const error = e instanceof EngineUnsupportedError ? 'Local.Unsupported'
      : e instanceof EngineBudgetError ? 'Local.BudgetExceeded'
        : e instanceof EngineSetupError ? 'Local.SetupError' : 'Local.InternalError';
    const cause = (e as Error)?.message ?? String(e);
    const events = [...record.events];
    const last = events[events.length - 1];
    events.push({
      id: events.length + 1,
      previousEventId: last?.id ?? 0,
      timestamp: new Date(),
      type: 'ExecutionFailed',
      executionFailedEventDetails: { error, cause },
    });
    Object.assign(record, { status: 'FAILED', stopDate: new Date(), error, cause, events });
  }

  /** Stops every execution and what runs the functions' code. */
  async close(): Promise<void> {
    this.closed = true;
    this.activities.close();
    const running = [...this.running];
    for (const e of running) e.live?.stop('Local.EndpointStopped', 'the local endpoint was stopped');
    // The functions' code still running is ended, not waited for: their executions are stopped already.
    await this.sandbox.dispose();
    await Promise.all(running.map(e => e.done));
  }
}

/** The names of a state machine's Task states, nested ones included. */
function taskStatesOf(machine: MachineRecord): string[] {
  return allStates(machine.asl).filter(s => s.state.Type === 'Task').map(s => s.name);
}

/** The offline AWS of the app's functions, whose SendTaskSuccess (the gate's decision function's) reaches the endpoint's tokens. */
class EndpointAws extends OfflineAws {
  constructor(private readonly service: StepFunctionsService) {
    super();
  }

  protected sendTaskSuccess(input: any): object {
    // The SDK's error is named by its code, as the function's code would see it.
    try {
      this.service.answerTask(String(input?.taskToken), answer => answer.succeed(JSON.parse(String(input?.output))));
    } catch (e) {
      throw e instanceof ApiError ? Object.assign(new Error(e.message), { name: e.code }) : e;
    }
    return {};
  }
}

export type { ActivityRecord };
