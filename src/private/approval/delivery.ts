/**
 * Delivering a recorded decision to the workflow, so that the record always tells the truth and no
 * decision is lost. Used by the decision endpoint (right after the decision is recorded, and again
 * when the same decision is submitted again) and by the delivery sweep.
 *
 * One attempt: `SendTaskSuccess` without automatic retry, against a deadline inside the function's
 * time. Its outcome is one of:
 * - `delivered`: Step Functions accepted it, or answered that the task no longer waits and the
 *   execution's history shows the task succeeded with this very decision (an earlier response lost);
 * - `closed`: the token no longer waits, the history shows no task that got this decision, and the
 *   execution has ended or the gate's deadline has passed: the decision was not applied;
 * - `waiting`: the token no longer waits and nothing got this decision, but the execution still runs
 *   before the gate's deadline: the gate's request step failed and is being retried with a new token,
 *   and the retried step takes the recorded decision up (request.lambda.ts), as does the next attempt;
 * - `refused`: Step Functions answered with an error (throttled, denied): certainly not applied;
 * - `unknown`: no answer (deadline, network), a fault on the service's side (5xx), or a history that
 *   could not be read. Perhaps applied, perhaps not: never reported as either.
 * Only `delivered` and `closed` settle the record (`DELIVERED`, `CLOSED`); otherwise it stays in
 * `DELIVERING`, and the same decision is sent again later, until the gate's deadline: then the sweep
 * settles it as `UNDELIVERABLE` (sweep.lambda.ts), which an alarm watches.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { Budget, dynamodb, errorName, httpStatus, sleep, stepFunctions, withDeadline } from './aws';
import { DECIDED_EPOCH, DELIVERY_QUEUE, DecisionOutput, RequestRecord, Status, fromItem, outputOf } from './records';

/** Step Functions answers these when the task no longer waits. */
export const CLOSED_TASK_ERRORS = ['TaskTimedOut', 'InvalidToken', 'TaskDoesNotExist'];
/** Longest wait for SendTaskSuccess. */
export const SEND_TIMEOUT_MS = 5_000;
/** Longest wait for one page of an execution's history. */
export const HISTORY_PAGE_TIMEOUT_MS = 3_000;
/** Longest wait for one write of the record. */
export const WRITE_TIMEOUT_MS = 2_000;
/** Kept for the writes that settle the record after a delivery. */
export const SETTLE_RESERVE_MS = 3_000;
/** Attempts of a write that settles the record. */
export const SETTLE_ATTEMPTS = 3;
/** How far before the decision the history is read: clocks of two services may differ a little. */
const CLOCK_SKEW_MS = 5 * 60_000;

export type DeliveryOutcome =
  | { readonly kind: 'delivered'; readonly via: 'response' | 'history' | 'record' }
  | { readonly kind: 'closed'; readonly error: string }
  | { readonly kind: 'waiting'; readonly error: string }
  | { readonly kind: 'refused'; readonly error: string }
  | { readonly kind: 'unknown'; readonly error: string };

/**
 * Sends the decision a record holds to the task that waits for it, once, and establishes the outcome.
 * Never calls Step Functions without a task token.
 */
export async function deliver(record: RequestRecord, budget: Budget): Promise<DeliveryOutcome> {
  const output = outputOf(record);
  if (!output) return { kind: 'refused', error: 'NoDecision' };
  if (!record.taskToken) return { kind: 'refused', error: 'NoTaskToken' };
  const { sdk, client } = stepFunctions();
  try {
    await withDeadline(budget.slice(SEND_TIMEOUT_MS, SETTLE_RESERVE_MS), signal =>
      client.send(new sdk.SendTaskSuccessCommand({ taskToken: record.taskToken, output: JSON.stringify(output) }), { abortSignal: signal }));
    return { kind: 'delivered', via: 'response' };
  } catch (e) {
    const name = errorName(e);
    if (CLOSED_TASK_ERRORS.includes(name)) {
      // The task no longer waits: it ended before the decision came, or this decision ended it and
      // the answer was lost on an earlier attempt. The execution's history tells which.
      const found = await findInHistory(record.executionArn, output, budget);
      if (found === 'found') return { kind: 'delivered', via: 'history' };
      if (typeof found === 'object') return { kind: 'unknown', error: `${name}; history: ${found.error}` };
      if (found === 'ended' || Date.now() >= record.expiresAt * 1000) return { kind: 'closed', error: name };
      return { kind: 'waiting', error: name };
    }
    const status = httpStatus(e);
    if (status !== undefined && status >= 400 && status < 500) return { kind: 'refused', error: name };
    return { kind: 'unknown', error: name };
  }
}

/** The events that end an execution. */
const EXECUTION_ENDS = ['ExecutionSucceeded', 'ExecutionFailed', 'ExecutionTimedOut', 'ExecutionAborted'];

/**
 * Whether the execution's history shows the gate's task succeeding with this decision (`found`), read
 * newest first, down to a little before the decision was made; if not, whether the execution has
 * ended (`ended`) or still runs (`absent`).
 */
export async function findInHistory(executionArn: string, output: DecisionOutput, budget: Budget): Promise<'found' | 'absent' | 'ended' | { error: string }> {
  if (!executionArn) return { error: 'NoExecutionArn' };
  const { sdk, client } = stepFunctions();
  const since = Date.parse(output.decidedAt) - CLOCK_SKEW_MS;
  let nextToken: string | undefined;
  let ended: boolean | undefined;
  try {
    do {
      const command = new sdk.GetExecutionHistoryCommand({
        executionArn, reverseOrder: true, maxResults: 200, includeExecutionData: true, nextToken,
      });
      const timeout = budget.slice(HISTORY_PAGE_TIMEOUT_MS, SETTLE_RESERVE_MS);
      const page = await withDeadline(timeout, signal => client.send(command, { abortSignal: signal }));
      // The newest event says whether the execution still runs.
      ended ??= EXECUTION_ENDS.includes(page.events?.[0]?.type ?? '');
      for (const event of page.events ?? []) {
        if (isThisDecision(event, output)) return 'found';
        if (event.timestamp && new Date(event.timestamp).getTime() < since) return ended ? 'ended' : 'absent';
      }
      nextToken = page.nextToken;
    } while (nextToken);
    return ended ? 'ended' : 'absent';
  } catch (e) {
    return { error: errorName(e) };
  }
}

function isThisDecision(event: HistoryEvent, output: DecisionOutput): boolean {
  if (event.type !== 'TaskSucceeded') return false;
  try {
    const received = JSON.parse(event.taskSucceededEventDetails?.output ?? 'null');
    return received?.requestId === output.requestId && received?.decidedAt === output.decidedAt && received?.decision === output.decision;
  } catch {
    return false;
  }
}

/**
 * Settles a record in delivery (`DELIVERED`, `CLOSED` or `UNDELIVERABLE`), if it still holds this
 * decision; a write that fails is tried again. Returns the record's status as last known: `to` once
 * written; the status found when the record was settled already (the sweep delivered it a moment
 * earlier, say); `DELIVERING` when it could not be written (still true: the sweep settles it later).
 */
export async function settle(tableName: string, record: RequestRecord, to: 'DELIVERED' | 'CLOSED' | 'UNDELIVERABLE', budget: Budget): Promise<Status> {
  const { sdk, client } = dynamodb();
  for (let attempt = 1; attempt <= SETTLE_ATTEMPTS; attempt++) {
    try {
      await withDeadline(budget.slice(WRITE_TIMEOUT_MS), signal => client.send(new sdk.UpdateItemCommand({
        TableName: tableName,
        Key: { requestId: { S: record.requestId } },
        UpdateExpression: `SET #status = :to, settledAt = :now REMOVE ${DELIVERY_QUEUE}, ${DECIDED_EPOCH}`,
        ConditionExpression: '#status = :delivering AND decidedAt = :decidedAt',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':to': { S: to }, ':delivering': { S: 'DELIVERING' }, ':decidedAt': { S: record.decidedAt ?? '' }, ':now': { S: new Date().toISOString() },
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }), { abortSignal: signal }));
      return to;
    } catch (e) {
      if (errorName(e) === 'ConditionalCheckFailedException') {
        // Settled already (an earlier write whose answer was lost, or the sweep): the record says how.
        const current = fromItem((e as { Item?: Record<string, AttributeValue> }).Item);
        return current?.status ?? 'DELIVERING';
      }
      console.error(JSON.stringify({ event: 'approval.settleFailed', requestId: record.requestId, to, attempt, error: errorName(e) }));
      if (attempt < SETTLE_ATTEMPTS) await sleep(Math.min(100 * 3 ** (attempt - 1), Math.max(0, budget.left() - WRITE_TIMEOUT_MS)));
    }
  }
  return 'DELIVERING';
}
