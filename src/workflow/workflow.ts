import { Annotations, Duration, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { NestedWorkflowOptions, WorkflowAlarmOptions, WorkflowEventTriggerOptions, WorkflowLoggingOptions, WorkflowTriggerOptions } from './workflow-options';
import { ExpressInvocation, WorkflowType } from './workflow-type';
import { GraphState, graphStates } from '../private/graph';
import { checkGraph, inferredQueryLanguage, jsonataConflicts, lambdaFunctionOf } from '../private/graph-checks';
import {
  suppressContainerTaskGrants, suppressDistributedMapGrants, suppressLambdaVersionGrants, suppressNestedExecutionGrants,
  suppressTracingAndLoggingGrants,
} from '../private/nag';
import { nestedTask } from '../private/nested-task';
import { checkProps } from '../private/prop-types';
import { stateOwnerOf } from '../private/query-language';
import { required, requiredProps } from '../private/required';
import { STANDARD_MAX_SECONDS, bindTaskResponders } from '../private/task-responders';
import { workflowAlarms } from '../private/workflow-alarms';

/**
 * Properties for a `Workflow`.
 */
export interface WorkflowProps {
  /** The workflow's definition: a chain of states. */
  readonly definition: sfn.IChainable;

  /**
   * Standard, Express started asynchronously, or Express started synchronously.
   * @default WorkflowType.standard()
   */
  readonly type?: WorkflowType;

  /**
   * The query language of the definition: what states that do not declare one are read in.
   * JSONata (with workflow variables) is what AWS recommends for new workflows; a JSONata workflow
   * holds JSONata states only, and any JSONPath state in it is refused at synth, named.
   *
   * @default - JSONata when the definition's states (outside Parallel branches and Map processors)
   * include a JSONata one (created with `.jsonata()` or `queryLanguage: sfn.QueryLanguage.JSONATA`)
   * and no JSONPath one; otherwise JSONPath, so that a definition written with CDK's JSONPath states
   * keeps its meaning
   * @see https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html
   */
  readonly queryLanguage?: sfn.QueryLanguage;

  /**
   * A name for the state machine.
   * @default - a name CloudFormation generates
   */
  readonly workflowName?: string;

  /**
   * The longest an execution may run before it fails with `States.Timeout`.
   * @default - Standard: no limit (one year, the service maximum); Express: 5 minutes (the service maximum)
   */
  readonly timeout?: Duration;

  /**
   * A comment for the state machine.
   * @default - none
   */
  readonly comment?: string;

  /**
   * Logging of executions.
   * @default - level ALL without execution data, to a log group kept for one year
   */
  readonly logging?: WorkflowLoggingOptions;

  /**
   * Whether to trace executions with AWS X-Ray.
   * @default true
   */
  readonly tracing?: boolean;

  /**
   * Alarms on failed, timed-out, throttled and aborted executions.
   * @default - all four, at a threshold of 1 in 5 minutes, without action
   */
  readonly alarms?: WorkflowAlarmOptions;

  /**
   * A customer managed KMS key to encrypt the definition, execution history and logs with.
   * @default - encrypted with an AWS owned key
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * The role the state machine runs with.
   * @default - a role with the permissions the definition needs
   */
  readonly role?: iam.IRole;

  /**
   * What happens to the state machine when it leaves the stack.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** The longest an Express execution may run, in seconds. */
const EXPRESS_MAX_SECONDS = WorkflowType.EXPRESS_MAX_DURATION_SECONDS;

/**
 * A Step Functions state machine with production defaults: logging (level ALL, without execution
 * data), X-Ray tracing, alarms on failed, timed-out, throttled and aborted executions, and a typed
 * Standard/Express choice whose misuse fails at synth with a message that names the state.
 */
export class Workflow extends Construct {
  /** The state machine. */
  public readonly stateMachine: sfn.StateMachine;

  /** The workflow's type. */
  public readonly type: WorkflowType;

  /** The query language of the definition (the state machine's top-level `QueryLanguage`). */
  public readonly queryLanguage: sfn.QueryLanguage;

  /** The log group executions are logged to, if logging is on. */
  public readonly logGroup?: logs.ILogGroup;

  /** The alarms created, in the order failed, timed out, throttled, aborted (those turned on). */
  public readonly alarms: cloudwatch.Alarm[] = [];

  /** The ARN of the state machine. */
  public readonly stateMachineArn: string;

  /** The name of the state machine. */
  public readonly stateMachineName: string;

  private readonly definition: sfn.IChainable;
  private warned = false;

  constructor(scope: Construct, id: string, props: WorkflowProps) {
    super(scope, id);
    requiredProps(props, `Workflow '${id}'`, ['definition']);
    checkProps(`Workflow '${id}'`, 'WorkflowProps', props);
    required(props.definition, `Workflow '${id}'`, 'definition', 'give the first state (or chain) of the workflow');
    this.type = props.type ?? WorkflowType.standard();
    this.definition = props.definition;

    const timeout = props.timeout ?? (this.type.isExpress ? Duration.seconds(EXPRESS_MAX_SECONDS) : undefined);
    if (timeout && !timeout.isUnresolved()) {
      const seconds = timeout.toMilliseconds() / 1000;
      if (seconds < 1 || !Number.isInteger(seconds)) {
        throw new Error(`Workflow '${id}': timeout must be a whole number of seconds, at least 1 (got ${timeout.toHumanString()})`);
      }
      if (this.type.isExpress && seconds > EXPRESS_MAX_SECONDS) {
        throw new Error(`Workflow '${id}': an ${this.type} workflow runs for at most 5 minutes, so timeout must be 5 minutes or less (got ${timeout.toHumanString()}); shorten it or use WorkflowType.standard()`);
      }
      if (seconds > STANDARD_MAX_SECONDS) {
        throw new Error(`Workflow '${id}': timeout must be at most 365 days (got ${timeout.toHumanString()})`);
      }
    }

    const logging = props.logging ?? {};
    if (logging.enabled === false && (logging.logGroup || logging.level || logging.includeExecutionData !== undefined || logging.retention)) {
      throw new Error(`Workflow '${id}': logging is turned off (enabled: false) but logging options are set; remove them or turn logging on`);
    }
    if (logging.enabled !== false) {
      this.logGroup = logging.logGroup ?? new logs.LogGroup(this, 'Logs', {
        logGroupName: `/aws/vendedlogs/states/${Names.uniqueResourceName(this, { maxLength: 200, separator: '-' })}`,
        retention: logging.retention ?? logs.RetentionDays.ONE_YEAR,
        removalPolicy: logging.removalPolicy ?? RemovalPolicy.RETAIN,
      });
    }

    const stack = Stack.of(this);
    // Before the state machine binds them, the states of Parallel branches and Map processors are not known.
    // (Read only when it tells something: the language to infer, or JSONPath states to refuse in a JSONata workflow.)
    if (props.queryLanguage === sfn.QueryLanguage.JSON_PATH) {
      this.queryLanguage = props.queryLanguage;
    } else {
      const unbound = graphStates(stack, props.definition);
      this.queryLanguage = props.queryLanguage ?? inferredQueryLanguage(unbound);
      this.refuseJsonPathStates(unbound);
    }

    this.stateMachine = duplicateStateNames(this, () => new sfn.StateMachine(this, 'Resource', {
      definitionBody: sfn.DefinitionBody.fromChainable(props.definition),
      stateMachineType: this.type.stateMachineType,
      queryLanguage: this.queryLanguage,
      stateMachineName: props.workflowName,
      timeout,
      comment: props.comment,
      role: props.role,
      removalPolicy: props.removalPolicy,
      tracingEnabled: props.tracing ?? true,
      logs: this.logGroup ? {
        destination: this.logGroup,
        level: logging.level ?? sfn.LogLevel.ALL,
        includeExecutionData: logging.includeExecutionData ?? false,
      } : undefined,
      encryptionConfiguration: props.encryptionKey
        ? new sfn.CustomerManagedEncryptionConfiguration(props.encryptionKey, Duration.minutes(5))
        : undefined,
    }));
    this.node.defaultChild = this.stateMachine;
    this.stateMachineArn = this.stateMachine.stateMachineArn;
    this.stateMachineName = this.stateMachine.stateMachineName;
    const states = graphStates(stack, props.definition);
    this.refuseJsonPathStates(states);

    // Steps that wait for a task token (an ApprovalGate) learn which state machine they answer.
    bindTaskResponders(this, states, {
      owner: this,
      stateMachine: this.stateMachine,
      isExpress: this.type.isExpress,
      typeName: this.type.toString(),
      logsExecutionData: this.logGroup !== undefined && (logging.includeExecutionData ?? false),
      timeoutSeconds: timeout && !timeout.isUnresolved() ? timeout.toSeconds() : STANDARD_MAX_SECONDS,
    });
    // Only on the role the Workflow creates: a role the user gives is theirs to review.
    if (!props.role) {
      if ((props.tracing ?? true) || this.logGroup) suppressTracingAndLoggingGrants(this.stateMachine);
      // CDK grants each Lambda task's function and its versions (ARN:*); name them for cdk-nag.
      const functionArns = states.map(st => lambdaFunctionOf(stack, st)).filter(arn => arn !== undefined);
      suppressLambdaVersionGrants(this.stateMachine, functionArns, `workflow ${this.node.path}`);
      // (Each reads the whole role policy: only where the graph has such a task.)
      if (states.some(st => st.resource?.includes(':states:startExecution'))) suppressNestedExecutionGrants(this.stateMachine);
      if (states.some(st => st.resource?.includes(':ecs:runTask'))) suppressContainerTaskGrants(this.stateMachine);
    }
    suppressDistributedMapGrants(this.stateMachine);
    this.alarms.push(...workflowAlarms(this, `Workflow '${id}'`, this.stateMachine, props.alarms ?? {}));
    this.node.addValidation({ validate: () => this.validateGraph() });
  }

  /** Grants the right to start executions (`states:StartExecution`). */
  public grantStartExecution(grantee: iam.IGrantable): iam.Grant {
    this.requiredGrantee('grantStartExecution', grantee);
    return this.stateMachine.grantStartExecution(grantee);
  }

  /** Grants the right to start synchronous executions (`states:StartSyncExecution`, Express only). */
  public grantStartSyncExecution(grantee: iam.IGrantable): iam.Grant {
    this.requiredGrantee('grantStartSyncExecution', grantee);
    if (!this.type.isExpress) {
      throw new Error(`Workflow '${this.node.id}': grantStartSyncExecution applies to Express workflows only (this one is ${this.type}); use grantStartExecution`);
    }
    return this.stateMachine.grantStartSyncExecution(grantee);
  }

  /** Grants the right to read the state machine, its executions and their history. */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    this.requiredGrantee('grantRead', grantee);
    return this.stateMachine.grantRead(grantee);
  }

  /** Grants the right to answer callback tasks (`SendTaskSuccess`, `SendTaskFailure`, `SendTaskHeartbeat`). */
  public grantTaskResponse(grantee: iam.IGrantable): iam.Grant {
    this.requiredGrantee('grantTaskResponse', grantee);
    return this.stateMachine.grantTaskResponse(grantee);
  }

  /** Grants the given actions on the workflow's executions. */
  public grantExecution(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    this.requiredGrantee('grantExecution', grantee);
    return this.stateMachine.grantExecution(grantee, ...actions);
  }

  /** Grants the given actions on the state machine. */
  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    this.requiredGrantee('grant', grantee);
    return this.stateMachine.grant(grantee, ...actions);
  }

  /** A metric of this workflow's executions. */
  public metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    required(metricName, `Workflow '${this.node.id}': metric`, 'metricName', "give the name of a Step Functions metric, such as 'ExecutionsFailed'");
    return this.stateMachine.metric(metricName, props);
  }

  /** Failed executions. */
  public metricFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricFailed(props);
  }

  /** Timed-out executions. */
  public metricTimedOut(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricTimedOut(props);
  }

  /** Throttled executions. */
  public metricThrottled(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricThrottled(props);
  }

  /** Aborted executions. */
  public metricAborted(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricAborted(props);
  }

  /** Succeeded executions. */
  public metricSucceeded(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricSucceeded(props);
  }

  /** Started executions. */
  public metricStarted(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricStarted(props);
  }

  /** Execution duration. */
  public metricTime(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricTime(props);
  }

  /**
   * Starts the workflow on a schedule (an EventBridge rule). Not for `WorkflowType.expressSync()`,
   * whose callers wait for the result.
   */
  public addSchedule(id: string, schedule: events.Schedule, options: WorkflowTriggerOptions = {}): events.Rule {
    required(id, `Workflow '${this.node.id}': addSchedule`, 'id', 'give the construct id of the rule');
    required(schedule, `Workflow '${this.node.id}': addSchedule`, 'schedule', 'give when to start, such as events.Schedule.rate(Duration.hours(1))');
    checkProps(`Workflow '${this.node.id}': addSchedule`, 'WorkflowTriggerOptions', options);
    return this.addTrigger(id, { schedule, description: options.description }, options);
  }

  /**
   * Starts the workflow on every event that matches a pattern (an EventBridge rule on the default
   * bus, or the given one). Not for `WorkflowType.expressSync()`, whose callers wait for the result.
   */
  public addEventTrigger(id: string, eventPattern: events.EventPattern, options: WorkflowEventTriggerOptions = {}): events.Rule {
    required(id, `Workflow '${this.node.id}': addEventTrigger`, 'id', 'give the construct id of the rule');
    required(eventPattern, `Workflow '${this.node.id}': addEventTrigger`, 'eventPattern', "give the events to start on, such as { source: ['aws.s3'] }");
    checkProps(`Workflow '${this.node.id}': addEventTrigger`, 'WorkflowEventTriggerOptions', options);
    return this.addTrigger(id, { eventPattern, eventBus: options.eventBus, description: options.description }, options);
  }

  /**
   * A task that runs this workflow as a child of another workflow, associated with the parent
   * execution: a Standard child is awaited (`.sync:2`, its output in `$.Output`); an Express child is
   * started and not awaited (request/response: the result holds its `ExecutionArn`).
   */
  public asNestedTask(scope: Construct, id: string, options: NestedWorkflowOptions = {}): tasks.StepFunctionsStartExecution {
    required(scope, `Workflow '${this.node.id}': asNestedTask`, 'scope', 'give the construct to create the task in (the parent workflow\'s stack or construct)');
    required(id, `Workflow '${this.node.id}': asNestedTask`, 'id', 'give the construct id of the task (also its state name)');
    checkProps(`Workflow '${this.node.id}': asNestedTask`, 'NestedWorkflowOptions', options);
    return nestedTask({ name: `Workflow '${this.node.id}'`, stateMachine: this.stateMachine, isExpress: this.type.isExpress }, scope, id, options);
  }

  private requiredGrantee(method: string, grantee: iam.IGrantable): void {
    required(grantee, `Workflow '${this.node.id}': ${method}`, 'grantee', 'give the role, user or function to grant (an iam.IGrantable)');
  }

  private addTrigger(id: string, ruleProps: events.RuleProps, options: WorkflowTriggerOptions): events.Rule {
    if (this.type.invocation === ExpressInvocation.SYNC) {
      throw new Error(`Workflow '${this.node.id}': trigger '${id}' would start an ${this.type} workflow asynchronously, and nobody would wait for its result; use WorkflowType.expressAsync() or WorkflowType.standard()`);
    }
    const retryAttempts = options.retryAttempts ?? 185;
    if (!Token.isUnresolved(retryAttempts) && (!Number.isInteger(retryAttempts) || retryAttempts < 0 || retryAttempts > 185)) {
      throw new Error(`Workflow '${this.node.id}': trigger '${id}' retryAttempts must be a whole number from 0 to 185 (got ${retryAttempts})`);
    }
    const rule = new events.Rule(this, id, ruleProps);
    rule.addTarget(new targets.SfnStateMachine(this.stateMachine, {
      input: options.input,
      retryAttempts,
      maxEventAge: options.maxEventAge ?? Duration.hours(24),
    }));
    return rule;
  }

  /** In a JSONata workflow, refuses JSONPath states (Step Functions would refuse the definition), naming each. */
  private refuseJsonPathStates(states: GraphState[]): void {
    if (this.queryLanguage !== sfn.QueryLanguage.JSONATA) return;
    const conflicts = jsonataConflicts(states);
    if (conflicts.length > 0) throw new Error(conflicts.map(c => `Workflow '${this.node.id}': ${c}`).join('\n'));
  }

  /** The synth-time checks of the whole graph: what the workflow's type cannot run (errors), Lambda tasks without retries (warnings, once). */
  private validateGraph(): string[] {
    const findings = checkGraph(Stack.of(this), graphStates(Stack.of(this), this.definition), this.type);
    if (!this.warned) {
      for (const warning of findings.warnings) Annotations.of(this).addWarningV2(`cdk-workflow-patterns:${warning.id}`, warning.message);
    }
    this.warned = true;
    return findings.errors.map(e => `Workflow '${this.node.id}': ${e}`);
  }
}

/**
 * Builds the state machine, answering CDK's "occurs in both" (two states of the graph with one name)
 * with a message that names the workflow, the name and each state that has it, with the construct of
 * this library that made it (a Saga's step, a gate's state...).
 */
function duplicateStateNames<T>(workflow: Construct, build: () => T): T {
  try {
    return build();
  } catch (e) {
    const name = /^State with name '(.+)' occurs in both/.exec((e as Error).message ?? '')?.[1];
    if (name === undefined) throw e;
    const holders = Stack.of(workflow).node.findAll().filter((c): c is sfn.State => c instanceof sfn.State && c.stateId === name).map(state => {
      const owner = stateOwnerOf(state);
      return owner ? `${owner.kind} '${owner.construct.node.id}' (${state.node.path})` : state.node.path;
    });
    throw new Error(`Workflow '${workflow.node.id}': two states are named '${name}' (${holders.join(', ')}); a workflow's state names are unique: `
      + 'rename one (a Saga step\'s name, a construct\'s id or stateName, or the stateName of your own state)');
  }
}
