/**
 * The notification an ApprovalGate publishes: a plain-text message with the summary and the two
 * signed links, one message per recipient so that each link names the address it was sent to.
 */
import { linkUrl } from './links';

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
  const claims = { requestId: input.requestId, expiresAt: input.expiresAt, recipient: input.recipient, summary: input.summary };
  const approveUrl = linkUrl(input.decisionUrl, input.key, { ...claims, action: 'approve' });
  const rejectUrl = linkUrl(input.decisionUrl, input.key, { ...claims, action: 'reject' });
  const until = new Date(input.expiresAt * 1000).toISOString();
  const text = [
    input.subject,
    '',
    input.summary,
    '',
    `Approve: ${approveUrl}`,
    '',
    `Reject:  ${rejectUrl}`,
    '',
    'Opening a link decides nothing: it shows the request and asks you to confirm.',
    `The links work once, for this request only, until ${until}.`,
    input.recipient ? `They were sent to ${input.recipient} and record that address as the approver; do not forward this message.` : 'Anyone holding these links can decide; do not forward this message.',
    '',
    `Request ${input.requestId}, execution ${input.executionArn}`,
  ].join('\n');
  return { subject: emailSubject(input.subject), text, approveUrl, rejectUrl };
}
