// A user's app in plain JavaScript, against the compiled library (lib/): every prop given the wrong
// type, as a JavaScript caller (or another jsii language) may. Prints what each construct answered.
'use strict';
const path = require('path');
const { App, Stack, Duration, SecretValue } = require('aws-cdk-lib');
const lambda = require('aws-cdk-lib/aws-lambda');
const sfn = require('aws-cdk-lib/aws-stepfunctions');
const lib = require(path.join(__dirname, '..', '..', '..', 'lib'));

const answers = {};
function attempt(name, build) {
  const stack = new Stack(new App(), 'Plain');
  try {
    build(stack);
    answers[name] = 'accepted';
  } catch (e) {
    answers[name] = `${e.name}: ${e.message}`;
  }
}
const fn = stack => lambda.Function.fromFunctionArn(stack, 'Fn', 'arn:aws:lambda:us-east-1:123456789012:function:f');

attempt('Workflow type as a string', s => new lib.Workflow(s, 'W', { definition: new sfn.Pass(s, 'P'), type: 'EXPRESS' }));
attempt('Workflow timeout as a number', s => new lib.Workflow(s, 'W', { definition: new sfn.Pass(s, 'P'), timeout: 3600 }));
attempt('ApprovalGate timeout as a number', s => new lib.ApprovalGate(s, 'Approve', { timeout: 3600, summary: 's' }));
attempt('ApprovalGate approverEmails as a string', s => new lib.ApprovalGate(s, 'Approve', { timeout: Duration.hours(1), summary: 's', approverEmails: 'a@example.com' }));
attempt('FanOutMap items as a string', s => new lib.FanOutMap(s, 'Lines', { items: '$.lines', processor: lib.FanOutProcessor.lambda(fn(s)) }));
attempt('FanOutMap processor as a function', s => new lib.FanOutMap(s, 'Lines', { items: lib.ItemSource.jsonArray('$.lines'), processor: fn(s) }));

attempt('Workflow definition as a string', s => new lib.Workflow(s, 'W', { definition: 'Start' }));
attempt('TryFinally body as a string', s => new lib.TryFinally(s, 'Guarded', { body: 'Work', cleanup: new sfn.Pass(s, 'C') }));
attempt('FanOutProcessor.lambda with an ARN', () => lib.FanOutProcessor.lambda('arn:aws:lambda:us-east-1:123456789012:function:f'));
attempt('FanOutProcessor.chain with an object', () => lib.FanOutProcessor.chain({ Type: 'Pass' }));
attempt('SagaStep.lambda with an ARN', () => lib.SagaStep.lambda('Pay', { action: 'arn:aws:lambda:us-east-1:123456789012:function:pay' }));
attempt('SagaStep.lambda actionTimeout as a number', s => lib.SagaStep.lambda('Pay', { action: fn(s), actionTimeout: 30 }));
attempt('SagaStep.of action as a string', () => lib.SagaStep.of('Hold', { action: 'Hold seat' }));
attempt('Saga recordRetention as a number', s => new lib.Saga(s, 'Order', { steps: [lib.SagaStep.lambda('Pay', { action: fn(s) })], recordRetention: 86400 }));
attempt('ApprovalGate reminderInterval as a number', s => new lib.ApprovalGate(s, 'Approve', { timeout: Duration.hours(1), summary: 's', reminderInterval: 600 }));
attempt('ResilientLambdaInvoke lambdaFunction as an ARN', s => new lib.ResilientLambdaInvoke(s, 'Price', { lambdaFunction: 'arn:aws:lambda:us-east-1:123456789012:function:price' }));
attempt('WorkflowRestApi workflow as a state machine', s => new lib.WorkflowRestApi(s, 'Api', { workflow: new sfn.StateMachine(s, 'M', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(s, 'P')) }) }));

// Misspelled props: refused, never ignored (a Standard workflow built in place of the Express one asked for).
attempt('Workflow with workflowType for type', s => new lib.Workflow(s, 'W', { definition: new sfn.Pass(s, 'P'), workflowType: lib.WorkflowType.expressSync() }));
attempt('HttpTask with methd for method', s => new lib.HttpTask(s, 'Charge', {
  apiRoot: 'https://api.example.com', methd: 'POST', authorization: lib.HttpAuthorization.apiKey('x-api-key', SecretValue.secretsManager('k')),
}));
attempt('ActivityTask with a misspelled field of aws-cdk-lib', s => new lib.ActivityTask(s, 'Print', { resultPth: '$.label' }));
attempt('ActivityTask with a field of aws-cdk-lib', s => new lib.ActivityTask(s, 'Print', { resultPath: '$.label', comment: 'prints' }));

process.stdout.write(JSON.stringify(answers));
