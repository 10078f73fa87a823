/**
 * The checks of an ApprovalGate's props, each answering a wrong value with a message that names the
 * gate, the value and what to give instead.
 */
import { Duration, Token } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { emailSubject } from '../private/approval/messages';
import { EMAIL_ADDRESS } from '../private/approval/text';
import { isJsonataExpression } from '../private/query-language';

const MIN_TIMEOUT_SECONDS = 60;
const MAX_TIMEOUT_SECONDS = 365 * 24 * 3600;
const MAX_RECIPIENTS = 20;

export function validateTimeout(id: string, timeout: Duration): number {
  if (timeout.isUnresolved()) {
    throw new Error(`ApprovalGate '${id}': timeout must be a known duration (the links' expiry is computed from it)`);
  }
  const seconds = timeout.toMilliseconds() / 1000;
  if (seconds < MIN_TIMEOUT_SECONDS || seconds > MAX_TIMEOUT_SECONDS || !Number.isInteger(seconds)) {
    const shown = Number.isInteger(seconds) ? timeout.toHumanString() : `${seconds} seconds`;
    throw new Error(`ApprovalGate '${id}': timeout must be a whole number of seconds between 1 minute and 365 days (got ${shown})`);
  }
  return seconds;
}

export function validateSummary(id: string, summary: string, language: sfn.QueryLanguage): void {
  if (language === sfn.QueryLanguage.JSONATA && Token.isUnresolved(summary) && sfn.JsonPath.isEncodedJsonPath(summary)) {
    throw new Error(`ApprovalGate '${id}': summary is a JSONPath expression, and the gate is JSONata; give a JSONata expression such as "{% 'Buy ' & $states.input.count & ' shares' %}", or a literal string`);
  }
  if (language !== sfn.QueryLanguage.JSONATA && !Token.isUnresolved(summary) && isJsonataExpression(summary)) {
    throw new Error(`ApprovalGate '${id}': summary is a JSONata expression (got '${summary}'), and the gate is JSONPath; give queryLanguage: sfn.QueryLanguage.JSONATA, or a JSONPath summary (sfn.JsonPath.format)`);
  }
}

/** The subject: the one given, checked (SNS takes printable ASCII, fewer than 100 characters), or one made from the id, made fit. */
export function validateSubject(id: string, subject: string | undefined): string {
  if (subject === undefined) return emailSubject(`Approval requested: ${id}`);
  if (Token.isUnresolved(subject) || subject.length === 0 || subject.length > 99 || !/^[\x20-\x7E]+$/.test(subject)) {
    throw new Error(`ApprovalGate '${id}': subject must be 1 to 99 printable ASCII characters, as SNS takes for an email subject (got ${JSON.stringify(subject)})`);
  }
  return subject;
}

export function validateReminders(id: string, interval: Duration | undefined, timeoutSeconds: number): number {
  if (interval === undefined) return 0;
  if (interval.isUnresolved()) throw new Error(`ApprovalGate '${id}': reminderInterval must be a known duration`);
  const seconds = interval.toSeconds({ integral: false });
  if (seconds < 300 || seconds >= timeoutSeconds || !Number.isInteger(seconds / 60)) {
    throw new Error(`ApprovalGate '${id}': reminderInterval must be whole minutes, from 5 minutes to less than the timeout (${timeoutSeconds / 60} minutes) (got ${interval.toHumanString()})`);
  }
  return seconds;
}

export function validateRecipients(id: string, addresses: string[]): string[] {
  if (addresses.length > MAX_RECIPIENTS) {
    throw new Error(`ApprovalGate '${id}': at most ${MAX_RECIPIENTS} approverEmails (got ${addresses.length}); subscribe a distribution list instead`);
  }
  const seen = new Set<string>();
  for (const address of addresses) {
    if (Token.isUnresolved(address) || !EMAIL_ADDRESS.test(address)) {
      throw new Error(`ApprovalGate '${id}': approverEmails must be literal email addresses (got '${address}')`);
    }
    if (seen.has(address.toLowerCase())) {
      throw new Error(`ApprovalGate '${id}': approverEmails lists '${address}' twice`);
    }
    seen.add(address.toLowerCase());
  }
  return addresses;
}

/** A value given where a construct was expected, for messages. */
export function describeValue(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? String(value);
  const path = (value as { node?: { path?: unknown } }).node?.path;
  return typeof path === 'string' ? `the construct ${path}` : `a ${(value as object).constructor?.name ?? 'value'}`;
}
