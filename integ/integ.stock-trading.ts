/**
 * Integration test: the example StockTradingWorkflow with its sample functions. Offline (`npm test`),
 * integ-runner synthesizes it and compares with the committed snapshot. With AWS credentials it
 * deploys and checks four paths for real: no trade recommended, a small trade executed, a large trade
 * nobody approves within the 1-minute timeout, and a malformed request.
 */
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration } from 'aws-cdk-lib';
import { expectExecution } from './execution-assertions';
import { StockTradingStack } from '../examples/stock-trading';

const app = new App();
const stack = new StockTradingStack(app, 'StockTradingInteg', { approvalTimeout: Duration.minutes(1) });
const integ = new IntegTest(app, 'StockTradingTest', { testCases: [stack] });

function trade(tradeId: string, input: Record<string, unknown>, expected: Record<string, unknown>) {
  // The trade id is the execution name: starting the same trade twice fails with ExecutionAlreadyExists.
  expectExecution(integ, stack.trading.workflow.stateMachineArn, {
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
