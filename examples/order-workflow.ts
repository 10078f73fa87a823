/**
 * Example: a Standard order workflow (validate, branch, fan out over items, notify in parallel),
 * every Lambda call retried on transient errors, invalid orders caught. Used by the demo
 * (`npm run demo`) and by integ/integ.order-workflow.ts.
 */
import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { inlineFunctions } from './inline-functions';
import { ResilientLambdaInvoke, Workflow } from '../src';

/** The example's Lambda functions, as inline Node.js code (the demo runs local twins of them). */
export const ORDER_FUNCTIONS = {
  ValidateOrder: `exports.handler = async (order) => {
  if (!order.orderId) throw Object.assign(new Error('orderId is missing'), { name: 'InvalidOrder' });
  return { ...order, inStock: (order.items || []).length > 0 };
};`,
  ReserveItem: 'exports.handler = async (item) => ({ item, reserved: true });',
  NotifyCustomer: 'exports.handler = async (order) => ({ notified: order.orderId });',
};

export class OrderWorkflowStack extends Stack {
  public readonly workflow: Workflow;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    const fns = inlineFunctions(this, ORDER_FUNCTIONS);

    const rejected = new sfn.Fail(this, 'Order rejected', { error: 'OrderRejected', causePath: '$.error.Cause' });
    const validate = new ResilientLambdaInvoke(this, 'Validate order', { lambdaFunction: fns.ValidateOrder, payloadResponseOnly: true })
      .addCatch(rejected, { errors: ['InvalidOrder'], resultPath: '$.error' });
    const reserve = new sfn.Map(this, 'Reserve items', { itemsPath: '$.items', resultPath: '$.reservations', maxConcurrency: 5 })
      .itemProcessor(new ResilientLambdaInvoke(this, 'Reserve item', { lambdaFunction: fns.ReserveItem, payloadResponseOnly: true }));
    const notify = new sfn.Parallel(this, 'Confirm', { resultPath: sfn.JsonPath.DISCARD })
      .branch(new ResilientLambdaInvoke(this, 'Notify customer', { lambdaFunction: fns.NotifyCustomer, payloadResponseOnly: true }))
      .branch(new sfn.Pass(this, 'Record order'));

    const definition = validate.next(new sfn.Choice(this, 'In stock?')
      .when(sfn.Condition.booleanEquals('$.inStock', true), reserve.next(notify).next(new sfn.Succeed(this, 'Order placed')))
      .otherwise(new sfn.Succeed(this, 'Nothing to ship')));

    this.workflow = new Workflow(this, 'OrderWorkflow', { definition, timeout: Duration.minutes(5) });
  }
}
