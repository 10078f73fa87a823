/**
 * ApprovalGate decision endpoint (API Gateway proxy integration).
 *
 * GET shows the request and a confirmation form and changes nothing. POST verifies the signed link,
 * records the decision with a conditional write (PENDING to DELIVERING: one decision per request,
 * never changed), then delivers it to the workflow and records the outcome (DELIVERED, CLOSED), as
 * src/private/approval/delivery.ts describes. When the outcome is unknown, the approver is told so,
 * and submitting the same decision again delivers it again. The task token and the link signature are
 * never logged.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { Budget, InvocationContext, dynamodb, errorName, withDeadline } from '../private/approval/aws';
import { DeliveryOutcome, SETTLE_RESERVE_MS, WRITE_TIMEOUT_MS, deliver, settle } from '../private/approval/delivery';
import { Action, LinkClaims, verifyLink } from '../private/approval/links';
import { confirmationPage, decidedPage, errorPage, Page } from '../private/approval/pages';
import { DECIDED_EPOCH, DELIVERY_QUEUE, DELIVERY_QUEUE_VALUE, RequestRecord, Status, fromItem } from '../private/approval/records';
import { SigningKey } from '../private/approval/signing-key';

/** The link signing key, cached per container. */
export const signingKey = new SigningKey();

export const MAX_BODY_BYTES = 16 * 1024;
export const MAX_COMMENT = 1000;
/** The time a request may take when the invocation does not say (tests). */
const DEFAULT_BUDGET_MS = 15_000;

type Form = { decision: Action; comment: string | null };

const FORM_TYPE = 'application/x-www-form-urlencoded';

/** The media type of a Content-Type header, without its parameters (`; charset=utf-8`), in lower case. */
export function mediaType(contentType: string): string {
  return contentType.split(';')[0].trim().toLowerCase();
}

/** Reads the POSTed form: `decision` (must match the link) and an optional `comment`. */
export function parseForm(event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded' | 'headers'>, action: Action): Form | Page {
  const raw = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');
  if (Buffer.byteLength(raw) > MAX_BODY_BYTES) {
    return errorPage(413, 'Request too large', `The form is larger than ${MAX_BODY_BYTES} bytes.`);
  }
  const contentType = Object.entries(event.headers ?? {}).find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? '';
  if (mediaType(contentType) !== FORM_TYPE) {
    return errorPage(400, 'Bad request', 'Send the decision from the confirmation form (application/x-www-form-urlencoded).');
  }
  let form: URLSearchParams;
  try {
    form = new URLSearchParams(raw);
  } catch {
    return errorPage(400, 'Bad request', 'The form could not be read.');
  }
  if (form.get('decision') !== action) {
    return errorPage(400, 'Bad request', `The form must confirm the link's action (${action}).`);
  }
  const comment = (form.get('comment') ?? '').replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '').trim();
  if (comment.length > MAX_COMMENT) {
    return errorPage(400, 'Bad request', `The comment is longer than ${MAX_COMMENT} characters.`);
  }
  return { decision: action, comment: comment.length > 0 ? comment : null };
}

/** Who decides: an authenticated identity where the API has an authorizer, else the address the link was sent to. */
export function approverOf(event: Pick<APIGatewayProxyEvent, 'requestContext'>, recipient: string): string {
  const context = event.requestContext ?? ({} as APIGatewayProxyEvent['requestContext']);
  const claims = (context.authorizer as any)?.claims ?? {};
  const identity = claims.email ?? claims['cognito:username'] ?? (context.authorizer as any)?.principalId ?? context.identity?.userArn;
  if (typeof identity === 'string' && identity.length > 0) return identity;
  return recipient || 'holder of the approval link';
}

function isPage(value: Form | Page): value is Page {
  return (value as Page).statusCode !== undefined;
}

function problemPage(problem: ReturnType<typeof verifyLink> & { ok: false }): Page {
  switch (problem.problem.kind) {
    case 'malformed': return errorPage(400, 'Bad link', `This link is incomplete or damaged (${problem.problem.detail}). Open the link from the message again.`);
    case 'forged': return errorPage(403, 'Invalid link', 'This link is not valid. Open the link from the message again, without changing it.');
    case 'expired': return errorPage(403, 'Link expired', `This link expired at ${new Date(problem.problem.expiresAt * 1000).toISOString()}; the request can no longer be decided.`);
  }
}

function audit(entry: Record<string, unknown>): void {
  // Never the token, never the signature.
  console.log(JSON.stringify({ event: 'approval.decision', ...entry }));
}

export async function handler(event: APIGatewayProxyEvent, context?: InvocationContext): Promise<Page> {
  const method = (event.httpMethod ?? '').toUpperCase();
  if (method !== 'GET' && method !== 'POST') {
    return errorPage(405, 'Method not allowed', 'Open the link from the message, then confirm on the page it shows.', { Allow: 'GET, POST' });
  }
  const budget = Budget.of(context, DEFAULT_BUDGET_MS);
  const tableName = process.env.TABLE_NAME;
  if (!tableName) return errorPage(503, 'Not available', 'The approval endpoint is not configured (TABLE_NAME); tell the workflow owner.');

  let key: Buffer;
  try {
    key = await signingKey.get();
  } catch (e) {
    console.error(JSON.stringify({ event: 'approval.keyUnavailable', error: (e as Error).name }));
    return errorPage(503, 'Try again', 'The approval service is busy. Nothing was decided; try again in a minute.', { 'Retry-After': '30' });
  }
  const now = new Date();
  let check = verifyLink(key, event.queryStringParameters, Math.floor(now.getTime() / 1000));
  // A link signed with a key this container has not read yet (the key was replaced): read it again, once.
  const again = !check.ok && check.problem.kind === 'forged' ? signingKey.reread() : undefined;
  if (again) {
    try {
      check = verifyLink(await again, event.queryStringParameters, Math.floor(now.getTime() / 1000));
    } catch (e) {
      console.error(JSON.stringify({ event: 'approval.keyUnavailable', error: (e as Error).name }));
    }
  }
  if (!check.ok) return problemPage(check);
  const claims = check.claims;

  if (method === 'GET') {
    // Already decided (by another approver, say): the page says so, and offers no form. Reading changes nothing.
    const stored = await storedRecord(tableName, claims.requestId, budget);
    if (stored && !sameGate(stored, claims.gate)) return wrongGate(claims.requestId);
    if (stored?.decision) return alreadyDecided(stored, '', 200);
    // The form posts back to this very link (same path, same query).
    const query = new URLSearchParams(event.queryStringParameters as Record<string, string>).toString();
    return confirmationPage(claims, `?${query}`, MAX_COMMENT);
  }

  const form = parseForm(event, claims.action);
  if (isPage(form)) return form;
  const decision = form.decision === 'approve' ? 'APPROVED' : 'REJECTED';
  const approver = approverOf(event, claims.recipient);

  const recorded = await record(tableName, claims, decision, approver, form.comment, now, budget);
  if (recorded.kind === 'page') return recorded.page;
  const stored = recorded.record;
  if (!stored.taskToken) {
    // A record without a task token cannot be delivered; Step Functions is never called with an empty one.
    console.error(JSON.stringify({ event: 'approval.noTaskToken', requestId: claims.requestId }));
    return errorPage(500, 'Cannot be delivered', `The record of request ${claims.requestId} holds no task token, so no decision can reach the workflow. Tell the workflow owner, quoting the request id.`);
  }

  const delivery = await deliver(stored, budget);
  const status = delivery.kind === 'delivered' ? await settle(tableName, stored, 'DELIVERED', budget)
    : delivery.kind === 'closed' ? await settle(tableName, stored, 'CLOSED', budget)
      : 'DELIVERING';
  const outcome = asRecorded(delivery, status);
  audit({
    requestId: claims.requestId,
    outcome: outcome.kind,
    ...('via' in outcome ? { via: outcome.via } : { error: outcome.error }),
    recordSettled: status !== 'DELIVERING',
    resubmitted: recorded.resubmitted,
    decision: stored.decision,
    approver: stored.approver,
    decidedAt: stored.decidedAt,
    sentTo: stored.sentTo,
  });
  return outcomePage(outcome, stored);
}

/**
 * The outcome the approver is told: the record's, when settling found it settled another way a moment
 * earlier (the sweep delivered it while this function's history read lagged behind).
 */
function asRecorded(delivery: DeliveryOutcome, status: Status): DeliveryOutcome {
  if (status === 'DELIVERED' && delivery.kind !== 'delivered') return { kind: 'delivered', via: 'record' };
  if (status === 'CLOSED' && delivery.kind !== 'closed' && delivery.kind !== 'delivered') return { kind: 'closed', error: 'record' };
  return delivery;
}

type Recorded = { kind: 'page'; page: Page } | { kind: 'record'; record: RequestRecord; resubmitted: boolean };

/**
 * Records the decision (PENDING to DELIVERING), once. The same decision submitted again while it is
 * still being delivered is delivered again, as first recorded; a different one is refused.
 */
async function record(tableName: string, claims: LinkClaims, decision: 'APPROVED' | 'REJECTED', approver: string, comment: string | null,
  now: Date, budget: Budget): Promise<Recorded> {
  const { requestId, recipient: sentTo, gate } = claims;
  const { sdk, client } = dynamodb();
  try {
    const updated = await withDeadline(budget.slice(WRITE_TIMEOUT_MS * 2, SETTLE_RESERVE_MS), signal => client.send(new sdk.UpdateItemCommand({
      TableName: tableName,
      Key: { requestId: { S: requestId } },
      UpdateExpression: `SET #status = :delivering, decision = :decision, approver = :approver, #comment = :comment, decidedAt = :decidedAt, sentTo = :sentTo, ${DELIVERY_QUEUE} = :queue, ${DECIDED_EPOCH} = :epoch`,
      // A record without a task token stays PENDING: there would be nothing to deliver the decision with.
      // A link decides only a request of its own gate (a service several gates share).
      ConditionExpression: `#status = :pending AND attribute_exists(taskToken) AND taskToken <> :empty AND ${gate ? 'gate = :gate' : 'attribute_not_exists(gate)'}`,
      ExpressionAttributeNames: { '#status': 'status', '#comment': 'comment' },
      ExpressionAttributeValues: {
        ':delivering': { S: 'DELIVERING' },
        ':decision': { S: decision },
        ':pending': { S: 'PENDING' },
        ':empty': { S: '' },
        ':approver': { S: approver },
        ':comment': comment === null ? { NULL: true } : { S: comment },
        ':decidedAt': { S: now.toISOString() },
        ':sentTo': { S: sentTo },
        ':queue': { S: DELIVERY_QUEUE_VALUE },
        ':epoch': { N: String(Math.floor(now.getTime() / 1000)) },
        ...(gate ? { ':gate': { S: gate } } : {}),
      },
      ReturnValues: 'ALL_NEW',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    }), { abortSignal: signal }));
    const stored = fromItem(updated.Attributes);
    if (!stored) throw new Error('the update returned no record');
    return { kind: 'record', record: stored, resubmitted: false };
  } catch (e) {
    if (errorName(e) !== 'ConditionalCheckFailedException') {
      // No answer, or a failure: the decision may or may not be recorded. If it is, it is in
      // DELIVERING, so submitting again delivers it; if not, submitting again records it.
      console.error(JSON.stringify({ event: 'approval.storeUnavailable', requestId, error: errorName(e) }));
      return page(errorPage(503, 'Try again', 'The approval service is busy, so your decision may not be recorded. Submit the form again in a minute: it records your decision once, never twice.', { 'Retry-After': '30' }));
    }
    const existing = fromItem((e as { Item?: Parameters<typeof fromItem>[0] }).Item);
    if (!existing) {
      audit({ requestId, outcome: 'unknownRequest' });
      return page(errorPage(410, 'Request closed', 'This request no longer exists: it was closed and its record removed. Nothing was decided.'));
    }
    if (!sameGate(existing, gate)) {
      audit({ requestId, outcome: 'wrongGate' });
      return page(wrongGate(requestId));
    }
    switch (existing.status) {
      case 'PENDING':
        console.error(JSON.stringify({ event: 'approval.noTaskToken', requestId }));
        return page(errorPage(500, 'Cannot be decided', `The record of request ${requestId} holds no task token, so no decision can reach the workflow. Nothing was decided; tell the workflow owner, quoting the request id.`));
      case 'DELIVERING':
        if (existing.decision === decision) return { kind: 'record', record: existing, resubmitted: true };
        audit({ requestId, outcome: 'alreadyDecided', attemptedBy: approver });
        return page(alreadyDecided(existing, 'and is being delivered to the workflow'));
      case 'CLOSED':
        audit({ requestId, outcome: 'closed' });
        return page(errorPage(410, 'Request closed', 'This request is closed: the workflow stopped waiting for it. Nothing more can be decided.'));
      case 'UNDELIVERABLE':
        audit({ requestId, outcome: 'undeliverable' });
        return page(errorPage(410, 'Request closed', `This request was ${existing.decision === 'REJECTED' ? 'rejected' : 'approved'} by ${existing.approver ?? 'someone'}, but the decision could not be delivered to the workflow before its deadline; the workflow owner has been alerted. Nothing more can be decided.`));
      default:
        audit({ requestId, outcome: 'alreadyDecided', attemptedBy: approver });
        return page(alreadyDecided(existing, ''));
    }
  }
}

function page(p: Page): Recorded {
  return { kind: 'page', page: p };
}

/** Whether a record belongs to the gate a link names ('' for a link, and a record, of a gate with a service of its own). */
function sameGate(stored: RequestRecord, gate: string): boolean {
  return (stored.gate ?? '') === gate;
}

/** A link signed for one gate of a shared service, on a request of another: refused, as a link that is not valid. */
function wrongGate(requestId: string): Page {
  console.error(JSON.stringify({ event: 'approval.wrongGate', requestId }));
  return errorPage(403, 'Invalid link', 'This link is not valid for this request. Open the link from the message again, without changing it.');
}

/**
 * The request's record (never its token); undefined when there is none, or it cannot be read in
 * time: the confirmation page, whose text holds either way, is shown then.
 */
async function storedRecord(tableName: string, requestId: string, budget: Budget): Promise<RequestRecord | undefined> {
  const { sdk, client } = dynamodb();
  try {
    const got = await withDeadline(budget.slice(WRITE_TIMEOUT_MS, SETTLE_RESERVE_MS), signal => client.send(new sdk.GetItemCommand({
      TableName: tableName,
      Key: { requestId: { S: requestId } },
      ConsistentRead: true,
      ProjectionExpression: 'requestId, #status, decision, approver, decidedAt, gate',
      ExpressionAttributeNames: { '#status': 'status' },
    }), { abortSignal: signal }));
    return fromItem(got.Item);
  } catch (e) {
    console.error(JSON.stringify({ event: 'approval.recordUnread', requestId, error: errorName(e) }));
    return undefined;
  }
}

function alreadyDecided(existing: RequestRecord, more: string, statusCode = 409): Page {
  const word = existing.decision === 'REJECTED' ? 'rejected' : 'approved';
  return errorPage(statusCode, 'Already decided', `This request was already ${word} by ${existing.approver ?? 'someone'} at ${existing.decidedAt ?? 'an earlier time'}${more ? ` ${more}` : ''}. A request is decided once.`);
}

/** What the approver is told: only what is known. */
function outcomePage(outcome: DeliveryOutcome, stored: RequestRecord): Page {
  const action: Action = stored.decision === 'REJECTED' ? 'reject' : 'approve';
  const word = action === 'approve' ? 'approval' : 'rejection';
  const who = stored.approver ?? 'the holder of the link';
  const deadline = new Date(stored.expiresAt * 1000).toISOString();
  // What happens next, and when it ends, for a decision not yet applied.
  const until = `The service keeps delivering it, every few minutes, until the request's deadline (${deadline}); if it still has not been delivered by then, `
    + `it is marked undeliverable and the workflow owner is alerted. You may also submit the form again: that sends the same ${word} again, never a different decision.`;
  switch (outcome.kind) {
    case 'delivered':
      return decidedPage(action, stored.requestId, stored.approver ?? 'holder of the approval link');
    case 'closed':
      return errorPage(410, 'Request closed', `The workflow stopped waiting for this request (it timed out or was stopped) before the ${word} reached it. The ${word} is recorded, but it was not applied.`);
    case 'waiting':
      return errorPage(202, 'Decision recorded, workflow not waiting just now', `The ${word} of ${who} is recorded, but the workflow was not waiting for it at this moment: `
        + `its request step failed and is being tried again (the new attempt takes your ${word} up and applies it; nothing more is needed from you), `
        + `or the workflow went on without it (then it is not applied). ${until}`, { 'Retry-After': '60' });
    case 'refused':
      return errorPage(202, 'Decision recorded, not yet delivered', `The ${word} of ${who} is recorded, but the workflow could not take it just now. ${until}`, { 'Retry-After': '60' });
    case 'unknown':
      return errorPage(202, 'Decision recorded, delivery not confirmed', `The ${word} of ${who} is recorded, but the workflow did not confirm receiving it (no answer in time). `
        + `It may already have been applied. ${until}`, { 'Retry-After': '60' });
  }
}
