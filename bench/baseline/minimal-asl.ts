/**
 * The baseline state machine logic: the smallest definition a careful engineer would write by hand
 * for what StockTradingWorkflow does, in plain `aws-stepfunctions` constructs.
 *
 * What it leaves out, each one state transition that StockTradingWorkflow pays for (see
 * EXTRA_TRANSITIONS in bench/transitions.ts for why each one is kept):
 * - no separate request validation: the request goes straight to the analysis function, which
 *   rejects what it cannot work with (a missing company, an amount that is not a number);
 * - no 'open request' Pass: the request id is made with States.UUID() inside the request task's payload;
 * - no 'expired' Pass: a timeout goes straight to the Fail state, with a fixed cause.
 * What it keeps: the Lambda retries AWS recommends, a catch on each Lambda step, the check of the
 * analysis output (it lives in the recommendation Choice, so it costs no transition), the
 * idempotency key, the verification of the trade.
 */
import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';

export interface MinimalDefinitionProps {
  readonly analysisFunction: lambda.IFunction;
  readonly executionFunction: lambda.IFunction;
  /** The approval request function (stores the token, sends the message). */
  readonly requestFunction: lambda.IFunction;
  readonly approvalThreshold: number;
  readonly approvalTimeout: Duration;
  /** The query language: the same graph in JSONPath or in JSONata. @default JSONPath */
  readonly queryLanguage?: sfn.QueryLanguage;
  /** The gate's settings in the request's payload, for a request function that several workflows share. @default none */
  readonly gate?: Record<string, unknown>;
}

/** Lambda.* transient errors, retried with backoff and jitter (what AWS recommends for Lambda tasks). */
function retried<T extends sfn.TaskStateBase>(task: T): T {
  task.addRetry({
    errors: ['Lambda.ClientExecutionTimeoutException', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'],
    interval: Duration.seconds(1),
    maxAttempts: 6,
    backoffRate: 2,
    jitterStrategy: sfn.JitterType.FULL,
  });
  return task;
}

/** The baseline definition: Analyse stock → Trade recommended? → [Approve trade → Approved?] → Execute trade → Trade successful? */
export function minimalDefinition(scope: Construct, props: MinimalDefinitionProps): sfn.IChainable {
  return props.queryLanguage === sfn.QueryLanguage.JSONATA ? minimalJsonata(scope, props) : minimalJsonPath(scope, props);
}

function minimalJsonPath(scope: Construct, props: MinimalDefinitionProps): sfn.IChainable {
  const analyse = retried(new tasks.LambdaInvoke(scope, 'Analyse stock', {
    lambdaFunction: props.analysisFunction,
    payloadResponseOnly: true,
    resultPath: '$.analysis',
    retryOnServiceExceptions: false,
  })).addCatch(new sfn.Fail(scope, 'Analysis failed', { error: 'StockAnalysisFailed', causePath: '$.error.Cause' }), { resultPath: '$.error' });

  const execute = retried(new tasks.LambdaInvoke(scope, 'Execute trade', {
    lambdaFunction: props.executionFunction,
    payloadResponseOnly: true,
    payload: sfn.TaskInput.fromObject({
      idempotencyKey: sfn.JsonPath.hash(sfn.JsonPath.format('{}|{}', sfn.JsonPath.executionId, sfn.JsonPath.stringAt('$.tradeId')), 'SHA-256'),
      tradeId: sfn.JsonPath.stringAt('$.tradeId'),
      companyId: sfn.JsonPath.stringAt('$.analysis.companyId'),
      stockCount: sfn.JsonPath.numberAt('$.analysis.stockCount'),
      price: sfn.JsonPath.numberAt('$.analysis.price'),
      tradeAmount: sfn.JsonPath.numberAt('$.analysis.tradeAmount'),
    }),
    resultPath: '$.trade',
    retryOnServiceExceptions: false,
  })).addCatch(new sfn.Fail(scope, 'Trade execution failed', { error: 'TradeExecutionFailed', causePath: '$.error.Cause' }), { resultPath: '$.error' });
  execute.next(new sfn.Choice(scope, 'Trade successful?')
    .when(sfn.Condition.stringEquals('$.trade.status', 'FILLED'), new sfn.Succeed(scope, 'Trade successful'))
    .otherwise(new sfn.Fail(scope, 'Trade unsuccessful', { error: 'TradeUnsuccessful', causePath: sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt('$.trade')) })));

  const notApproved = new sfn.Fail(scope, 'Trade not approved', {
    error: 'TradeNotApproved',
    causePath: sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt('$.approval')),
  });
  const expired = new sfn.Fail(scope, 'Trade not approved: expired', { error: 'TradeNotApproved', cause: 'no decision in time' });
  const approve = retried(new tasks.LambdaInvoke(scope, 'Approve trade', {
    lambdaFunction: props.requestFunction,
    integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
    payload: sfn.TaskInput.fromObject({
      taskToken: sfn.JsonPath.taskToken,
      requestId: sfn.JsonPath.uuid(),
      summary: sfn.JsonPath.format('Trade {}: buy {} shares of {} at {} ({} in all)',
        sfn.JsonPath.stringAt('$.tradeId'), sfn.JsonPath.stringAt('$.analysis.stockCount'), sfn.JsonPath.stringAt('$.analysis.companyId'),
        sfn.JsonPath.stringAt('$.analysis.price'), sfn.JsonPath.stringAt('$.analysis.tradeAmount')),
      executionArn: sfn.JsonPath.executionId,
      ...(props.gate ? { gate: props.gate } : {}),
    }),
    resultPath: '$.approval',
    taskTimeout: sfn.Timeout.duration(props.approvalTimeout),
    retryOnServiceExceptions: false,
  })).addCatch(expired, { errors: [sfn.Errors.TIMEOUT], resultPath: sfn.JsonPath.DISCARD });
  approve.next(new sfn.Choice(scope, 'Approve trade: approved?')
    .when(sfn.Condition.stringEquals('$.approval.decision', 'APPROVED'), execute)
    .otherwise(notApproved));

  return analyse.next(new sfn.Choice(scope, 'Trade recommended?')
    .when(sfn.Condition.or(
      sfn.Condition.isNotBoolean('$.analysis.recommended'),
      sfn.Condition.isNotNumeric('$.analysis.tradeAmount'),
      sfn.Condition.isNotNumeric('$.analysis.price'),
      sfn.Condition.isNotNumeric('$.analysis.stockCount'),
    ), new sfn.Fail(scope, 'Invalid analysis', { error: 'InvalidStockAnalysis', cause: 'the analysis must return recommended (boolean), tradeAmount, price and stockCount (numbers)' }))
    .when(sfn.Condition.booleanEquals('$.analysis.recommended', false), new sfn.Succeed(scope, 'No trade recommended'))
    .when(sfn.Condition.numberGreaterThan('$.analysis.tradeAmount', props.approvalThreshold), approve)
    .otherwise(execute));
}

/**
 * The same graph in JSONata, written as tersely as JSONata allows: results merged into the state
 * with Output, the request id made with $uuid() in the request's Arguments, the Catch's error output
 * read by the Fail state.
 */
function minimalJsonata(scope: Construct, props: MinimalDefinitionProps): sfn.IChainable {
  const fail = (id: string, error: string, cause: string) => sfn.Fail.jsonata(scope, id, { error, cause });
  const analyse = retried(tasks.LambdaInvoke.jsonata(scope, 'Analyse stock', {
    lambdaFunction: props.analysisFunction,
    outputs: '{% $merge([$states.input, {"analysis": $states.result.Payload}]) %}',
    retryOnServiceExceptions: false,
  })).addCatch(fail('Analysis failed', 'StockAnalysisFailed', '{% $states.input.Cause %}'));

  const execute = retried(tasks.LambdaInvoke.jsonata(scope, 'Execute trade', {
    lambdaFunction: props.executionFunction,
    payload: sfn.TaskInput.fromObject({
      idempotencyKey: "{% $hash($states.context.Execution.Id & '|' & $states.input.tradeId, 'SHA-256') %}",
      tradeId: '{% $states.input.tradeId %}',
      companyId: '{% $states.input.analysis.companyId %}',
      stockCount: '{% $states.input.analysis.stockCount %}',
      price: '{% $states.input.analysis.price %}',
      tradeAmount: '{% $states.input.analysis.tradeAmount %}',
    }),
    outputs: '{% $merge([$states.input, {"trade": $states.result.Payload}]) %}',
    retryOnServiceExceptions: false,
  })).addCatch(fail('Trade execution failed', 'TradeExecutionFailed', '{% $states.input.Cause %}'));
  execute.next(sfn.Choice.jsonata(scope, 'Trade successful?')
    .when(sfn.Condition.jsonata("{% $states.input.trade.status = 'FILLED' %}"), sfn.Succeed.jsonata(scope, 'Trade successful'))
    .otherwise(fail('Trade unsuccessful', 'TradeUnsuccessful', '{% $string($states.input.trade) %}')));

  const approve = retried(tasks.LambdaInvoke.jsonata(scope, 'Approve trade', {
    lambdaFunction: props.requestFunction,
    integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
    payload: sfn.TaskInput.fromObject({
      taskToken: '{% $states.context.Task.Token %}',
      requestId: '{% $uuid() %}',
      summary: "{% 'Trade ' & $states.input.tradeId & ': buy ' & $states.input.analysis.stockCount & ' shares of ' & $states.input.analysis.companyId"
        + " & ' at ' & $states.input.analysis.price & ' (' & $states.input.analysis.tradeAmount & ' in all)' %}",
      executionArn: '{% $states.context.Execution.Id %}',
      ...(props.gate ? { gate: props.gate } : {}),
    }),
    outputs: '{% $merge([$states.input, {"approval": $states.result}]) %}',
    taskTimeout: sfn.Timeout.duration(props.approvalTimeout),
    retryOnServiceExceptions: false,
  })).addCatch(fail('Trade not approved: expired', 'TradeNotApproved', 'no decision in time'), { errors: [sfn.Errors.TIMEOUT] });
  approve.next(sfn.Choice.jsonata(scope, 'Approve trade: approved?')
    .when(sfn.Condition.jsonata("{% $states.input.approval.decision = 'APPROVED' %}"), execute)
    .otherwise(fail('Trade not approved', 'TradeNotApproved', '{% $string($states.input.approval) %}')));

  const number = (field: string) => `$type($states.input.analysis.${field}) = 'number'`;
  return analyse.next(sfn.Choice.jsonata(scope, 'Trade recommended?')
    .when(sfn.Condition.jsonata(`{% $not($type($states.input.analysis.recommended) = 'boolean' and ${number('tradeAmount')} and ${number('price')} and ${number('stockCount')}) %}`),
      fail('Invalid analysis', 'InvalidStockAnalysis', 'the analysis must return recommended (boolean), tradeAmount, price and stockCount (numbers)'))
    .when(sfn.Condition.jsonata('{% $states.input.analysis.recommended = false %}'), sfn.Succeed.jsonata(scope, 'No trade recommended'))
    .when(sfn.Condition.jsonata(`{% $states.input.analysis.tradeAmount > ${props.approvalThreshold} %}`), approve)
    .otherwise(execute));
}
