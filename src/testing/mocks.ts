/**
 * The mocks file of `cdk-workflow-patterns run`: what tasks return, by state name or by resource,
 * and how callbacks (`.waitForTaskToken` tasks) are decided.
 *
 * ```json
 * {
 *   "states": {
 *     "Reserve item": { "sequence": [
 *       { "error": "Lambda.TooManyRequestsException", "cause": "Rate exceeded" },
 *       { "result": { "reserved": true } }
 *     ] }
 *   },
 *   "resources": { "arn:aws:states:::sns:publish": { "result": { "MessageId": "m-1" } } },
 *   "callbacks": { "Wait for approval": { "success": { "approved": true } } }
 * }
 * ```
 *
 * A mock is `{ "result": value }`, `{ "error": "Name", "cause": "text" }`, or `{ "sequence": [...] }`
 * of those, one per call, the last one repeated. A callback is `{ "success": value }` or
 * `{ "failure": { "error": "Name", "cause": "text" } }`.
 */
import { CallbackHandler, TaskFailure, TaskHandler } from './local-execution';

type Outcome = { readonly result: unknown } | { readonly error: string; readonly cause?: string };

export interface Mocks {
  /** Task handlers by state name. */
  readonly states: Record<string, TaskHandler>;
  /** Task handlers by resource (a Lambda function ARN, or a service integration ARN). */
  readonly resources: Record<string, TaskHandler>;
  readonly callbacks: Record<string, CallbackHandler>;
}

/** A mocks file that does not follow the format. */
export class MocksError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MocksError';
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function outcomeOf(value: unknown, where: string): Outcome {
  if (!isObject(value)) throw new MocksError(`${where}: expected an object with "result" or "error" (got ${JSON.stringify(value)})`);
  const keys = Object.keys(value);
  if ('result' in value && keys.length === 1) return { result: value.result };
  if ('error' in value && keys.every(k => k === 'error' || k === 'cause')) {
    if (typeof value.error !== 'string' || value.error === '') throw new MocksError(`${where}: "error" must be a non-empty error name (got ${JSON.stringify(value.error)})`);
    if (value.cause !== undefined && typeof value.cause !== 'string') throw new MocksError(`${where}: "cause" must be a string (got ${JSON.stringify(value.cause)})`);
    return { error: value.error, cause: value.cause as string | undefined };
  }
  throw new MocksError(`${where}: expected { "result": ... } or { "error": "Name", "cause": "..." } (got keys ${keys.join(', ') || 'none'})`);
}

function play(outcome: Outcome): unknown {
  if ('error' in outcome) throw new TaskFailure(outcome.error, outcome.cause ?? '');
  return outcome.result;
}

/** A task handler playing a mock: one outcome, or a sequence whose last outcome repeats. */
export function mockHandler(value: unknown, where: string): TaskHandler {
  if (isObject(value) && 'sequence' in value) {
    if (Object.keys(value).length !== 1) throw new MocksError(`${where}: "sequence" stands alone (got keys ${Object.keys(value).join(', ')})`);
    const sequence = value.sequence;
    if (!Array.isArray(sequence) || sequence.length === 0) throw new MocksError(`${where}: "sequence" must be a non-empty array`);
    const outcomes = sequence.map((v, i) => outcomeOf(v, `${where}.sequence[${i}]`));
    let calls = 0;
    return () => play(outcomes[Math.min(calls++, outcomes.length - 1)]);
  }
  const outcome = outcomeOf(value, where);
  return () => play(outcome);
}

function callbackHandler(value: unknown, where: string): CallbackHandler {
  if (isObject(value) && Object.keys(value).length === 1 && 'success' in value) {
    return () => value.success;
  }
  if (isObject(value) && Object.keys(value).length === 1 && isObject(value.failure)) {
    const failure = outcomeOf(value.failure, `${where}.failure`);
    if (!('error' in failure)) throw new MocksError(`${where}.failure: expected { "error": "Name", "cause": "..." }`);
    return () => play(failure);
  }
  throw new MocksError(`${where}: expected { "success": value } or { "failure": { "error": "Name", "cause": "..." } } (got ${JSON.stringify(value)})`);
}

function section<T>(doc: Record<string, unknown>, key: string, file: string, make: (v: unknown, where: string) => T): Record<string, T> {
  const value = doc[key];
  if (value === undefined) return {};
  if (!isObject(value)) throw new MocksError(`${file}: "${key}" must be an object keyed by ${key === 'resources' ? 'resource ARN' : 'state name'}`);
  return Object.fromEntries(Object.entries(value).map(([name, v]) => [name, make(v, `${file}: ${key}["${name}"]`)]));
}

/** Reads a parsed mocks document; `file` names it in messages. */
export function parseMocks(doc: unknown, file = 'mocks'): Mocks {
  if (!isObject(doc)) throw new MocksError(`${file}: expected a JSON object with "states", "resources" and/or "callbacks"`);
  const unknown = Object.keys(doc).filter(k => !['states', 'resources', 'callbacks'].includes(k));
  if (unknown.length > 0) throw new MocksError(`${file}: unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map(k => `"${k}"`).join(', ')} (expected "states", "resources", "callbacks")`);
  return {
    states: section(doc, 'states', file, mockHandler),
    resources: section(doc, 'resources', file, mockHandler),
    callbacks: section(doc, 'callbacks', file, callbackHandler),
  };
}
