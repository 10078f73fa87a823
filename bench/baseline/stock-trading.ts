/**
 * The baseline of the synth benchmark: the resources of one StockTradingWorkflow (with one approver
 * address), written by hand with aws-cdk-lib alone, as an engineer who knows CDK would write them;
 * and the same with one approval backend that many workflows share (an ApprovalService).
 *
 * The same resources: the analysis and execution functions (the same bundled code from
 * assets/stock-trading), the trades table, the topic with one email subscription; the approval
 * backend: its table (with the index of decisions in delivery), the signing key secret, the REST API
 * (GET and POST /decision, parameter validation, the security headers of the gateway's own answers,
 * access logs, throttling), the request, decision and delivery sweep functions (the same code from
 * assets/approval-gate), the sweep's schedule and its alarm on undeliverable decisions; the state
 * machine with its log group, X-Ray tracing and four alarms; the grants that let the three approval
 * functions answer the state machine and read its executions' history. Each function has its own log
 * group. The state machine logic is bench/baseline/minimal-asl.ts.
 *
 * What it leaves out: cdk-nag suppressions (metadata only), the synth-time checks of the library
 * (no resources), the functions' descriptions, and the explicit roles the library gives each
 * function (here each function gets the role lambda.Function makes, with the AWS managed basic
 * execution policy).
 */
import * as path from 'path';
import { Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { minimalDefinition } from './minimal-asl';

/** The repository root (where assets/ is). */
const ROOT = path.resolve(process.env.BENCH_ROOT ?? process.cwd());
const RUNTIME = new lambda.Runtime('nodejs24.x', lambda.RuntimeFamily.NODEJS);
const APPROVAL_TIMEOUT = Duration.hours(24);
const APPROVER = 'trading-desk@example.com';
const SUBJECT = 'Trade needs approval';
const HEADERS = {
  'Cache-Control': "'no-store'",
  'Referrer-Policy': "'no-referrer'",
  'X-Content-Type-Options': "'nosniff'",
  'X-Frame-Options': "'DENY'",
  'Strict-Transport-Security': "'max-age=31536000'",
  'Content-Security-Policy': "'sandbox'",
};

function table(scope: Construct, id: string, key: string): dynamodb.Table {
  return new dynamodb.Table(scope, id, {
    partitionKey: { name: key, type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    encryption: dynamodb.TableEncryption.AWS_MANAGED,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    timeToLiveAttribute: 'ttl',
    removalPolicy: RemovalPolicy.RETAIN,
  });
}

function fn(scope: Construct, id: string, asset: string, props: Partial<lambda.FunctionProps> = {}): lambda.Function {
  return new lambda.Function(scope, id, {
    runtime: RUNTIME,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(path.join(ROOT, 'assets', asset)),
    memorySize: 256,
    timeout: Duration.seconds(10),
    logGroup: new logs.LogGroup(scope, `${id}Logs`, { retention: logs.RetentionDays.ONE_YEAR }),
    ...props,
  });
}

function alarm(scope: Construct, id: string, metric: cloudwatch.IMetric): cloudwatch.Alarm {
  return new cloudwatch.Alarm(scope, id, {
    metric,
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
}

/** The approval backend: the table, the key, the endpoint and the three functions. */
export class BaselineApprovals {
  public readonly requestFunction: lambda.Function;
  private readonly roles: iam.IRole[];

  /** @param topicEnvironment the topic and settings of the one workflow it serves; none when it is shared (the request carries them) */
  constructor(scope: Construct, topicEnvironment?: Record<string, string>) {
    const stack = Stack.of(scope);
    const approvals = table(scope, 'Approvals', 'requestId');
    approvals.addGlobalSecondaryIndex({
      indexName: 'delivery',
      partitionKey: { name: 'deliveryQueue', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'decidedEpoch', type: dynamodb.AttributeType.NUMBER },
      projectionType: dynamodb.ProjectionType.KEYS_ONLY,
    });
    const secret = new secretsmanager.Secret(scope, 'SigningKey', { generateSecretString: { passwordLength: 64, excludePunctuation: true } });
    const api = new apigw.RestApi(scope, 'Api', {
      endpointTypes: [apigw.EndpointType.REGIONAL],
      cloudWatchRole: true,
      deployOptions: {
        stageName: 'prod',
        accessLogDestination: new apigw.LogGroupLogDestination(new logs.LogGroup(scope, 'AccessLogs', { retention: logs.RetentionDays.ONE_YEAR })),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        throttlingRateLimit: 10,
        throttlingBurstLimit: 20,
      },
    });
    api.addGatewayResponse('ClientErrors', { type: apigw.ResponseType.DEFAULT_4XX, responseHeaders: HEADERS });
    api.addGatewayResponse('ServerErrors', { type: apigw.ResponseType.DEFAULT_5XX, responseHeaders: HEADERS });
    const decisionUrl = `https://${api.restApiId}.execute-api.${stack.region}.${stack.urlSuffix}/prod/decision`;
    const environment = { TABLE_NAME: approvals.tableName, SIGNING_KEY_SECRET_ARN: secret.secretArn };
    this.requestFunction = fn(scope, 'RequestFunction', 'approval-gate/request.lambda', {
      timeout: Duration.seconds(30),
      environment: { ...environment, DECISION_URL: decisionUrl, RETENTION_SECONDS: String(Duration.days(90).toSeconds()), ...topicEnvironment },
    });
    approvals.grant(this.requestFunction, 'dynamodb:PutItem', 'dynamodb:UpdateItem');
    secret.grantRead(this.requestFunction);
    const decision = fn(scope, 'DecisionFunction', 'approval-gate/decision.lambda', { timeout: Duration.seconds(20), environment });
    approvals.grant(decision, 'dynamodb:UpdateItem', 'dynamodb:GetItem');
    secret.grantRead(decision);
    const sweep = fn(scope, 'SweepFunction', 'approval-gate/sweep.lambda', { timeout: Duration.minutes(2), environment: { TABLE_NAME: approvals.tableName } });
    approvals.grant(sweep, 'dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:UpdateItem');
    new events.Rule(scope, 'DeliverySweep', { schedule: events.Schedule.rate(Duration.minutes(5)), targets: [new targets.LambdaFunction(sweep, { retryAttempts: 0 })] });
    alarm(scope, 'UndeliverableAlarm', new cloudwatch.Metric({
      namespace: 'Approvals', metricName: 'UndeliverableDecisions', dimensionsMap: { Table: approvals.tableName }, statistic: 'Sum', period: Duration.minutes(5),
    }));

    const validator = new apigw.RequestValidator(scope, 'LinkValidator', { restApi: api, validateRequestParameters: true });
    const resource = api.root.addResource('decision');
    const integration = new apigw.LambdaIntegration(decision, { allowTestInvoke: false });
    const requestParameters = Object.fromEntries(['id', 'a', 'exp', 'sig'].map(p => [`method.request.querystring.${p}`, true]));
    for (const method of ['GET', 'POST']) {
      resource.addMethod(method, integration, { requestParameters, requestValidator: validator, authorizationType: apigw.AuthorizationType.NONE });
    }
    this.roles = [this.requestFunction.role!, decision.role!, sweep.role!];
  }

  /** Lets the three functions answer a state machine and read its executions' history, with a policy in the state machine's stack. */
  public answer(stateMachine: sfn.StateMachine): void {
    const scope = Stack.of(stateMachine);
    const name = stateMachine.stateMachineName;
    new iam.Policy(scope, 'TaskResponsePolicy', {
      roles: this.roles,
      statements: [new iam.PolicyStatement({
        actions: ['states:SendTaskSuccess', 'states:GetExecutionHistory'],
        resources: [scope.formatArn({ service: 'states', resource: '*', resourceName: `${name}*` })],
      })],
    });
  }
}

export interface BaselineTradingProps {
  readonly queryLanguage?: sfn.QueryLanguage;
}

/** The trading workflow: its functions, its topic, its state machine and alarms, answered by an approval backend. */
function tradingWorkflow(scope: Construct, approvals: BaselineApprovals, topic: sns.Topic, shared: boolean, props: BaselineTradingProps = {}) {
  const stack = Stack.of(scope);
  const analysisFunction = fn(scope, 'AnalysisFunction', 'stock-trading/analysis.lambda');
  const trades = table(scope, 'Trades', 'idempotencyKey');
  const executionFunction = fn(scope, 'ExecutionFunction', 'stock-trading/execute-trade.lambda', { environment: { TRADES_TABLE_NAME: trades.tableName } });
  trades.grant(executionFunction, 'dynamodb:PutItem', 'dynamodb:GetItem');
  const stateMachine = new sfn.StateMachine(scope, 'StateMachine', {
    definitionBody: sfn.DefinitionBody.fromChainable(minimalDefinition(scope, {
      analysisFunction,
      executionFunction,
      requestFunction: approvals.requestFunction,
      approvalThreshold: 100,
      approvalTimeout: APPROVAL_TIMEOUT,
      queryLanguage: props.queryLanguage,
      gate: shared
        ? {
          id: stack.stackName,
          topicArn: topic.topicArn,
          recipients: [APPROVER],
          subject: SUBJECT,
          timeoutSeconds: APPROVAL_TIMEOUT.toSeconds(),
          reminderSeconds: 0,
        }
        : undefined,
    })),
    queryLanguage: props.queryLanguage,
    stateMachineType: sfn.StateMachineType.STANDARD,
    tracingEnabled: true,
    logs: {
      destination: new logs.LogGroup(scope, 'StateMachineLogs', { logGroupName: `/aws/vendedlogs/states/${stack.stackName}-trading`, retention: logs.RetentionDays.ONE_YEAR }),
      level: sfn.LogLevel.ALL,
      includeExecutionData: false,
    },
  });
  approvals.answer(stateMachine);
  const period = Duration.minutes(5);
  alarm(scope, 'FailedAlarm', stateMachine.metricFailed({ period, statistic: 'Sum' }));
  alarm(scope, 'TimedOutAlarm', stateMachine.metricTimedOut({ period, statistic: 'Sum' }));
  alarm(scope, 'ThrottledAlarm', stateMachine.metricThrottled({ period, statistic: 'Sum' }));
  alarm(scope, 'AbortedAlarm', stateMachine.metricAborted({ period, statistic: 'Sum' }));
  return { stateMachine, analysisFunction, executionFunction };
}

function approvalTopic(scope: Construct): sns.Topic {
  const topic = new sns.Topic(scope, 'Topic', {
    displayName: 'Approval requests',
    enforceSSL: true,
    masterKey: kms.Alias.fromAliasName(scope, 'SnsKey', 'alias/aws/sns'),
  });
  topic.addSubscription(new subscriptions.EmailSubscription(APPROVER, {
    filterPolicy: { recipient: sns.SubscriptionFilter.stringFilter({ allowlist: [APPROVER] }) },
  }));
  return topic;
}

export interface BaselineStockTradingStackProps extends StackProps, BaselineTradingProps {}

/** One trading workflow with an approval backend of its own. */
export class BaselineStockTradingStack extends Stack {
  public readonly stateMachine: sfn.StateMachine;
  public readonly analysisFunction: lambda.Function;
  public readonly executionFunction: lambda.Function;
  public readonly requestFunction: lambda.Function;

  constructor(scope: Construct, id: string, props: BaselineStockTradingStackProps = {}) {
    super(scope, id, props);
    const topic = approvalTopic(this);
    const approvals = new BaselineApprovals(this, {
      TOPIC_ARN: topic.topicArn, TIMEOUT_SECONDS: String(APPROVAL_TIMEOUT.toSeconds()), RECIPIENTS: APPROVER, SUBJECT,
    });
    topic.grantPublish(approvals.requestFunction);
    this.requestFunction = approvals.requestFunction;
    const workflow = tradingWorkflow(this, approvals, topic, false, props);
    this.stateMachine = workflow.stateMachine;
    this.analysisFunction = workflow.analysisFunction;
    this.executionFunction = workflow.executionFunction;
  }
}

/** The approval backend that many trading workflows share, in a stack of its own. */
export class BaselineApprovalServiceStack extends Stack {
  public readonly approvals: BaselineApprovals;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    this.approvals = new BaselineApprovals(this);
  }
}

/** A trading workflow answered by a shared approval backend: it adds its topic, its functions and its state machine. */
export class BaselineSharedTradingStack extends Stack {
  constructor(scope: Construct, id: string, service: BaselineApprovalServiceStack, props: StackProps = {}) {
    super(scope, id, props);
    const topic = approvalTopic(this);
    topic.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ArnPrincipal(service.approvals.requestFunction.role!.roleArn)], actions: ['sns:Publish'], resources: [topic.topicArn],
    }));
    tradingWorkflow(this, service.approvals, topic, true);
  }
}
