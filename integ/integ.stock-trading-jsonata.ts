/**
 * Integration test: the StockTradingWorkflow in its JSONata form (a JSONata state machine, the
 * approval gate without states of its own beyond the request and the decision). Offline (`npm test`),
 * integ-runner synthesizes it and compares with the committed snapshot. With AWS credentials it
 * deploys and checks the same four paths as the JSONPath one.
 */
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { expectExecution } from './execution-assertions';
import { StockTradingWorkflow } from '../src';

const app = new App();
const stack = new Stack(app, 'StockTradingJsonataInteg');
const trading = new StockTradingWorkflow(stack, 'StockTrading', {
  queryLanguage: sfn.QueryLanguage.JSONATA,
  approvalThreshold: 100,
  approval: { approverEmails: ['trading-desk@example.com'], cloudWatchRole: true, timeout: Duration.minutes(1) },
});
const integ = new IntegTest(app, 'StockTradingJsonataTest', { testCases: [stack] });

function trade(tradeId: string, input: Record<string, unknown>, expected: Record<string, unknown>) {
  expectExecution(integ, trading.workflow.stateMachineArn, {
    name: tradeId,
    input: { tradeId, ...input },
    expected,
    totalTimeout: Duration.minutes(5),
    interval: Duration.seconds(15),
  });
}

trade('integ-hold', { companyId: 'GLOBEX', amount: 1000 }, { status: 'SUCCEEDED' });
trade('integ-small', { companyId: 'ACME', amount: 100 }, { status: 'SUCCEEDED' });
trade('integ-unapproved', { companyId: 'ACME', amount: 1000 }, { status: 'FAILED', error: 'TradeNotApproved' });
trade('integ-malformed', { companyId: 'ACME', amount: -1 }, { status: 'FAILED', error: 'InvalidTradeRequest' });

app.synth();
