/**
 * The baseline of the synth benchmark: the resources of one StockTradingWorkflow (with one approver
 * address), written by hand with aws-cdk-lib alone, as an engineer who knows CDK would write them.
 *
 * The same resources: the analysis and execution functions (the same bundled code from
 * assets/stock-trading), the trades table, the approval table, the signing key secret, the topic with
 * one email subscription, the REST API (GET and POST /decision, parameter validation, access logs,
 * tracing, throttling) with the approval request and decision functions (the same code from
 * assets/approval-gate), the state machine with its log group, X-Ray tracing and four alarms.
 * Each function has its own log group. The state machine logic is bench/baseline/minimal-asl.ts.
 *
 * What it leaves out: cdk-nag suppressions (metadata only), the synth-time checks of the library
 * (no resources), and the explicit roles the library gives each function (here each function gets
 * the role lambda.Function makes, with the AWS managed basic execution policy).
 */
import * as path from 'path';
import { Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
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

export interface BaselineStockTradingStackProps extends StackProps {
  /** The query language of the state machine. @default JSONPath */
  readonly queryLanguage?: sfn.QueryLanguage;
}

export class BaselineStockTradingStack extends Stack {
  public readonly stateMachine: sfn.StateMachine;
  public readonly analysisFunction: lambda.Function;
  public readonly executionFunction: lambda.Function;
  public readonly requestFunction: lambda.Function;

  constructor(scope: Construct, id: string, props: BaselineStockTradingStackProps = {}) {
    super(scope, id, props);
    const approver = 'trading-desk@example.com';

    this.analysisFunction = fn(this, 'AnalysisFunction', 'stock-trading/analysis.lambda');
    const trades = table(this, 'Trades', 'idempotencyKey');
    this.executionFunction = fn(this, 'ExecutionFunction', 'stock-trading/execute-trade.lambda', {
      environment: { TRADES_TABLE_NAME: trades.tableName },
    });
    trades.grant(this.executionFunction, 'dynamodb:PutItem', 'dynamodb:GetItem');

    const approvals = table(this, 'Approvals', 'requestId');
    const secret = new secretsmanager.Secret(this, 'SigningKey', {
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    const topic = new sns.Topic(this, 'Topic', {
      displayName: 'Approval requests',
      enforceSSL: true,
      masterKey: kms.Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns'),
    });
    topic.addSubscription(new subscriptions.EmailSubscription(approver, {
      filterPolicy: { recipient: sns.SubscriptionFilter.stringFilter({ allowlist: [approver] }) },
    }));

    const api = new apigw.RestApi(this, 'Api', {
      endpointTypes: [apigw.EndpointType.REGIONAL],
      cloudWatchRole: true,
      deployOptions: {
        stageName: 'prod',
        accessLogDestination: new apigw.LogGroupLogDestination(new logs.LogGroup(this, 'AccessLogs', { retention: logs.RetentionDays.ONE_YEAR })),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        tracingEnabled: true,
        throttlingRateLimit: 10,
        throttlingBurstLimit: 20,
      },
    });
    const decisionUrl = `https://${api.restApiId}.execute-api.${this.region}.${this.urlSuffix}/prod/decision`;
    const environment = { TABLE_NAME: approvals.tableName, SIGNING_KEY_SECRET_ARN: secret.secretArn };
    this.requestFunction = fn(this, 'RequestFunction', 'approval-gate/request.lambda', {
      timeout: Duration.seconds(30),
      environment: {
        ...environment,
        TOPIC_ARN: topic.topicArn,
        DECISION_URL: decisionUrl,
        TIMEOUT_SECONDS: String(APPROVAL_TIMEOUT.toSeconds()),
        RETENTION_SECONDS: String(Duration.days(90).toSeconds()),
        RECIPIENTS: approver,
        SUBJECT: 'Trade needs approval',
      },
    });
    approvals.grant(this.requestFunction, 'dynamodb:PutItem');
    secret.grantRead(this.requestFunction);
    topic.grantPublish(this.requestFunction);
    const decision = fn(this, 'DecisionFunction', 'approval-gate/decision.lambda', { timeout: Duration.seconds(20), environment });
    approvals.grant(decision, 'dynamodb:UpdateItem');
    secret.grantRead(decision);

    const validator = new apigw.RequestValidator(this, 'LinkValidator', { restApi: api, validateRequestParameters: true });
    const resource = api.root.addResource('decision');
    const integration = new apigw.LambdaIntegration(decision);
    const requestParameters = Object.fromEntries(['id', 'a', 'exp', 'sig'].map(p => [`method.request.querystring.${p}`, true]));
    for (const method of ['GET', 'POST']) {
      resource.addMethod(method, integration, { requestParameters, requestValidator: validator, authorizationType: apigw.AuthorizationType.NONE });
    }

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromChainable(minimalDefinition(this, {
        analysisFunction: this.analysisFunction,
        executionFunction: this.executionFunction,
        requestFunction: this.requestFunction,
        approvalThreshold: 100,
        approvalTimeout: APPROVAL_TIMEOUT,
        queryLanguage: props.queryLanguage,
      })),
      queryLanguage: props.queryLanguage,
      stateMachineType: sfn.StateMachineType.STANDARD,
      tracingEnabled: true,
      logs: {
        destination: new logs.LogGroup(this, 'StateMachineLogs', {
          logGroupName: `/aws/vendedlogs/states/${this.stackName}-trading`,
          retention: logs.RetentionDays.ONE_YEAR,
        }),
        level: sfn.LogLevel.ALL,
        includeExecutionData: false,
      },
    });
    new iam.Policy(this, 'TaskResponsePolicy', {
      roles: [decision.role!],
      statements: [new iam.PolicyStatement({ actions: ['states:SendTaskSuccess'], resources: [this.stateMachine.stateMachineArn] })],
    });

    const period = Duration.minutes(5);
    const metrics: Array<[string, cloudwatch.Metric]> = [
      ['FailedAlarm', this.stateMachine.metricFailed({ period, statistic: 'Sum' })],
      ['TimedOutAlarm', this.stateMachine.metricTimedOut({ period, statistic: 'Sum' })],
      ['ThrottledAlarm', this.stateMachine.metricThrottled({ period, statistic: 'Sum' })],
      ['AbortedAlarm', this.stateMachine.metricAborted({ period, statistic: 'Sum' })],
    ];
    for (const [alarmId, metric] of metrics) {
      new cloudwatch.Alarm(this, alarmId, {
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
  }
}
