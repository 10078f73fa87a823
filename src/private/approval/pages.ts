/**
 * The HTML pages of an ApprovalGate's decision endpoint: plain, self-contained, every value escaped,
 * served with headers that keep the signed URL out of referrers and caches.
 */
import type { Action, LinkClaims } from './links';
import { plainText } from './text';

/** An API Gateway proxy response. */
export interface Page {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'text/html; charset=utf-8',
  // No scripts, no external anything; the form may only post back here.
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  // The URL holds the signature: never send it on as a referrer, never cache the page.
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
};

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, c => `&#${c.charCodeAt(0)};`);
}

const VERB: Record<Action, string> = { approve: 'Approve', reject: 'Reject' };

function layout(title: string, body: string): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="robots" content="noindex">',
    `<title>${escapeHtml(title)}</title>`,
    '<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5}',
    'blockquote{border-left:4px solid #ccc;margin:1rem 0;padding:.5rem 1rem;background:#f6f6f6}',
    'textarea{width:100%;min-height:5rem}button{font-size:1rem;padding:.5rem 1.5rem}</style>',
    `</head><body><h1>${escapeHtml(title)}</h1>`,
    body,
    '</body></html>',
  ].join('\n');
}

export function page(statusCode: number, title: string, body: string, extraHeaders: Record<string, string> = {}): Page {
  return { statusCode, headers: { ...PAGE_HEADERS, ...extraHeaders }, body: layout(title, body) };
}

/** The GET page: what is to be decided and a form that posts the decision. Changes nothing. */
export function confirmationPage(claims: LinkClaims, formAction: string, maxCommentLength: number): Page {
  const verb = VERB[claims.action];
  const to = claims.recipient ? `<p>Link sent to <strong>${escapeHtml(claims.recipient)}</strong>.</p>` : '';
  const expires = new Date(claims.expiresAt * 1000).toISOString();
  return page(200, `${verb} this request?`, [
    `<p>Request <code>${escapeHtml(claims.requestId)}</code>, open until ${escapeHtml(expires)}.</p>`,
    // Links signed before summaries were made plain may carry line breaks: made plain here too.
    `<blockquote>${escapeHtml(plainText(claims.summary) || '(no summary)')}</blockquote>`,
    to,
    '<p>Opening this page decides nothing. The decision is recorded when you press the button, once, and only if no one has decided this request before you.</p>',
    `<form method="post" action="${escapeHtml(formAction)}">`,
    `<label for="comment">Comment (optional, up to ${maxCommentLength} characters)</label>`,
    `<textarea id="comment" name="comment" maxlength="${maxCommentLength}"></textarea>`,
    `<input type="hidden" name="decision" value="${claims.action}">`,
    `<p><button type="submit">${verb}</button></p>`,
    '</form>',
  ].join('\n'));
}

/** The page after a decision was delivered to the workflow. */
export function decidedPage(action: Action, requestId: string, approver: string): Page {
  const word = action === 'approve' ? 'approved' : 'rejected';
  return page(200, `Request ${word}`, `<p>Request <code>${escapeHtml(requestId)}</code> was ${word} by ${escapeHtml(approver)}. The workflow goes on.</p>`);
}

/** A plain error page. */
export function errorPage(statusCode: number, title: string, message: string, extraHeaders: Record<string, string> = {}): Page {
  return page(statusCode, title, `<p>${escapeHtml(message)}</p>`, extraHeaders);
}
