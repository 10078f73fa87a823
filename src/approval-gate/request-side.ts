/**
 * The request side of an approval service: the function that stores the task token and sends the
 * message, its role and logs, and the reminder schedule; and the topic a gate sends its messages to,
 * with its subscriptions. A gate with a service of its own creates both in its own scope, so that
 * their construct ids stay those of the gate; a shared ApprovalService creates the function once, and
 * each of its gates its own topic.
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
import { grantTable } from './gate-grants';
import { RequestFunction } from './request-function';
import { PENDING_INDEX } from '../private/approval/records';
import { functionLogs, functionRole, onNewestNodeRuntime } from '../private/functions';
import { suppressNag } from '../private/nag';

/** What a gate's topic is made of. */
export interface GateTopicProps {
  readonly topic?: sns.ITopic;
  readonly encryptionKey?: kms.IKey;
  readonly recipients: string[];
}

/** A gate's topic: the one given, or one it creates (TLS only, encrypted), with a subscription per recipient. */
export class GateTopic {
  public readonly topic: sns.ITopic;
  /** Whether the gate created the topic (and so may add to its resource policy). */
  public readonly owned: boolean;
  /** The AWS managed key for SNS, when the created topic uses it: publishing needs no key grant. */
  private readonly snsManagedKey?: kms.IAlias;

  constructor(gate: Construct, props: GateTopicProps) {
    // The AWS managed key for SNS: no key policy to manage, no key grants needed to publish.
    this.snsManagedKey = props.topic || props.encryptionKey ? undefined : kms.Alias.fromAliasName(gate, 'SnsKey', 'alias/aws/sns');
    this.owned = props.topic === undefined;
    this.topic = props.topic ?? new sns.Topic(gate, 'Topic', {
      displayName: 'Approval requests',
      enforceSSL: true,
      masterKey: props.encryptionKey ?? this.snsManagedKey,
    });
    for (const address of props.recipients) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(address, {
        filterPolicy: { recipient: sns.SubscriptionFilter.stringFilter({ allowlist: [address] }) },
      }));
    }
  }

  /** Allows a role to publish to the topic, in the role's own policy (with the topic's key, if it has one of its own). */
  public grantPublish(role: iam.Role): void {
    this.topic.grantPublish(role);
    if (this.topic.masterKey && this.topic.masterKey !== this.snsManagedKey) {
      suppressNag(role.node.findChild('DefaultPolicy'), [{
        id: 'AwsSolutions-IAM5',
        reason: 'SNS grantPublish on an encrypted topic allows kms:GenerateDataKey* on the topic\'s key only: the data key SNS asks for when the function publishes.',
        appliesTo: ['Action::kms:GenerateDataKey*'],
      }]);
    }
  }
}

export interface RequestFunctionSideProps {
  readonly table: dynamodb.Table;
  readonly signingKey: secretsmanager.ISecret;
  readonly encryptionKey?: kms.IKey;
  readonly decisionUrl: string;
  readonly retention: Duration;
  readonly logRetention: logs.RetentionDays;
  /** The settings of the one gate the function serves (TOPIC_ARN and the rest); none for a shared service's function. */
  readonly gateEnvironment?: Record<string, string>;
}

/** The request function, its role and logs. */
export class RequestFunctionSide {
  public readonly function: RequestFunction;
  public readonly role: iam.Role;
  private remindersAdded = false;

  constructor(private readonly owner: Construct, private readonly props: RequestFunctionSideProps) {
    const role = this.role = functionRole(owner, 'RequestRole');
    this.function = onNewestNodeRuntime(new RequestFunction(owner, 'RequestFunction', {
      description: `Stores the task token and sends the approval request of ${owner.node.path}`,
      role,
      memorySize: 256,
      timeout: Duration.seconds(30),
      logGroup: functionLogs(owner, 'RequestLogs', role, props.logRetention),
      environment: {
        TABLE_NAME: props.table.tableName,
        SIGNING_KEY_SECRET_ARN: props.signingKey.secretArn,
        DECISION_URL: props.decisionUrl,
        RETENTION_SECONDS: String(props.retention.toSeconds()),
        ...props.gateEnvironment,
      },
    }));
    // PutItem stores a request; UpdateItem and SendTaskSuccess let a retried request step take up a
    // decision recorded against the token of its failed attempt (request.lambda.ts).
    grantTable(this.function, [props.table.tableArn], 'dynamodb:PutItem', 'dynamodb:UpdateItem');
    props.signingKey.grantRead(this.function);
    if (props.encryptionKey) {
      // What DynamoDB, Secrets Manager and SNS ask of the caller's key permissions; no wildcards.
      props.encryptionKey.grant(this.function, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey');
    }
  }

  /**
   * A schedule that has the request function remind approvers of requests still pending, every
   * `interval` (once, however many gates ask). The index it reads holds what a reminder needs, never
   * the task token: for a shared service, each request's gate settings too.
   */
  public addReminders(interval: Duration, shared: boolean): void {
    if (this.remindersAdded) return;
    this.remindersAdded = true;
    const { table } = this.props;
    table.addGlobalSecondaryIndex({
      indexName: PENDING_INDEX,
      partitionKey: { name: 'status', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'expiresAt', type: dynamodb.AttributeType.NUMBER },
      projectionType: dynamodb.ProjectionType.INCLUDE,
      nonKeyAttributes: ['summary', 'executionArn', 'recipients', 'notifiedAt', ...(shared ? ['gate', 'topicArn', 'subject', 'reminderSeconds'] : [])],
    });
    grantTable(this.function, [`${table.tableArn}/index/${PENDING_INDEX}`], 'dynamodb:Query');
    new events.Rule(this.owner, 'Reminders', {
      description: `Reminds the approvers of ${this.owner.node.path} of requests still pending`,
      schedule: events.Schedule.rate(interval),
      targets: [new targets.LambdaFunction(this.function, { event: events.RuleTargetInput.fromObject({ reminder: true }), retryAttempts: 2 })],
    });
  }
}

/** The settings of a gate with a service of its own, as its request function's environment. */
export function gateEnvironment(props: {
  recipients: string[]; topicArn: string; timeoutSeconds: number; reminderSeconds: number; subject: string;
}): Record<string, string> {
  return {
    TOPIC_ARN: props.topicArn,
    TIMEOUT_SECONDS: String(props.timeoutSeconds),
    ...(props.reminderSeconds ? { REMINDER_SECONDS: String(props.reminderSeconds) } : {}),
    RECIPIENTS: props.recipients.join(','),
    SUBJECT: props.subject,
  };
}
