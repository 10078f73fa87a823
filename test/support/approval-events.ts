/**
 * Shared setup for the ApprovalGate handler tests: environment, a signing key, signed links and
 * API Gateway proxy events.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { Action, LinkClaims, PARAM, linkUrl } from '../../src/private/approval/links';

export const KEY_TEXT = 'k'.repeat(20) + 'test-signing-key-0123456789abcdef';
export const KEY = Buffer.from(KEY_TEXT, 'utf8');
export const TOKEN = 'AQCEAAAAKgAAAA-secret-task-token';
export const REQUEST_ID = '6f1c2c55-5b0e-4d8e-9a57-1f3e9c0b7d21';
export const DECISION_URL = 'https://abc123.execute-api.us-east-1.amazonaws.com/prod/decision';
export const EXECUTION = 'arn:aws:states:us-east-1:123456789012:execution:Trades:e-1';

export function setEnv(extra: Record<string, string> = {}): void {
  Object.assign(process.env, {
    TABLE_NAME: 'Requests',
    SIGNING_KEY_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:SigningKey-abc',
    TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:Approvals',
    DECISION_URL,
    TIMEOUT_SECONDS: '3600',
    RETENTION_SECONDS: '7776000',
    RECIPIENTS: 'desk@example.com,risk@example.com',
    SUBJECT: 'Approval requested: Approve trade',
    ...extra,
  });
}

export function claims(overrides: Partial<LinkClaims> = {}): LinkClaims {
  return {
    requestId: REQUEST_ID,
    action: 'approve',
    expiresAt: Math.floor(Date.now() / 1000) + 3600,
    recipient: 'desk@example.com',
    summary: 'Buy 10 shares of ACME at 12.50',
    gate: '',
    ...overrides,
  };
}

/** The query parameters of a signed link. */
export function signedQuery(c: LinkClaims = claims(), key: Buffer = KEY): Record<string, string> {
  return Object.fromEntries(new URL(linkUrl(DECISION_URL, key, c)).searchParams.entries());
}

export interface EventOptions {
  readonly body?: string;
  readonly contentType?: string;
  readonly base64?: boolean;
  /** Cognito claims, as a user pools authorizer passes them. */
  readonly claims?: Record<string, string>;
}

export function event(method: string, query: Record<string, string> | null, options: EventOptions = {}): APIGatewayProxyEvent {
  return {
    httpMethod: method,
    path: '/decision',
    resource: '/decision',
    queryStringParameters: query,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    headers: { 'Content-Type': options.contentType ?? 'application/x-www-form-urlencoded' },
    multiValueHeaders: {},
    body: options.base64 && options.body !== undefined ? Buffer.from(options.body).toString('base64') : (options.body ?? null),
    isBase64Encoded: options.base64 ?? false,
    requestContext: { authorizer: options.claims ? { claims: options.claims } : undefined, identity: {} } as any,
  };
}

export function form(action: Action, comment?: string): string {
  const params = new URLSearchParams({ decision: action });
  if (comment !== undefined) params.set('comment', comment);
  return params.toString();
}

export { PARAM };

/** A stored request record (DynamoDB attributes) in a status. */
export function storedRecord(status: string, extra: Record<string, any> = {}): Record<string, any> {
  return {
    requestId: { S: REQUEST_ID },
    status: { S: status },
    taskToken: { S: TOKEN },
    summary: { S: 'Buy 10 shares of ACME at 12.50' },
    executionArn: { S: EXECUTION },
    requestedAt: { S: '2026-11-28T10:00:00.000Z' },
    expiresAt: { N: '1900000000' },
    ...extra,
  };
}

/** What the decision endpoint's record write returns (ALL_NEW): the pending record with the decision set. */
export function recordWrite(input: any): { Attributes: Record<string, any> } {
  const values = input.ExpressionAttributeValues;
  return {
    Attributes: storedRecord('DELIVERING', {
      decision: values[':decision'], approver: values[':approver'], comment: values[':comment'], decidedAt: values[':decidedAt'], sentTo: values[':sentTo'],
    }),
  };
}

/** DynamoDB's answer to a failed condition, with the record as it was (ALL_OLD), if any. */
export function conditionFailed(item?: Record<string, any>): ConditionalCheckFailedException {
  return new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: { httpStatusCode: 400 }, ...(item ? { Item: item } : {}) });
}

/** The history event of the gate's task succeeding with a decision. */
export function taskSucceeded(output: Record<string, unknown>): HistoryEvent {
  return {
    type: 'TaskSucceeded',
    id: 9,
    timestamp: new Date(),
    taskSucceededEventDetails: { resourceType: 'lambda', resource: 'invoke.waitForTaskToken', output: JSON.stringify(output) },
  };
}

export function executionSucceeded(): HistoryEvent {
  return { type: 'ExecutionSucceeded', id: 12, timestamp: new Date() };
}

/** The execution's end, newest in its history: it no longer runs. */
export function executionFailed(): HistoryEvent {
  return { type: 'ExecutionFailed', id: 14, timestamp: new Date() };
}

/** History from long before any decision of the tests: reading stops there. */
export function olderEvents(): HistoryEvent[] {
  return [{ type: 'TaskScheduled', id: 3, timestamp: new Date(Date.now() - 3600_000) }, { type: 'ExecutionStarted', id: 1, timestamp: new Date(Date.now() - 3600_000) }];
}

/** A Lambda context with this much time left. */
export function remaining(ms: number): { getRemainingTimeInMillis: () => number } {
  const end = Date.now() + ms;
  return { getRemainingTimeInMillis: () => end - Date.now() };
}
