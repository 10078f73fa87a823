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
import { ApprovalGate } from '../approval-gate';
import { functionLogs, functionRole } from '../private/functions';
import { required } from '../private/required';
import { recordTable } from '../private/tables';
import { ResilientLambdaInvoke, Workflow, WorkflowAlarmOptions, WorkflowLoggingOptions, WorkflowType } from '../workflow';

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
   * Trades whose amount is above this (in the trade's currency) wait for a person's approval;
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

/** Error names of the workflow's Fail states. */
const ERRORS = {
  invalidRequest: 'InvalidTradeRequest',
  analysisFailed: 'StockAnalysisFailed',
  invalidAnalysis: 'InvalidStockAnalysis',
  notApproved: 'TradeNotApproved',
  executionFailed: 'TradeExecutionFailed',
  unsuccessful: 'TradeUnsuccessful',
};

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

  constructor(scope: Construct, id: string, props: StockTradingWorkflowProps = {}) {
    super(scope, id);
    const name = `StockTradingWorkflow '${id}'`;
    if (props.type?.isExpress) {
      throw new Error(`${name}: trades above the threshold wait for a person's approval, which an ${props.type} workflow cannot do; leave type out (Standard)`);
    }
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

    // 1. The request must be usable before anything runs.
    const invalid = (stateName: string, cause: string) => new sfn.Fail(this, stateName, { error: ERRORS.invalidRequest, cause });
    const checkRequest = new sfn.Choice(this, 'Check trade request')
      .when(sfn.Condition.or(sfn.Condition.isNotPresent('$.tradeId'), sfn.Condition.isNotString('$.tradeId')),
        invalid('Invalid request: no trade id', 'tradeId is missing or not a string'))
      .when(sfn.Condition.or(sfn.Condition.isNotPresent('$.companyId'), sfn.Condition.isNotString('$.companyId')),
        invalid('Invalid request: no company', 'companyId is missing or not a string'))
      .when(sfn.Condition.or(sfn.Condition.isNotPresent('$.amount'), sfn.Condition.isNotNumeric('$.amount')),
        invalid('Invalid request: amount not a number', 'amount is missing or not a number'))
      .when(sfn.Condition.numberLessThan('$.amount', 0),
        invalid('Invalid request: negative amount', 'amount must be 0 or more'))
      .when(sfn.Condition.and(sfn.Condition.isPresent('$.price'), sfn.Condition.isNotNumeric('$.price')),
        invalid('Invalid request: price not a number', 'price must be a number'))
      .when(sfn.Condition.and(sfn.Condition.isPresent('$.price'), sfn.Condition.numberLessThanEquals('$.price', 0)),
        invalid('Invalid request: price not above 0', 'price must be above 0'));

    // 2. Analysis.
    const analyse = new ResilientLambdaInvoke(this, 'Analyse stock', {
      lambdaFunction: this.analysisFunction,
      payloadResponseOnly: true,
      resultPath: '$.analysis',
    }).addCatch(new sfn.Fail(this, 'Analysis failed', { error: ERRORS.analysisFailed, causePath: '$.error.Cause' }), { resultPath: '$.error' });

    // 5. Execution (with a key that is the same on every retry of this execution) and 6. verification.
    const execute = new ResilientLambdaInvoke(this, 'Execute trade', {
      lambdaFunction: this.executionFunction,
      payloadResponseOnly: true,
      payload: sfn.TaskInput.fromObject({
        idempotencyKey: sfn.JsonPath.hash(sfn.JsonPath.format('{}|{}', sfn.JsonPath.executionId, sfn.JsonPath.stringAt('$.tradeId')), 'SHA-256'),
        tradeId: sfn.JsonPath.stringAt('$.tradeId'),
        companyId: sfn.JsonPath.stringAt('$.analysis.companyId'),
        stockCount: sfn.JsonPath.numberAt('$.analysis.stockCount'),
        price: sfn.JsonPath.numberAt('$.analysis.price'),
        tradeAmount: sfn.JsonPath.numberAt('$.analysis.tradeAmount'),
      }),
      resultPath: '$.trade',
    }).addCatch(new sfn.Fail(this, 'Trade execution failed', { error: ERRORS.executionFailed, causePath: '$.error.Cause' }), { resultPath: '$.error' });
    execute.next(new sfn.Choice(this, 'Trade successful?')
      .when(sfn.Condition.stringEquals('$.trade.status', 'FILLED'), new sfn.Succeed(this, 'Trade successful'))
      .otherwise(new sfn.Fail(this, 'Trade unsuccessful', { error: ERRORS.unsuccessful, causePath: sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt('$.trade')) })));

    // 4. Approval above the threshold.
    const notApproved = new sfn.Fail(this, 'Trade not approved', {
      error: ERRORS.notApproved,
      causePath: sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt('$.approval')),
    });
    const approval = props.approval ?? {};
    this.approvalGate = new ApprovalGate(this, 'Approve trade', {
      timeout: approval.timeout ?? Duration.hours(24),
      summary: sfn.JsonPath.format('Trade {}: buy {} shares of {} at {} ({} in all)',
        sfn.JsonPath.stringAt('$.tradeId'), sfn.JsonPath.stringAt('$.analysis.stockCount'), sfn.JsonPath.stringAt('$.analysis.companyId'),
        sfn.JsonPath.stringAt('$.analysis.price'), sfn.JsonPath.stringAt('$.analysis.tradeAmount')),
      subject: 'Trade needs approval',
      approverEmails: approval.approverEmails,
      topic: approval.topic,
      authorizer: approval.authorizer,
      encryptionKey: props.encryptionKey,
      removalPolicy: props.removalPolicy,
      onApproved: execute,
      onRejected: notApproved,
      onExpired: notApproved,
    });

    // 3. Recommendation, with the analysis checked before its figures are used.
    const decide = new sfn.Choice(this, 'Trade recommended?')
      .when(sfn.Condition.or(
        sfn.Condition.isNotBoolean('$.analysis.recommended'),
        sfn.Condition.isNotNumeric('$.analysis.tradeAmount'),
        sfn.Condition.isNotNumeric('$.analysis.price'),
        sfn.Condition.isNotNumeric('$.analysis.stockCount'),
      ), new sfn.Fail(this, 'Invalid analysis', { error: ERRORS.invalidAnalysis, cause: 'the analysis must return recommended (boolean), tradeAmount, price and stockCount (numbers)' }))
      .when(sfn.Condition.booleanEquals('$.analysis.recommended', false), new sfn.Succeed(this, 'No trade recommended'))
      .when(sfn.Condition.numberGreaterThan('$.analysis.tradeAmount', this.approvalThreshold), this.approvalGate)
      .otherwise(execute);

    checkRequest.otherwise(analyse.next(decide));

    this.workflow = new Workflow(this, 'Workflow', {
      definition: checkRequest,
      type: WorkflowType.standard(),
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
  return new fn(scope, id, { description, role, logGroup, memorySize: 256, timeout: Duration.seconds(10) });
}
