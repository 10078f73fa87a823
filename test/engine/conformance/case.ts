/**
 * A conformance case: one definition, its input and task behaviour, and what Step Functions does
 * with it, as the AWS documentation states it or as a recorded AWS execution shows it.
 */
import type { ExecutionOptions, ExecutionResult, LocalS3, TaskHandler } from '../../../src/engine';

export interface ConformanceExpectation {
  /** How the execution ends. Leave out when `invalid` is given. */
  readonly status?: ExecutionResult['status'];
  /** The execution's output (SUCCEEDED), compared with toEqual. */
  readonly output?: unknown;
  readonly error?: string;
  /** The failure cause: exact text, or a pattern. */
  readonly cause?: string | RegExp;
  /** State transitions as billed. */
  readonly transitions?: number;
  /** The history's event types, in order (all of them). */
  readonly eventTypes?: string[];
  /** Any further check of the result (history details, map runs...). Throw (or use expect) to fail. */
  readonly check?: (result: ExecutionResult, s3: LocalS3) => void;
  /** The definition is refused before anything runs, with a DefinitionError whose message matches. */
  readonly invalid?: RegExp;
}

export interface ConformanceCase {
  readonly name: string;
  /**
   * Where the expected behaviour comes from: an AWS documentation URL
   * (https://docs.aws.amazon.com/step-functions/latest/dg/...), or a recorded AWS execution:
   * `localstack:tests/aws/services/stepfunctions/v2/<file>.snapshot.json#<test key>`.
   */
  readonly source: string;
  readonly definition: object;
  readonly input?: unknown;
  readonly tasks?: Record<string, TaskHandler>;
  /** Objects in the local S3 before the run: bucket → key → body. */
  readonly s3?: Record<string, Record<string, string>>;
  readonly options?: Omit<ExecutionOptions, 'input' | 'tasks' | 's3'>;
  readonly expect: ConformanceExpectation;
}

/** A fixed start, so timestamps in outputs are stable. */
export const CONFORMANCE_START = new Date('2024-01-01T00:00:00.000Z');
