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
import { EMAIL_ADDRESS, plainText } from '../private/approval/text';

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
  /** The gate's settings, sent by a gate that shares an ApprovalService (a gate with a service of its own has them in the environment). */
  readonly gate?: unknown;
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

/** What the function is configured with: the service's settings and, for one gate, the gate's. */
export interface RequestConfig {
  readonly tableName: string;
  readonly decisionUrl: string;
  readonly retentionSeconds: number;
  /** The gate's settings; undefined in a shared service's function, where each request brings its gate's. */
  readonly gate?: GateConfig;
}

/** The settings of one gate. */
export interface GateConfig {
  /** The gate's id, signed into its links and kept in its records; '' for a gate with a service of its own, whose table holds only its requests. */
  readonly id: string;
  readonly topicArn: string;
  readonly timeoutSeconds: number;
  readonly recipients: string[];
  readonly subject: string;
  /** Seconds between reminders (0: none). */
  readonly reminderSeconds: number;
}

const GATE_ID = /^[A-Za-z0-9]{1,64}$/;
const TOPIC_ARN = /^arn:[a-z-]+:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;

/**
 * The configuration the construct passes in the environment: the service's settings, and the gate's
 * too (TOPIC_ARN and the rest) when the function serves one gate only.
 */
export function configFromEnv(env: NodeJS.ProcessEnv): RequestConfig {
  const retentionSeconds = Number(env.RETENTION_SECONDS);
  if (!env.TABLE_NAME || !env.DECISION_URL || !(retentionSeconds >= 0)) {
    throw new Error('the ApprovalGate request function is missing TABLE_NAME, DECISION_URL or RETENTION_SECONDS');
  }
  const service = { tableName: env.TABLE_NAME, decisionUrl: env.DECISION_URL, retentionSeconds };
  if (env.TOPIC_ARN === undefined) return service;
  const timeoutSeconds = Number(env.TIMEOUT_SECONDS);
  if (!env.TOPIC_ARN || !(timeoutSeconds > 0)) throw new Error('the ApprovalGate request function is missing TOPIC_ARN or TIMEOUT_SECONDS');
  return {
    ...service,
    gate: {
      id: '',
      topicArn: env.TOPIC_ARN,
      timeoutSeconds,
      recipients: (env.RECIPIENTS ?? '').split(',').map(r => r.trim()).filter(r => r.length > 0),
      subject: env.SUBJECT ?? 'Approval requested',
      reminderSeconds: Number(env.REMINDER_SECONDS ?? 0) || 0,
    },
  };
}

/**
 * The settings of the gate a request comes from: the function's own (a gate with a service of its
 * own), else those the request brings (a shared service), checked.
 */
export function gateOf(config: RequestConfig, event: ApprovalRequestEvent): GateConfig {
  if (config.gate) return config.gate;
  const gate = event.gate as Partial<Record<keyof GateConfig, unknown>> | undefined;
  if (!gate || typeof gate !== 'object') {
    throw new InvalidApprovalRequest('gate is missing: this request function is an ApprovalService\'s, and serves only the requests of its gates');
  }
  const { id, topicArn, timeoutSeconds, recipients, subject, reminderSeconds } = gate;
  const wrong = (field: string, what: string) => new InvalidApprovalRequest(`gate.${field} must be ${what}`);
  if (typeof id !== 'string' || !GATE_ID.test(id)) throw wrong('id', '1 to 64 letters and digits');
  if (typeof topicArn !== 'string' || !TOPIC_ARN.test(topicArn)) throw wrong('topicArn', 'the ARN of an SNS topic');
  if (typeof timeoutSeconds !== 'number' || !Number.isInteger(timeoutSeconds) || timeoutSeconds < 60 || timeoutSeconds > 365 * 24 * 3600) {
    throw wrong('timeoutSeconds', 'a whole number of seconds from 60 to 365 days');
  }
  if (!Array.isArray(recipients) || recipients.length > 20 || recipients.some(r => typeof r !== 'string' || r.length > 254 || !EMAIL_ADDRESS.test(r))
    || new Set(recipients.map(r => String(r).toLowerCase())).size !== recipients.length) {
    throw wrong('recipients', 'a list of at most 20 different email addresses');
  }
  if (typeof subject !== 'string' || subject.length === 0 || subject.length > 100) throw wrong('subject', '1 to 100 characters');
  if (typeof reminderSeconds !== 'number' || !Number.isInteger(reminderSeconds) || (reminderSeconds !== 0 && (reminderSeconds < 300 || reminderSeconds >= timeoutSeconds))) {
    throw wrong('reminderSeconds', 'a whole number of seconds: 0 (none), or from 300 to less than timeoutSeconds');
  }
  return { id, topicArn, timeoutSeconds, recipients: recipients as string[], subject, reminderSeconds };
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
  const gate = gateOf(config, event);
  const request = validateRequest(event);
  const now = Date.now();
  const expiresAt = Math.floor(now / 1000) + gate.timeoutSeconds;

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
        gate: gate.id || undefined,
      }, expiresAt + config.retentionSeconds, gate.recipients, Math.floor(now / 1000),
      // A shared service's reminders read each request's gate from its record.
      config.gate || !gate.reminderSeconds ? undefined : { topicArn: gate.topicArn, subject: gate.subject, reminderSeconds: gate.reminderSeconds }),
      // A retried task may store its (new) token again; a decided request is never reopened, and a
      // shared service's request is never taken over by another of its gates.
      // (AND binds before OR in DynamoDB's conditions.)
      ConditionExpression: `attribute_not_exists(requestId) OR #status = :pending${gate.id ? ' AND gate = :gate' : ''}`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':pending': { S: 'PENDING' }, ...(gate.id ? { ':gate': { S: gate.id } } : {}) },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    }), { abortSignal: signal }));
  } catch (e) {
    if (errorName(e) === 'ConditionalCheckFailedException') {
      const existing = fromItem((e as { Item?: Record<string, AttributeValue> }).Item);
      if (existing && (existing.gate ?? '') !== gate.id) {
        throw new InvalidApprovalRequest(`request ${request.requestId} belongs to another gate; a new request needs a new id`);
      }
      // Decided while this step was being retried: the decision was recorded against the token of
      // the failed attempt, which no longer waits. This attempt takes it up and delivers it.
      if (existing?.status === 'DELIVERING' && outputOf(existing)) return adopt(config, request.taskToken, existing, budget);
      throw new InvalidApprovalRequest(`request ${request.requestId} was already decided; a new request needs a new id`);
    }
    throw e;
  }

  const recipients = await publish(config.decisionUrl, gate, budget, gate.subject, request.requestId, request.summary, request.executionArn,
    expiresAt, gate.recipients);
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
async function publish(decisionUrl: string, gate: Pick<GateConfig, 'id' | 'topicArn'>, budget: Budget, subject: string, requestId: string,
  summary: string, executionArn: string, expiresAt: number, addresses: readonly string[]): Promise<number> {
  const key = await signingKey.get();
  const topic = sns();
  const recipients = addresses.length > 0 ? addresses : [''];
  for (const recipient of recipients) {
    const message = approvalMessage({ subject, summary, requestId, executionArn, expiresAt, recipient, decisionUrl, key, gate: gate.id });
    await call(budget, signal => topic.client.send(new topic.sdk.PublishCommand({
      TopicArn: gate.topicArn,
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
  if (config.gate && config.gate.reminderSeconds <= 0) throw new Error('the ApprovalGate request function got a reminder event, but REMINDER_SECONDS is not set');
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
      // A shared service's request: its gate's settings are in its record (none: the gate sends no reminders).
      const gate = config.gate ?? (item.topicArn?.S
        ? { id: item.gate?.S ?? '', topicArn: item.topicArn.S, subject: item.subject?.S ?? 'Approval requested', reminderSeconds: Number(item.reminderSeconds?.N ?? 0) }
        : undefined);
      const notifiedAt = Number(item.notifiedAt?.N ?? 0);
      // A little slack: a schedule firing a few seconds early still reminds.
      if (!gate || !(gate.reminderSeconds > 0) || now - notifiedAt < gate.reminderSeconds - 60) {
        skipped++;
        continue;
      }
      const requestId = item.requestId?.S ?? '';
      await publish(config.decisionUrl, gate, budget, `Reminder: ${gate.subject}`, requestId, item.summary?.S ?? '', item.executionArn?.S ?? '',
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
