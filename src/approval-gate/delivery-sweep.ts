/**
 * The delivery sweep of an approval service: a schedule and a function that settle every decision
 * left in delivery (its delivery to the workflow not confirmed), reading them from a sparse index that
 * holds only their keys. Created in the scope of the gate with a service of its own (so that their
 * construct ids stay those of the gate), or of a shared ApprovalService.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { grantTable } from './gate-grants';
import { SweepFunction } from './sweep-function';
import { DECIDED_EPOCH, DELIVERY_INDEX, DELIVERY_QUEUE, UNDELIVERABLE_METRIC, UNDELIVERABLE_NAMESPACE } from '../private/approval/records';
import { functionLogs, functionRole, onNewestNodeRuntime } from '../private/functions';

/** The decisions a gate's sweep settled as UNDELIVERABLE (the sweep reports them as an embedded metric). */
export function undeliverableMetric(table: dynamodb.ITable, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: UNDELIVERABLE_NAMESPACE,
    metricName: UNDELIVERABLE_METRIC,
    dimensionsMap: { Table: table.tableName },
    statistic: 'Sum',
    period: SWEEP_INTERVAL,
    ...props,
  });
}

/** How often the sweep runs. */
export const SWEEP_INTERVAL = Duration.minutes(5);

export interface DeliverySweepProps {
  readonly table: dynamodb.Table;
  readonly encryptionKey?: kms.IKey;
  readonly logRetention: logs.RetentionDays;
}

export class DeliverySweep {
  public readonly function: SweepFunction;
  /** Fires when a decision could not be delivered before the gate's deadline (settled as UNDELIVERABLE). */
  public readonly undeliverableAlarm: cloudwatch.Alarm;
  public readonly role: iam.Role;

  constructor(gate: Construct, props: DeliverySweepProps) {
    props.table.addGlobalSecondaryIndex({
      indexName: DELIVERY_INDEX,
      partitionKey: { name: DELIVERY_QUEUE, type: dynamodb.AttributeType.STRING },
      sortKey: { name: DECIDED_EPOCH, type: dynamodb.AttributeType.NUMBER },
      // Keys only: never the task token, which the sweep reads from the record itself.
      projectionType: dynamodb.ProjectionType.KEYS_ONLY,
    });
    this.role = functionRole(gate, 'SweepRole');
    this.function = onNewestNodeRuntime(new SweepFunction(gate, 'SweepFunction', {
      description: `Settles the approve/reject decisions whose delivery to the workflow is not confirmed, for ${gate.node.path}`,
      role: this.role,
      memorySize: 256,
      timeout: Duration.minutes(2),
      logGroup: functionLogs(gate, 'SweepLogs', this.role, props.logRetention),
      environment: { TABLE_NAME: props.table.tableName },
    }));
    grantTable(this.function, [`${props.table.tableArn}/index/${DELIVERY_INDEX}`], 'dynamodb:Query');
    grantTable(this.function, [props.table.tableArn], 'dynamodb:GetItem', 'dynamodb:UpdateItem');
    if (props.encryptionKey) {
      props.encryptionKey.grant(this.function, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey');
    }
    this.undeliverableAlarm = new cloudwatch.Alarm(gate, 'UndeliverableAlarm', {
      metric: undeliverableMetric(props.table),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `A decision of ${gate.node.path} could not be delivered to its workflow before the request's deadline: `
        + 'check the execution named in the record (status UNDELIVERABLE) and the delivery sweep\'s log',
    });
    new events.Rule(gate, 'DeliverySweep', {
      description: `Settles the decisions of ${gate.node.path} whose delivery is not confirmed`,
      schedule: events.Schedule.rate(SWEEP_INTERVAL),
      // A run that fails is not retried: the next one comes within the interval.
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 0 })],
    });
  }
}
