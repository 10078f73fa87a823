/**
 * The states of a StockTradingWorkflow, in JSONPath or in JSONata: the same graph, the same state
 * names, the same output (`analysis`, `approval`, `trade` added to the request). Created in the
 * workflow's scope, so that their construct ids stay those of the workflow.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ApprovalGate } from '../approval-gate/approval-gate';
import { ApprovalService } from '../approval-gate/approval-service';
import { declareQueryLanguage } from '../private/query-language';
import { ResilientLambdaInvoke } from '../workflow/resilient-lambda-invoke';

/** Error names of the workflow's Fail states. */
const ERRORS = {
  invalidRequest: 'InvalidTradeRequest',
  analysisFailed: 'StockAnalysisFailed',
  invalidAnalysis: 'InvalidStockAnalysis',
  notApproved: 'TradeNotApproved',
  executionFailed: 'TradeExecutionFailed',
  unsuccessful: 'TradeUnsuccessful',
};

export interface TradingStatesProps {
  readonly queryLanguage: sfn.QueryLanguage;
  readonly analysisFunction: lambda.IFunction;
  readonly executionFunction: lambda.IFunction;
  readonly approvalThreshold: number;
  readonly approvalTimeout: Duration;
  readonly approverEmails?: string[];
  readonly topic?: sns.ITopic;
  readonly authorizer?: apigw.IAuthorizer;
  readonly cloudWatchRole?: boolean;
  readonly service?: ApprovalService;
  readonly encryptionKey?: kms.IKey;
  readonly removalPolicy?: RemovalPolicy;
}

/** The request checks: a state name, what is wrong, and the condition in each language. */
const REQUEST_CHECKS: Array<{ name: string; cause: string; jsonPath: sfn.Condition; jsonata: string }> = [
  {
    name: 'Invalid request: no trade id',
    cause: 'tradeId is missing or not a string',
    jsonPath: sfn.Condition.or(sfn.Condition.isNotPresent('$.tradeId'), sfn.Condition.isNotString('$.tradeId')),
    jsonata: "$not($type($states.input.tradeId) = 'string')",
  },
  {
    name: 'Invalid request: no company',
    cause: 'companyId is missing or not a string',
    jsonPath: sfn.Condition.or(sfn.Condition.isNotPresent('$.companyId'), sfn.Condition.isNotString('$.companyId')),
    jsonata: "$not($type($states.input.companyId) = 'string')",
  },
  {
    name: 'Invalid request: amount not a number',
    cause: 'amount is missing or not a number',
    jsonPath: sfn.Condition.or(sfn.Condition.isNotPresent('$.amount'), sfn.Condition.isNotNumeric('$.amount')),
    jsonata: "$not($type($states.input.amount) = 'number')",
  },
  {
    name: 'Invalid request: negative amount',
    cause: 'amount must be 0 or more',
    jsonPath: sfn.Condition.numberLessThan('$.amount', 0),
    jsonata: '$states.input.amount < 0',
  },
  {
    name: 'Invalid request: price not a number',
    cause: 'price must be a number',
    jsonPath: sfn.Condition.and(sfn.Condition.isPresent('$.price'), sfn.Condition.isNotNumeric('$.price')),
    jsonata: "$exists($states.input.price) and $not($type($states.input.price) = 'number')",
  },
  {
    name: 'Invalid request: price not above 0',
    cause: 'price must be above 0',
    jsonPath: sfn.Condition.and(sfn.Condition.isPresent('$.price'), sfn.Condition.numberLessThanEquals('$.price', 0)),
    jsonata: '$exists($states.input.price) and $states.input.price <= 0',
  },
];

/** The analysis must return these, checked before its figures are used. */
const INVALID_ANALYSIS = {
  jsonPath: sfn.Condition.or(
    sfn.Condition.isNotBoolean('$.analysis.recommended'),
    sfn.Condition.isNotNumeric('$.analysis.tradeAmount'),
    sfn.Condition.isNotNumeric('$.analysis.price'),
    sfn.Condition.isNotNumeric('$.analysis.stockCount'),
  ),
  jsonata: "$not($type($states.input.analysis.recommended) = 'boolean' and $type($states.input.analysis.tradeAmount) = 'number'"
    + " and $type($states.input.analysis.price) = 'number' and $type($states.input.analysis.stockCount) = 'number')",
};

/**
 * Builds the graph: check the request, analyse, check the analysis and route on the recommendation
 * and the threshold, approve above it, execute (with a key that is the same on every retry of this
 * execution) and verify.
 * @returns the first state and the approval gate
 */
export function tradingStates(scope: Construct, props: TradingStatesProps): { start: sfn.State; gate: ApprovalGate } {
  const language = props.queryLanguage;
  const jsonata = language === sfn.QueryLanguage.JSONATA;
  const declare = <T extends sfn.State>(state: T): T => declareQueryLanguage(state, language,
    () => `StockTradingWorkflow '${scope.node.id}': state '${state.stateId}' is JSONPath, and its state machine is JSONata; give the StockTradingWorkflow queryLanguage: sfn.QueryLanguage.JSONATA`);
  const fail = (id: string, error: string, cause: { cause?: string; causePath?: string; jsonataCause?: string }) => declare(new sfn.Fail(scope, id, {
    error,
    queryLanguage: language,
    ...(jsonata ? { cause: cause.jsonataCause ?? cause.cause } : { cause: cause.cause, causePath: cause.causePath }),
  }));
  const choice = (id: string) => declare(new sfn.Choice(scope, id, { queryLanguage: language }));
  const when = (c: { jsonPath: sfn.Condition; jsonata: string }) => (jsonata ? sfn.Condition.jsonata(`{% ${c.jsonata} %}`) : c.jsonPath);

  // 1. The request must be usable before anything runs.
  const checkRequest = choice('Check trade request');
  for (const check of REQUEST_CHECKS) {
    checkRequest.when(when(check), fail(check.name, ERRORS.invalidRequest, { cause: check.cause }));
  }

  // 2. Analysis. In JSONata the Catch passes the error output on: no field of the state's input to write it to.
  const analysisFailed = fail('Analysis failed', ERRORS.analysisFailed, { causePath: '$.error.Cause', jsonataCause: '{% $states.input.Cause %}' });
  const analyse = declare(jsonata
    ? ResilientLambdaInvoke.jsonata(scope, 'Analyse stock', {
      lambdaFunction: props.analysisFunction,
      outputs: '{% $merge([$states.input, {"analysis": $states.result.Payload}]) %}',
    }).addCatch(analysisFailed)
    : ResilientLambdaInvoke.jsonPath(scope, 'Analyse stock', {
      lambdaFunction: props.analysisFunction,
      payloadResponseOnly: true,
      resultPath: '$.analysis',
    }).addCatch(analysisFailed, { resultPath: '$.error' }));

  // 5. Execution and 6. verification.
  const executionFailed = fail('Trade execution failed', ERRORS.executionFailed, { causePath: '$.error.Cause', jsonataCause: '{% $states.input.Cause %}' });
  const execute = declare(jsonata
    ? ResilientLambdaInvoke.jsonata(scope, 'Execute trade', {
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
    }).addCatch(executionFailed)
    : ResilientLambdaInvoke.jsonPath(scope, 'Execute trade', {
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
    }).addCatch(executionFailed, { resultPath: '$.error' }));
  execute.next(choice('Trade successful?')
    .when(when({ jsonPath: sfn.Condition.stringEquals('$.trade.status', 'FILLED'), jsonata: "$states.input.trade.status = 'FILLED'" }),
      declare(new sfn.Succeed(scope, 'Trade successful', { queryLanguage: language })))
    .otherwise(fail('Trade unsuccessful', ERRORS.unsuccessful, {
      causePath: sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt('$.trade')),
      jsonataCause: '{% $string($states.input.trade) %}',
    })));

  // 4. Approval above the threshold.
  const notApproved = fail('Trade not approved', ERRORS.notApproved, {
    causePath: sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt('$.approval')),
    jsonataCause: '{% $string($states.input.approval) %}',
  });
  const gate = new ApprovalGate(scope, 'Approve trade', {
    timeout: props.approvalTimeout,
    queryLanguage: language,
    summary: jsonata
      ? "{% 'Trade ' & $states.input.tradeId & ': buy ' & $states.input.analysis.stockCount & ' shares of ' & $states.input.analysis.companyId"
        + " & ' at ' & $states.input.analysis.price & ' (' & $states.input.analysis.tradeAmount & ' in all)' %}"
      : sfn.JsonPath.format('Trade {}: buy {} shares of {} at {} ({} in all)',
        sfn.JsonPath.stringAt('$.tradeId'), sfn.JsonPath.stringAt('$.analysis.stockCount'), sfn.JsonPath.stringAt('$.analysis.companyId'),
        sfn.JsonPath.stringAt('$.analysis.price'), sfn.JsonPath.stringAt('$.analysis.tradeAmount')),
    subject: 'Trade needs approval',
    approverEmails: props.approverEmails,
    topic: props.topic,
    authorizer: props.authorizer,
    cloudWatchRole: props.cloudWatchRole,
    // A shared service keeps the records under its own key and removal policy.
    ...(props.service ? { service: props.service } : { encryptionKey: props.encryptionKey, removalPolicy: props.removalPolicy }),
    onApproved: execute,
    onRejected: notApproved,
    onExpired: notApproved,
  });

  // 3. Recommendation, with the analysis checked before its figures are used.
  const decide = choice('Trade recommended?')
    .when(when(INVALID_ANALYSIS), fail('Invalid analysis', ERRORS.invalidAnalysis, { cause: 'the analysis must return recommended (boolean), tradeAmount, price and stockCount (numbers)' }))
    .when(when({ jsonPath: sfn.Condition.booleanEquals('$.analysis.recommended', false), jsonata: '$states.input.analysis.recommended = false' }),
      declare(new sfn.Succeed(scope, 'No trade recommended', { queryLanguage: language })))
    .when(when({
      jsonPath: sfn.Condition.numberGreaterThan('$.analysis.tradeAmount', props.approvalThreshold),
      jsonata: `$states.input.analysis.tradeAmount > ${props.approvalThreshold}`,
    }), gate)
    .otherwise(execute);

  checkRequest.otherwise(analyse.next(decide));
  return { start: checkRequest, gate };
}
