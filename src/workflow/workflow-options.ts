import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';

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
   * The query language of the task: that of the parent workflow it runs in (a JSONata workflow
   * holds JSONata states only).
   * @default sfn.QueryLanguage.JSON_PATH
   */
  readonly queryLanguage?: sfn.QueryLanguage;

  /**
   * The child execution's input, as an object (`sfn.TaskInput.fromObject`; in JSONata, values may
   * be `{% %}` expressions), to which the parent execution's id is added.
   * @default - the state's input, with the parent execution's id added
   */
  readonly input?: sfn.TaskInput;

  /**
   * JSONPath only: where to put the task's result in the state's input.
   * @default '$'
   */
  readonly resultPath?: string;

  /**
   * JSONPath only: what of the result to keep. The result of a Standard child is `{ Output }`, the
   * child's output (the rest of the DescribeExecution answer, the child's input included, is
   * dropped); that of an Express child is `{ ExecutionArn, StartDate }`.
   * @default '$'
   */
  readonly outputPath?: string;

  /**
   * JSONata only: the state's output, a `{% %}` expression (or an object of them) that reads the
   * child's output as `$states.result.Output` (Standard child) or its `$states.result.ExecutionArn`
   * (Express child).
   * @default - the same result as in JSONPath: `{ Output }` (Standard child) or `{ ExecutionArn, StartDate }` (Express child)
   */
  readonly outputs?: any;

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

