/**
 * The decision record of an ApprovalGate request, as kept in its DynamoDB table, and the
 * decision the workflow receives.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/** The index of pending requests by deadline, which reminders read (created only with reminders). */
export const PENDING_INDEX = 'pending';

/**
 * The sparse index of the decisions still being delivered, by the time they were made, which the
 * delivery sweep reads. Only a record in `DELIVERING` has its keys; it holds nothing else.
 */
export const DELIVERY_INDEX = 'delivery';
/** Its partition key, and the one value it takes. */
export const DELIVERY_QUEUE = 'deliveryQueue';
export const DELIVERY_QUEUE_VALUE = 'DELIVERING';
/** Its sort key: when the decision was made, in whole seconds since the epoch. */
export const DECIDED_EPOCH = 'decidedEpoch';

/** The metric of the decisions the delivery sweep settled as UNDELIVERABLE, per gate table (dimension `Table`). */
export const UNDELIVERABLE_NAMESPACE = 'CdkWorkflowPatterns/ApprovalGate';
export const UNDELIVERABLE_METRIC = 'UndeliverableDecisions';

/**
 * Where a request is:
 * - `PENDING`: waiting for a decision;
 * - `DELIVERING`: a decision is recorded (it never changes), and its delivery to the workflow is not
 *   confirmed yet; a resubmission of the same decision, or the delivery sweep, sends it again;
 * - `DELIVERED`: the workflow received the decision (Step Functions' answer, or the execution's
 *   history, says so);
 * - `CLOSED`: the workflow stopped waiting (timed out, stopped) before the decision recorded, if any,
 *   reached it: that decision was not applied;
 * - `UNDELIVERABLE`: the gate's deadline passed while the decision's delivery was still not
 *   confirmed (Step Functions kept refusing it, or never answered): perhaps not applied; an alarm
 *   tells the workflow owner to check the execution.
 * Records written before these states existed may hold `APPROVED` or `REJECTED`: a decision, sent.
 */
export type Status = 'PENDING' | 'DELIVERING' | 'DELIVERED' | 'CLOSED' | 'UNDELIVERABLE' | 'APPROVED' | 'REJECTED';
export type Decision = 'APPROVED' | 'REJECTED' | 'EXPIRED';

/** What the workflow receives at the gate's result path. */
export interface DecisionOutput {
  readonly decision: Decision;
  readonly approver: string | null;
  readonly comment: string | null;
  readonly decidedAt: string;
  readonly requestId: string;
}

/** A request as stored (the task token stays here and nowhere else). */
export interface RequestRecord {
  readonly requestId: string;
  readonly status: Status;
  readonly taskToken: string;
  readonly summary: string;
  readonly executionArn: string;
  readonly requestedAt: string;
  readonly expiresAt: number;
  readonly decision?: 'APPROVED' | 'REJECTED';
  readonly approver?: string;
  readonly comment?: string;
  readonly decidedAt?: string;
  /** The address the decision's link was sent to. */
  readonly sentTo?: string;
  /** The gate the request belongs to: a link decides it only if it names this gate (absent in records made before gates had one). */
  readonly gate?: string;
}

/**
 * What reminding the approvers of a request of a shared service's gate takes, kept in its record (a
 * gate with a service of its own has it in its function's environment).
 */
export interface ReminderSettings {
  readonly topicArn: string;
  readonly subject: string;
  /** Seconds between reminders. */
  readonly reminderSeconds: number;
}

/**
 * A request record as DynamoDB attributes. `ttl` is when DynamoDB may delete the record;
 * `notifiedAt` when its approvers were last sent a message (seconds since the epoch).
 */
export function toItem(record: RequestRecord, ttl: number, recipients: readonly string[], notifiedAt: number,
  reminders?: ReminderSettings): Record<string, AttributeValue> {
  const item: Record<string, AttributeValue> = {
    requestId: { S: record.requestId },
    status: { S: record.status },
    taskToken: { S: record.taskToken },
    summary: { S: record.summary },
    executionArn: { S: record.executionArn },
    requestedAt: { S: record.requestedAt },
    expiresAt: { N: String(record.expiresAt) },
    ttl: { N: String(ttl) },
    notifiedAt: { N: String(notifiedAt) },
  };
  if (recipients.length > 0) item.recipients = { SS: [...recipients] };
  if (record.gate) item.gate = { S: record.gate };
  if (reminders) {
    item.topicArn = { S: reminders.topicArn };
    item.subject = { S: reminders.subject };
    item.reminderSeconds = { N: String(reminders.reminderSeconds) };
  }
  return item;
}

/** Reads a record back from DynamoDB attributes. */
export function fromItem(item: Record<string, AttributeValue> | undefined): RequestRecord | undefined {
  if (!item?.requestId?.S) return undefined;
  return {
    requestId: item.requestId.S,
    status: (item.status?.S ?? 'PENDING') as Status,
    taskToken: item.taskToken?.S ?? '',
    summary: item.summary?.S ?? '',
    executionArn: item.executionArn?.S ?? '',
    requestedAt: item.requestedAt?.S ?? '',
    expiresAt: Number(item.expiresAt?.N ?? 0),
    decision: decisionOf(item),
    approver: item.approver?.S,
    comment: item.comment?.S,
    decidedAt: item.decidedAt?.S,
    sentTo: item.sentTo?.S,
    gate: item.gate?.S,
  };
}

function decisionOf(item: Record<string, AttributeValue>): 'APPROVED' | 'REJECTED' | undefined {
  const value = item.decision?.S ?? item.status?.S;
  return value === 'APPROVED' || value === 'REJECTED' ? value : undefined;
}

/** The decision a record holds, as the workflow receives it (the same every time it is sent). */
export function outputOf(record: RequestRecord): DecisionOutput | undefined {
  if (!record.decision || !record.decidedAt) return undefined;
  return {
    decision: record.decision,
    approver: record.approver ?? null,
    comment: record.comment ?? null,
    decidedAt: record.decidedAt,
    requestId: record.requestId,
  };
}

/** Cuts a text to a length, marking the cut. */
export function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
