/**
 * Signed approve/reject links of an ApprovalGate.
 *
 * A link carries only the request id, the action, an expiry, the address it was sent to and a
 * short summary, with an HMAC-SHA256 signature over all of them. It never carries the task token:
 * that stays in the gate's table. The signature is the credential; it is compared in constant time
 * and must never be logged.
 */
import { createHmac, timingSafeEqual } from 'crypto';

export type Action = 'approve' | 'reject';
export const ACTIONS: readonly Action[] = ['approve', 'reject'];

/** What a link says. */
export interface LinkClaims {
  readonly requestId: string;
  readonly action: Action;
  /** Expiry, in whole seconds since the epoch. */
  readonly expiresAt: number;
  /** The address the link was sent to ('' when sent to the topic at large). */
  readonly recipient: string;
  /** What is to be approved, as shown on the confirmation page. */
  readonly summary: string;
  /**
   * The gate the request belongs to ('' in links made before gates had one): with a service that
   * several gates share, a link decides only a request of its own gate.
   */
  readonly gate: string;
}

/** Query parameter names. Short, because they end up in mail clients. */
export const PARAM = { id: 'id', action: 'a', expiresAt: 'exp', recipient: 'to', summary: 's', gate: 'g', signature: 'sig' } as const;

/** Longest summary a link carries; longer summaries are cut (the message itself has all of it). */
export const MAX_LINK_SUMMARY = 500;
const REQUEST_ID = /^[A-Za-z0-9-]{8,64}$/;
const SIGNATURE = /^[A-Za-z0-9_-]{43}$/;
const GATE = /^[A-Za-z0-9]{1,64}$/;

/** Cuts a summary to what a link carries. */
export function linkSummary(summary: string): string {
  return summary.length <= MAX_LINK_SUMMARY ? summary : `${summary.slice(0, MAX_LINK_SUMMARY - 1)}…`;
}

function canonical(claims: LinkClaims): string {
  // Lengths first, so that no two different claim sets share a canonical form. A link with a gate
  // (v2) signs it too; one without (v1, made before gates had one) signs the rest as it always did.
  const parts = [claims.requestId, claims.action, String(claims.expiresAt), claims.recipient, claims.summary];
  const [version, signed] = claims.gate ? ['v2', [...parts, claims.gate]] : ['v1', parts];
  return [version, ...signed.map(p => `${Buffer.byteLength(p)}:${p}`)].join('|');
}

/** The base64url HMAC-SHA256 of the claims under the key. */
export function sign(key: Buffer, claims: LinkClaims): string {
  return createHmac('sha256', key).update(canonical(claims)).digest('base64url');
}

/** The full URL of a signed link. */
export function linkUrl(baseUrl: string, key: Buffer, claims: LinkClaims): string {
  const summary = linkSummary(claims.summary);
  const signed = { ...claims, summary };
  const query = new URLSearchParams({
    [PARAM.id]: claims.requestId,
    [PARAM.action]: claims.action,
    [PARAM.expiresAt]: String(claims.expiresAt),
    [PARAM.recipient]: claims.recipient,
    [PARAM.summary]: summary,
    ...(claims.gate ? { [PARAM.gate]: claims.gate } : {}),
    [PARAM.signature]: sign(key, signed),
  });
  return `${baseUrl}?${query.toString()}`;
}

/** Why a link was refused. */
export type LinkProblem =
  | { readonly kind: 'malformed'; readonly detail: string }
  | { readonly kind: 'forged' }
  | { readonly kind: 'expired'; readonly expiresAt: number };

export type LinkCheck =
  | { readonly ok: true; readonly claims: LinkClaims }
  | { readonly ok: false; readonly problem: LinkProblem };

/** Query parameters as API Gateway passes them. */
export type Query = Record<string, string | undefined> | null | undefined;

interface ParsedLink {
  readonly claims?: LinkClaims;
  readonly signature?: string;
  readonly problem?: LinkProblem;
}

/** Reads the claims of a link from its query parameters, without checking the signature. */
export function parseLink(query: Query): ParsedLink {
  const q = query ?? {};
  const missing = [PARAM.id, PARAM.action, PARAM.expiresAt, PARAM.signature].filter(name => !q[name]);
  if (missing.length > 0) return { problem: { kind: 'malformed', detail: `missing ${missing.join(', ')}` } };
  const requestId = q[PARAM.id]!;
  const action = q[PARAM.action]!;
  const exp = q[PARAM.expiresAt]!;
  const signature = q[PARAM.signature]!;
  const recipient = q[PARAM.recipient] ?? '';
  const summary = q[PARAM.summary] ?? '';
  const gate = q[PARAM.gate] ?? '';
  if (!REQUEST_ID.test(requestId)) return { problem: { kind: 'malformed', detail: 'the request id is not valid' } };
  if (!(ACTIONS as readonly string[]).includes(action)) return { problem: { kind: 'malformed', detail: 'the action must be approve or reject' } };
  if (!/^\d{1,12}$/.test(exp)) return { problem: { kind: 'malformed', detail: 'the expiry is not a number' } };
  if (!SIGNATURE.test(signature)) return { problem: { kind: 'malformed', detail: 'the signature is not valid' } };
  if (recipient.length > 254 || summary.length > MAX_LINK_SUMMARY) return { problem: { kind: 'malformed', detail: 'a parameter is too long' } };
  if (gate !== '' && !GATE.test(gate)) return { problem: { kind: 'malformed', detail: 'the gate is not valid' } };
  return { claims: { requestId, action: action as Action, expiresAt: Number(exp), recipient, summary, gate }, signature };
}

/** Checks a link: well formed, signed with the key, not expired (in that order). */
export function verifyLink(key: Buffer, query: Query, nowSeconds: number): LinkCheck {
  const parsed = parseLink(query);
  if (parsed.problem) return { ok: false, problem: parsed.problem };
  const claims = parsed.claims!;
  const expected = Buffer.from(sign(key, claims));
  const given = Buffer.from(parsed.signature!);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, problem: { kind: 'forged' } };
  if (claims.expiresAt <= nowSeconds) return { ok: false, problem: { kind: 'expired', expiresAt: claims.expiresAt } };
  return { ok: true, claims };
}
