/**
 * What a worker sends for a handler's outcome, shared by the worker runtime and the local runs of
 * the testing toolkit, so that a test sees what Step Functions will see.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskFailure.html
 */

/** The longest error name and cause SendTaskFailure takes. */
export const MAX_ERROR = 256;
export const MAX_CAUSE = 32_768;
/** The largest output SendTaskSuccess takes, in bytes. */
export const MAX_OUTPUT_BYTES = 262_144;

/** The error a worker sends when it stops before a task ends. */
export const SHUTTING_DOWN = 'ActivityWorker.ShuttingDown';

export type Outcome =
  | { readonly kind: 'success'; readonly output: string }
  | { readonly kind: 'failure'; readonly error: string; readonly cause: string };

/** A handler's result as SendTaskSuccess's output, or a failure when it cannot be one. */
export function successOf(result: unknown): Outcome {
  const output = JSON.stringify(result === undefined ? null : result);
  if (output === undefined) return { kind: 'failure', error: 'ActivityWorker.InvalidOutput', cause: 'The handler returned a value that is not JSON (a function or a symbol)' };
  if (Buffer.byteLength(output, 'utf8') > MAX_OUTPUT_BYTES) {
    return { kind: 'failure', error: 'States.DataLimitExceeded', cause: `The handler's output is ${Buffer.byteLength(output, 'utf8')} bytes, over the ${MAX_OUTPUT_BYTES} bytes SendTaskSuccess takes` };
  }
  return { kind: 'success', output };
}

/** A thrown value as SendTaskFailure's error (the error's name) and cause (its message), cut to their limits. */
export function failureOf(thrown: unknown): Outcome {
  const error = thrown instanceof Error ? (thrown.name || 'Error') : 'Error';
  const cause = thrown instanceof Error ? thrown.message : typeof thrown === 'string' ? thrown : (JSON.stringify(thrown) ?? String(thrown));
  return { kind: 'failure', error: error.slice(0, MAX_ERROR), cause: cause.slice(0, MAX_CAUSE) };
}
