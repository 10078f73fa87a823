/**
 * Example: an order workflow (validate, branch, fan out over items, notify in parallel),
 * with Retry and Catch. Used by the demo (`npm run demo`) and by integ/integ.order-workflow.ts.
 */
import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';

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
  public readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    const fns = Object.fromEntries(Object.entries(ORDER_FUNCTIONS).map(([name, code]) => [name, new lambda.Function(this, name, {
      runtime: lambda.Runtime.NODEJS_20_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(code),
      timeout: Duration.seconds(10),
    })])) as Record<keyof typeof ORDER_FUNCTIONS, lambda.Function>;

    const rejected = new sfn.Fail(this, 'Order rejected', { error: 'OrderRejected', causePath: '$.error.Cause' });
    const validate = new tasks.LambdaInvoke(this, 'Validate order', { lambdaFunction: fns.ValidateOrder, payloadResponseOnly: true })
      .addCatch(rejected, { errors: ['InvalidOrder'], resultPath: '$.error' });
    const reserve = new sfn.Map(this, 'Reserve items', { itemsPath: '$.items', resultPath: '$.reservations', maxConcurrency: 5 })
      .itemProcessor(new tasks.LambdaInvoke(this, 'Reserve item', { lambdaFunction: fns.ReserveItem, payloadResponseOnly: true }));
    const notify = new sfn.Parallel(this, 'Confirm', { resultPath: sfn.JsonPath.DISCARD })
      .branch(new tasks.LambdaInvoke(this, 'Notify customer', { lambdaFunction: fns.NotifyCustomer, payloadResponseOnly: true }))
      .branch(new sfn.Pass(this, 'Record order'));

    const definition = validate.next(new sfn.Choice(this, 'In stock?')
      .when(sfn.Condition.booleanEquals('$.inStock', true), reserve.next(notify).next(new sfn.Succeed(this, 'Order placed')))
      .otherwise(new sfn.Succeed(this, 'Nothing to ship')));

    this.stateMachine = new sfn.StateMachine(this, 'OrderWorkflow', {
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout: Duration.minutes(5),
    });
  }
}
