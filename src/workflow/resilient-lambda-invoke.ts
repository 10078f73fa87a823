import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { LambdaRetry, LambdaRetryOptions } from './lambda-retry';
import { checkProps, checkValue } from '../private/prop-types';
import { declareQueryLanguage } from '../private/query-language';
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
 * cover throttling and has no jitter. Created in a query language (`queryLanguage`, or
 * `ResilientLambdaInvoke.jsonata()` and `.jsonPath()`), it declares that language in the ASL.
 */
export class ResilientLambdaInvoke extends tasks.LambdaInvoke {
  /**
   * A JSONata task (`Arguments`, `Output`, `Assign`) with the retry of transient errors (`LambdaRetry`
   * defaults). To configure the retry, use the constructor with
   * `queryLanguage: sfn.QueryLanguage.JSONATA` and `transientRetry`.
   *
   * @returns a `ResilientLambdaInvoke`
   */
  public static jsonata(scope: Construct, id: string, props: tasks.LambdaInvokeJsonataProps): tasks.LambdaInvoke {
    required(scope, 'ResilientLambdaInvoke.jsonata', 'scope', 'give the construct to create the task in');
    required(id, 'ResilientLambdaInvoke.jsonata', 'id', 'give the construct id of the task (also its state name)');
    requiredProps(props, `ResilientLambdaInvoke '${id}'`, ['lambdaFunction']);
    return new ResilientLambdaInvoke(scope, id, { ...props, queryLanguage: sfn.QueryLanguage.JSONATA });
  }

  /**
   * A JSONPath task (`Parameters`, `ResultSelector`, `ResultPath`...) with the retry of transient
   * errors (`LambdaRetry` defaults). To configure the retry, use the constructor with
   * `queryLanguage: sfn.QueryLanguage.JSON_PATH` and `transientRetry`.
   *
   * @returns a `ResilientLambdaInvoke`
   */
  public static jsonPath(scope: Construct, id: string, props: tasks.LambdaInvokeJsonPathProps): tasks.LambdaInvoke {
    required(scope, 'ResilientLambdaInvoke.jsonPath', 'scope', 'give the construct to create the task in');
    required(id, 'ResilientLambdaInvoke.jsonPath', 'id', 'give the construct id of the task (also its state name)');
    requiredProps(props, `ResilientLambdaInvoke '${id}'`, ['lambdaFunction']);
    return new ResilientLambdaInvoke(scope, id, { ...props, queryLanguage: sfn.QueryLanguage.JSON_PATH });
  }

  constructor(scope: Construct, id: string, props: ResilientLambdaInvokeProps) {
    requiredProps(props, `ResilientLambdaInvoke '${id}'`, ['lambdaFunction']);
    required(props.lambdaFunction, `ResilientLambdaInvoke '${id}'`, 'lambdaFunction', 'give the Lambda function to invoke');
    // A field of aws-cdk-lib's LambdaInvokeProps, which the assembly's types do not describe: checked here.
    checkValue(`ResilientLambdaInvoke '${id}'`, 'lambdaFunction', 'aws-cdk-lib.aws_lambda.IFunction', props.lambdaFunction);
    checkProps(`ResilientLambdaInvoke '${id}'`, 'ResilientLambdaInvokeProps', props);
    if (props.retryOnServiceExceptions === true) {
      throw new Error(`ResilientLambdaInvoke '${id}': retryOnServiceExceptions must be left out (got true); this task retries transient errors itself, configure it with transientRetry`);
    }
    super(scope, id, { ...props, retryOnServiceExceptions: false });
    LambdaRetry.addTo(this, props.transientRetry);
    const language = props.queryLanguage;
    if (language !== undefined) {
      declareQueryLanguage(this, language, () => `ResilientLambdaInvoke '${id}' is JSONPath, and the state machine it is in is JSONata, where every state must be JSONata; create it with ResilientLambdaInvoke.jsonata()`);
    }
  }
}
