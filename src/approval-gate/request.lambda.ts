/**
 * ApprovalGate request step (runs with `.waitForTaskToken`): stores the task token under the request
 * id and publishes the approval message with signed links. It never returns the token, never logs it.
 */
import { ConditionalCheckFailedException, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { approvalMessage } from '../private/approval/messages';
import { cut, toItem } from '../private/approval/records';
import { SigningKey } from '../private/approval/signing-key';

const ddb = new DynamoDBClient({});
const sns = new SNSClient({});
/** The link signing key, cached per container. */
export const signingKey = new SigningKey(new SecretsManagerClient({}));

/** Longest summary kept; SNS messages and DynamoDB items have room for much more. */
export const MAX_SUMMARY = 4000;

/** The payload the gate's task sends. */
export interface ApprovalRequestEvent {
  readonly taskToken?: unknown;
  readonly requestId?: unknown;
  readonly summary?: unknown;
  readonly executionArn?: unknown;
}

export interface ApprovalRequestResult {
  readonly requestId: string;
  readonly expiresAt: number;
  readonly notified: number;
}

/** A request that cannot be served; not retried by the workflow. */
export class InvalidApprovalRequest extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidApprovalRequest';
  }
}

/** A throttled or failing AWS service, after the SDK's own retries; the gate's task retries it. */
export class TransientApprovalError extends Error {
  constructor(cause: Error) {
    super(`${cause.name}: ${cause.message}`);
    this.name = TRANSIENT_ERROR;
  }
}
export const TRANSIENT_ERROR = 'ApprovalGate.TransientError';

/** Whether an SDK error is worth another try: throttling, or a fault on the service's side. */
export function isTransient(error: unknown): boolean {
  const e = error as { name?: string; $retryable?: unknown; $fault?: string; $metadata?: { httpStatusCode?: number } };
  if (!e || typeof e !== 'object') return false;
  return Boolean(e.$retryable) || e.$fault === 'server' || (e.$metadata?.httpStatusCode ?? 0) >= 500 || (e.$metadata?.httpStatusCode === 429)
    || /Throttl|TooManyRequests|ProvisionedThroughputExceeded|RequestLimitExceeded|ServiceUnavailable|InternalServerError|InternalError/.test(e.name ?? '');
}

/** The configuration the construct passes in the environment. */
export interface RequestConfig {
  readonly tableName: string;
  readonly topicArn: string;
  readonly decisionUrl: string;
  readonly timeoutSeconds: number;
  readonly retentionSeconds: number;
  readonly recipients: string[];
  readonly subject: string;
}

export function configFromEnv(env: NodeJS.ProcessEnv): RequestConfig {
  const timeoutSeconds = Number(env.TIMEOUT_SECONDS);
  const retentionSeconds = Number(env.RETENTION_SECONDS);
  if (!env.TABLE_NAME || !env.TOPIC_ARN || !env.DECISION_URL || !(timeoutSeconds > 0) || !(retentionSeconds >= 0)) {
    throw new Error('the ApprovalGate request function is missing TABLE_NAME, TOPIC_ARN, DECISION_URL, TIMEOUT_SECONDS or RETENTION_SECONDS');
  }
  return {
    tableName: env.TABLE_NAME,
    topicArn: env.TOPIC_ARN,
    decisionUrl: env.DECISION_URL,
    timeoutSeconds,
    retentionSeconds,
    recipients: (env.RECIPIENTS ?? '').split(',').map(r => r.trim()).filter(r => r.length > 0),
    subject: env.SUBJECT ?? 'Approval requested',
  };
}

/** Checks the task's payload; the message never echoes the token. */
export function validateRequest(event: ApprovalRequestEvent): { taskToken: string; requestId: string; summary: string; executionArn: string } {
  if (typeof event.taskToken !== 'string' || event.taskToken.length === 0) {
    throw new InvalidApprovalRequest('taskToken is missing: the gate task must run with .waitForTaskToken and pass $$.Task.Token');
  }
  if (typeof event.requestId !== 'string' || !/^[A-Za-z0-9-]{8,64}$/.test(event.requestId)) {
    throw new InvalidApprovalRequest('requestId is missing or not 8 to 64 letters, digits and dashes');
  }
  if (event.summary !== undefined && typeof event.summary !== 'string') {
    throw new InvalidApprovalRequest(`summary must be a string (got ${typeof event.summary}); build it with sfn.JsonPath.format`);
  }
  return {
    taskToken: event.taskToken,
    requestId: event.requestId,
    summary: cut(String(event.summary ?? '').trim(), MAX_SUMMARY),
    executionArn: typeof event.executionArn === 'string' ? event.executionArn : '',
  };
}

export async function handler(event: ApprovalRequestEvent): Promise<ApprovalRequestResult> {
  try {
    return await serve(event);
  } catch (e) {
    if (isTransient(e)) {
      console.error(JSON.stringify({ event: 'approval.requestFailed', error: (e as Error).name, retried: true }));
      throw new TransientApprovalError(e as Error);
    }
    throw e;
  }
}

async function serve(event: ApprovalRequestEvent): Promise<ApprovalRequestResult> {
  const config = configFromEnv(process.env);
  const request = validateRequest(event);
  const now = Date.now();
  const expiresAt = Math.floor(now / 1000) + config.timeoutSeconds;

  try {
    await ddb.send(new PutItemCommand({
      TableName: config.tableName,
      Item: toItem({
        requestId: request.requestId,
        status: 'PENDING',
        taskToken: request.taskToken,
        summary: request.summary,
        executionArn: request.executionArn,
        requestedAt: new Date(now).toISOString(),
        expiresAt,
      }, expiresAt + config.retentionSeconds, config.recipients),
      // A retried task may store its (new) token again; a decided request is never reopened.
      ConditionExpression: 'attribute_not_exists(requestId) OR #status = :pending',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':pending': { S: 'PENDING' } },
    }));
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException) {
      throw new InvalidApprovalRequest(`request ${request.requestId} was already decided; a new request needs a new id`);
    }
    throw e;
  }

  const key = await signingKey.get();
  const recipients = config.recipients.length > 0 ? config.recipients : [''];
  for (const recipient of recipients) {
    const message = approvalMessage({
      subject: config.subject,
      summary: request.summary,
      requestId: request.requestId,
      executionArn: request.executionArn,
      expiresAt,
      recipient,
      decisionUrl: config.decisionUrl,
      key,
    });
    await sns.send(new PublishCommand({
      TopicArn: config.topicArn,
      Subject: message.subject,
      Message: message.text,
      MessageAttributes: recipient ? { recipient: { DataType: 'String', StringValue: recipient } } : undefined,
    }));
  }
  console.log(JSON.stringify({ event: 'approval.requested', requestId: request.requestId, executionArn: request.executionArn, expiresAt, notified: recipients.length }));
  return { requestId: request.requestId, expiresAt, notified: recipients.length };
}
