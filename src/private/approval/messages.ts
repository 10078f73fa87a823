/**
 * The notification an ApprovalGate publishes: a plain-text message with the two signed links first,
 * then the summary, one message per recipient so that each link names the address it was sent to.
 * The summary comes from the workflow's input: it is shown on one line of its own, with its web
 * addresses defused, so that it cannot add lines or links that pass for the gate's.
 */
import { linkUrl } from './links';
import { plainText } from './text';

export interface ApprovalMessageInput {
  readonly subject: string;
  readonly summary: string;
  readonly requestId: string;
  readonly executionArn: string;
  readonly expiresAt: number;
  /** '' for a message to the topic at large. */
  readonly recipient: string;
  readonly decisionUrl: string;
  readonly key: Buffer;
  /** The gate the request belongs to, signed into the links ('' for none). */
  readonly gate: string;
}

export interface ApprovalMessage {
  readonly subject: string;
  readonly text: string;
  readonly approveUrl: string;
  readonly rejectUrl: string;
}

/** SNS subjects: printable ASCII, no line breaks, fewer than 100 characters. */
export function emailSubject(subject: string): string {
  const printable = subject.replace(/[^\x21-\x7E]+/g, ' ').replace(/ +/g, ' ').trim() || 'Approval requested';
  return printable.length < 100 ? printable : `${printable.slice(0, 96)}...`;
}

export function approvalMessage(input: ApprovalMessageInput): ApprovalMessage {
  const summary = plainText(input.summary);
  const claims = { requestId: input.requestId, expiresAt: input.expiresAt, recipient: input.recipient, summary, gate: input.gate };
  const approveUrl = linkUrl(input.decisionUrl, input.key, { ...claims, action: 'approve' });
  const rejectUrl = linkUrl(input.decisionUrl, input.key, { ...claims, action: 'reject' });
  const until = new Date(input.expiresAt * 1000).toISOString();
  const subject = emailSubject(input.subject);
  const text = [
    subject,
    '',
    `Approve: ${approveUrl}`,
    '',
    `Reject:  ${rejectUrl}`,
    '',
    'Opening a link decides nothing: it shows the request and asks you to confirm.',
    `The links work once, for this request only, until ${until}.`,
    input.recipient ? `They were sent to ${input.recipient} and record that address as the approver; do not forward this message.` : 'Anyone holding these links can decide; do not forward this message.',
    'The two links above are the only links of this request; web addresses in the request below are shown as text.',
    '',
    'Request to decide:',
    `> ${summary || '(no summary)'}`,
    '',
    `Request ${input.requestId}, execution ${plainText(input.executionArn)}`,
  ].join('\n');
  return { subject, text, approveUrl, rejectUrl };
}
