import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { checkProps, checkValue } from '../private/prop-types';
import { required } from '../private/required';
import { LambdaRetryOptions } from '../workflow/lambda-retry';
import { ResilientLambdaInvoke } from '../workflow/resilient-lambda-invoke';

/**
 * Options of a Lambda function that processes each item (or batch).
 */
export interface FanOutLambdaProcessorOptions {
  /**
   * The retry of transient Lambda errors.
   * @default - `LambdaRetry` defaults: 1 second, 6 attempts, backoff rate 2, at most 30 seconds, full jitter
   */
  readonly transientRetry?: LambdaRetryOptions;

  /**
   * Errors that fail only their item: the item's result becomes `{ error: { Error, Cause } }` (at
   * the item's position in the results), and the other items go on. `['States.ALL']` catches every error.
   * @default - none: a failed item fails an inline map, and counts against the tolerated failures of a distributed one
   */
  readonly catchErrors?: string[];

  /**
   * The event the function receives, in the FanOutMap's query language (JSONPath: `sfn.JsonPath`
   * values; JSONata: `{% %}` expressions).
   * @default - the item (with batching: `{ Items, BatchInput }`)
   */
  readonly payload?: sfn.TaskInput;

  /**
   * The longest one invocation may run.
   * @default - the function's own timeout
   */
  readonly taskTimeout?: sfn.Timeout;
}

/**
 * What runs for each item (or each batch) of a `FanOutMap`: a Lambda function, called with the
 * retry of transient errors AWS recommends, or any chain of states.
 */
export class FanOutProcessor {
  /**
   * Calls a Lambda function with the item and returns what it returns, retrying the transient
   * Lambda errors with exponential backoff and full jitter.
   */
  public static lambda(fn: lambda.IFunction, options: FanOutLambdaProcessorOptions = {}): FanOutProcessor {
    required(fn, 'FanOutProcessor.lambda', 'fn', 'give the Lambda function that processes each item (or batch)');
    checkValue('FanOutProcessor.lambda', 'fn', 'aws-cdk-lib.aws_lambda.IFunction', fn);
    checkProps('FanOutProcessor.lambda', 'FanOutLambdaProcessorOptions', options);
    return new FanOutProcessor(fn, undefined, options);
  }

  /**
   * Runs a chain of states for each item. It must do some work (a Task, Map or Parallel state).
   */
  public static chain(definition: sfn.IChainable): FanOutProcessor {
    required(definition, 'FanOutProcessor.chain', 'definition', 'give the first state (or chain) that processes each item');
    checkValue('FanOutProcessor.chain', 'definition', 'aws-cdk-lib.aws_stepfunctions.IChainable', definition, "new tasks.LambdaInvoke(this, 'Process', ...) (or a chain)");
    return new FanOutProcessor(undefined, definition, {});
  }

  /** The Lambda function, for a Lambda processor. */
  public readonly lambdaFunction?: lambda.IFunction;

  private readonly definition?: sfn.IChainable;
  private readonly options: FanOutLambdaProcessorOptions;

  private constructor(fn: lambda.IFunction | undefined, definition: sfn.IChainable | undefined, options: FanOutLambdaProcessorOptions) {
    this.lambdaFunction = fn;
    this.definition = definition;
    this.options = options;
  }

  /**
   * The payload a Lambda processor sends, as given (for the map's query language check).
   * @internal
   */
  public get _payload(): sfn.TaskInput | undefined {
    return this.options.payload;
  }

  /**
   * The processor's states, created in `scope` for a Lambda processor.
   * @internal
   */
  public _bind(scope: Construct, stateName: string, queryLanguage: sfn.QueryLanguage,
    declare: <T extends sfn.State>(state: T) => T): sfn.IChainable | undefined {
    if (!this.lambdaFunction) return this.definition;
    const { catchErrors, transientRetry, payload, taskTimeout } = this.options;
    const jsonata = queryLanguage === sfn.QueryLanguage.JSONATA;
    const invoke = declare(new ResilientLambdaInvoke(scope, 'Process', {
      stateName,
      lambdaFunction: this.lambdaFunction,
      transientRetry,
      payload,
      taskTimeout,
      queryLanguage,
      ...(jsonata ? { outputs: '{% $states.result.Payload %}' } : { payloadResponseOnly: true }),
    }));
    if (catchErrors && catchErrors.length > 0) {
      // The item's result becomes its error: the Catch's output is the error output ({ Error, Cause }).
      const failed = declare(jsonata
        ? sfn.Pass.jsonata(scope, 'ItemFailed', { stateName: `${stateName} failed`, outputs: { error: '{% $states.input %}' } })
        : sfn.Pass.jsonPath(scope, 'ItemFailed', { stateName: `${stateName} failed`, parameters: { error: sfn.JsonPath.objectAt('$') } }));
      invoke.addCatch(failed, { errors: catchErrors });
    }
    return invoke;
  }

  /**
   * The errors a Lambda processor catches, for checks.
   * @internal
   */
  public get _catchErrors(): string[] | undefined {
    return this.options.catchErrors;
  }
}
