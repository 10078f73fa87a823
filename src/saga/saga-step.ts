import { Duration, Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { checkProps } from '../private/prop-types';
import { required, requiredProps } from '../private/required';
import { LambdaRetryOptions } from '../workflow/lambda-retry';

/**
 * A step of a `Saga` made of any states: an action and what undoes it.
 */
export interface SagaStepProps {
  /**
   * What the step does: a state or a chain of states. A single Task, Parallel or Map state (or a
   * CustomState, in a JSONPath saga) is caught where it stands; a chain is run inside a Parallel state named after the step (its output
   * is the chain's output), so that a failure anywhere in it is caught.
   */
  readonly action: sfn.IChainable;

  /**
   * What undoes the action: a state or a chain of states, run inside a Parallel state named
   * `<step>: undo` that receives the payload the saga holds at that point (the failing step's input)
   * and whose output is discarded, so that each compensation receives the same payload. It is retried
   * with the saga's `compensationRetry`.
   * @default - nothing to undo: the step is passed over when the saga compensates
   */
  readonly compensation?: sfn.IChainable;

  /**
   * Whether the step's own compensation also runs when its action fails (after the action's
   * retries): the action may have taken effect before it failed (a timeout, a lost response).
   * The compensation must then accept a key whose action may never have taken effect.
   * @default false
   */
  readonly compensateFailedAction?: boolean;
}

/**
 * A step of a `Saga` made of two Lambda functions: an action and the function that undoes it.
 */
export interface SagaLambdaStepProps {
  /**
   * The function that does the step. It is retried on the transient Lambda errors (`LambdaRetry`).
   *
   * Its event is not the state's input but an envelope around it:
   * `{ "step": "Charge payment", "idempotencyKey": "9f2c...", "input": { ...the state's input } }`.
   * A function written for the bare input reads `event.input.total`, not `event.total`; the key lets
   * it do its work once when the step is retried.
   */
  readonly action: lambda.IFunction;

  /**
   * The function that undoes the step. It receives `{ step, idempotencyKey, input }` with the same
   * key as the action, and is retried on every error with the saga's `compensationRetry`.
   * @default - nothing to undo: the step is passed over when the saga compensates
   */
  readonly compensation?: lambda.IFunction;

  /**
   * Whether the step's own compensation also runs when its action fails (after its retries): the
   * action may have taken effect before it failed (a timeout, a lost response).
   * @default false
   */
  readonly compensateFailedAction?: boolean;

  /**
   * Where the action's result goes in the payload, a field of it: `'$.reservation'` (in JSONata the
   * field is merged into the state's input). Later steps and every compensation see it. The same
   * form as `FanOutMap` and `ApprovalGate`'s `resultPath`.
   * @default - the result is discarded: the step's output is its input
   */
  readonly resultPath?: string;

  /**
   * The field of the payload that receives the action's result.
   * @deprecated use `resultPath: '$.<field>'`, the form the library's other constructs take
   * @default - the result is discarded: the step's output is its input
   */
  readonly resultField?: string;

  /**
   * The longest the action may run. Then it fails with `States.Timeout` (and the saga compensates).
   * @default - no timeout of its own (the function's timeout applies)
   */
  readonly actionTimeout?: Duration;

  /**
   * The retry of the action's transient Lambda errors.
   * @default - `LambdaRetry` defaults: 1 second, 6 attempts, backoff rate 2, at most 30 seconds, full jitter
   */
  readonly actionRetry?: LambdaRetryOptions;
}

/** The step names a saga accepts: they name states and go into the idempotency key's text. */
const STEP_NAME = /^[^'{}\\"/\n\r\t]{1,64}$/;

/**
 * A step of a `Saga`: an action and its compensation.
 */
export class SagaStep {
  /**
   * A step made of any states.
   * @param name the step's name: it names the states the saga adds for the step and goes into the
   *   idempotency key. Unique within the state machine, 1 to 64 characters, without quotes, braces, slashes or backslashes
   */
  public static of(name: string, props: SagaStepProps): SagaStep {
    validateName('SagaStep.of', name);
    requiredProps(props, `SagaStep.of('${name}')`, ['action']);
    checkProps(`SagaStep.of('${name}')`, 'SagaStepProps', props);
    required(props.action, `SagaStep.of('${name}')`, 'action', 'give the state or chain that does the step');
    if (props.compensateFailedAction && !props.compensation) {
      throw new Error(`SagaStep.of('${name}'): compensateFailedAction is true but there is no compensation to run; give compensation or leave compensateFailedAction out`);
    }
    return new SagaStep(name, props.compensation !== undefined, props.compensateFailedAction ?? false, props, undefined);
  }

  /**
   * A step made of two Lambda functions, the action retried like the library's other Lambda tasks.
   * @param name the step's name: it names the action's state (`<name>`) and the compensation's
   *   (`<name>: undo`) and goes into the idempotency key. Unique within the state machine, 1 to 64
   *   characters, without quotes, braces, slashes or backslashes
   */
  public static lambda(name: string, props: SagaLambdaStepProps): SagaStep {
    validateName('SagaStep.lambda', name);
    requiredProps(props, `SagaStep.lambda('${name}')`, ['action']);
    checkProps(`SagaStep.lambda('${name}')`, 'SagaLambdaStepProps', props);
    required(props.action, `SagaStep.lambda('${name}')`, 'action', 'give the Lambda function that does the step');
    if (props.compensateFailedAction && !props.compensation) {
      throw new Error(`SagaStep.lambda('${name}'): compensateFailedAction is true but there is no compensation function to run; give compensation or leave compensateFailedAction out`);
    }
    if (props.resultPath !== undefined && props.resultField !== undefined) {
      throw new Error(`SagaStep.lambda('${name}'): resultPath and resultField are both given; keep resultPath ('$.${props.resultField}') and remove resultField, which it replaces`);
    }
    let field = props.resultField;
    if (props.resultPath !== undefined) {
      const m = Token.isUnresolved(props.resultPath) ? null : /^\$\.([A-Za-z_][A-Za-z0-9_]{0,63})$/.exec(props.resultPath);
      if (!m) {
        throw new Error(`SagaStep.lambda('${name}'): resultPath must be a field of the payload, such as '$.reservation' (got '${props.resultPath}'); `
          + 'a deeper path would leave the later steps a payload they cannot find the result in');
      }
      field = m[1];
    } else if (field !== undefined) {
      if (Token.isUnresolved(field) || !/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(field)) {
        throw new Error(`SagaStep.lambda('${name}'): resultField must be a field name of letters, digits and underscores, such as 'reservation' (got '${field}'); `
          + "better, write resultPath: '$.reservation' (resultField is deprecated)");
      }
    }
    const given = props.resultPath !== undefined ? 'resultPath' : 'resultField';
    if (field === 'saga') {
      throw new Error(`SagaStep.lambda('${name}'): ${given} '${props.resultPath ?? field}' is where a JSONPath saga keeps its failure record; choose another field`);
    }
    const lambdaProps: SagaLambdaStepProps = { ...props, resultPath: undefined, resultField: field };
    return new SagaStep(name, props.compensation !== undefined, props.compensateFailedAction ?? false, undefined, lambdaProps);
  }

  /** The step's name. */
  public readonly name: string;

  /** Whether the step has a compensation. */
  public readonly hasCompensation: boolean;

  /** Whether the step's own compensation runs when its action fails. */
  public readonly compensateFailedAction: boolean;

  /** @internal */
  public readonly _states?: SagaStepProps;

  /** @internal */
  public readonly _lambda?: SagaLambdaStepProps;

  private constructor(name: string, hasCompensation: boolean, compensateFailedAction: boolean, states?: SagaStepProps, fns?: SagaLambdaStepProps) {
    this.name = name;
    this.hasCompensation = hasCompensation;
    this.compensateFailedAction = compensateFailedAction;
    this._states = states;
    this._lambda = fns;
  }
}

function validateName(where: string, name: string): void {
  required(name, where, 'name', "give the step's name, such as 'Reserve stock'");
  if (Token.isUnresolved(name) || !STEP_NAME.test(name) || name.trim() !== name) {
    throw new Error(`${where}: the step name must be 1 to 64 characters without quotes, braces, slashes, backslashes or surrounding spaces (got '${name}'); it names states and goes into the idempotency key`);
  }
}
