// A user's app in plain JavaScript, against the compiled library (lib/): every prop given the wrong
// type, as a JavaScript caller (or another jsii language) may. Prints what each construct answered.
'use strict';
const path = require('path');
const { App, Stack, Duration } = require('aws-cdk-lib');
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

process.stdout.write(JSON.stringify(answers));
