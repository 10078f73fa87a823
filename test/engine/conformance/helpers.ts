/**
 * What the conformance case files share: where sources live, a Lambda task's resource and a recorded
 * Lambda error, task handlers, and readers of the history.
 */
import { CONFORMANCE_START } from './case';
import type { ExecutionResult, HistoryEvent, TaskRequest } from '../../../src/engine/types';
import { TaskError } from '../../../src/engine/types';

/** Prefix of a recorded AWS execution's source. */
export const LS = 'localstack:tests/aws/services/stepfunctions/v2/';
/** Prefix of an AWS developer guide page. */
export const DOC = 'https://docs.aws.amazon.com/step-functions/latest/dg/';
export const INVOKE = 'arn:aws:states:::lambda:invoke';
export const QE = 'States.QueryEvaluationError';

/** What a Python Lambda function raising `Exception("Some exception was raised.")` reports, as `lambda:invoke` records it. */
export const LAMBDA_CAUSE = JSON.stringify({
  errorMessage: 'Some exception was raised.',
  errorType: 'Exception',
  requestId: '2f9c1a52-3c0e-4a8e-9d43-6f1c2b7e8a10',
  stackTrace: ['  File "/var/task/handler.py", line 2, in handler\n    raise Exception("Some exception was raised.")\n'],
});

/** A task handler that returns its input. */
export const echo = (req: TaskRequest) => req.input;
/** A task handler that fails with this error and cause. */
export const fails = (error: string, cause?: string) => () => {
  throw new TaskError(error, cause);
};

export const types = (r: ExecutionResult) => r.events.map(e => e.type);
export const all = (r: ExecutionResult, type: string) => r.events.filter(e => e.type === type);
/** The `n`th event of a type; fails, listing the history, when there is none. */
export const first = (r: ExecutionResult, type: string, n = 0): HistoryEvent => {
  const e = all(r, type)[n];
  if (!e) throw new Error(`no ${type} event #${n} in ${types(r).join(',')}`);
  return e;
};
/** Seconds of virtual time from the start of the execution to an event. */
export const at = (e: HistoryEvent) => (new Date(e.timestamp).getTime() - CONFORMANCE_START.getTime()) / 1000;
/** An event detail holding JSON (`input`, `output`, `parameters`): GetExecutionHistory gives it as a JSON string. */
export const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
