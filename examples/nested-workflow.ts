/**
 * Example: nested workflows. A Standard parent runs a Standard child to completion (`.sync:2`, its
 * output comes back) and starts an Express child without waiting for it (an audit trail). The demo
 * runs the parent; both children run locally too, each with its own history.
 */
import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { Workflow, WorkflowType } from '../src';

export class NestedWorkflowStack extends Stack {
  public readonly parent: Workflow;
  public readonly pricing: Workflow;
  public readonly audit: Workflow;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    this.pricing = new Workflow(this, 'PricingWorkflow', {
      definition: new sfn.Pass(this, 'Price order', {
        parameters: { 'orderId.$': '$.orderId', 'total.$': 'States.MathAdd($.subtotal, $.shipping)' },
      }),
    });
    this.audit = new Workflow(this, 'AuditWorkflow', {
      type: WorkflowType.expressAsync(),
      timeout: Duration.minutes(1),
      definition: new sfn.Pass(this, 'Record order', { parameters: { 'recorded.$': '$.orderId' } }),
    });
    const price = this.pricing.asNestedTask(this, 'Price with child workflow', { resultPath: '$.pricing' })
      .addRetry({ errors: ['StepFunctions.ExecutionLimitExceeded'] });
    const audit = this.audit.asNestedTask(this, 'Start audit trail', { resultPath: '$.audit' });
    this.parent = new Workflow(this, 'CheckoutWorkflow', {
      definition: sfn.Chain.start(price).next(audit).next(new sfn.Succeed(this, 'Checked out')),
    });
  }
}
