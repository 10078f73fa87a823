import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { checkProps } from '../private/prop-types';
import { declareStatesOf } from '../private/query-language';
import { required, requiredProps } from '../private/required';
import { checkDerivedStateNames } from '../private/state-names';

/**
 * Properties for a `TryFinally`.
 */
export interface TryFinallyProps {
  /** What to run: a state, a chain, or a fragment such as a `Saga`. */
  readonly body: sfn.IChainable;

  /**
   * What runs after the body, whether it succeeded or failed (a `Saga` that rolled back or could not
   * undo its steps included). It receives the body's input with the outcome added (see
   * `outcomePath`); its output is discarded. If it fails, the construct fails with its error.
   */
  readonly cleanup: sfn.IChainable;

  /**
   * The query language of the states the construct creates. In a state machine whose definition is
   * JSONata, give `QueryLanguage.JSONATA`.
   * @default sfn.QueryLanguage.JSONPATH
   */
  readonly queryLanguage?: sfn.QueryLanguage;

  /**
   * Where the cleanup finds the outcome in its input: `{ output }` (the body's output) when the body
   * succeeded, `{ error: { Error, Cause } }` when it failed. A JSONPath path to a field, used in both
   * query languages as the field's name (JSONata merges the field into the input).
   * @default '$.outcome'
   */
  readonly outcomePath?: string;
}

/**
 * Try, then finally: runs a body (any chain, a `Saga` included), then a cleanup chain whatever the
 * body's outcome, and then restores that outcome: the body's output when it succeeded, or its error
 * and cause when it failed (the execution, or an enclosing Catch, sees the original error).
 *
 * The body runs inside a Parallel state (the only state that catches the failure of a whole chain),
 * so in JSONata it cannot read the variables assigned before it; give them in its input instead.
 *
 * @exampleMetadata fixture=saga
 * @example
 * const order = new TryFinally(this, 'Place order', { body: orderSaga, cleanup: releaseLock });
 * new Workflow(this, 'Orders', { definition: order });
 */
export class TryFinally extends sfn.StateMachineFragment {
  public readonly startState: sfn.State;
  public readonly endStates: sfn.INextable[];

  /** The query language of the states the construct creates. */
  public readonly queryLanguage: sfn.QueryLanguage;

  /** The JSONata variable that holds the outcome between the body and the end (JSONata only). */
  public readonly outcomeVariable: string;

  constructor(scope: Construct, id: string, props: TryFinallyProps) {
    super(scope, id);
    requiredProps(props, `TryFinally '${id}'`, ['body', 'cleanup']);
    checkProps(`TryFinally '${id}'`, 'TryFinallyProps', props);
    required(props.body, `TryFinally '${id}'`, 'body', 'give the state or chain to run');
    required(props.cleanup, `TryFinally '${id}'`, 'cleanup', 'give the state or chain that runs after the body, whatever its outcome');
    checkDerivedStateNames(`TryFinally '${id}'`, 'id', id, ['', ': finally', ': failed?', ': rethrow', ': done']);
    const outcomePath = props.outcomePath ?? '$.outcome';
    if (!/^\$\.[A-Za-z_][A-Za-z0-9_]*$/.test(outcomePath)) {
      throw new Error(`TryFinally '${id}': outcomePath must be a top-level field such as '$.outcome' (got '${outcomePath}')`);
    }
    const field = outcomePath.slice(2);
    this.queryLanguage = props.queryLanguage ?? sfn.QueryLanguage.JSON_PATH;
    this.outcomeVariable = `tryFinally_${id.replace(/[^A-Za-z0-9_]/g, '_')}`.slice(0, 80);
    const v = `$${this.outcomeVariable}`;

    let body: sfn.Parallel;
    let cleanup: sfn.Parallel;
    let done: sfn.Pass;
    let rethrow: sfn.Fail;
    let choice: sfn.Choice;
    if (this.queryLanguage === sfn.QueryLanguage.JSONATA) {
      body = sfn.Parallel.jsonata(this, 'Try', {
        stateName: id,
        comment: `${id}: the body, caught whole`,
        outputs: '{% $states.input %}',
        assign: { [this.outcomeVariable]: { output: '{% $states.result[0] %}' } },
      });
      cleanup = sfn.Parallel.jsonata(this, 'Finally', {
        stateName: `${id}: finally`,
        comment: `${id}: the cleanup, whatever the outcome; its output is discarded`,
        // A JSONata expression is a valid Arguments value; CDK's type asks for an object.
        arguments: `{% $merge([$states.input, { '${field}': ${v} }]) %}` as unknown as { [name: string]: any },
        outputs: '{% $states.input %}',
      });
      choice = sfn.Choice.jsonata(this, 'Outcome', { stateName: `${id}: failed?` });
      rethrow = sfn.Fail.jsonata(this, 'Rethrow', {
        stateName: `${id}: rethrow`,
        comment: `${id}: fails with the body's own error and cause`,
        error: `{% ${v}.error.Error %}`,
        cause: `{% ${v}.error.Cause %}`,
      });
      done = sfn.Pass.jsonata(this, 'Done', { stateName: `${id}: done`, comment: `${id}: the body's output`, outputs: `{% ${v}.output %}` });
      choice.when(sfn.Condition.jsonata(`{% $exists(${v}.error) %}`), rethrow);
    } else {
      body = new sfn.Parallel(this, 'Try', {
        queryLanguage: sfn.QueryLanguage.JSON_PATH,
        stateName: id,
        comment: `${id}: the body, caught whole`,
        resultSelector: { 'output.$': '$[0]' },
        resultPath: outcomePath,
      });
      cleanup = new sfn.Parallel(this, 'Finally', {
        queryLanguage: sfn.QueryLanguage.JSON_PATH,
        stateName: `${id}: finally`,
        comment: `${id}: the cleanup, whatever the outcome; its output is discarded`,
        resultPath: sfn.JsonPath.DISCARD,
      });
      choice = new sfn.Choice(this, 'Outcome', { queryLanguage: sfn.QueryLanguage.JSON_PATH, stateName: `${id}: failed?` });
      rethrow = new sfn.Fail(this, 'Rethrow', {
        queryLanguage: sfn.QueryLanguage.JSON_PATH,
        stateName: `${id}: rethrow`,
        comment: `${id}: fails with the body's own error and cause`,
        errorPath: `${outcomePath}.error.Error`,
        causePath: `${outcomePath}.error.Cause`,
      });
      done = new sfn.Pass(this, 'Done', { queryLanguage: sfn.QueryLanguage.JSON_PATH, stateName: `${id}: done`, comment: `${id}: the body's output`, outputPath: `${outcomePath}.output` });
      choice.when(sfn.Condition.isPresent(`${outcomePath}.error`), rethrow);
    }
    body.branch(props.body);
    cleanup.branch(props.cleanup);
    if (this.queryLanguage === sfn.QueryLanguage.JSONATA) {
      body.addCatch(cleanup, {
        errors: [sfn.Errors.ALL],
        outputs: '{% $states.input %}',
        assign: { [this.outcomeVariable]: { error: '{% $states.errorOutput %}' } },
      });
    } else {
      body.addCatch(cleanup, { errors: [sfn.Errors.ALL], resultPath: `${outcomePath}.error` });
    }
    body.next(cleanup).next(choice);
    choice.otherwise(done);
    this.startState = body;
    this.endStates = [done];
    declareStatesOf(this, this.queryLanguage, 'TryFinally');
  }
}
