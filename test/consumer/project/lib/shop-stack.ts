import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import {
  ApprovalGate, ApprovalService, FanOutMap, FanOutProcessor, ItemSource, ResilientLambdaInvoke, Saga, SagaStep, StockTradingWorkflow, Workflow, WorkflowType,
} from 'cdk-workflow-patterns';
import { Construct } from 'constructs';

const inline = (scope: Construct, id: string, code: string) => new lambda.Function(scope, id, {
  runtime: lambda.Runtime.NODEJS_22_X,
  handler: 'index.handler',
  code: lambda.Code.fromInline(code),
});

/** Every construct of the library, as a user's stack holds them. */
export class ShopStack extends Stack {
  public readonly priceFunction: lambda.Function;
  public readonly labelFunction: lambda.Function;
  public readonly importFunction: lambda.Function;
  public readonly customers: s3.Bucket;
  public readonly quotes: Workflow;
  public readonly approval: ApprovalGate;
  public readonly purchases: Workflow;
  public readonly approvals: ApprovalService;
  public readonly returnApproval: ApprovalGate;
  public readonly returns: Workflow;
  public readonly trades: StockTradingWorkflow;
  public readonly jsonataTrades: StockTradingWorkflow;
  public readonly shipping: Workflow;
  public readonly imports: Workflow;
  public readonly orderSaga: Saga;
  public readonly orders: Workflow;
  /** The saga's functions, by name: Reserve, Release, Charge, Refund, Ship, CancelShipment. */
  public readonly sagaFunctions: Record<string, lambda.Function> = {};

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.priceFunction = inline(this, 'PriceFunction', `exports.handler = async (order) => {
  if (!(order.quantity > 0)) { const e = new Error('quantity must be above 0'); e.name = 'InvalidQuote'; throw e; }
  return { ...order, total: order.quantity * 12.5 };
};`);
    this.labelFunction = inline(this, 'LabelFunction', `exports.handler = async (parcel) => {
  if (!parcel.id) { const e = new Error('parcel without id'); e.name = 'InvalidParcel'; throw e; }
  return { parcel: parcel.id, label: 'L-' + parcel.id };
};`);
    this.importFunction = inline(this, 'ImportFunction', 'exports.handler = async (customer) => ({ imported: customer.email });');
    this.customers = new s3.Bucket(this, 'Customers', {
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
    });

    // Workflow (Express, synchronous) with the library's Lambda retries.
    const price = new ResilientLambdaInvoke(this, 'Price quote', { lambdaFunction: this.priceFunction, payloadResponseOnly: true })
      .addCatch(new sfn.Fail(this, 'Invalid quote', { error: 'InvalidQuote' }), { errors: ['InvalidQuote'] });
    this.quotes = new Workflow(this, 'Quotes', { definition: price, type: WorkflowType.expressSync(), timeout: Duration.seconds(30) });

    // ApprovalGate between pricing and placing an order; two approvers.
    this.approval = new ApprovalGate(this, 'Approve purchase', {
      timeout: Duration.hours(24),
      summary: sfn.JsonPath.format('Order {} for {} EUR', sfn.JsonPath.stringAt('$.orderId'), sfn.JsonPath.stringAt('$.total')),
      approverEmails: ['buyer@example.com', 'finance@example.com'],
    });
    const priceOrder = new ResilientLambdaInvoke(this, 'Price order', { lambdaFunction: this.priceFunction, payloadResponseOnly: true });
    this.purchases = new Workflow(this, 'Purchases', {
      definition: sfn.Chain.start(priceOrder).next(this.approval).next(new sfn.Succeed(this, 'Order placed')),
    });

    // An ApprovalService that the returns' gate shares (with any gate to come).
    this.approvals = new ApprovalService(this, 'Approvals');
    this.returnApproval = new ApprovalGate(this, 'Approve return', {
      service: this.approvals,
      timeout: Duration.hours(8),
      summary: sfn.JsonPath.format('Return of order {}', sfn.JsonPath.stringAt('$.orderId')),
      approverEmails: ['support@example.com'],
    });
    this.returns = new Workflow(this, 'Returns', { definition: this.returnApproval.next(new sfn.Succeed(this, 'Refunded')) });

    // StockTradingWorkflow with the bundled sample functions.
    this.trades = new StockTradingWorkflow(this, 'Trades', { approval: { approverEmails: ['desk@example.com'] } });
    // The same in JSONata, with variables.
    this.jsonataTrades = new StockTradingWorkflow(this, 'JsonataTrades', {
      approval: { approverEmails: ['desk@example.com'] },
      queryLanguage: sfn.QueryLanguage.JSONATA,
    });

    // FanOutMap, inline, over the parcels of the input.
    const labels = new FanOutMap(this, 'Print labels', {
      items: ItemSource.jsonArray('$.parcels'),
      processor: FanOutProcessor.lambda(this.labelFunction, { catchErrors: ['InvalidParcel'] }),
      resultPath: '$.labels',
    });
    this.shipping = new Workflow(this, 'Shipping', { definition: labels.next(new sfn.Succeed(this, 'Labels printed')) });

    // FanOutMap, distributed, over a JSON file in S3: Express children, results written to S3.
    const importAll = new FanOutMap(this, 'Import customers', {
      items: ItemSource.s3Json(this.customers, sfn.JsonPath.stringAt('$.key')),
      processor: FanOutProcessor.lambda(this.importFunction),
    });
    this.imports = new Workflow(this, 'Imports', { definition: importAll });

    // Saga: reserve stock, charge the card, book shipping; undone in reverse when a step fails.
    for (const name of ['Reserve', 'Release', 'Charge', 'Refund', 'Ship', 'CancelShipment']) {
      this.sagaFunctions[name] = inline(this, `${name}Function`, `exports.handler = async (e) => ({ ${name.toLowerCase()}: e.idempotencyKey });`);
    }
    const f = this.sagaFunctions;
    this.orderSaga = new Saga(this, 'Order', {
      steps: [
        SagaStep.lambda('Reserve stock', { action: f.Reserve, compensation: f.Release, resultField: 'reservation' }),
        SagaStep.lambda('Charge payment', { action: f.Charge, compensation: f.Refund, resultField: 'payment', compensateFailedAction: true }),
        SagaStep.lambda('Book shipping', { action: f.Ship, compensation: f.CancelShipment }),
      ],
    });
    this.orders = new Workflow(this, 'Orders', { definition: this.orderSaga.next(new sfn.Succeed(this, 'Order shipped')) });
  }
}
