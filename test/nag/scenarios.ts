/**
 * An app with every construct of the library in its default configuration, as a user writes it.
 * It is run against the packed library in a folder of its own (see cdk-nag-versions.test.ts), so
 * the library and aws-cdk-lib are given, not imported: the folder's versions are the ones checked.
 */
import type * as cdk from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type * as patterns from '../../src';

/** The user's own resources (functions, buckets) are created under this construct in each stack. */
export const USER_OWNED = 'UserOwned';

/** Adds one stack per construct to the app. */
export function addScenarios(app: cdk.App, lib: typeof patterns, aws: typeof cdk): void {
  const { Duration, Stack, aws_lambda: lambda, aws_s3: s3, aws_stepfunctions: sfn, aws_events: events } = aws;
  const owned = (stack: cdk.Stack) => (stack.node.tryFindChild(USER_OWNED) as Construct | undefined) ?? new Construct(stack, USER_OWNED);
  const fn = (stack: cdk.Stack, id: string) => new lambda.Function(owned(stack), id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async (event) => event;'),
  });

  const standard = new Stack(app, 'StandardWorkflow');
  const child = new lib.Workflow(standard, 'Child', { definition: new sfn.Pass(standard, 'Nothing') });
  const parent = new lib.Workflow(standard, 'Parent', {
    definition: new lib.ResilientLambdaInvoke(standard, 'Invoke', { lambdaFunction: fn(standard, 'Fn') })
      .next(child.asNestedTask(standard, 'Run child')),
  });
  parent.addSchedule('Nightly', events.Schedule.rate(Duration.days(1)));

  const express = new Stack(app, 'ExpressApi');
  const quotes = new lib.Workflow(express, 'Quotes', {
    definition: new lib.ResilientLambdaInvoke(express, 'Price', { lambdaFunction: fn(express, 'PriceFn'), payloadResponseOnly: true }),
    type: lib.WorkflowType.expressSync(),
  });
  new lib.WorkflowRestApi(express, 'Api', { workflow: quotes });

  const approval = new Stack(app, 'Approval');
  const gate = new lib.ApprovalGate(approval, 'Approve', {
    timeout: Duration.hours(1),
    summary: sfn.JsonPath.stringAt('$.summary'),
    approverEmails: ['approver@example.com'],
  });
  new lib.Workflow(approval, 'Purchases', { definition: gate.next(new sfn.Succeed(approval, 'Done')) });

  const trading = new Stack(app, 'StockTrading');
  new lib.StockTradingWorkflow(trading, 'Trading');

  const fanOut = new Stack(app, 'FanOut');
  const data = new s3.Bucket(owned(fanOut), 'Data', { enforceSSL: true });
  const processor = lib.FanOutProcessor.lambda(fn(fanOut, 'Process'));
  const inline = new lib.FanOutMap(fanOut, 'Inline', { items: lib.ItemSource.jsonArray('$.items'), processor });
  const csv = new lib.FanOutMap(fanOut, 'Csv', {
    items: lib.ItemSource.s3Csv(data, 'in/data.csv', { headers: sfn.CsvHeaders.useFirstRow() }),
    processor: lib.FanOutProcessor.lambda(fn(fanOut, 'ProcessRows')),
  });
  const objects = new lib.FanOutMap(fanOut, 'Objects', {
    items: lib.ItemSource.s3Objects(data, sfn.JsonPath.stringAt('$.prefix')),
    processor: lib.FanOutProcessor.chain(new lib.ResilientLambdaInvoke(fanOut, 'Look', { lambdaFunction: fn(fanOut, 'LookFn') })),
  });
  new lib.Workflow(fanOut, 'Fan', { definition: inline.next(csv).next(objects) });

  const httpStack = new Stack(app, 'Http');
  const payments = lib.HttpAuthorization.apiKey('x-api-key', aws.SecretValue.secretsManager('payments/api-key'));
  new lib.Workflow(httpStack, 'Payments', {
    definition: new lib.HttpTask(httpStack, 'Charge', {
      apiRoot: 'https://api.payments.example.com',
      path: 'v1/charges',
      method: lib.HttpMethod.POST,
      authorization: payments,
      body: sfn.TaskInput.fromJsonPathAt('$.charge'),
    }),
  });

  const worker = new Stack(app, 'Activity');
  const printLabel = new lib.ActivityTask(worker, 'Print label');
  printLabel.grantWorker(new aws.aws_iam.Role(owned(worker), 'WorkerRole', { assumedBy: new aws.aws_iam.ServicePrincipal('ecs-tasks.amazonaws.com') }));
  new lib.Workflow(worker, 'Shipping', { definition: printLabel });

  const containers = new Stack(app, 'Container');
  const reportDefinition = new aws.aws_ecs.FargateTaskDefinition(owned(containers), 'Report');
  reportDefinition.addContainer('app', { image: aws.aws_ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/node:22-alpine') });
  new lib.Workflow(containers, 'Nightly', {
    definition: new lib.ContainerTask(containers, 'Build report', {
      taskDefinition: reportDefinition, vpc: new aws.aws_ec2.Vpc(owned(containers), 'Vpc', { maxAzs: 2 }), command: ['node', 'report.js'],
    }),
  });

  // The same constructs in their JSONata form, in JSONata workflows.
  const jsonata = sfn.QueryLanguage.JSONATA;
  const standardJsonata = new Stack(app, 'StandardWorkflowJsonata');
  const childJsonata = new lib.Workflow(standardJsonata, 'Child', { definition: sfn.Pass.jsonata(standardJsonata, 'Nothing') });
  new lib.Workflow(standardJsonata, 'Parent', {
    definition: lib.ResilientLambdaInvoke.jsonata(standardJsonata, 'Invoke', { lambdaFunction: fn(standardJsonata, 'Fn') })
      .next(childJsonata.asNestedTask(standardJsonata, 'Run child', { queryLanguage: jsonata })),
    queryLanguage: jsonata,
  });

  const approvalJsonata = new Stack(app, 'ApprovalJsonata');
  const gateJsonata = new lib.ApprovalGate(approvalJsonata, 'Approve', {
    timeout: Duration.hours(1),
    summary: '{% $states.input.summary %}',
    approverEmails: ['approver@example.com'],
    queryLanguage: jsonata,
  });
  new lib.Workflow(approvalJsonata, 'Purchases', { definition: gateJsonata.next(sfn.Succeed.jsonata(approvalJsonata, 'Done')), queryLanguage: jsonata });

  const tradingJsonata = new Stack(app, 'StockTradingJsonata');
  new lib.StockTradingWorkflow(tradingJsonata, 'Trading', { queryLanguage: jsonata });

  const fanOutJsonata = new Stack(app, 'FanOutJsonata');
  const dataJsonata = new s3.Bucket(owned(fanOutJsonata), 'Data', { enforceSSL: true });
  const inlineJsonata = new lib.FanOutMap(fanOutJsonata, 'Inline', {
    items: lib.ItemSource.jsonArray('$.items'),
    processor: lib.FanOutProcessor.lambda(fn(fanOutJsonata, 'Process')),
    queryLanguage: jsonata,
  });
  const objectsJsonata = new lib.FanOutMap(fanOutJsonata, 'Objects', {
    items: lib.ItemSource.s3Objects(dataJsonata, '{% $states.input.prefix %}'),
    processor: lib.FanOutProcessor.lambda(fn(fanOutJsonata, 'LookFn')),
    queryLanguage: jsonata,
  });
  new lib.Workflow(fanOutJsonata, 'Fan', { definition: inlineJsonata.next(objectsJsonata), queryLanguage: jsonata });

  const saga = new Stack(app, 'Saga');
  const order = new lib.Saga(saga, 'Order', {
    steps: [
      lib.SagaStep.lambda('Reserve stock', { action: fn(saga, 'Reserve'), compensation: fn(saga, 'Release') }),
      lib.SagaStep.lambda('Charge payment', { action: fn(saga, 'Charge'), compensation: fn(saga, 'Refund'), compensateFailedAction: true }),
    ],
  });
  new lib.Workflow(saga, 'Orders', { definition: order.next(new sfn.Succeed(saga, 'Placed')) });
}
