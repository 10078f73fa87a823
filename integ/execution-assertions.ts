/**
 * The assertion every integ test makes of a Standard workflow: start an execution, then describe it
 * until it matches what is expected (only with AWS credentials; offline, integ-runner compares snapshots).
 */
import { ExpectedResult, IApiCall, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { Duration } from 'aws-cdk-lib';

export interface ExecutionExpectation {
  /** The execution's input (serialized here). */
  readonly input: unknown;
  /** The execution's name. @default - one Step Functions generates */
  readonly name?: string;
  /** What DescribeExecution must return (matched with objectLike). */
  readonly expected: Record<string, unknown>;
  /** @default Duration.minutes(3) */
  readonly totalTimeout?: Duration;
  /** @default Duration.seconds(10) */
  readonly interval?: Duration;
}

/** Starts an execution and waits for it to match; returns the start call, to chain before it. */
export function expectExecution(integ: IntegTest, stateMachineArn: string, expectation: ExecutionExpectation): IApiCall {
  const start = integ.assertions.awsApiCall('StepFunctions', 'startExecution', {
    stateMachineArn,
    ...(expectation.name !== undefined ? { name: expectation.name } : {}),
    input: JSON.stringify(expectation.input),
  });
  start.next(integ.assertions.awsApiCall('StepFunctions', 'describeExecution', {
    executionArn: start.getAttString('executionArn'),
  }).expect(ExpectedResult.objectLike(expectation.expected))
    .waitForAssertions({ totalTimeout: expectation.totalTimeout ?? Duration.minutes(3), interval: expectation.interval ?? Duration.seconds(10) }));
  return start;
}
