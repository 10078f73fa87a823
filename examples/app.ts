/**
 * The example app: every example stack, synthesized by `npm run demo` into cdk.out/.
 */
import { App } from 'aws-cdk-lib';
import { PurchaseApprovalStack } from './approval-workflow';
import { CheckoutStack } from './checkout';
import { FanOutWorkflowStack, ParcelManifestStack } from './fan-out-workflow';
import { LabelPrinterStack } from './label-printer';
import { NestedWorkflowStack } from './nested-workflow';
import { NightlyReportStack } from './nightly-report';
import { OrderSagaStack } from './order-saga';
import { OrderWorkflowStack } from './order-workflow';
import { QuoteWorkflowStack } from './quote-workflow';
import { SharedApprovalsStack } from './shared-approvals';
import { StockTradingStack } from './stock-trading';

const app = new App();
new OrderWorkflowStack(app, 'OrderWorkflowExample');
new QuoteWorkflowStack(app, 'QuoteWorkflowExample');
new FanOutWorkflowStack(app, 'FanOutWorkflowExample');
new ParcelManifestStack(app, 'ParcelManifestExample');
new NestedWorkflowStack(app, 'NestedWorkflowExample');
new PurchaseApprovalStack(app, 'PurchaseApprovalExample');
new SharedApprovalsStack(app, 'SharedApprovalsExample');
new StockTradingStack(app, 'StockTradingExample');
new OrderSagaStack(app, 'OrderSagaExample');
new CheckoutStack(app, 'CheckoutExample');
new LabelPrinterStack(app, 'LabelPrinterExample');
new NightlyReportStack(app, 'NightlyReportExample');
app.synth();
