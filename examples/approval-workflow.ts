/**
 * Example: a purchase that needs a person's approval above 500 EUR. The ApprovalGate mails signed
 * approve/reject links to the purchasing desk and waits up to a day. Used by the demo (`npm run demo`,
 * which runs the gate's real handlers against in-memory AWS services) and by integ/integ.approval-gate.ts.
 */
import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { inlineFunctions } from './inline-functions';
import { ApprovalGate, ResilientLambdaInvoke, Workflow } from '../src';

/** The example's Lambda functions, as inline Node.js code. */
export const PURCHASE_FUNCTIONS = {
  PriceOrder: `exports.handler = async (order) => {
  const total = (order.lines || []).reduce((sum, line) => sum + line.quantity * line.unitPrice, 0);
  return { ...order, total };
};`,
  PlaceOrder: 'exports.handler = async (order) => ({ orderId: order.orderId, placed: true, total: order.total });',
};

export interface PurchaseApprovalStackProps extends StackProps {
  /** How long the desk has to decide. @default Duration.hours(24) */
  readonly approvalTimeout?: Duration;
}

export class PurchaseApprovalStack extends Stack {
  public readonly workflow: Workflow;
  public readonly gate: ApprovalGate;

  constructor(scope: Construct, id: string, props: PurchaseApprovalStackProps = {}) {
    super(scope, id, props);
    const fns = inlineFunctions(this, PURCHASE_FUNCTIONS);

    const place = new ResilientLambdaInvoke(this, 'Place order', { lambdaFunction: fns.PlaceOrder, payloadResponseOnly: true })
      .next(new sfn.Succeed(this, 'Order placed'));
    this.gate = new ApprovalGate(this, 'Approve purchase', {
      timeout: props.approvalTimeout ?? Duration.hours(24),
      summary: sfn.JsonPath.format('Order {} for {} EUR, requested by {}',
        sfn.JsonPath.stringAt('$.orderId'), sfn.JsonPath.stringAt('$.total'), sfn.JsonPath.stringAt('$.requestedBy')),
      subject: 'Purchase needs approval',
      approverEmails: ['purchasing@example.com'],
      onApproved: place,
      // A new account has no API Gateway CloudWatch role yet: the app creates it (once, kept on deletion).
      cloudWatchRole: true,
    });

    const definition = new ResilientLambdaInvoke(this, 'Price order', { lambdaFunction: fns.PriceOrder, payloadResponseOnly: true })
      .next(new sfn.Choice(this, 'Over 500 EUR?')
        .when(sfn.Condition.numberGreaterThan('$.total', 500), this.gate)
        .otherwise(place));
    this.workflow = new Workflow(this, 'PurchaseWorkflow', { definition });
  }
}
