/**
 * A state machine of a CDK app, synthesized and run locally: from its construct in a stack, or by
 * name from a synthesized cloud assembly (cdk.out).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Stack, Stage } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { DefinitionError, HistoryEvent, MapRunRecord, StateRecord, validateDefinition } from '../engine';
import { activityHandlers } from './activities';
import { approvalWiring, ApprovalDecision, ApprovalWiring, decisionShownAs, gateFunctionRefs, gateStateOf } from './approvals';
import { Asl, CfnTemplate } from './asl';
import { AssemblyStateMachine, findStateMachine, stackTemplates, stateMachinesIn } from './assembly';
import { ContainerBehaviour, containerHandlers } from './containers';
import { execute, Execution, functionsFor, historyTable, HistoryRow, logLines, workflowKindOf } from './execution';
import { FunctionLog, FunctionSandbox } from './function-sandbox';
import { graphOf } from './graph';
import {
  allStates, CallbackHandler, CatchRecord, HarnessError, LocalRunResult, LocalS3, MissingHandlerError, RetryRecord, TaskCall,
} from './local-execution';
import { toMermaid } from './mermaid';
import { Behaviour, functionArnOf, handlersOf, Mock, resetBehaviour } from './mocking';
import { OfflineAws } from './offline-aws';
import { renderReport } from './report';
import { resourceOfType } from './resources';
import { toSvg } from './svg';
import type { ActivityHandler } from '../worker/activity-worker';

/** What a local run is given. */
export interface RunOptions {
  /** The execution input. @default {} */
  readonly input?: unknown;
  /** Tasks answered by the test (`mockState`, `mockFunction`, `mockResource`); the rest run the functions' code. */
  readonly mocks?: readonly Mock[];
  /**
   * The decision of each `.waitForTaskToken` task, by state name: `returns(value)` (SendTaskSuccess),
   * `fails(error, cause)` (SendTaskFailure), or a function that may return a `TaskOutcome` (an answer
   * after some virtual time, heartbeats, or `TaskOutcome.never()`). The task's own call is not made.
   */
  readonly callbacks?: Readonly<Record<string, Behaviour>>;
  /** ApprovalGate decisions: `approve(gate, { by, comment })`, `reject(...)`, `expire(gate)`. */
  readonly approvals?: readonly ApprovalDecision[];
  /** The S3 a Distributed Map reads from and writes to (see `bucketNameOf`); every bucket of the app is created in it. @default an empty one */
  readonly s3?: LocalS3;
  /** Seeds UUIDs, task tokens and retry jitter: a run's `seed` replays it exactly. @default random */
  readonly seed?: number;
  /** Virtual start time. @default now */
  readonly startTime?: Date;
  /**
   * Print what the functions' code printed (the gate's audit lines, your functions' console) to the
   * test's console when the run ends. It is always in `run.logs` and the report.
   * @default false
   */
  readonly printLogs?: boolean;
  /**
   * HTTP tasks (`HttpTask`, `tasks.HttpInvoke`): the API URLs the run sends to a local address, such
   * as `{ 'https://api.example.com': 'http://127.0.0.1:8080' }` (a stand-in the test starts). The
   * request goes there with its path and query, its headers and body, and the connection's
   * authorization with `test-credential` as the secret. A URL not mapped stops the run: a local run
   * never calls the internet. A mocked HTTP task sends nothing.
   * @default none
   */
  readonly httpEndpoints?: Readonly<Record<string, string>>;
  /**
   * Activity tasks (`ActivityTask`): the worker's handler for each, by the task's state name, run as
   * `cdk-workflow-patterns/worker` runs it (its output sent as SendTaskSuccess, an error as
   * SendTaskFailure with its name and message). A handler that has not settled (nor called
   * `context.heartbeat()`) for 2 seconds never ends, in a worker that heartbeats: the task ends at its
   * timeout in virtual time.
   * @default none
   */
  readonly activities?: Readonly<Record<string, ActivityHandler>>;
  /**
   * Container tasks (`ContainerTask`, `ecs:runTask.sync`): a function standing for each container, by
   * the task's state name. It receives the container's overrides (`{ name, environment, command }`)
   * and returns its exit code (nothing is 0; a thrown error is 1). The task's result is the stopped
   * task as DescribeTasks gives it; an exit code other than 0 fails it with States.TaskFailed. A
   * function that has not settled for 2 seconds is a container that does not stop: the task ends at
   * its timeout in virtual time.
   * @default none
   */
  readonly containers?: Readonly<Record<string, ContainerBehaviour>>;
}

/** A state machine to run locally. */
export class LocalWorkflow {
  /**
   * The state machine of a construct: a `Workflow`, an `sfn.StateMachine`, or a construct whose default
   * child is one. Synthesizes the construct's app (stage), so every construct must be added first.
   */
  public static of(construct: IConstruct): LocalWorkflow {
    const { resource, logicalId } = resourceOfType(construct, 'AWS::StepFunctions::StateMachine', () => `LocalWorkflow.of(${construct?.node?.path ?? String(construct)}): `
      + 'not a state machine (give a Workflow, an sfn.StateMachine, or a construct whose default child is one)');
    const stack = Stack.of(resource);
    const stage = Stage.of(stack);
    if (!stage) throw new HarnessError(`LocalWorkflow.of(${construct.node.path}): its stack is in no App or Stage`);
    const assembly = withoutBuiltinValidation(() => stage.synth({ force: true }));
    const machine = stateMachinesIn(assembly.directory).find(m => m.stack === stack.artifactId && m.logicalId === logicalId);
    if (!machine) throw new HarnessError(`LocalWorkflow.of(${construct.node.path}): its state machine ${logicalId} is not in the synthesized stack ${stack.artifactId}`);
    // Without the CDK CLI, a template has no construct paths: the construct knows its own.
    return new LocalWorkflow(assembly.directory, { ...machine, path: resource.node.path.replace(/(\/Resource)+$/, '') });
  }

  /**
   * A state machine of a synthesized cloud assembly (`cdk synth` output), by construct path
   * (`MyStack/Orders`), logical id, or a construct id that only it has on its path.
   */
  public static fromAssembly(assemblyDir: string, stateMachine: string): LocalWorkflow {
    if (!fs.existsSync(path.join(assemblyDir, 'manifest.json'))) {
      throw new HarnessError(`LocalWorkflow.fromAssembly: no cloud assembly at ${assemblyDir} (no manifest.json there); run 'cdk synth' first`);
    }
    return new LocalWorkflow(assemblyDir, findStateMachine(stateMachinesIn(assemblyDir), stateMachine, assemblyDir));
  }

  /** The concrete ASL: every reference resolved to a placeholder (a Lambda function's ARN...). */
  public readonly asl: Asl;
  /** The construct path of the state machine, e.g. `MyStack/Orders/StateMachine`. */
  public readonly path: string;
  /** Standard or Express. */
  public readonly type: 'STANDARD' | 'EXPRESS';

  private constructor(private readonly assemblyDir: string, private readonly machine: AssemblyStateMachine) {
    this.asl = machine.asl;
    this.path = machine.path;
    this.type = workflowKindOf(machine);
  }

  /** Runs an execution locally: mocked tasks answer as told, the rest run the functions' synthesized code. */
  public async run(options: RunOptions = {}): Promise<WorkflowRun> {
    const templates = Object.values(stackTemplates(this.assemblyDir));
    const everyAsl = stateMachinesIn(this.assemblyDir).map(m => m.asl);
    const mocks = handlersOf(options.mocks ?? []);
    checkMocks(options.mocks ?? [], this.machine, everyAsl);
    const offline = new OfflineAws();
    for (const template of templates) offline.dynamodb.addTablesOf(template);
    Object.values(options.callbacks ?? {}).forEach(resetBehaviour);
    const sandbox = new FunctionSandbox(offline);
    let approvals: ApprovalWiring;
    try {
      const functions = functionsFor(this.assemblyDir, this.machine, sandbox);
      approvals = approvalWiring(options.approvals ?? [], this.machine.asl, templates, functions, offline, this.machine.stack);
      for (const name of Object.keys(approvals.callbacks)) {
        if (options.callbacks?.[name]) throw new HarnessError(`run: gate '${name}' has both a callback and an approval decision; give one`);
        if (mocks.states[name]) throw new HarnessError(`run: gate '${name}' is mocked with mockState and decided in approvals; give one`);
      }
    } catch (e) {
      await sandbox.dispose();
      throw e;
    }
    // execute() creates every bucket of the app in it.
    const s3 = options.s3 ?? new LocalS3();
    const activities = activityHandlers(this.machine.asl, options.activities, everyAsl);
    const containers = containerHandlers(this.machine.asl, options.containers, everyAsl);
    for (const name of [...Object.keys(activities), ...Object.keys(containers)]) {
      if (mocks.states[name]) throw new HarnessError(`run: task '${name}' is mocked with mockState and given a handler in ${activities[name] ? 'activities' : 'containers'}; give one`);
    }
    const execution = await gateHint(this.machine.asl, templates, () => execute(this.assemblyDir, this.machine, {
      input: options.input ?? {},
      states: { ...mocks.states, ...approvals.states, ...activities, ...containers },
      resources: mocks.resources,
      callbacks: { ...options.callbacks as Record<string, CallbackHandler>, ...approvals.callbacks },
      s3,
      offline,
      sandbox,
      seed: options.seed,
      startTime: options.startTime,
      httpEndpoints: options.httpEndpoints,
    }));
    // A decision the run never used is a test that does not test what it says, like a mock of a task no state has.
    for (const decision of options.approvals ?? []) {
      const state = gateStateOf(decision.gate);
      if (!execution.result.path.includes(state)) {
        throw new HarnessError(`approvals: ${decisionShownAs(decision)} was given, but the run never reached gate '${state}' `
          + `(it ${execution.result.status}: ${execution.result.path.join(' → ')}); remove the decision, or give the input that leads to the gate`);
      }
    }
    const run = new WorkflowRun(execution, offline, s3);
    if (options.printLogs === true && run.logs.length > 0) console.log(run.logLines().join('\n'));
    return run;
  }

  /** The diagram of the state machine as SVG. */
  public diagram(): string {
    return toSvg(graphOf(this.asl), { title: this.path });
  }

  /** The diagram of the state machine as a Mermaid flowchart. */
  public mermaid(): string {
    return toMermaid(graphOf(this.asl));
  }
}

/**
 * Synthesizes without aws-cdk-lib's built-in CloudFormation validation (aws-cdk-lib 2.27x and later
 * validate every template with a WebAssembly engine that takes about 2.5 seconds to start): a local
 * run reads the templates, and `cdk synth` still validates them. `CDK_VALIDATION=false` is the switch
 * aws-cdk-lib reads at synth; the variable is put back as it was.
 */
function withoutBuiltinValidation<T>(synth: () => T): T {
  const before = process.env.CDK_VALIDATION;
  process.env.CDK_VALIDATION = 'false';
  try {
    return synth();
  } finally {
    if (before === undefined) delete process.env.CDK_VALIDATION;
    else process.env.CDK_VALIDATION = before;
  }
}

/** Runs a state machine locally: `runWorkflow(workflow, { input, mocks, approvals })`. */
export async function runWorkflow(workflow: IConstruct | LocalWorkflow, options: RunOptions = {}): Promise<WorkflowRun> {
  return (workflow instanceof LocalWorkflow ? workflow : LocalWorkflow.of(workflow)).run(options);
}

/** The concrete ASL of a state machine (or a `Workflow`) in a stack, references resolved to placeholders. */
export function aslOf(stateMachine: IConstruct): Asl {
  return LocalWorkflow.of(stateMachine).asl;
}

/**
 * The problems Step Functions would refuse the definition for, as the local engine checks them
 * (state types and fields per query language, transitions, names, reachability); empty when valid.
 */
export function validateAsl(asl: unknown): string[] {
  try {
    validateDefinition(asl);
    return [];
  } catch (e) {
    if (e instanceof DefinitionError) return [e.message];
    throw e;
  }
}

/** What happened in a local run. */
export class WorkflowRun {
  public readonly status: LocalRunResult['status'];
  public readonly output?: any;
  public readonly error?: string;
  public readonly cause?: string;
  /** The names of the states entered, in order (branches, Map iterations and child workflows included). */
  public readonly path: string[];
  /** State transitions as Step Functions bills them: every state entered, plus every retry. */
  public readonly transitions: number;
  public readonly retries: RetryRecord[];
  public readonly catches: CatchRecord[];
  /** Every task invocation, in order. */
  public readonly calls: TaskCall[];
  /** The execution history, shaped like GetExecutionHistory. */
  public readonly events: HistoryEvent[];
  /** Every state entered, with its input, output, retries and outcome. */
  public readonly states: StateRecord[];
  /** One row per state entered, as the console lists them (type, time, retries, caught error, input, output). */
  public readonly history: HistoryRow[];
  public readonly mapRuns: MapRunRecord[];
  /** Virtual milliseconds from start to end. */
  public readonly durationMs: number;
  /** Pass it back in `seed` to replay the run exactly. */
  public readonly seed: number;
  /** What the library's own functions stored and published (the gate's records and messages...). */
  public readonly aws: OfflineAws;
  /** The local S3 of the run: the objects given, and what Distributed Maps wrote (every bucket of the app exists in it). */
  public readonly s3: LocalS3;
  /** What the functions' own code printed (console and standard output), in order, with the function and the state. */
  public readonly logs: FunctionLog[];

  constructor(private readonly execution: Execution, offline: OfflineAws, s3: LocalS3) {
    const r = execution.result;
    this.status = r.status;
    this.output = r.output;
    this.error = r.error;
    this.cause = r.cause;
    this.path = r.path;
    this.transitions = r.transitions;
    this.retries = r.retries;
    this.catches = r.catches;
    this.calls = r.calls;
    this.events = r.events;
    this.states = r.states;
    this.history = execution.history;
    this.mapRuns = r.mapRuns;
    this.durationMs = r.durationMs;
    this.seed = r.seed;
    this.aws = offline;
    this.s3 = s3;
    this.logs = execution.logs;
  }

  /** The calls of a state (by name), a Lambda function (its construct) or a resource (ARN). */
  public callsTo(target: string | IConstruct): TaskCall[] {
    if (typeof target !== 'string') {
      const arn = functionArnOf(target);
      return this.calls.filter(c => c.resource === arn || functionOf(this.execution, c) === arn);
    }
    return this.calls.filter(c => c.state === target || c.resource.replace(/\.(sync(:2)?|waitForTaskToken)$/, '') === target);
  }

  /** What the functions printed, one line each: `function (state) level: message`. */
  public logLines(): string[] {
    return logLines(this.execution);
  }

  /** The history as a plain-text table. */
  public historyTable(): string {
    return historyTable(this.history);
  }

  /** The diagram with the path taken highlighted, as SVG. */
  public diagram(): string {
    return toSvg(this.execution.graph, { taken: this.execution.taken, title: `${this.execution.machine.path}: path taken` });
  }

  /** The diagram with the path taken highlighted, as a Mermaid flowchart. */
  public mermaid(): string {
    return toMermaid(this.execution.graph, { taken: this.execution.taken });
  }

  /** The HTML report: the diagram with the path taken, the history, transitions and estimated cost. */
  public report(): string {
    return renderReport(this.execution);
  }

  /** Writes the HTML report (folders created as needed). */
  public writeReport(file: string): void {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    fs.writeFileSync(file, this.report());
  }
}

/** The function ARN a call invoked (for `lambda:invoke` tasks, from the state's FunctionName). */
function functionOf(execution: Execution, call: TaskCall): string | undefined {
  const state = allStates(execution.machine.asl).find(s => s.name === call.state)?.state;
  const name = (state?.Parameters ?? state?.Arguments)?.FunctionName;
  return typeof name === 'string' ? name.split(':').slice(0, 7).join(':') : undefined;
}

/**
 * A gate the path reaches without a decision: the hint names the toolkit's way to decide it
 * (`approvals: [approve(gate)]`) rather than the raw callback.
 */
async function gateHint<T>(asl: Asl, templates: CfnTemplate[], run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (!(e instanceof MissingHandlerError) || e.missing !== 'callback') throw e;
    const task = allStates(asl).find(s => s.name === e.state);
    if (!task || !gateFunctionRefs(task.state, templates)) throw e;
    throw new MissingHandlerError(`run: gate '${e.state}' waits for a decision and the run gives none; give approvals: [approve(gate)] `
      + `(or reject(gate, { by }), expire(gate)), where gate is the ApprovalGate or its state name '${e.state}'`, e.state, e.resource, e.resourceKey, 'callback');
  }
}

/** A mock must answer a task that exists: a typo would otherwise leave the real code running. */
function checkMocks(mocks: readonly Mock[], machine: AssemblyStateMachine, everyAsl: Asl[]): void {
  const shownAs = machine.path;
  const tasks = [machine.asl, ...everyAsl].flatMap(a => allStates(a)).filter(s => s.state.Type === 'Task');
  for (const mock of mocks) {
    if (mock.by === 'state') continue; // the harness checks state names, listing the Task states
    // A local run names a function by its logical id: another stack's function of the same logical id
    // would answer for the state machine's own.
    const own = mock.logicalId !== undefined && (machine.template.Resources?.[mock.logicalId] as any)?.Type === 'AWS::Lambda::Function';
    if (mock.stack !== undefined && mock.stack !== machine.stack && own) {
      throw new HarnessError(`${mock.shownAs}: this function is in stack ${mock.stack}, but the function of logical id ${mock.logicalId} that ${shownAs} invokes `
        + `is its own stack's (${machine.stack}); mock that one (or the state, with mockState)`);
    }
    const used = tasks.some(t => mock.by === 'function'
      ? JSON.stringify([t.state.Resource, t.state.Parameters, t.state.Arguments]).includes(`"${mock.key}`)
      : String(t.state.Resource).replace(/\.(sync(:2)?|waitForTaskToken)$/, '') === mock.key);
    if (!used) {
      throw new HarnessError(`${mock.shownAs}: no task of ${shownAs} (or of a state machine it can start) ${mock.by === 'function' ? 'invokes this function' : 'has this resource'}`);
    }
  }
}
