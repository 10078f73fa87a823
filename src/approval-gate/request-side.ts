/**
 * The request side of an ApprovalGate: the topic and its subscriptions, the function that stores
 * the task token and sends the message, and the reminder schedule. Created in the gate's own scope,
 * so that their construct ids stay those of the gate.
 */
import { Duration } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { addDeliveryStatements, grantTable } from './gate-grants';
import { RequestFunction } from './request-function';
import { PENDING_INDEX } from '../private/approval/records';
import { functionLogs, functionRole, onNewestNodeRuntime } from '../private/functions';
import { suppressNag } from '../private/nag';
import { ResponderHost } from '../private/task-responders';

export interface RequestSideProps {
  readonly id: string;
  readonly table: dynamodb.Table;
  readonly signingKey: secretsmanager.ISecret;
  readonly topic?: sns.ITopic;
  readonly encryptionKey?: kms.IKey;
  readonly recipients: string[];
  readonly decisionUrl: string;
  readonly timeoutSeconds: number;
  readonly retention: Duration;
  readonly reminderInterval?: Duration;
  readonly reminderSeconds: number;
  readonly subject?: string;
  readonly logRetention: logs.RetentionDays;
}

export class RequestSide {
  public readonly topic: sns.ITopic;
  public readonly function: RequestFunction;
  private readonly role: iam.Role;
  private readonly gate: Construct;
  private policy?: iam.Policy;

  constructor(gate: Construct, props: RequestSideProps) {
    // The AWS managed key for SNS: no key policy to manage, no key grants needed to publish.
    const snsManagedKey = props.topic || props.encryptionKey ? undefined : kms.Alias.fromAliasName(gate, 'SnsKey', 'alias/aws/sns');
    this.topic = props.topic ?? new sns.Topic(gate, 'Topic', {
      displayName: 'Approval requests',
      enforceSSL: true,
      masterKey: props.encryptionKey ?? snsManagedKey,
    });
    for (const address of props.recipients) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(address, {
        filterPolicy: { recipient: sns.SubscriptionFilter.stringFilter({ allowlist: [address] }) },
      }));
    }

    const role = functionRole(gate, 'RequestRole');
    this.role = role;
    this.gate = gate;
    this.function = onNewestNodeRuntime(new RequestFunction(gate, 'RequestFunction', {
      description: `Stores the task token and sends the approval request of ${gate.node.path}`,
      role,
      memorySize: 256,
      timeout: Duration.seconds(30),
      logGroup: functionLogs(gate, 'RequestLogs', role, props.logRetention),
      environment: {
        TABLE_NAME: props.table.tableName,
        SIGNING_KEY_SECRET_ARN: props.signingKey.secretArn,
        TOPIC_ARN: this.topic.topicArn,
        DECISION_URL: props.decisionUrl,
        TIMEOUT_SECONDS: String(props.timeoutSeconds),
        RETENTION_SECONDS: String(props.retention.toSeconds()),
        ...(props.reminderSeconds ? { REMINDER_SECONDS: String(props.reminderSeconds) } : {}),
        RECIPIENTS: props.recipients.join(','),
        SUBJECT: props.subject ?? `Approval requested: ${props.id}`,
      },
    }));
    // PutItem stores a request; UpdateItem and SendTaskSuccess let a retried request step take up a
    // decision recorded against the token of its failed attempt (request.lambda.ts).
    grantTable(this.function, [props.table.tableArn], 'dynamodb:PutItem', 'dynamodb:UpdateItem');
    props.signingKey.grantRead(this.function);
    this.topic.grantPublish(this.function);
    if (this.topic.masterKey && this.topic.masterKey !== snsManagedKey) {
      suppressNag(role.node.findChild('DefaultPolicy'), [{
        id: 'AwsSolutions-IAM5',
        reason: 'SNS grantPublish on an encrypted topic allows kms:GenerateDataKey* on the topic\'s key only: the data key SNS asks for when the function publishes.',
        appliesTo: ['Action::kms:GenerateDataKey*'],
      }]);
    }
    if (props.encryptionKey) {
      // What DynamoDB, Secrets Manager and SNS ask of the caller's key permissions; no wildcards.
      props.encryptionKey.grant(this.function, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey');
    }
    if (props.reminderSeconds) this.addReminders(gate, props.table, props.reminderInterval!);
  }

  /**
   * Allows the request function to deliver to, and read the history of, a workflow's state machine:
   * a retried request step delivers a decision recorded against its failed attempt's token.
   */
  public bind(host: ResponderHost): void {
    this.policy ??= new iam.Policy(this.gate, 'RequestTaskResponsePolicy', { roles: [this.role] });
    addDeliveryStatements(this.policy, host.stateMachine);
  }

  /** A schedule that has the request function remind approvers of requests still pending. */
  private addReminders(gate: Construct, table: dynamodb.Table, interval: Duration): void {
    table.addGlobalSecondaryIndex({
      indexName: PENDING_INDEX,
      partitionKey: { name: 'status', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'expiresAt', type: dynamodb.AttributeType.NUMBER },
      // Never the task token: only what a reminder needs.
      projectionType: dynamodb.ProjectionType.INCLUDE,
      nonKeyAttributes: ['summary', 'executionArn', 'recipients', 'notifiedAt'],
    });
    grantTable(this.function, [`${table.tableArn}/index/${PENDING_INDEX}`], 'dynamodb:Query');
    grantTable(this.function, [table.tableArn], 'dynamodb:UpdateItem');
    new events.Rule(gate, 'Reminders', {
      description: `Reminds the approvers of ${gate.node.path} of requests still pending`,
      schedule: events.Schedule.rate(interval),
      targets: [new targets.LambdaFunction(this.function, { event: events.RuleTargetInput.fromObject({ reminder: true }), retryAttempts: 2 })],
    });
  }
}

