import { Annotations, Duration, Lazy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { SagaStep } from './saga-step';
import { flatten } from '../private/graph';
import { suppressNag } from '../private/nag';
import { checkProps } from '../private/prop-types';
import { declareStatesOf } from '../private/query-language';
import { required, requiredProps } from '../private/required';
import { checkDerivedStateNames } from '../private/state-names';
import { LambdaRetry } from '../workflow/lambda-retry';

/**
 * The alarm on sagas that could not undo their steps.
 */
export interface SagaAlarmOptions {
  /**
   * Whether to create the alarm.
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * The evaluation period.
   * @default Duration.minutes(5)
   */
  readonly period?: Duration;

  /**
   * What to do when the alarm fires (and when it returns to OK).
   * @default - no action: the alarm shows in the CloudWatch console
   */
  readonly action?: cloudwatch.IAlarmAction;
}

/**
 * Properties for a `Saga`.
 */
export interface SagaProps {
  /** The steps, in the order they run. When one fails, the completed ones are undone in reverse order. At least one. */
  readonly steps: SagaStep[];

  /**
   * The query language of every state the saga creates. In a state machine whose definition is
   * JSONata, give `QueryLanguage.JSONATA` (a JSONPath state cannot stand in a JSONata definition);
   * a JSONata saga also runs in a JSONPath definition. JSONPath keeps the saga's record in the
   * payload (`$.saga`), JSONata in a variable (`recordVariable`).
   * @default sfn.QueryLanguage.JSONPATH
   */
  readonly queryLanguage?: sfn.QueryLanguage;

  /**
   * What tells apart the runs of this saga within one execution, such as the order id when the saga
   * runs in every iteration of a Map: a JSONPath of the saga's input (`'$.orderId'`) in a JSONPath
   * saga, a JSONata expression (`'{% $states.input.orderId %}'`) in a JSONata one. The idempotency
   * key becomes the SHA-256 of `<execution ARN>/<scope>/<step name>`. The value must still be in the
   * payload when a compensation runs.
   * @default - none: the key is the SHA-256 of `<execution ARN>/<step name>`, one per execution and step
   */
  readonly idempotencyKeyScope?: string;

  /**
   * The retry of every compensation (a Lambda step's compensation task, or the Parallel state that
   * runs a compensation made of states). Compensations are retried harder than actions: on every
   * error, more often, for longer, because a compensation that gives up leaves the saga half done.
   * @default - every error (`States.ALL`), 2 seconds, 10 retries, backoff rate 2, at most 30 seconds between attempts, full jitter
   */
  readonly compensationRetry?: sfn.RetryProps;

  /**
   * The route taken when a step failed and every completed step was undone. It reads the saga's
   * record: `{ failedStep, error: { Error, Cause }, toUndo }` at `$.saga` (JSONPath) or in the
   * variable `recordVariable` (JSONata).
   * @default - a Fail state `<id>: rolled back`, error `SagaRolledBack`, its cause the failed step, its error's name and the steps undone
   *   (the error's cause is in the record, and in the execution's history)
   */
  readonly onRolledBack?: sfn.IChainable;

  /**
   * The route taken when a compensation still failed after its retries, after the record was sent to
   * `notUndoneQueue`. The record adds `{ compensationFailedStep, compensationError, notUndone,
   * idempotencyKeys }` to the rolled-back one.
   * @default - a Fail state `<id>: not undone`, error `SagaNotUndone`, its cause the failed step, the failed compensation (with their errors' names)
   *   and the steps not undone
   */
  readonly onNotUndone?: sfn.IChainable;

  /**
   * The alarm on records of sagas that could not undo their steps.
   * @default - an alarm when one or more records wait in `notUndoneQueue` during 5 minutes, without action
   */
  readonly alarm?: SagaAlarmOptions;

  /**
   * How long a record of a saga that could not undo its steps is kept in `notUndoneQueue`, from 1 minute to 14 days.
   * @default Duration.days(14)
   */
  readonly recordRetention?: Duration;

  /**
   * Who else may send records to `notUndoneQueue`, besides the roles of the state machines that run
   * the saga (found in the saga's stack). The queue's policy denies `sqs:SendMessage` to every other
   * principal of the account, so that nobody can forge a record asking an operator to undo an order
   * that succeeded. An operator still checks the execution named in a record before acting on it.
   * @default - only the roles of the state machines of the saga's stack that run it
   */
  readonly recordSenders?: iam.IRole[];
}

/** The error of the default rolled-back route. */
const ROLLED_BACK_ERROR = 'SagaRolledBack';
/** The error of the default not-undone route. */
const NOT_UNDONE_ERROR = 'SagaNotUndone';
/** Where a JSONPath saga keeps its record in the payload. */
const RECORD_PATH = '$.saga';

/** A piece of the saga's graph: where it starts, where a Catch and a Retry go, and where it ends. */
interface Unit {
  readonly start: sfn.IChainable;
  readonly catchable: Catchable;
  readonly end: sfn.INextable;
}

type Catchable = sfn.TaskStateBase | sfn.Parallel | sfn.Map | sfn.DistributedMap | sfn.CustomState;

/**
 * A distributed transaction: steps that run in order, each with a compensation that undoes it. When
 * a step's action fails (after its own retries), the compensations of the completed steps run in
 * reverse order, retried harder than the actions, and the saga takes its rolled-back route. When a
 * compensation still fails, the saga sends a record of the steps that were not undone (with their
 * idempotency keys) to a queue watched by an alarm and takes its not-undone route.
 *
 * Every action and compensation can read a key that is the same for the execution and the step,
 * on every retry and redrive: Lambda steps receive it as `idempotencyKey`; for steps made of states,
 * put `Saga.idempotencyKey(stepName)` in their input.
 *
 * A `StateMachineFragment`: chain it into any definition, in JSONPath or JSONata.
 *
 * @exampleMetadata fixture=saga
 * @example
 * const order = new Saga(this, 'Order', {
 *   steps: [
 *     SagaStep.lambda('Reserve stock', { action: reserve, compensation: release, resultPath: '$.reservation' }),
 *     SagaStep.lambda('Charge payment', { action: charge, compensation: refund, compensateFailedAction: true }),
 *     SagaStep.lambda('Book shipping', { action: ship, compensation: cancelShipment, compensateFailedAction: true }),
 *   ],
 * });
 * new Workflow(this, 'Orders', { definition: order.next(new sfn.Succeed(this, 'Order placed')) });
 */
export class Saga extends sfn.StateMachineFragment {
  /** The error of the default rolled-back route. */
  public static readonly ROLLED_BACK_ERROR = ROLLED_BACK_ERROR;

  /** The error of the default not-undone route. */
  public static readonly NOT_UNDONE_ERROR = NOT_UNDONE_ERROR;

  /**
   * The idempotency key of a step: the SHA-256 (hex) of `<execution ARN>/<step name>`, the same in
   * both query languages, for the action and the compensation, on every retry. Put it in the input
   * of a step made of states, such as `sfn.TaskInput.fromObject({ key: Saga.idempotencyKey('Ship') })`
   * (JSONPath), or as a JSONata string in a JSONata state's `arguments`.
   *
   * Inside a Map, every iteration runs the same step: give the saga's `idempotencyKeyScope`, and the
   * same scope here.
   *
   * @param stepName the step's name
   * @param queryLanguage the language of the state that reads it (default: JSONPath)
   * @param scope the saga's `idempotencyKeyScope`, if it has one (default: none)
   * @param sagaId the id the saga is created with: the key is then that of the saga's current entry,
   *   as the saga gives its Lambda steps (default: none, one key per execution and step, the same
   *   when the saga is entered again in the execution)
   */
  public static idempotencyKey(stepName: string, queryLanguage?: sfn.QueryLanguage, scope?: string, sagaId?: string): string {
    required(stepName, 'Saga.idempotencyKey', 'stepName', "give the step's name, such as 'Reserve stock'");
    const jsonata = queryLanguage === sfn.QueryLanguage.JSONATA;
    const scopeExpression = scope === undefined ? undefined : validateScope('Saga.idempotencyKey', scope, jsonata);
    if (sagaId !== undefined && (typeof sagaId !== 'string' || sagaId === '')) {
      throw new Error(`Saga.idempotencyKey: sagaId must be the id the Saga is created with, such as 'Order' (got ${JSON.stringify(sagaId)})`);
    }
    const entry = sagaId === undefined ? undefined : entryVariableOf(sagaId);
    return jsonata ? `{% ${jsonataKey(stepName, scopeExpression, 'Saga.idempotencyKey', entry)} %}` : sfn.JsonPath.stringAt(jsonPathKey(stepName, scopeExpression, entry));
  }

  public readonly startState: sfn.State;
  public readonly endStates: sfn.INextable[];

  /** The query language of the saga's states. */
  public readonly queryLanguage: sfn.QueryLanguage;

  /** The steps, in order. */
  public readonly steps: SagaStep[];

  /**
   * The JSONata variable that holds the saga's record once a step failed (JSONata sagas). A JSONPath
   * saga keeps it at `$.saga`.
   */
  public readonly recordVariable: string;

  /** The queue that receives a record (JSON) of every execution whose saga could not undo its steps. */
  public readonly notUndoneQueue: sqs.Queue;

  /** The alarm on records waiting in `notUndoneQueue`, if enabled. */
  public readonly notUndoneAlarm?: cloudwatch.Alarm;

  /** The task that sends the record of a saga that could not undo its steps. */
  public readonly recordTask: tasks.SqsSendMessage;

  private readonly jsonata: boolean;
  private readonly sagaName: string;
  private readonly compensationRetry: sfn.RetryProps;
  /** The key's scope, as a JSONPath or a JSONata expression without its `{% %}`. */
  private readonly keyScope?: string;
  private readonly recordSenders: iam.IRole[];
  /** The variable that holds the id of the saga's current entry: it sets the keys apart between entries. */
  private readonly entryVariable: string;
  private warned = false;

  constructor(scope: Construct, id: string, props: SagaProps) {
    super(scope, id);
    requiredProps(props, `Saga '${id}'`, ['steps']);
    checkProps(`Saga '${id}'`, 'SagaProps', props);
    required(props.steps, `Saga '${id}'`, 'steps', 'give the steps in order, such as [SagaStep.lambda(...), ...]');
    if (!/^[^'{}\\"\n\r\t]{1,64}$/.test(id)) {
      throw new Error(`Saga '${id}': the id must be 1 to 64 characters without quotes, braces or backslashes; it names the saga's states`);
    }
    if (props.steps.length === 0) {
      throw new Error(`Saga '${id}': steps must hold at least one step (got none)`);
    }
    checkDerivedStateNames(`Saga '${id}'`, 'id', id, [': begin', ': rolled back', ': not undone', ': record not undone']);
    const seen = new Set<string>();
    props.steps.forEach((step, i) => {
      if (!(step instanceof SagaStep)) {
        throw new Error(`Saga '${id}': steps[${i}] must be a SagaStep (got ${typeof step}); create it with SagaStep.lambda() or SagaStep.of()`);
      }
      if (seen.has(step.name)) {
        throw new Error(`Saga '${id}': two steps are named '${step.name}'; step names name states and idempotency keys, so they must be unique`);
      }
      seen.add(step.name);
    });
    this.sagaName = id;
    this.steps = [...props.steps];
    this.queryLanguage = props.queryLanguage ?? sfn.QueryLanguage.JSON_PATH;
    this.jsonata = this.queryLanguage === sfn.QueryLanguage.JSONATA;
    this.recordVariable = `saga_${id.replace(/[^A-Za-z0-9_]/g, '_')}`.slice(0, 80);
    this.entryVariable = entryVariableOf(id);
    this.keyScope = props.idempotencyKeyScope === undefined ? undefined : validateScope(`Saga '${id}': idempotencyKeyScope`, props.idempotencyKeyScope, this.jsonata);
    this.compensationRetry = props.compensationRetry ?? {
      errors: [sfn.Errors.ALL],
      interval: Duration.seconds(2),
      maxAttempts: 10,
      backoffRate: 2,
      maxDelay: Duration.seconds(30),
      jitterStrategy: sfn.JitterType.FULL,
    };

    const retention = props.recordRetention ?? Duration.days(14);
    if (!retention.isUnresolved() && (retention.toSeconds() < 60 || retention.toSeconds() > 14 * 24 * 3600)) {
      throw new Error(`Saga '${id}': recordRetention must be from 1 minute to 14 days, the limits of an SQS queue (got ${retention.toHumanString()})`);
    }

    // The record of sagas that could not undo their steps: a queue an operator (or a tool) reads,
    // with an alarm while a record waits in it.
    this.notUndoneQueue = new sqs.Queue(this, 'NotUndone', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: retention,
    });
    this.recordSenders = [...(props.recordSenders ?? [])];
    // Only the state machines that run the saga (and the roles named) may send a record: a forged one
    // would ask an operator to undo what succeeded.
    this.notUndoneQueue.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'OnlyTheSagaSendsRecords',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['sqs:SendMessage'],
      resources: [this.notUndoneQueue.queueArn],
      conditions: { ArnNotEquals: { 'aws:PrincipalArn': Lazy.list({ produce: () => this.senderArns() }) } },
    }));
    suppressNag(this.notUndoneQueue, [{
      id: 'AwsSolutions-SQS3',
      reason: 'This queue holds the records of sagas that could not undo their steps, for an operator to act on: it is itself the dead-letter record, and nothing consumes it automatically.',
    }]);
    const alarm = props.alarm ?? {};
    if (alarm.enabled !== false) {
      const period = alarm.period ?? Duration.minutes(5);
      this.notUndoneAlarm = new cloudwatch.Alarm(this, 'NotUndoneAlarm', {
        metric: this.metricNotUndone({ period }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `1 or more executions of saga ${this.node.path} could not undo their steps; their records wait in queue ${this.notUndoneQueue.node.path}`,
      });
      if (alarm.action) {
        this.notUndoneAlarm.addAlarmAction(alarm.action);
        this.notUndoneAlarm.addOkAction(alarm.action);
      }
    }

    // The two ends of a failure: rolled back, or not undone.
    const rolledBack = props.onRolledBack ?? this.rolledBackFail();
    this.recordTask = this.createRecordTask();
    const notUndone = props.onNotUndone ?? this.notUndoneFail();
    this.recordTask.next(notUndone);
    this.catchRecordFailure(notUndone);

    // The compensations, in reverse order, each followed by the one before it; the last by the
    // rolled-back route. A compensation only runs after a later step failed, or after its own
    // action failed when it says so: the others are never reached and are not created.
    const n = this.steps.length;
    const compensations: Array<Unit | undefined> = this.steps.map((step, k) =>
      step.hasCompensation && (k < n - 1 || step.compensateFailedAction) ? this.compensationUnit(step) : undefined);
    const firstFrom = (k: number): sfn.IChainable => {
      for (let j = k; j >= 0; j--) {
        const unit = compensations[j];
        if (unit) return unit.start;
      }
      return rolledBack;
    };
    const namesFrom = (k: number): string[] => {
      const names: string[] = [];
      for (let j = k; j >= 0; j--) if (compensations[j]) names.push(this.steps[j].name);
      return names;
    };
    compensations.forEach((unit, k) => {
      if (!unit) return;
      unit.end.next(firstFrom(k - 1));
      this.catchCompensation(unit, this.steps[k], namesFrom(k));
    });

    // The actions, in order; a failure enters the compensations where they start for that step.
    const actions = this.steps.map(step => this.actionUnit(step));
    actions.forEach((unit, i) => {
      if (i + 1 < n) unit.end.next(actions[i + 1].start);
      const step = this.steps[i];
      const from = step.compensateFailedAction ? i : i - 1;
      this.catchAction(unit, step, firstFrom(from), namesFrom(from));
    });

    // The entry: a UUID drawn when the saga is entered, kept in a variable that every key includes, so
    // that a saga entered again in the same execution (a loop that tries again) gives its steps new
    // keys, while the retries of a step within one entry keep theirs.
    const comment = `Saga ${id}: draws the id of this entry, which the idempotency keys include`;
    const begin = this.jsonata
      ? sfn.Pass.jsonata(this, 'Begin', { stateName: `${id}: begin`, comment, assign: { [this.entryVariable]: '{% $uuid() %}' } })
      : new sfn.Pass(this, 'Begin', { queryLanguage: sfn.QueryLanguage.JSON_PATH, stateName: `${id}: begin`, comment, assign: { [this.entryVariable]: sfn.JsonPath.uuid() } });
    begin.next(actions[0].start);
    this.startState = begin;
    this.endStates = [actions[n - 1].end];
    declareStatesOf(this, this.queryLanguage, 'Saga');
    this.node.addValidation({ validate: () => [...this.checkExpress(), ...this.checkMap(), ...this.checkSenders()] });
  }

  /** Records waiting in `notUndoneQueue` (the maximum of `ApproximateNumberOfMessagesVisible`). */
  public metricNotUndone(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.notUndoneQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', ...props });
  }

  /** Grants reading and deleting the records of sagas that could not undo their steps. */
  public grantConsumeRecords(grantee: iam.IGrantable): iam.Grant {
    required(grantee, `Saga '${this.node.id}': grantConsumeRecords`, 'grantee', 'give the role, user or function to grant (an iam.IGrantable)');
    return this.notUndoneQueue.grantConsumeMessages(grantee);
  }

  /** A step's idempotency key, in the saga's language, with its scope. */
  private keyOf(stepName: string): string {
    return this.jsonata ? `{% ${jsonataKey(stepName, this.keyScope, `Saga '${this.sagaName}'`, this.entryVariable)} %}`
      : sfn.JsonPath.stringAt(jsonPathKey(stepName, this.keyScope, this.entryVariable));
  }

  private actionUnit(step: SagaStep): Unit {
    const fns = step._lambda;
    if (fns) {
      const payload = sfn.TaskInput.fromObject({
        step: step.name,
        idempotencyKey: this.keyOf(step.name),
        input: this.jsonata ? '{% $states.input %}' : sfn.JsonPath.entirePayload,
      });
      const common = {
        stateName: step.name,
        comment: `Saga ${this.sagaName}: step ${step.name}`,
        lambdaFunction: fns.action,
        payload,
        payloadResponseOnly: true,
        retryOnServiceExceptions: false,
        taskTimeout: fns.actionTimeout ? sfn.Timeout.duration(fns.actionTimeout) : undefined,
      };
      const task = this.jsonata
        ? tasks.LambdaInvoke.jsonata(this, step.name, {
          ...common,
          outputs: fns.resultField ? `{% $merge([$states.input, { '${fns.resultField}': $states.result }]) %}` : '{% $states.input %}',
        })
        : new tasks.LambdaInvoke(this, step.name, {
          queryLanguage: sfn.QueryLanguage.JSON_PATH,
          ...common,
          resultPath: fns.resultField ? `$.${fns.resultField}` : sfn.JsonPath.DISCARD,
        });
      LambdaRetry.addTo(task, fns.actionRetry);
      return { start: task, catchable: task, end: task };
    }
    const action = step._states!.action;
    const first = action.startState as sfn.State & { queryLanguage?: sfn.QueryLanguage };
    if (this.jsonata && action.endStates.length === 1 && action.endStates[0] === (first as unknown) && !(first instanceof sfn.CustomState)
      && first.queryLanguage === undefined && singleCatchable(action, this.jsonata)) {
      // Its Catch would hold JSONata (Output, Assign), which a JSONPath state machine keeps as literal text.
      throw new Error(`Saga '${this.sagaName}': step '${step.name}' is the state '${first.stateId}', which declares no query language, and the saga is JSONata; `
        + 'create it with its .jsonata() factory (sfn.Pass.jsonata, tasks.LambdaInvoke.jsonata...) or give it queryLanguage: sfn.QueryLanguage.JSONATA');
    }
    const single = singleCatchable(action, this.jsonata);
    if (single) return { start: single, catchable: single, end: single };
    const wrapper = this.jsonata
      ? sfn.Parallel.jsonata(this, step.name, { stateName: step.name, comment: `Saga ${this.sagaName}: step ${step.name}`, outputs: '{% $states.result[0] %}' })
      : new sfn.Parallel(this, step.name, { queryLanguage: sfn.QueryLanguage.JSON_PATH, stateName: step.name, comment: `Saga ${this.sagaName}: step ${step.name}`, outputPath: '$[0]' });
    wrapper.branch(action);
    return { start: wrapper, catchable: wrapper, end: wrapper };
  }

  private compensationUnit(step: SagaStep): Unit {
    const name = `${step.name}: undo`;
    const comment = `Saga ${this.sagaName}: undoes ${step.name}`;
    const fns = step._lambda;
    let unit: Unit;
    if (fns) {
      const common = {
        stateName: name,
        comment,
        lambdaFunction: fns.compensation!,
        payload: sfn.TaskInput.fromObject({
          step: step.name,
          idempotencyKey: this.keyOf(step.name),
          input: this.jsonata ? '{% $states.input %}' : sfn.JsonPath.entirePayload,
        }),
        payloadResponseOnly: true,
        retryOnServiceExceptions: false,
      };
      const task = this.jsonata
        ? tasks.LambdaInvoke.jsonata(this, name, { ...common, outputs: '{% $states.input %}' })
        : new tasks.LambdaInvoke(this, name, { queryLanguage: sfn.QueryLanguage.JSON_PATH, ...common, resultPath: sfn.JsonPath.DISCARD });
      unit = { start: task, catchable: task, end: task };
    } else {
      // Run inside a Parallel state: the whole chain is retried, and its output discarded so that
      // every compensation receives the same payload.
      const wrapper = this.jsonata
        ? sfn.Parallel.jsonata(this, name, { stateName: name, comment, outputs: '{% $states.input %}' })
        : new sfn.Parallel(this, name, { queryLanguage: sfn.QueryLanguage.JSON_PATH, stateName: name, comment, resultPath: sfn.JsonPath.DISCARD });
      wrapper.branch(step._states!.compensation!);
      unit = { start: wrapper, catchable: wrapper, end: wrapper };
    }
    unit.catchable.addRetry(this.compensationRetry);
    return unit;
  }

  /** A failed action (after its retries): record what failed and what is to be undone, then compensate. */
  private catchAction(unit: Unit, step: SagaStep, next: sfn.IChainable, toUndo: string[]): void {
    if (this.jsonata) {
      unit.catchable.addCatch(next, {
        errors: [sfn.Errors.ALL],
        outputs: '{% $states.input %}',
        assign: { [this.recordVariable]: { failedStep: step.name, error: '{% $states.errorOutput %}', toUndo } },
      });
      return;
    }
    const failed = new sfn.Pass(this, `${step.name} failed`, {
      queryLanguage: sfn.QueryLanguage.JSON_PATH,
      stateName: `${step.name}: failed`,
      comment: `Saga ${this.sagaName}: records that ${step.name} failed and what is to be undone`,
      parameters: { 'failedStep': step.name, 'error.$': RECORD_PATH, toUndo },
      resultPath: RECORD_PATH,
    });
    unit.catchable.addCatch(failed, { errors: [sfn.Errors.ALL], resultPath: RECORD_PATH });
    failed.next(next);
  }

  /** A compensation that failed after its retries: record the steps not undone, send the record. */
  private catchCompensation(unit: Unit, step: SagaStep, notUndone: string[]): void {
    if (this.jsonata) {
      const keys = notUndone.map(s => `'${s}': ${jsonataKey(s, this.keyScope, `Saga '${this.sagaName}'`, this.entryVariable)}`).join(', ');
      const list = notUndone.map(s => `'${s}'`).join(', ');
      unit.catchable.addCatch(this.recordTask, {
        errors: [sfn.Errors.ALL],
        outputs: '{% $states.input %}',
        assign: {
          [this.recordVariable]: `{% $merge([$${this.recordVariable}, { 'compensationFailedStep': '${step.name}', 'compensationError': $states.errorOutput, 'notUndone': [${list}], 'idempotencyKeys': { ${keys} } }]) %}`,
        },
      });
      return;
    }
    const record = new sfn.Pass(this, `${step.name} not undone`, {
      queryLanguage: sfn.QueryLanguage.JSON_PATH,
      stateName: `${step.name}: not undone`,
      comment: `Saga ${this.sagaName}: records that ${step.name} could not be undone, with the steps left`,
      parameters: {
        'saga': this.sagaName,
        'execution.$': '$$.Execution.Id',
        'failedStep.$': `${RECORD_PATH}.failedStep`,
        'error.$': `${RECORD_PATH}.error`,
        'toUndo.$': `${RECORD_PATH}.toUndo`,
        'compensationFailedStep': step.name,
        'compensationError.$': `${RECORD_PATH}.compensationError`,
        notUndone,
        'idempotencyKeys': Object.fromEntries(notUndone.map(s => [`${s}.$`, jsonPathKey(s, this.keyScope, this.entryVariable)])),
      },
      resultPath: RECORD_PATH,
    });
    unit.catchable.addCatch(record, { errors: [sfn.Errors.ALL], resultPath: `${RECORD_PATH}.compensationError` });
    record.next(this.recordTask);
  }

  private createRecordTask(): tasks.SqsSendMessage {
    const name = `${this.sagaName}: record not undone`;
    const comment = `Saga ${this.sagaName}: sends the record of the steps not undone to the queue an operator watches`;
    const v = `$${this.recordVariable}`;
    const task = this.jsonata
      ? tasks.SqsSendMessage.jsonata(this, 'RecordNotUndone', {
        stateName: name,
        comment,
        queue: this.notUndoneQueue,
        messageBody: sfn.TaskInput.fromText(`{% $string({ 'saga': '${this.sagaName}', 'execution': $states.context.Execution.Id, 'failedStep': ${v}.failedStep, 'error': ${v}.error, 'toUndo': ${v}.toUndo, 'compensationFailedStep': ${v}.compensationFailedStep, 'compensationError': ${v}.compensationError, 'notUndone': ${v}.notUndone, 'idempotencyKeys': ${v}.idempotencyKeys }) %}`),
        outputs: '{% $states.input %}',
      })
      : new tasks.SqsSendMessage(this, 'RecordNotUndone', {
        queryLanguage: sfn.QueryLanguage.JSON_PATH,
        stateName: name,
        comment,
        queue: this.notUndoneQueue,
        messageBody: sfn.TaskInput.fromJsonPathAt(`States.JsonToString(${RECORD_PATH})`),
        resultPath: sfn.JsonPath.DISCARD,
      });
    task.addRetry({ errors: [sfn.Errors.ALL], interval: Duration.seconds(1), maxAttempts: 3, backoffRate: 2, jitterStrategy: sfn.JitterType.FULL });
    return task;
  }

  /** Catches a record that could not be sent: the not-undone route runs all the same (its Fail cause still names the steps). */
  private catchRecordFailure(next: sfn.IChainable): void {
    this.recordTask.addCatch(next, this.jsonata
      ? { errors: [sfn.Errors.ALL], outputs: '{% $states.input %}' }
      : { errors: [sfn.Errors.ALL], resultPath: sfn.JsonPath.DISCARD });
  }

  private rolledBackFail(): sfn.Fail {
    const stateName = `${this.sagaName}: rolled back`;
    const comment = `Saga ${this.sagaName}: a step failed and every completed step was undone`;
    if (this.jsonata) {
      const v = `$${this.recordVariable}`;
      return sfn.Fail.jsonata(this, 'RolledBack', {
        stateName,
        comment,
        error: ROLLED_BACK_ERROR,
        cause: `{% ${v}.failedStep & ' failed (' & ${v}.error.Error & '); undone: ' & $string(${v}.toUndo) %}`,
      });
    }
    return new sfn.Fail(this, 'RolledBack', {
      queryLanguage: sfn.QueryLanguage.JSON_PATH,
      stateName,
      comment,
      error: ROLLED_BACK_ERROR,
      causePath: `States.Format('{} failed ({}); undone: {}', ${RECORD_PATH}.failedStep, ${RECORD_PATH}.error.Error, States.JsonToString(${RECORD_PATH}.toUndo))`,
    });
  }

  private notUndoneFail(): sfn.Fail {
    const stateName = `${this.sagaName}: not undone`;
    const comment = `Saga ${this.sagaName}: a compensation failed after its retries; the steps named in the cause are not undone`;
    let fail: sfn.Fail;
    if (this.jsonata) {
      const v = `$${this.recordVariable}`;
      fail = sfn.Fail.jsonata(this, 'NotUndoneFail', {
        stateName,
        comment,
        error: NOT_UNDONE_ERROR,
        cause: `{% ${v}.failedStep & ' failed (' & ${v}.error.Error & '); undoing ' & ${v}.compensationFailedStep & ' failed (' & ${v}.compensationError.Error & '); not undone: ' & $string(${v}.notUndone) %}`,
      });
    } else {
      fail = new sfn.Fail(this, 'NotUndoneFail', {
        queryLanguage: sfn.QueryLanguage.JSON_PATH,
        stateName,
        comment,
        error: NOT_UNDONE_ERROR,
        causePath: `States.Format('{} failed ({}); undoing {} failed ({}); not undone: {}', ${RECORD_PATH}.failedStep, ${RECORD_PATH}.error.Error, ${RECORD_PATH}.compensationFailedStep, ${RECORD_PATH}.compensationError.Error, States.JsonToString(${RECORD_PATH}.notUndone))`,
      });
    }
    return fail;
  }

  /**
   * A saga in every iteration of a Map needs a key scope: without one, every iteration's step has
   * the same idempotency key, and one order's undo can release another's.
   */
  private checkMap(): string[] {
    if (this.keyScope !== undefined) return [];
    const stack = Stack.of(this);
    const first = this.startState.stateId;
    for (const construct of stack.node.findAll()) {
      if (!(construct instanceof sfn.CfnStateMachine)) continue;
      let definition: any;
      try {
        definition = JSON.parse(flatten(stack.resolve(construct.definitionString)));
      } catch {
        continue; // a definition with values CloudFormation fills in where JSON needs them: not ours to read
      }
      const map = mapHolding(definition?.States ?? {}, first);
      if (map) {
        const example = this.jsonata ? "'{% $states.input.orderId %}'" : "'$.orderId'";
        return [`Saga '${this.sagaName}' runs in every iteration of Map '${map}' (state machine ${construct.node.scope?.node.path}) without idempotencyKeyScope, `
          + `so every iteration would give its steps the same idempotency keys: give idempotencyKeyScope a value that tells the items apart, such as ${example}`];
      }
    }
    return [];
  }

  /** The ARNs of the roles that may send records: those of the state machines that run the saga, and `recordSenders`. */
  private senderArns(): string[] {
    const roles = this.machinesRunningSaga()
      .map(cfn => cfn.node.scope)
      .filter((m): m is sfn.StateMachine => m instanceof sfn.StateMachine)
      .map(m => m.role);
    return [...new Set([...roles, ...this.recordSenders].map(r => r.roleArn))];
  }

  /** The state machines of the saga's stack whose definition holds every state the saga created. */
  private machinesRunningSaga(): sfn.CfnStateMachine[] {
    const stack = Stack.of(this);
    // A state name alone could belong to another state machine: the saga's definition holds every state
    // of the saga that its start reaches (a compensation that can never run is not created or reached).
    const mine = new Set(this.node.findAll());
    const reached = sfn.State.findReachableStates(this.startState, { includeErrorHandlers: true }).filter(st => mine.has(st)).map(st => st.stateId);
    const markers = (reached.length > 0 ? reached : [this.startState.stateId]).map(name => `${JSON.stringify(name)}:`);
    return stack.node.findAll().filter((c): c is sfn.CfnStateMachine => c instanceof sfn.CfnStateMachine
      && markers.every(marker => flatten(stack.resolve(c.definitionString)).includes(marker)));
  }

  /** No one could send a record: the saga runs in no state machine of its stack, and no sender is named. */
  private checkSenders(): string[] {
    if (this.senderArns().length > 0) return [];
    return [`Saga '${this.sagaName}' runs in no state machine of its stack, so no role may send its records to its queue; `
      + 'build the state machine in the saga\'s stack, or name the role that runs it in recordSenders'];
  }

  /** Warns, once, when the saga stands in an Express state machine of its stack. */
  private checkExpress(): string[] {
    if (this.warned) return [];
    const stack = Stack.of(this);
    for (const construct of this.machinesRunningSaga()) {
      if (stack.resolve(construct.stateMachineType) === 'EXPRESS') {
        Annotations.of(this).addWarningV2('cdk-workflow-patterns:sagaInExpressWorkflow',
          `Saga '${this.sagaName}' runs in the Express state machine ${construct.node.scope?.node.path}, which runs each state at least once: an action or a compensation may run twice, so they must be idempotent (use the idempotency key each receives), and the compensations' retries must fit in the 5 minutes an Express execution may run`);
        this.warned = true;
      }
    }
    return [];
  }
}

/** The Map (by name) whose item processor holds the state `name`, at any depth; undefined when none does. */
function mapHolding(states: Record<string, any>, name: string, map?: string): string | undefined {
  for (const [stateName, state] of Object.entries<any>(states)) {
    if (stateName === name && map !== undefined) return map;
    const processor = state?.ItemProcessor ?? state?.Iterator;
    const found = (processor ? mapHolding(processor.States ?? {}, name, stateName) : undefined)
      ?? (state?.Branches ?? []).map((b: any) => mapHolding(b.States ?? {}, name, map)).find((m: string | undefined) => m !== undefined);
    if (found) return found;
  }
  return undefined;
}

/** The variable of a saga that holds when it was entered (a variable name: letters, digits and underscores, at most 80). */
function entryVariableOf(sagaId: string): string {
  return `saga_${sagaId.replace(/[^A-Za-z0-9_]/g, '_')}`.slice(0, 74) + '_entry';
}

/** The JSONPath intrinsic of a step's idempotency key: over the execution, the saga's entry (if known), the scope (if any) and the step. */
function jsonPathKey(stepName: string, scope?: string, entry?: string): string {
  const parts = ['$$.Execution.Id', ...(entry ? [`$${entry}`] : []), ...(scope !== undefined ? [scope] : [])];
  return `States.Hash(States.Format('${parts.map(() => '{}/').join('')}${stepName}', ${parts.join(', ')}), 'SHA-256')`;
}

/**
 * The JSONata expression (without `{% %}`) of a step's idempotency key. A scope that evaluates to
 * nothing (undefined, null or '') fails the state (States.QueryEvaluationError) before its action
 * runs: `$string` of nothing is '', and every item would share one key.
 */
function jsonataKey(stepName: string, scope: string | undefined, where: string, entry?: string): string {
  const execution = entry ? `$states.context.Execution.Id & '/' & $${entry}` : '$states.context.Execution.Id';
  if (scope === undefined) return `$hash(${execution} & '/${stepName}', 'SHA-256')`;
  const nothing = `${where}: idempotencyKeyScope ${scope.slice(1, -1)} evaluated to nothing (undefined, null or an empty string), `
    + 'so every item would share one idempotency key; give each item a value that tells it apart';
  return `$hash(${execution} & '/' & ($scope := ${scope}; $exists($scope) and $scope != null and $scope != '' `
    + `? $string($scope) : $error(${JSON.stringify(nothing)})) & '/${stepName}', 'SHA-256')`;
}

/** The scope of an idempotency key as an expression: a JSONPath, or a JSONata expression without its `{% %}`. */
function validateScope(where: string, scope: string, jsonata: boolean): string {
  if (jsonata) {
    const match = /^\{%([\s\S]+)%\}$/.exec(scope);
    if (!match || match[1].trim() === '') {
      throw new Error(`${where} must be a JSONata expression such as '{% $states.input.orderId %}' in a JSONata saga (got '${scope}')`);
    }
    return `(${match[1].trim()})`;
  }
  if (!/^\$(\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\])+$/.test(scope)) {
    throw new Error(`${where} must be a JSONPath to a value of the input such as '$.orderId' in a JSONPath saga (got '${scope}')`);
  }
  return scope;
}

/**
 * The state itself when a chainable is one state that takes a Catch and a Retry. Not a CustomState
 * in JSONata: CDK renders its Catch in JSONPath whatever the definition's language (no Output, no Assign).
 */
function singleCatchable(chainable: sfn.IChainable, jsonata: boolean): Catchable | undefined {
  const start = chainable.startState;
  if (chainable.endStates.length !== 1 || chainable.endStates[0] !== (start as unknown)) return undefined;
  if (jsonata && start instanceof sfn.CustomState) return undefined;
  // A state written in the other language cannot hold the saga's Catch: it runs inside the step's Parallel.
  const own = (start as unknown as { queryLanguage?: sfn.QueryLanguage }).queryLanguage;
  if (own !== undefined && (own === sfn.QueryLanguage.JSONATA) !== jsonata) return undefined;
  if (start instanceof sfn.TaskStateBase || start instanceof sfn.Parallel || start instanceof sfn.Map
    || start instanceof sfn.DistributedMap || start instanceof sfn.CustomState) {
    return start;
  }
  return undefined;
}

