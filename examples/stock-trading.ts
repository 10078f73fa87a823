/**
 * Example: the reference StockTradingWorkflow with its sample analysis and execution functions
 * (a deterministic simulated market) and the approval of trades above 100 by a trading desk.
 * Used by the demo (`npm run demo` walks every path), the README diagram and integ/integ.stock-trading.ts.
 */
import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { StockTradingWorkflow } from '../src';

export interface StockTradingStackProps extends StackProps {
  /** How long the desk has to approve a large trade. @default Duration.hours(24) */
  readonly approvalTimeout?: Duration;
}

export class StockTradingStack extends Stack {
  public readonly trading: StockTradingWorkflow;

  constructor(scope: Construct, id: string, props: StockTradingStackProps = {}) {
    super(scope, id, props);
    this.trading = new StockTradingWorkflow(this, 'StockTrading', {
      approvalThreshold: 100,
      approval: { approverEmails: ['trading-desk@example.com'], timeout: props.approvalTimeout, cloudWatchRole: true },
    });
  }
}
