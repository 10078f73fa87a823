import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { AnalysisFunction } from './analysis-function';
import { ExecuteTradeFunction } from './execute-trade-function';
import { tradingStates } from './trading-states';
import { ApprovalGate, ApprovalService } from '../approval-gate';
import { functionLogs, functionRole, onNewestNodeRuntime } from '../private/functions';
import { checkProps } from '../private/prop-types';
import { required } from '../private/required';
import { recordTable } from '../private/tables';
import { Workflow, WorkflowAlarmOptions, WorkflowLoggingOptions, WorkflowType } from '../workflow';

/**
 * Who approves trades above the threshold, and how long they have.
 */
export interface StockTradingApprovalOptions {
  /**
   * How long approvers have before the trade is abandoned (1 minute to 365 days).
   * @default Duration.hours(24)
   */
  readonly timeout?: Duration;

  /**
   * Addresses that receive the approval requests, each with links of its own.
   * @default - none: subscribe to the topic yourself
   */
  readonly approverEmails?: string[];

  /**
   * The topic approval requests go to.
   * @default - a topic the gate creates
   */
  readonly topic?: sns.ITopic;

  /**
   * An authorizer approvers sign in with before they decide.
   * @default - none: the signed link is the credential
   */
  readonly authorizer?: apigw.IAuthorizer;

  /**
   * Whether to create API Gateway's CloudWatch role (an account and region setting), which the
   * gate's endpoint needs to write its logs: see `ApprovalGateProps.cloudWatchRole`.
   * @default false - the account's API Gateway settings must already name a CloudWatch role
   */
  readonly cloudWatchRole?: boolean;

  /**
   * An approval service the gate shares with other gates (see `ApprovalGateProps.service`): the
   * gate then adds only its topic, subscriptions and grants. `authorizer` and `cloudWatchRole` are
   * then the service's settings, and the workflow's `encryptionKey` and `removalPolicy` apply to the
   * trades table and the workflow only.
   * @default - the gate's own service
   */
  readonly service?: ApprovalService;
}

/**
 * Properties for a `StockTradingWorkflow`.
 */
export interface StockTradingWorkflowProps {
  /**
   * The stock analysis: receives the trade request (`tradeId`, `companyId`, `amount`, `price`) and
   * returns `{ companyId, stockCount, price, tradeAmount, recommended }`.
   * @default - a bundled sample that simulates a market deterministically from the input
   */
  readonly analysisFunction?: lambda.IFunction;

  /**
   * The trade execution: receives `{ idempotencyKey, tradeId, companyId, stockCount, price, tradeAmount }`
   * and returns `{ status: 'FILLED' | ..., transactionId, ... }`. It must trade at most once per
   * `idempotencyKey`: the workflow retries it on transient errors.
   * @default - a bundled idempotent sample (a conditional write in a DynamoDB table per key)
   */
  readonly executionFunction?: lambda.IFunction;

  /**
   * Trades whose amount is above this (in the trade's currency) wait for a person's approval.
   * at or below it, they are executed at once.
   * @default 100
   */
  readonly approvalThreshold?: number;

  /**
   * The human approval of large trades.
   * @default - 24 hours, no subscriptions
   */
  readonly approval?: StockTradingApprovalOptions;

  /**
   * The query language of the workflow's states. In JSONata, the approval paths take fewer state
   * transitions (one fewer when approved or rejected, two when expired: see the ApprovalGate), and
   * the output is the same.
   * @default sfn.QueryLanguage.JSON_PATH
   */
  readonly queryLanguage?: sfn.QueryLanguage;

  /**
   * The workflow type. Only Standard is possible: the approval waits for a person.
   * @default WorkflowType.standard()
   */
  readonly type?: WorkflowType;

  /**
   * A name for the state machine.
   * @default - a name CloudFormation generates
   */
  readonly workflowName?: string;

  /**
   * How long an execution may run in all.
   * @default - no limit beyond Standard's year
   */
  readonly timeout?: Duration;

  /**
   * Execution logging.
   * @default - the Workflow defaults
   */
  readonly logging?: WorkflowLoggingOptions;

  /**
   * Alarms on executions.
   * @default - the Workflow defaults
   */
  readonly alarms?: WorkflowAlarmOptions;

  /**
   * X-Ray tracing.
   * @default true
   */
  readonly tracing?: boolean;

  /**
   * A customer managed key for the workflow, the approval gate and the sample trades table.
   * @default - AWS managed keys
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * What happens to the tables (approvals, sample trades) when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The reference business workflow: analyse a stock, stop when no trade is recommended, ask a person
 * to approve trades above a threshold, execute the trade idempotently and verify it.
 *
 * A Standard `Workflow` (the approval waits for a person), every Lambda step retried on transient
 * errors, every failure ending in a Fail state that names it. Start executions with the trade id as
 * the execution name: a second start of the same trade fails with `ExecutionAlreadyExists`.
 */
export class StockTradingWorkflow extends Construct {
  /** The workflow (state machine, logs, alarms). */
  public readonly workflow: Workflow;
  /** The approval of trades above the threshold. */
  public readonly approvalGate: ApprovalGate;
  /** The analysis function (given or sample). */
  public readonly analysisFunction: lambda.IFunction;
  /** The execution function (given or sample). */
  public readonly executionFunction: lambda.IFunction;
  /** The sample execution function's idempotency table (only with the sample). */
  public readonly tradesTable?: dynamodb.Table;
  /** The amount above which trades need approval. */
  public readonly approvalThreshold: number;
  /** The query language of the workflow's states. */
  public readonly queryLanguage: sfn.QueryLanguage;

  constructor(scope: Construct, id: string, props: StockTradingWorkflowProps = {}) {
    super(scope, id);
    const name = `StockTradingWorkflow '${id}'`;
    checkProps(name, 'StockTradingWorkflowProps', props);
    if (props.type?.isExpress) {
      throw new Error(`${name}: trades above the threshold wait for a person's approval, which an ${props.type} workflow cannot do; leave type out (Standard)`);
    }
    this.queryLanguage = props.queryLanguage ?? sfn.QueryLanguage.JSON_PATH;
    this.approvalThreshold = props.approvalThreshold ?? 100;
    if (!Number.isFinite(this.approvalThreshold) || this.approvalThreshold < 0) {
      throw new Error(`${name}: approvalThreshold must be a number of at least 0 (got ${this.approvalThreshold})`);
    }

    this.analysisFunction = props.analysisFunction ?? sampleFunction(this, 'AnalysisFunction', AnalysisFunction, 'Sample stock analysis: a deterministic market simulation');
    if (props.executionFunction) {
      this.executionFunction = props.executionFunction;
    } else {
      this.tradesTable = recordTable(this, 'Trades', 'idempotencyKey', props.encryptionKey, props.removalPolicy);
      const execution = sampleFunction(this, 'ExecutionFunction', ExecuteTradeFunction, 'Sample idempotent trade execution against a simulated market');
      execution.addEnvironment('TRADES_TABLE_NAME', this.tradesTable.tableName);
      this.tradesTable.grant(execution, 'dynamodb:PutItem', 'dynamodb:GetItem');
      if (props.encryptionKey) props.encryptionKey.grant(execution, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey');
      this.executionFunction = execution;
    }

    const approval = props.approval ?? {};
    const { start, gate } = tradingStates(this, {
      queryLanguage: this.queryLanguage,
      analysisFunction: this.analysisFunction,
      executionFunction: this.executionFunction,
      approvalThreshold: this.approvalThreshold,
      approvalTimeout: approval.timeout ?? Duration.hours(24),
      approverEmails: approval.approverEmails,
      topic: approval.topic,
      authorizer: approval.authorizer,
      cloudWatchRole: approval.cloudWatchRole,
      service: approval.service,
      encryptionKey: props.encryptionKey,
      removalPolicy: props.removalPolicy,
    });
    this.approvalGate = gate;

    this.workflow = new Workflow(this, 'Workflow', {
      definition: start,
      type: WorkflowType.standard(),
      queryLanguage: this.queryLanguage,
      workflowName: props.workflowName,
      timeout: props.timeout,
      logging: props.logging,
      alarms: props.alarms,
      tracing: props.tracing,
      encryptionKey: props.encryptionKey,
    });
  }

  /** Grants starting trades (`states:StartExecution`). */
  public grantStartExecution(grantee: iam.IGrantable): iam.Grant {
    required(grantee, `StockTradingWorkflow '${this.node.id}': grantStartExecution`, 'grantee', 'give the role, user or function to grant (an iam.IGrantable)');
    return this.workflow.grantStartExecution(grantee);
  }
}

type SampleFunctionClass = new (scope: Construct, id: string, props: lambda.FunctionOptions) => lambda.Function;

/** A bundled sample function with its own role and log group. */
function sampleFunction(scope: Construct, id: string, fn: SampleFunctionClass, description: string): lambda.Function {
  const role = functionRole(scope, `${id}Role`);
  const logGroup = functionLogs(scope, `${id}Logs`, role, logs.RetentionDays.ONE_YEAR);
  return onNewestNodeRuntime(new fn(scope, id, { description, role, logGroup, memorySize: 256, timeout: Duration.seconds(10) }));
}
