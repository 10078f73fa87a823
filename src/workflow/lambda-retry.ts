import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { checkProps } from '../private/prop-types';
import { required } from '../private/required';
import { retryProps } from '../private/retry';

/**
 * Options for the retry of transient Lambda errors.
 */
export interface LambdaRetryOptions {
  /**
   * How long to wait before the first retry.
   * @default Duration.seconds(1)
   */
  readonly interval?: Duration;

  /**
   * How many times to retry.
   * @default 6
   */
  readonly maxAttempts?: number;

  /**
   * The multiplier of the wait between two retries.
   * @default 2
   */
  readonly backoffRate?: number;

  /**
   * The longest wait between two retries.
   * @default Duration.seconds(30)
   */
  readonly maxDelay?: Duration;

  /**
   * The jitter applied to each wait.
   * @default sfn.JitterType.FULL
   */
  readonly jitterStrategy?: sfn.JitterType;
}

/**
 * The retry AWS recommends for every Lambda task: the transient Lambda service errors, with
 * exponential backoff and full jitter.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html
 */
export class LambdaRetry {
  /**
   * The errors a Lambda invocation may throw that are worth retrying: the transient Lambda service
   * errors AWS lists (`Lambda.ClientExecutionTimeoutException` first), and throttling.
   */
  public static readonly TRANSIENT_ERRORS = [
    'Lambda.ClientExecutionTimeoutException',
    'Lambda.ServiceException',
    'Lambda.AWSLambdaException',
    'Lambda.SdkClientException',
    'Lambda.TooManyRequestsException',
  ];

  /** The retry as `sfn.RetryProps`, to pass to `addRetry` yourself. */
  public static props(options: LambdaRetryOptions = {}): sfn.RetryProps {
    checkProps('LambdaRetry', 'LambdaRetryOptions', options);
    return retryProps('LambdaRetry', options, {
      errors: LambdaRetry.TRANSIENT_ERRORS,
      interval: Duration.seconds(1),
      maxAttempts: 6,
      minAttempts: 1,
      backoffRate: 2,
      maxDelay: Duration.seconds(30),
    });
  }

  /**
   * Adds the retry of transient Lambda errors to a task, after any retry it already has.
   *
   * Step Functions uses the first retrier that matches an error: create `LambdaInvoke` tasks with
   * `retryOnServiceExceptions: false` (or use `ResilientLambdaInvoke`) so that CDK's own retry of
   * service exceptions does not take precedence.
   *
   * @returns the task, to chain
   */
  public static addTo(task: sfn.TaskStateBase, options: LambdaRetryOptions = {}): sfn.TaskStateBase {
    required(task, 'LambdaRetry.addTo', 'task', 'give the Lambda task (tasks.LambdaInvoke) to retry');
    return task.addRetry(LambdaRetry.props(options));
  }

  private constructor() {}
}
