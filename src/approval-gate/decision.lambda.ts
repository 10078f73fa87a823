/**
 * ApprovalGate decision endpoint (API Gateway proxy integration).
 *
 * GET shows the request and a confirmation form and changes nothing. POST verifies the signed link,
 * moves the record from PENDING to the decision with a conditional write (single use), then sends
 * the decision to the workflow. The task token and the link signature are never logged.
 */
import { ConditionalCheckFailedException, DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { Action, verifyLink } from '../private/approval/links';
import { confirmationPage, decidedPage, errorPage, Page } from '../private/approval/pages';
import { DecisionOutput, fromItem } from '../private/approval/records';
import { SigningKey } from '../private/approval/signing-key';

const ddb = new DynamoDBClient({});
const sfn = new SFNClient({});
/** The link signing key, cached per container. */
export const signingKey = new SigningKey(new SecretsManagerClient({}));

export const MAX_BODY_BYTES = 16 * 1024;
export const MAX_COMMENT = 1000;
/** Step Functions answers these when the task is no longer waiting: the decision comes too late. */
export const CLOSED_TASK_ERRORS = ['TaskTimedOut', 'InvalidToken', 'TaskDoesNotExist'];

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

export async function handler(event: APIGatewayProxyEvent): Promise<Page> {
  const method = (event.httpMethod ?? '').toUpperCase();
  if (method !== 'GET' && method !== 'POST') {
    return errorPage(405, 'Method not allowed', 'Open the link from the message, then confirm on the page it shows.', { Allow: 'GET, POST' });
  }
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
  const check = verifyLink(key, event.queryStringParameters, Math.floor(now.getTime() / 1000));
  if (!check.ok) return problemPage(check);
  const claims = check.claims;

  if (method === 'GET') {
    // The form posts back to this very link (same path, same query).
    const query = new URLSearchParams(event.queryStringParameters as Record<string, string>).toString();
    return confirmationPage(claims, `?${query}`, MAX_COMMENT);
  }

  const form = parseForm(event, claims.action);
  if (isPage(form)) return form;
  const decision = form.decision === 'approve' ? 'APPROVED' : 'REJECTED';
  const approver = approverOf(event, claims.recipient);
  const decidedAt = now.toISOString();

  let token: string;
  try {
    const updated = await ddb.send(new UpdateItemCommand({
      TableName: tableName,
      Key: { requestId: { S: claims.requestId } },
      UpdateExpression: 'SET #status = :decision, approver = :approver, #comment = :comment, decidedAt = :decidedAt, sentTo = :sentTo',
      ConditionExpression: '#status = :pending',
      ExpressionAttributeNames: { '#status': 'status', '#comment': 'comment' },
      ExpressionAttributeValues: {
        ':decision': { S: decision },
        ':pending': { S: 'PENDING' },
        ':approver': { S: approver },
        ':comment': form.comment === null ? { NULL: true } : { S: form.comment },
        ':decidedAt': { S: decidedAt },
        ':sentTo': { S: claims.recipient },
      },
      ReturnValues: 'ALL_NEW',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    }));
    token = fromItem(updated.Attributes)?.taskToken ?? '';
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException || (e as Error).name === 'ConditionalCheckFailedException') {
      const existing = fromItem((e as ConditionalCheckFailedException).Item);
      if (!existing) {
        audit({ requestId: claims.requestId, outcome: 'unknown' });
        return errorPage(410, 'Request closed', 'This request no longer exists: it was closed and its record removed. Nothing was decided.');
      }
      if (existing.status === 'APPROVED' || existing.status === 'REJECTED') {
        audit({ requestId: claims.requestId, outcome: 'alreadyDecided', attemptedBy: approver });
        return errorPage(409, 'Already decided', `This request was already ${existing.status.toLowerCase()} by ${existing.approver ?? 'someone'} at ${existing.decidedAt ?? 'an earlier time'}. A request is decided once.`);
      }
      audit({ requestId: claims.requestId, outcome: 'closed' });
      return errorPage(410, 'Request closed', 'This request is closed: the workflow stopped waiting for it. Nothing was decided.');
    }
    console.error(JSON.stringify({ event: 'approval.storeUnavailable', requestId: claims.requestId, error: (e as Error).name }));
    return errorPage(503, 'Try again', 'The approval service is busy. Nothing was decided; try again in a minute.', { 'Retry-After': '30' });
  }

  const output: DecisionOutput = { decision, approver, comment: form.comment, decidedAt, requestId: claims.requestId };
  try {
    await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output) }));
  } catch (e) {
    const name = (e as Error).name;
    if (CLOSED_TASK_ERRORS.includes(name)) {
      await settle(tableName, claims.requestId, decision, decidedAt, 'CLOSED');
      audit({ requestId: claims.requestId, outcome: 'closed', decision, approver, error: name });
      return errorPage(410, 'Request closed', 'The workflow stopped waiting for this request (it timed out or was stopped). Your decision was not applied.');
    }
    // Throttled or unavailable after the SDK's own retries: reopen the request so that nothing is lost.
    const reopened = await settle(tableName, claims.requestId, decision, decidedAt, 'PENDING');
    console.error(JSON.stringify({ event: 'approval.deliveryFailed', requestId: claims.requestId, error: name, reopened }));
    return errorPage(503, 'Try again', reopened
      ? 'The workflow could not be reached. Nothing was decided; submit the form again in a minute.'
      : 'The workflow could not be reached and the request could not be reopened; tell the workflow owner, quoting the request id.',
    { 'Retry-After': '30' });
  }
  audit({ requestId: claims.requestId, outcome: 'delivered', decision, approver, decidedAt, sentTo: claims.recipient });
  return decidedPage(claims.action, claims.requestId, approver);
}

/** Closes a decided record, or reopens it (PENDING, decision fields removed); only if it still holds this decision. */
async function settle(tableName: string, requestId: string, decision: string, decidedAt: string, to: 'CLOSED' | 'PENDING'): Promise<boolean> {
  try {
    await ddb.send(new UpdateItemCommand({
      TableName: tableName,
      Key: { requestId: { S: requestId } },
      UpdateExpression: to === 'CLOSED'
        ? 'SET #status = :to'
        : 'SET #status = :to REMOVE approver, #comment, decidedAt, sentTo',
      ConditionExpression: '#status = :decision AND decidedAt = :decidedAt',
      ExpressionAttributeNames: to === 'CLOSED' ? { '#status': 'status' } : { '#status': 'status', '#comment': 'comment' },
      ExpressionAttributeValues: { ':to': { S: to }, ':decision': { S: decision }, ':decidedAt': { S: decidedAt } },
    }));
    return true;
  } catch (e) {
    console.error(JSON.stringify({ event: 'approval.settleFailed', requestId, to, error: (e as Error).name }));
    return false;
  }
}
