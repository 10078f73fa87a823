/**
 * Cloud assemblies for the command-line tests, synthesized in-process into a temporary folder:
 * the example app, and a stack whose state machines the tool must refuse to run.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { CheckoutStack } from '../../examples/checkout';
import { OrderWorkflowStack } from '../../examples/order-workflow';
import { QuoteWorkflowStack } from '../../examples/quote-workflow';
import { FanOutMap, FanOutMode, FanOutProcessor, ItemSource, StockTradingWorkflow } from '../../src';

/** What `cdk synth` sets: resources carry their construct path (`aws:cdk:path`). */
const CONTEXT = { 'aws:cdk:enable-path-metadata': true };

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `cwp-${prefix}-`));
}

/** The example app (examples/app.ts) synthesized into a new folder; returns the folder. */
export function synthExampleApp(): string {
  const outdir = tempDir('assembly');
  const app = new App({ outdir, context: CONTEXT });
  new OrderWorkflowStack(app, 'OrderWorkflowExample');
  new QuoteWorkflowStack(app, 'QuoteWorkflowExample');
  new CheckoutStack(app, 'CheckoutExample');
  app.synth();
  return outdir;
}

/**
 * `Approvals`: an SNS publish (no code to run offline) then a callback task.
 * `Variables`: a Pass state with Assign (the engine runs workflow variables).
 * `Reader`: a Distributed Map reading its items from a JSON file in S3.
 * `OtherRegion`: a service integration in another region and account, which Step Functions does not call.
 * `NeedsModule`: a Lambda task whose code needs a module that is not installed.
 * `Waiter`: a Wait of 90 seconds, then a Pass state.
 * `Labeller`: a distributed FanOutMap over the input that writes its results to its own bucket.
 * `Chatty`: a function that prints.
 */
export function synthEdgeCases(): string {
  const outdir = tempDir('edge-cases');
  const app = new App({ outdir, context: CONTEXT });
  const stack = new Stack(app, 'EdgeCases');
  const topic = new sns.Topic(stack, 'Topic');
  const announce = new tasks.SnsPublish(stack, 'Announce', { topic, message: sfn.TaskInput.fromJsonPathAt('$') });
  const approve = new tasks.SnsPublish(stack, 'Wait for approval', {
    topic,
    integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
    message: sfn.TaskInput.fromObject({ token: sfn.JsonPath.taskToken }),
  });
  new sfn.StateMachine(stack, 'Approvals', { definitionBody: sfn.DefinitionBody.fromChainable(announce.next(approve)) });
  new sfn.StateMachine(stack, 'Variables', {
    definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Remember', { assign: { seen: true }, outputPath: '$' })
      .next(new sfn.Pass(stack, 'Recall', { parameters: { 'seen.$': '$seen' } }))),
  });
  const bucket = new s3.Bucket(stack, 'Items');
  const each = new sfn.DistributedMap(stack, 'Each', { itemReader: new sfn.S3JsonItemReader({ bucket, key: 'items.json' }) });
  each.itemProcessor(new sfn.Pass(stack, 'Item'));
  new sfn.StateMachine(stack, 'Reader', { definitionBody: sfn.DefinitionBody.fromChainable(each) });
  const elsewhere = new sfn.CustomState(stack, 'Notify Ireland', {
    stateJson: { Type: 'Task', Resource: 'arn:aws:states:eu-west-1:999999999999:sns:publish', Parameters: { TopicArn: 't', Message: 'm' } },
  });
  new sfn.StateMachine(stack, 'OtherRegion', { definitionBody: sfn.DefinitionBody.fromChainable(elsewhere) });
  const needs = new lambda.Function(stack, 'NeedsModuleFn', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline("const db = require('module-that-is-not-installed'); exports.handler = async () => db.get();"),
  });
  new sfn.StateMachine(stack, 'NeedsModule', {
    definitionBody: sfn.DefinitionBody.fromChainable(new tasks.LambdaInvoke(stack, 'Look up', { lambdaFunction: needs, payloadResponseOnly: true })),
  });
  const chatty = new lambda.Function(stack, 'ChattyFn', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async (e) => { console.log("pricing order %s", e.orderId); console.error("no discount"); return { ...e, total: 12 }; };'),
  });
  const labels = new FanOutMap(stack, 'Labels', {
    items: ItemSource.jsonArray('$.parcels'),
    mode: FanOutMode.DISTRIBUTED,
    processor: FanOutProcessor.lambda(new lambda.Function(stack, 'LabelFn', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async (parcel) => ({ label: `parcel ${parcel.id}` });'),
    })),
  });
  new sfn.StateMachine(stack, 'Labeller', { definitionBody: sfn.DefinitionBody.fromChainable(labels) });
  new sfn.StateMachine(stack, 'Waiter', {
    definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Wait(stack, 'Pause', { time: sfn.WaitTime.duration(Duration.seconds(90)) })
      .next(new sfn.Pass(stack, 'After'))),
  });
  new sfn.StateMachine(stack, 'Chatty', {
    definitionBody: sfn.DefinitionBody.fromChainable(new tasks.LambdaInvoke(stack, 'Price', { lambdaFunction: chatty, payloadResponseOnly: true })),
  });
  app.synth();
  return outdir;
}

/** A StockTradingWorkflow (`Desk/Trades/Workflow`): its ApprovalGate and sample functions need the AWS SDK. */
export function synthTrading(): string {
  const outdir = tempDir('trading');
  const app = new App({ outdir, context: CONTEXT });
  new StockTradingWorkflow(new Stack(app, 'Desk'), 'Trades', { approval: { approverEmails: ['desk@example.com'] } });
  app.synth();
  return outdir;
}
