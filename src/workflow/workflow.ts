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
import { LambdaRetry } from './lambda-retry';
import { ExpressInvocation, WorkflowType } from './workflow-type';
import { expressIssue, graphStates, GraphState, referencedType } from '../private/graph';
import { suppressLambdaVersionGrants, suppressNag, wildcardResourceFindings } from '../private/nag';
import { required, requiredProps } from '../private/required';
import { bindTaskResponders } from '../private/task-responders';

/**
 * Logging of a workflow's executions.
 */
export interface WorkflowLoggingOptions {
  /**
   * Whether to log executions.
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * What to log.
   * @default sfn.LogLevel.ALL
   */
  readonly level?: sfn.LogLevel;

  /**
   * Whether to log the input and output of each state. Off by default: task tokens, personal data
   * and secrets that pass through a workflow would land in the logs.
   * @default false
   */
  readonly includeExecutionData?: boolean;

  /**
   * How long to keep the logs.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly retention?: logs.RetentionDays;

  /**
   * The log group to log to (its name should start with `/aws/vendedlogs/states/`).
   * @default - a log group named `/aws/vendedlogs/states/<unique name>` is created
   */
  readonly logGroup?: logs.ILogGroup;

  /**
   * What happens to a created log group when it leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Alarms on a workflow's executions. Each alarm fires when its metric reaches its threshold in one
 * evaluation period; a threshold of 0 turns that alarm off.
 */
export interface WorkflowAlarmOptions {
  /**
   * Whether to create the alarms at all.
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * Failed executions that fire the alarm (0: no alarm).
   * @default 1
   */
  readonly failedThreshold?: number;

  /**
   * Timed-out executions that fire the alarm (0: no alarm).
   * @default 1
   */
  readonly timedOutThreshold?: number;

  /**
   * Throttled executions that fire the alarm (0: no alarm).
   * @default 1
   */
  readonly throttledThreshold?: number;

  /**
   * Aborted executions that fire the alarm (0: no alarm).
   * @default 1
   */
  readonly abortedThreshold?: number;

  /**
   * The evaluation period.
   * @default Duration.minutes(5)
   */
  readonly period?: Duration;

  /**
   * What to do when an alarm fires (and when it returns to OK).
   * @default - no action: the alarms show in the CloudWatch console
   */
  readonly action?: cloudwatch.IAlarmAction;
}

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

/**
 * Options for a trigger that starts the workflow from EventBridge.
 */
export interface WorkflowTriggerOptions {
  /**
   * The execution input.
   * @default - the matched event (for a schedule: the scheduled event)
   */
  readonly input?: events.RuleTargetInput;

  /**
   * A description for the rule.
   * @default - none
   */
  readonly description?: string;

  /**
   * How many times EventBridge retries a failed start.
   * @default 185 (EventBridge's maximum)
   */
  readonly retryAttempts?: number;

  /**
   * How long EventBridge keeps retrying a failed start.
   * @default Duration.hours(24)
   */
  readonly maxEventAge?: Duration;
}

/**
 * Options for a trigger that starts the workflow on matching events.
 */
export interface WorkflowEventTriggerOptions extends WorkflowTriggerOptions {
  /**
   * The event bus the rule listens on.
   * @default - the account's default event bus
   */
  readonly eventBus?: events.IEventBus;
}

/**
 * Options for running this workflow from another one.
 */
export interface NestedWorkflowOptions {
  /**
   * The child execution's input, as an object (`sfn.TaskInput.fromObject`), to which the parent
   * execution's id is added.
   * @default - the state's input, with the parent execution's id added
   */
  readonly input?: sfn.TaskInput;

  /**
   * Where to put the task's result in the state's input.
   * @default '$'
   */
  readonly resultPath?: string;

  /**
   * What of the result to keep. The result of a Standard child is `{ Output }`, the child's output
   * (the rest of the DescribeExecution answer, the child's input included, is dropped); that of an
   * Express child is `{ ExecutionArn, StartDate }`.
   * @default '$'
   */
  readonly outputPath?: string;

  /**
   * The longest the task may run.
   * @default - no limit
   */
  readonly taskTimeout?: sfn.Timeout;

  /**
   * A comment for the state.
   * @default - none
   */
  readonly comment?: string;
}

/**
 * The retry AWS recommends for a task that starts an execution: the account's limit of open
 * executions reached, retried with backoff until executions end.
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/concepts-nested-workflows.html
 */
const NESTED_EXECUTION_RETRY: sfn.RetryProps = {
  errors: ['StepFunctions.ExecutionLimitExceeded'],
  interval: Duration.seconds(5),
  maxAttempts: 6,
  backoffRate: 2,
  maxDelay: Duration.minutes(2),
  jitterStrategy: sfn.JitterType.FULL,
};

/** The longest wait an Express workflow can hold, in seconds. */
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
      if (seconds > 365 * 24 * 3600) {
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

    this.stateMachine = new sfn.StateMachine(this, 'Resource', {
      definitionBody: sfn.DefinitionBody.fromChainable(props.definition),
      stateMachineType: this.type.stateMachineType,
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
    });
    this.node.defaultChild = this.stateMachine;
    this.stateMachineArn = this.stateMachine.stateMachineArn;
    this.stateMachineName = this.stateMachine.stateMachineName;

    if (!props.role && ((props.tracing ?? true) || this.logGroup)) {
      // X-Ray (PutTraceSegments...) and CloudWatch Logs delivery (CreateLogDelivery...) actions
      // support no resource-level permissions: CDK grants them on '*'. Only on the role the
      // Workflow creates: a role the user gives is theirs to review.
      const policy = this.stateMachine.role.node.tryFindChild('DefaultPolicy');
      if (policy) {
        suppressNag(policy, [{
          id: 'AwsSolutions-IAM5',
          reason: 'X-Ray tracing and CloudWatch Logs vended log delivery actions do not support resource-level permissions, so they are granted on *.',
          appliesTo: ['Resource::*'],
        }]);
      }
    }

    const states = graphStates(Stack.of(this), props.definition);
    // Steps that wait for a task token (an ApprovalGate) learn which state machine they answer.
    bindTaskResponders(this, states, {
      owner: this,
      stateMachine: this.stateMachine,
      isExpress: this.type.isExpress,
      typeName: this.type.toString(),
      logsExecutionData: this.logGroup !== undefined && (logging.includeExecutionData ?? false),
    });
    if (!props.role) {
      // CDK grants each Lambda task's function and its versions (ARN:*); name them for cdk-nag.
      const functionArns = states.map(st => lambdaFunctionOf(Stack.of(this), st)).filter(arn => arn !== undefined);
      suppressLambdaVersionGrants(this.stateMachine, functionArns, `workflow ${this.node.path}`);
      this.suppressNestedExecutionFindings();
    }

    this.suppressDistributedMapFindings();
    this.createAlarms(id, props.alarms ?? {});
    this.node.addValidation({ validate: () => this.checkGraph() });
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
    return this.addTrigger(id, { schedule, description: options.description }, options);
  }

  /**
   * Starts the workflow on every event that matches a pattern (an EventBridge rule on the default
   * bus, or the given one). Not for `WorkflowType.expressSync()`, whose callers wait for the result.
   */
  public addEventTrigger(id: string, eventPattern: events.EventPattern, options: WorkflowEventTriggerOptions = {}): events.Rule {
    required(id, `Workflow '${this.node.id}': addEventTrigger`, 'id', 'give the construct id of the rule');
    required(eventPattern, `Workflow '${this.node.id}': addEventTrigger`, 'eventPattern', "give the events to start on, such as { source: ['aws.s3'] }");
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
    if (options.input && options.input.type !== sfn.InputType.OBJECT) {
      throw new Error(`Workflow '${this.node.id}': nested task '${id}' input must be an object (sfn.TaskInput.fromObject) so that the parent execution's id can be added to it; leave input out to pass the state's input`);
    }
    // The state's input with AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID merged in: what
    // associateWithParent does for an object input, done for the whole input.
    const wholeInput = sfn.JsonPath.jsonMerge(sfn.JsonPath.entirePayload, sfn.JsonPath.stringToJson(
      sfn.JsonPath.format('\\{"AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID":"{}"\\}', sfn.JsonPath.executionId)));
    const task = new tasks.StepFunctionsStartExecution(scope, id, {
      stateMachine: this.stateMachine,
      integrationPattern: this.type.isExpress ? sfn.IntegrationPattern.REQUEST_RESPONSE : sfn.IntegrationPattern.RUN_JOB,
      associateWithParent: options.input !== undefined,
      input: options.input ?? sfn.TaskInput.fromJsonPathAt(wholeInput),
      // A Standard child's DescribeExecution answer repeats its input (the parent's state): keep its output only.
      resultSelector: this.type.isExpress ? undefined : { Output: sfn.JsonPath.objectAt('$.Output') },
      resultPath: options.resultPath,
      outputPath: options.outputPath,
      taskTimeout: options.taskTimeout,
      comment: options.comment,
    });
    return task.addRetry(NESTED_EXECUTION_RETRY) as tasks.StepFunctionsStartExecution;
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

  /**
   * CDK grants a state machine with a Distributed Map the describe, stop and redrive of its own child
   * executions (the DistributedMapPolicy), on ARNs that end with names made at run time.
   */
  private suppressDistributedMapFindings(): void {
    const policy = this.stateMachine.node.tryFindChild('DistributedMapPolicy');
    if (!(policy instanceof iam.Policy)) return;
    const findings = wildcardResourceFindings(Stack.of(this).resolve(policy.document).Statement ?? []);
    if (findings.length === 0) return;
    suppressNag(policy, [{
      id: 'AwsSolutions-IAM5',
      reason: 'A Distributed Map describes, stops and redrives its own child executions, whose ARNs end with names made at run time; CDK grants this on the executions of this state machine only.',
      appliesTo: findings,
    }]);
  }

  /**
   * CDK grants a task that runs another state machine and waits for it (`asNestedTask`, `.sync`) the
   * describe and stop of that state machine's executions, whose ARNs end with names made at run time.
   */
  private suppressNestedExecutionFindings(): void {
    const policy = this.stateMachine.role.node.tryFindChild('DefaultPolicy');
    if (!(policy instanceof iam.Policy)) return;
    const nestedExecutionActions = ['states:DescribeExecution', 'states:StopExecution'];
    const statements = (Stack.of(this).resolve(policy.document).Statement ?? []).filter((statement: any) =>
      [statement.Action].flat().every((action: string) => nestedExecutionActions.includes(action)));
    const findings = wildcardResourceFindings(statements);
    if (findings.length === 0) return;
    suppressNag(policy, [{
      id: 'AwsSolutions-IAM5',
      reason: 'A nested workflow task describes and stops the child executions it starts, whose ARNs end with names made at run time; CDK grants this on the executions of that child state machine only.',
      appliesTo: findings,
    }]);
  }

  private createAlarms(id: string, options: WorkflowAlarmOptions): void {
    if (options.enabled === false) return;
    const period = options.period ?? Duration.minutes(5);
    const alarms: Array<[string, number | undefined, cloudwatch.Metric, string]> = [
      ['FailedAlarm', options.failedThreshold, this.stateMachine.metricFailed({ period, statistic: 'Sum' }), 'failed'],
      ['TimedOutAlarm', options.timedOutThreshold, this.stateMachine.metricTimedOut({ period, statistic: 'Sum' }), 'timed out'],
      ['ThrottledAlarm', options.throttledThreshold, this.stateMachine.metricThrottled({ period, statistic: 'Sum' }), 'were throttled'],
      ['AbortedAlarm', options.abortedThreshold, this.stateMachine.metricAborted({ period, statistic: 'Sum' }), 'were aborted'],
    ];
    for (const [alarmId, given, metric, what] of alarms) {
      const threshold = given ?? 1;
      if (!Token.isUnresolved(threshold) && (!Number.isFinite(threshold) || threshold < 0)) {
        throw new Error(`Workflow '${id}': alarm thresholds must be 0 (no alarm) or more (got ${threshold} for ${alarmId})`);
      }
      if (threshold === 0) continue;
      const alarm = new cloudwatch.Alarm(this, alarmId, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `${threshold} or more executions of workflow ${this.node.path} ${what} in ${period.toHumanString()}`,
      });
      if (options.action) {
        alarm.addAlarmAction(options.action);
        alarm.addOkAction(options.action);
      }
      this.alarms.push(alarm);
    }
  }

  /** The synth-time checks of the whole graph: Express misuse (errors) and Lambda tasks without retries (warnings). */
  private checkGraph(): string[] {
    const stack = Stack.of(this);
    const errors: string[] = [];
    const warn = (id: string, message: string) => {
      if (!this.warned) Annotations.of(this).addWarningV2(`cdk-workflow-patterns:${id}`, message);
    };
    const fix = 'use WorkflowType.standard()';
    for (const state of graphStates(stack, this.definition)) {
      const at = `state '${state.name}' (in ${state.where})`;
      const json = state.json;
      const issue = this.type.isExpress ? expressIssue(stack, state) : undefined;
      if (issue) {
        errors.push(`${at} ${issue.what}, which an ${this.type} workflow cannot ${issue.verb}; ${fix}${issue.alternative ? `, or ${issue.alternative}` : ''}`);
      }
      if (this.type.isExpress && json.Type === 'Map' && (json.ItemProcessor ?? json.Iterator)?.ProcessorConfig?.Mode === 'DISTRIBUTED') {
        errors.push(`${at} is a Distributed Map (a FanOutMap over S3 or in DISTRIBUTED mode), which Step Functions runs in Standard workflows only; `
          + `${fix} (its child executions stay Express, and the parent pays one state transition per child execution), or use an inline Map (FanOutMode.INLINE) for a JSON array in the input`);
      }
      if (this.type.isExpress && json.Type === 'Wait') {
        if (typeof json.Seconds === 'number' && json.Seconds > EXPRESS_MAX_SECONDS) {
          errors.push(`${at} waits ${json.Seconds} seconds, longer than the 5 minutes an ${this.type} workflow may run; wait at most ${EXPRESS_MAX_SECONDS} seconds or ${fix}`);
        } else if (json.Seconds === undefined) {
          warn('expressDynamicWait',
            `${at} waits for a time read from the input, which cannot be checked at synth; an ${this.type} workflow fails if it waits past 5 minutes`);
        }
      }
      if (state.resource !== undefined && isLambdaTask(state.resource) && !coversTransientErrors(json.Retry ?? [])) {
        warn('lambdaWithoutRetry',
          `Lambda ${at} does not retry the transient errors ${LambdaRetry.TRANSIENT_ERRORS.join(', ')}; use ResilientLambdaInvoke or LambdaRetry.addTo(task)`);
      }
    }
    this.warned = true;
    return errors.map(e => `Workflow '${this.node.id}': ${e}`);
  }
}

/** The function a Lambda task invokes, as resolved in the ASL (`lambda:invoke` parameters, or the function as the Resource). */
function lambdaFunctionOf(stack: Stack, state: GraphState): unknown {
  if (state.json.Type !== 'Task') return undefined;
  if (/:states:::lambda:invoke(\.waitForTaskToken)?$/.test(state.resource ?? '')) return state.json.Parameters?.FunctionName;
  if (/:lambda:[^:]*:[^:]*:function:/.test(state.resource ?? '') || referencedType(stack, state.json.Resource) === 'AWS::Lambda::Function') {
    return state.json.Resource;
  }
  return undefined;
}

function isLambdaTask(resource: string): boolean {
  return /:states:::lambda:invoke(\.waitForTaskToken)?$/.test(resource) || /:lambda:[^:]*:[^:]*:function:/.test(resource);
}

function coversTransientErrors(retriers: Array<{ ErrorEquals: string[] }>): boolean {
  const covered = new Set(retriers.flatMap(r => r.ErrorEquals));
  if (covered.has('States.ALL') || covered.has('States.TaskFailed')) return true;
  return LambdaRetry.TRANSIENT_ERRORS.every(e => covered.has(e));
}
