import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ApprovalBackend } from './approval-backend';
import { ApprovalServiceProps } from './approval-service-props';
import { undeliverableMetric } from './delivery-sweep';
import { ServiceLink, registerService } from './service-link';
import { checkProps } from '../private/prop-types';
import { required } from '../private/required';

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
