import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';

/** The options of a construct's retry of transient errors (the fields of LambdaRetryOptions, HttpRetryOptions...). */
export interface RetryOptions {
  readonly interval?: Duration;
  readonly maxAttempts?: number;
  readonly backoffRate?: number;
  readonly maxDelay?: Duration;
  readonly jitterStrategy?: sfn.JitterType;
  readonly errors?: string[];
}

/** What a retry is when its options leave a field out. */
export interface RetryDefaults {
  readonly errors: string[];
  readonly interval: Duration;
  readonly maxAttempts: number;
  readonly backoffRate: number;
  readonly maxDelay: Duration;
  /** The fewest attempts the construct allows. @default 0 (no retry) */
  readonly minAttempts?: number;
}

/** A retry with exponential backoff and (by default) full jitter, its options checked. */
export function retryProps(where: string, options: RetryOptions | undefined, defaults: RetryDefaults): sfn.RetryProps {
  const o = options ?? {};
  const maxAttempts = o.maxAttempts ?? defaults.maxAttempts;
  const min = defaults.minAttempts ?? 0;
  if (!Number.isInteger(maxAttempts) || maxAttempts < min || maxAttempts > 99999999) {
    throw new Error(`${where}: maxAttempts must be a whole number from ${min} to 99999999 (got ${maxAttempts})`);
  }
  const backoffRate = o.backoffRate ?? defaults.backoffRate;
  if (typeof backoffRate !== 'number' || !(backoffRate >= 1)) {
    throw new Error(`${where}: backoffRate must be 1 or more (got ${backoffRate})`);
  }
  const errors = o.errors ?? defaults.errors;
  if (!Array.isArray(errors) || errors.length === 0 || errors.some(e => typeof e !== 'string' || e.length === 0)) {
    throw new Error(`${where}: errors must be a non-empty array of error names (got ${JSON.stringify(errors)})`);
  }
  return {
    errors,
    interval: o.interval ?? defaults.interval,
    maxAttempts,
    backoffRate,
    maxDelay: o.maxDelay ?? defaults.maxDelay,
    jitterStrategy: o.jitterStrategy ?? sfn.JitterType.FULL,
  };
}
