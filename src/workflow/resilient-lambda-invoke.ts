import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { LambdaRetry, LambdaRetryOptions } from './lambda-retry';
import { required, requiredProps } from '../private/required';

/**
 * Properties for a `ResilientLambdaInvoke`.
 */
export interface ResilientLambdaInvokeProps extends tasks.LambdaInvokeProps {
  /**
   * The retry of transient Lambda errors.
   * @default - `LambdaRetry` defaults: 1 second, 6 attempts, backoff rate 2, at most 30 seconds, full jitter
   */
  readonly transientRetry?: LambdaRetryOptions;
}

/**
 * A `LambdaInvoke` task that retries the transient Lambda errors AWS recommends retrying
 * (`Lambda.ClientExecutionTimeoutException`, `Lambda.ServiceException`, `Lambda.AWSLambdaException`,
 * `Lambda.SdkClientException`, `Lambda.TooManyRequestsException`) with exponential backoff and full jitter.
 *
 * It replaces CDK's own retry of service exceptions (`retryOnServiceExceptions`), which does not
 * cover throttling and has no jitter.
 */
export class ResilientLambdaInvoke extends tasks.LambdaInvoke {
  constructor(scope: Construct, id: string, props: ResilientLambdaInvokeProps) {
    requiredProps(props, `ResilientLambdaInvoke '${id}'`, ['lambdaFunction']);
    required(props.lambdaFunction, `ResilientLambdaInvoke '${id}'`, 'lambdaFunction', 'give the Lambda function to invoke');
    if (props.retryOnServiceExceptions === true) {
      throw new Error(`ResilientLambdaInvoke '${id}': retryOnServiceExceptions must be left out (got true); this task retries transient errors itself, configure it with transientRetry`);
    }
    super(scope, id, { ...props, retryOnServiceExceptions: false });
    LambdaRetry.addTo(this, props.transientRetry);
  }
}
