/**
 * The decision record of an ApprovalGate request, as kept in its DynamoDB table, and the
 * decision the workflow receives.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/** The index of pending requests by deadline, which reminders read (created only with reminders). */
export const PENDING_INDEX = 'pending';

export type Status = 'PENDING' | 'APPROVED' | 'REJECTED' | 'CLOSED';
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
  readonly approver?: string;
  readonly comment?: string;
  readonly decidedAt?: string;
}

/**
 * A request record as DynamoDB attributes. `ttl` is when DynamoDB may delete the record;
 * `notifiedAt` when its approvers were last sent a message (seconds since the epoch).
 */
export function toItem(record: RequestRecord, ttl: number, recipients: readonly string[], notifiedAt: number): Record<string, AttributeValue> {
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
    approver: item.approver?.S,
    comment: item.comment?.S,
    decidedAt: item.decidedAt?.S,
  };
}

/** Cuts a text to a length, marking the cut. */
export function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
