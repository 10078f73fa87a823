/**
 * Example: a synchronous Express workflow that prices a quote, called by clients that wait for the
 * answer through a REST API. Used by the demo (`npm run demo`) and by integ/integ.quote-workflow.ts.
 */
import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ResilientLambdaInvoke, Workflow, WorkflowRestApi, WorkflowType } from '../src';

export const PRICE_FUNCTION = `exports.handler = async (quote) => {
  if (typeof quote.quantity !== 'number' || quote.quantity <= 0) {
    throw Object.assign(new Error('quantity must be a positive number'), { name: 'InvalidQuote' });
  }
  const unit = quote.quantity >= 100 ? 8 : 10;
  return { ...quote, unitPrice: unit, total: unit * quote.quantity };
};`;

export class QuoteWorkflowStack extends Stack {
  public readonly workflow: Workflow;
  public readonly api: WorkflowRestApi;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    const priceFn = new lambda.Function(this, 'PriceQuote', {
      runtime: lambda.Runtime.NODEJS_20_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(PRICE_FUNCTION),
      timeout: Duration.seconds(5),
    });

    const price = new ResilientLambdaInvoke(this, 'Price quote', {
      lambdaFunction: priceFn,
      payloadResponseOnly: true,
      transientRetry: { maxAttempts: 2, maxDelay: Duration.seconds(5) },
    }).addCatch(new sfn.Fail(this, 'Invalid quote', { error: 'InvalidQuote', causePath: '$.error.Cause' }), {
      errors: ['InvalidQuote'],
      resultPath: '$.error',
    });
    const discount = new sfn.Choice(this, 'Bulk order?')
      .when(sfn.Condition.numberGreaterThanEquals('$.quantity', 100),
        new sfn.Pass(this, 'Apply bulk discount', { result: sfn.Result.fromBoolean(true), resultPath: '$.bulk' }))
      .otherwise(new sfn.Pass(this, 'Standard price', { result: sfn.Result.fromBoolean(false), resultPath: '$.bulk' }));

    this.workflow = new Workflow(this, 'QuoteWorkflow', {
      definition: price.next(discount),
      type: WorkflowType.expressSync(),
      timeout: Duration.seconds(30),
    });
    // POST a quote (SigV4-signed), get the priced quote back.
    this.api = new WorkflowRestApi(this, 'QuoteApi', { workflow: this.workflow });
  }
}
