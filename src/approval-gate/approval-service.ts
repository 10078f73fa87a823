import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ApprovalBackend } from './approval-backend';
import { undeliverableMetric } from './delivery-sweep';
import { ServiceLink, registerService } from './service-link';
import { checkProps } from '../private/prop-types';
import { required } from '../private/required';

/**
 * Properties for an `ApprovalService`.
 */
export interface ApprovalServiceProps {
  /**
   * How long a request's record (who decided what, when, and the comment) is kept after its
   * deadline before DynamoDB's time to live removes it.
   * @default Duration.days(90)
   */
  readonly recordRetention?: Duration;

  /**
   * A customer managed key for the table, the signing key secret and the topics the service's gates create.
   * @default - AWS managed keys
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * What happens to the table of requests (the audit records) when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * An authorizer for the decision endpoint (Cognito user pools, Lambda). With one, approvers
   * authenticate before they decide and the approver recorded is their identity; the signed link is
   * still required.
   * @default - none: the signed link is the credential
   */
  readonly authorizer?: apigw.IAuthorizer;

  /**
   * Steady-state requests per second the decision endpoint accepts, for all the service's gates.
   * @default 10
   */
  readonly throttlingRateLimit?: number;

  /**
   * Burst of requests the decision endpoint accepts, for all the service's gates.
   * @default 20
   */
  readonly throttlingBurstLimit?: number;

  /**
   * The reserved concurrency of the decision function (a whole number from 1 to 1000): however many
   * requests reach the endpoint, it never takes more of the account's Lambda concurrency than this.
   * @default 10
   * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
   */
  readonly decisionConcurrency?: number;

  /**
   * Whether to create API Gateway's CloudWatch role (an account and region setting), which the
   * endpoint's stage needs to write its logs: see `ApprovalGateProps.cloudWatchRole`.
   * @default false - the account's API Gateway settings must already name a CloudWatch role
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html
   */
  readonly cloudWatchRole?: boolean;

  /**
   * How long to keep the endpoint's access logs and the functions' logs.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * What serves the approval requests of many `ApprovalGate`s, once: the decision endpoint, the table
 * of requests (the audit record), the link signing key, the request, decision and sweep functions,
 * and the alarm on decisions that could not be delivered. Each gate given it (`service`) adds only
 * what is its own: its topic and subscriptions, and the grants on its workflow.
 *
 * What sharing trades: the service's functions may answer every workflow whose gate uses the
 * service, and every such workflow may ask the service to send a request to any of its gates'
 * topics. A link still decides only a request of the gate that sent it (its signature binds the
 * gate). A gate without a service has all of this to itself.
 *
 * The service may be in another stack of the app than its gates (same account and region): the
 * gates' stacks then depend on the service's.
 *
 * @exampleMetadata fixture=approval-gate
 * @example
 * const approvals = new ApprovalService(this, 'Approvals');
 * const gate = new ApprovalGate(this, 'Approve trade', {
 *   service: approvals,
 *   timeout: Duration.hours(24),
 *   summary: 'A trade waits for approval',
 *   approverEmails: ['trading-desk@example.com'],
 * });
 * new Workflow(this, 'Trades', { definition: analyse.next(gate).next(trade) });
 */
export class ApprovalService extends Construct {
  /** The table of requests and decisions of all the service's gates (the audit record). */
  public readonly table: dynamodb.Table;
  /** The secret holding the HMAC key the links are signed with. */
  public readonly signingKey: secretsmanager.ISecret;
  /** The decision endpoint. */
  public readonly api: apigw.RestApi;
  /** The URL approvers' links point at. */
  public readonly decisionUrl: string;
  /** The function behind every gate's request step. */
  public readonly requestFunction: lambda.IFunction;
  /** The function behind the decision endpoint. */
  public readonly decisionFunction: lambda.IFunction;
  /** The function that settles, on a schedule, the decisions whose delivery to the workflow is not confirmed. */
  public readonly sweepFunction: lambda.IFunction;
  /**
   * Fires when a decision of any of the service's gates could not be delivered to its workflow
   * before the request's deadline (its record's status is then UNDELIVERABLE): add an action to be told.
   */
  public readonly undeliverableAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: ApprovalServiceProps = {}) {
    super(scope, id);
    const name = `ApprovalService '${id}'`;
    checkProps(name, 'ApprovalServiceProps', props);
    const backend = new ApprovalBackend(this, name, props);
    this.table = backend.table;
    this.signingKey = backend.signingKey;
    this.api = backend.endpoint.api;
    this.decisionUrl = backend.endpoint.url;
    this.requestFunction = backend.request.function;
    this.decisionFunction = backend.endpoint.function;
    this.sweepFunction = backend.sweep.function;
    this.undeliverableAlarm = backend.sweep.undeliverableAlarm;
    registerService(this, new ServiceLink(this, backend));
  }

  /** Decisions of the service's gates that could not be delivered to their workflow before the request's deadline. */
  public metricUndeliverableDecisions(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return undeliverableMetric(this.table, props);
  }

  /** Grants reading the table of requests and decisions of all the service's gates (the audit record). */
  public grantReadRecords(grantee: iam.IGrantable): iam.Grant {
    required(grantee, `ApprovalService '${this.node.id}': grantReadRecords`, 'grantee', 'give the role, user or function to grant (an iam.IGrantable)');
    return this.table.grantReadData(grantee);
  }
}
