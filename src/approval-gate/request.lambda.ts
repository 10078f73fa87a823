/**
 * ApprovalGate request step (runs with `.waitForTaskToken`): stores the task token under the request
 * id and publishes the approval message with signed links. It never returns the token, never logs it.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { Budget, InvocationContext, dynamodb, errorName, sns, withDeadline } from '../private/approval/aws';
import { deliver, settle } from '../private/approval/delivery';
import { approvalMessage } from '../private/approval/messages';
import { PENDING_INDEX, RequestRecord, cut, fromItem, outputOf, toItem } from '../private/approval/records';
import { SigningKey } from '../private/approval/signing-key';
import { plainText } from '../private/approval/text';

/** The link signing key, read again on every invocation: links sent after the key is replaced carry the new one. */
export const signingKey = new SigningKey(0);
/** Longest wait for one call to DynamoDB or SNS; a call that takes longer fails as transient (the workflow retries). */
export const CALL_TIMEOUT_MS = 5_000;
/** The time an invocation may take when it does not say (tests). */
const DEFAULT_BUDGET_MS = 25_000;

/** Longest summary kept; SNS messages and DynamoDB items have room for much more. */
export const MAX_SUMMARY = 4000;

/** The payload the gate's task sends. */
export interface ApprovalRequestEvent {
  readonly taskToken?: unknown;
  readonly requestId?: unknown;
  readonly summary?: unknown;
  readonly executionArn?: unknown;
}

/** What the gate's reminder schedule sends. */
export interface ReminderEvent {
  readonly reminder: true;
}

export interface ReminderResult {
  /** Requests reminded of. */
  readonly reminded: number;
  /** Pending requests whose last message is more recent than the interval. */
  readonly skipped: number;
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
    || /Throttl|TooManyRequests|ProvisionedThroughputExceeded|RequestLimitExceeded|ServiceUnavailable|InternalServerError|InternalError|DeadlineExceeded|TimeoutError|AbortError|ECONNRESET|ETIMEDOUT|EPIPE/.test(e.name ?? '');
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
  /** Seconds between reminders (0: none). */
  readonly reminderSeconds: number;
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
    reminderSeconds: Number(env.REMINDER_SECONDS ?? 0) || 0,
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
    // One line, web addresses defused: stored, signed into the links and shown as it will be everywhere.
    summary: cut(plainText(String(event.summary ?? '')), MAX_SUMMARY),
    executionArn: typeof event.executionArn === 'string' ? event.executionArn : '',
  };
}

export async function handler(event: ApprovalRequestEvent | ReminderEvent, context?: InvocationContext)
  : Promise<ApprovalRequestResult | ReminderResult> {
  const budget = Budget.of(context, DEFAULT_BUDGET_MS);
  try {
    return (event as ReminderEvent).reminder === true
      ? await remind(configFromEnv(process.env), budget)
      : await serve(event as ApprovalRequestEvent, budget);
  } catch (e) {
    if (isTransient(e)) {
      console.error(JSON.stringify({ event: 'approval.requestFailed', error: (e as Error).name, retried: true }));
      throw new TransientApprovalError(e as Error);
    }
    throw e;
  }
}

/** Sends a command with the client of a lazily loaded SDK, against the call's deadline. */
function call<T>(budget: Budget, send: (signal: AbortSignal) => Promise<T>): Promise<T> {
  return withDeadline(budget.slice(CALL_TIMEOUT_MS), send);
}

async function serve(event: ApprovalRequestEvent, budget: Budget): Promise<ApprovalRequestResult> {
  const config = configFromEnv(process.env);
  const request = validateRequest(event);
  const now = Date.now();
  const expiresAt = Math.floor(now / 1000) + config.timeoutSeconds;

  const ddb = dynamodb();
  try {
    await call(budget, signal => ddb.client.send(new ddb.sdk.PutItemCommand({
      TableName: config.tableName,
      Item: toItem({
        requestId: request.requestId,
        status: 'PENDING',
        taskToken: request.taskToken,
        summary: request.summary,
        executionArn: request.executionArn,
        requestedAt: new Date(now).toISOString(),
        expiresAt,
      }, expiresAt + config.retentionSeconds, config.recipients, Math.floor(now / 1000)),
      // A retried task may store its (new) token again; a decided request is never reopened.
      ConditionExpression: 'attribute_not_exists(requestId) OR #status = :pending',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':pending': { S: 'PENDING' } },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    }), { abortSignal: signal }));
  } catch (e) {
    if (errorName(e) === 'ConditionalCheckFailedException') {
      const existing = fromItem((e as { Item?: Record<string, AttributeValue> }).Item);
      // Decided while this step was being retried: the decision was recorded against the token of
      // the failed attempt, which no longer waits. This attempt takes it up and delivers it.
      if (existing?.status === 'DELIVERING' && outputOf(existing)) return adopt(config, request.taskToken, existing, budget);
      throw new InvalidApprovalRequest(`request ${request.requestId} was already decided; a new request needs a new id`);
    }
    throw e;
  }

  const recipients = await publish(config, budget, config.subject, request.requestId, request.summary, request.executionArn, expiresAt,
    config.recipients);
  console.log(JSON.stringify({ event: 'approval.requested', requestId: request.requestId, executionArn: request.executionArn, expiresAt, notified: recipients }));
  return { requestId: request.requestId, expiresAt, notified: recipients };
}

/**
 * Takes up a decision recorded while the request step was being retried: the record's token becomes
 * this attempt's (only while the record still holds that decision in delivery), then the decision is
 * delivered with it, as the decision endpoint would, and the record settled. If the delivery's outcome
 * stays open, the record stays in DELIVERING with this token, and the sweep delivers it. No message is
 * sent again: the request is decided.
 */
async function adopt(config: RequestConfig, taskToken: string, existing: RequestRecord, budget: Budget): Promise<ApprovalRequestResult> {
  const ddb = dynamodb();
  try {
    await call(budget, signal => ddb.client.send(new ddb.sdk.UpdateItemCommand({
      TableName: config.tableName,
      Key: { requestId: { S: existing.requestId } },
      UpdateExpression: 'SET taskToken = :token',
      ConditionExpression: '#status = :delivering AND decidedAt = :decidedAt',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':token': { S: taskToken }, ':delivering': { S: 'DELIVERING' }, ':decidedAt': { S: existing.decidedAt ?? '' } },
    }), { abortSignal: signal }));
  } catch (e) {
    if (errorName(e) === 'ConditionalCheckFailedException') {
      throw new InvalidApprovalRequest(`request ${existing.requestId} was settled while its request step was retried; a new request needs a new id`);
    }
    throw e;
  }
  const record = { ...existing, taskToken };
  const outcome = await deliver(record, budget);
  const status = outcome.kind === 'delivered' ? await settle(config.tableName, record, 'DELIVERED', budget) : 'DELIVERING';
  console.log(JSON.stringify({
    event: 'approval.adopted',
    requestId: existing.requestId,
    decision: existing.decision,
    approver: existing.approver,
    outcome: outcome.kind,
    ...('via' in outcome ? { via: outcome.via } : { error: outcome.error }),
    recordSettled: status !== 'DELIVERING',
  }));
  return { requestId: existing.requestId, expiresAt: existing.expiresAt, notified: 0 };
}

/** Publishes the request to each recipient (or once to the topic at large); returns how many messages went out. */
async function publish(config: RequestConfig, budget: Budget, subject: string, requestId: string, summary: string, executionArn: string,
  expiresAt: number,
  addresses: readonly string[]): Promise<number> {
  const key = await signingKey.get();
  const topic = sns();
  const recipients = addresses.length > 0 ? addresses : [''];
  for (const recipient of recipients) {
    const message = approvalMessage({ subject, summary, requestId, executionArn, expiresAt, recipient, decisionUrl: config.decisionUrl, key });
    await call(budget, signal => topic.client.send(new topic.sdk.PublishCommand({
      TopicArn: config.topicArn,
      Subject: message.subject,
      Message: message.text,
      MessageAttributes: recipient ? { recipient: { DataType: 'String', StringValue: recipient } } : undefined,
    }), { abortSignal: signal }));
  }
  return recipients.length;
}

/**
 * Reminds approvers of every request still pending whose last message is at least one interval
 * old, with fresh links (same deadline), and records when.
 */
async function remind(config: RequestConfig, budget: Budget): Promise<ReminderResult> {
  if (config.reminderSeconds <= 0) throw new Error('the ApprovalGate request function got a reminder event, but REMINDER_SECONDS is not set');
  const now = Math.floor(Date.now() / 1000);
  let reminded = 0;
  let skipped = 0;
  let startKey: Record<string, AttributeValue> | undefined;
  const ddb = dynamodb();
  do {
    const page = await call(budget, signal => ddb.client.send(new ddb.sdk.QueryCommand({
      TableName: config.tableName,
      IndexName: PENDING_INDEX,
      KeyConditionExpression: '#status = :pending AND expiresAt > :now',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':pending': { S: 'PENDING' }, ':now': { N: String(now) } },
      ExclusiveStartKey: startKey,
    }), { abortSignal: signal }));
    for (const item of page.Items ?? []) {
      const notifiedAt = Number(item.notifiedAt?.N ?? 0);
      // A little slack: a schedule firing a few seconds early still reminds.
      if (now - notifiedAt < config.reminderSeconds - 60) {
        skipped++;
        continue;
      }
      const requestId = item.requestId?.S ?? '';
      await publish(config, budget, `Reminder: ${config.subject}`, requestId, item.summary?.S ?? '', item.executionArn?.S ?? '',
        Number(item.expiresAt?.N ?? 0), item.recipients?.SS ?? []);
      try {
        await call(budget, signal => ddb.client.send(new ddb.sdk.UpdateItemCommand({
          TableName: config.tableName,
          Key: { requestId: { S: requestId } },
          UpdateExpression: 'SET notifiedAt = :now',
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':now': { N: String(now) }, ':pending': { S: 'PENDING' } },
        }), { abortSignal: signal }));
      } catch (e) {
        // Decided while we reminded: nothing to record.
        if (errorName(e) !== 'ConditionalCheckFailedException') throw e;
      }
      reminded++;
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  console.log(JSON.stringify({ event: 'approval.reminded', reminded, skipped }));
  return { reminded, skipped };
}
