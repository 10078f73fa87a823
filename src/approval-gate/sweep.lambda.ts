/**
 * ApprovalGate delivery sweep (run on a schedule): settles every decision left in DELIVERING, that
 * is every decision whose delivery to the workflow is not confirmed (no answer in time, Step
 * Functions throttled, a record write that failed after the delivery). It sends the recorded
 * decision again, unchanged, and records the outcome, as src/private/approval/delivery.ts describes:
 * delivered, or closed when the workflow stopped waiting before it came. A decision whose outcome is
 * still unknown stays in DELIVERING for the next run, until the gate's deadline: a decision still not
 * delivered then (Step Functions refused it every time, or never answered) is settled as
 * UNDELIVERABLE, counted in the `UndeliverableDecisions` metric that the gate's alarm watches. The
 * task token is never logged.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { Budget, InvocationContext, dynamodb, errorName, withDeadline } from '../private/approval/aws';
import { WRITE_TIMEOUT_MS, deliver, settle } from '../private/approval/delivery';
import { DECIDED_EPOCH, DELIVERY_INDEX, DELIVERY_QUEUE, DELIVERY_QUEUE_VALUE, UNDELIVERABLE_METRIC, UNDELIVERABLE_NAMESPACE, fromItem } from '../private/approval/records';

/** Decisions younger than this are left to the decision endpoint's own attempt (its timeout is 20 seconds). */
export const GRACE_SECONDS = 60;
/** Time kept for one decision; with less left, the rest waits for the next run. */
export const PER_DECISION_MS = 15_000;
/** Decisions read per page of the index. */
const PAGE_SIZE = 25;
/** The time a run may take when the invocation does not say (tests). */
const DEFAULT_BUDGET_MS = 110_000;

export interface SweepResult {
  /** Decisions found in delivery and sent again. */
  readonly examined: number;
  readonly delivered: number;
  readonly closed: number;
  /** Settled as UNDELIVERABLE: the gate's deadline passed before the delivery was confirmed. */
  readonly undeliverable: number;
  /** Still in DELIVERING: the outcome is unknown, Step Functions refused, or the record could not be written. */
  readonly unsettled: number;
  /** Settled meanwhile (the index lags behind the table), or left for the next run (no time left). */
  readonly skipped: number;
}

export async function handler(_event?: unknown, context?: InvocationContext): Promise<SweepResult> {
  const tableName = process.env.TABLE_NAME;
  if (!tableName) throw new Error('the ApprovalGate delivery sweep is missing TABLE_NAME');
  const budget = Budget.of(context, DEFAULT_BUDGET_MS);
  const newest = Math.floor(Date.now() / 1000) - GRACE_SECONDS;
  const result = { examined: 0, delivered: 0, closed: 0, undeliverable: 0, unsettled: 0, skipped: 0 };
  const { sdk, client } = dynamodb();
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    if (budget.left() < PER_DECISION_MS) break;
    // Newest first: a decision that cannot be settled for a long time never holds up the others.
    const page = await withDeadline(budget.slice(WRITE_TIMEOUT_MS), signal => client.send(new sdk.QueryCommand({
      TableName: tableName,
      IndexName: DELIVERY_INDEX,
      KeyConditionExpression: '#queue = :queue AND #decided <= :newest',
      ExpressionAttributeNames: { '#queue': DELIVERY_QUEUE, '#decided': DECIDED_EPOCH },
      ExpressionAttributeValues: { ':queue': { S: DELIVERY_QUEUE_VALUE }, ':newest': { N: String(newest) } },
      ScanIndexForward: false,
      Limit: PAGE_SIZE,
      ExclusiveStartKey: startKey,
    }), { abortSignal: signal }));
    for (const key of page.Items ?? []) {
      if (budget.left() < PER_DECISION_MS) {
        result.skipped++;
        continue;
      }
      const requestId = key.requestId?.S ?? '';
      try {
        // The index holds no token and may lag: the record itself, read consistently.
        const got = await withDeadline(budget.slice(WRITE_TIMEOUT_MS), signal => client.send(new sdk.GetItemCommand({
          TableName: tableName, Key: { requestId: { S: requestId } }, ConsistentRead: true,
        }), { abortSignal: signal }));
        const record = fromItem(got.Item);
        if (!record || record.status !== 'DELIVERING') {
          result.skipped++;
          continue;
        }
        result.examined++;
        const outcome = await deliver(record, budget);
        // Past the gate's deadline, no task waits for the decision any more: an outcome still open is final.
        const to = outcome.kind === 'delivered' ? 'DELIVERED' : outcome.kind === 'closed' ? 'CLOSED'
          : Date.now() >= record.expiresAt * 1000 ? 'UNDELIVERABLE' : undefined;
        const settled = to !== undefined && await settle(tableName, record, to, budget) === to;
        if (settled && to === 'DELIVERED') result.delivered++;
        else if (settled && to === 'CLOSED') result.closed++;
        else if (settled && to === 'UNDELIVERABLE') result.undeliverable++;
        else result.unsettled++;
        const entry = { event: 'approval.sweep', requestId, outcome: outcome.kind, ...('via' in outcome ? { via: outcome.via } : { error: outcome.error }), recordSettled: settled };
        if (settled) console.log(JSON.stringify(entry));
        else console.error(JSON.stringify(entry));
      } catch (e) {
        result.unsettled++;
        console.error(JSON.stringify({ event: 'approval.sweep', requestId, outcome: 'unread', error: errorName(e) }));
      }
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  console.log(JSON.stringify({ event: 'approval.swept', ...result }));
  // The count, as a CloudWatch metric (embedded metric format: the log line is the metric).
  console.log(JSON.stringify({
    _aws: { Timestamp: Date.now(), CloudWatchMetrics: [{ Namespace: UNDELIVERABLE_NAMESPACE, Dimensions: [['Table']], Metrics: [{ Name: UNDELIVERABLE_METRIC, Unit: 'Count' }] }] },
    Table: tableName,
    [UNDELIVERABLE_METRIC]: result.undeliverable,
  }));
  return result;
}
