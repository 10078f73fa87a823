/**
 * Plain JavaScript (test/api/plain-app/wrong-types.js, run by Node.js against the compiled library):
 * a prop of the wrong type gets one message that names the construct, the prop, what was given and
 * what to write, never an internal TypeError, and never a silently different construct.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';
import { expectCompiledLibrary } from '../support/package';

test('every wrong type is answered with the construct, the prop, what was given and what to write', () => {
  expectCompiledLibrary();
  const answers = JSON.parse(execFileSync(process.execPath, [path.join(__dirname, 'plain-app', 'wrong-types.js')], { encoding: 'utf8' }));
  expect(answers).toEqual({
    'Workflow type as a string': 'Error: Workflow \'W\': type must be a WorkflowType (got string "EXPRESS"); write type: WorkflowType.expressAsync(...), WorkflowType.expressSync(...), WorkflowType.standard(...)',
    'Workflow timeout as a number': 'Error: Workflow \'W\': timeout must be a Duration (got number 3600); write timeout: Duration.seconds(3600) (or Duration.minutes(...), Duration.hours(...))',
    'ApprovalGate timeout as a number': 'Error: ApprovalGate \'Approve\': timeout must be a Duration (got number 3600); write timeout: Duration.seconds(3600) (or Duration.minutes(...), Duration.hours(...))',
    'ApprovalGate approverEmails as a string': 'Error: ApprovalGate \'Approve\': approverEmails must be a list of strings (got string "a@example.com"); write approverEmails: [\'a@example.com\']',
    'FanOutMap items as a string': 'Error: FanOutMap \'Lines\': items must be an ItemSource (got string "$.lines"); write items: ItemSource.jsonArray(...), ItemSource.s3Csv(...), '
      + 'ItemSource.s3Json(...), ItemSource.s3JsonLines(...), ItemSource.s3Manifest(...), ItemSource.s3Objects(...)',
    'Workflow definition as a string': 'Error: Workflow \'W\': definition must be a state or a chain of states (sfn.IChainable) (got string "Start"); write definition: new sfn.Pass(this, \'Start\') (or a chain: first.next(second))',
    'TryFinally body as a string': 'Error: TryFinally \'Guarded\': body must be a state or a chain of states (sfn.IChainable) (got string "Work"); write body: new sfn.Pass(this, \'Start\') (or a chain: first.next(second))',
    'FanOutProcessor.lambda with an ARN': 'Error: FanOutProcessor.lambda: fn must be a Lambda function (lambda.IFunction) (got string "arn:aws:lambda:us-east-1:123456789012:function:f"); write fn: lambda.Function.fromFunctionArn(this, \'Fn\', \'arn:aws:lambda:us-east-1:123456789012:function:f\')',
    'FanOutProcessor.chain with an object': 'Error: FanOutProcessor.chain: definition must be a state or a chain of states (sfn.IChainable) (got an object); write definition: new tasks.LambdaInvoke(this, \'Process\', ...) (or a chain)',
    'SagaStep.lambda with an ARN': expect.stringMatching(/^Error: SagaStep\.lambda\('Pay'\): action must be a Lambda function \(lambda\.IFunction\) \(got string "arn:aws:lambda:us-east-1:123456789012:function:pay"\); write action: lambda\.Function\.fromFunctionArn/),
    'SagaStep.lambda actionTimeout as a number': 'Error: SagaStep.lambda(\'Pay\'): actionTimeout must be a Duration (got number 30); write actionTimeout: Duration.seconds(30) (or Duration.minutes(...), Duration.hours(...))',
    'SagaStep.of action as a string': expect.stringMatching(/^Error: SagaStep\.of\('Hold'\): action must be a state or a chain of states \(sfn\.IChainable\) \(got string "Hold seat"\)/),
    'Saga recordRetention as a number': 'Error: Saga \'Order\': recordRetention must be a Duration (got number 86400); write recordRetention: Duration.seconds(86400) (or Duration.minutes(...), Duration.hours(...))',
    'ApprovalGate reminderInterval as a number': 'Error: ApprovalGate \'Approve\': reminderInterval must be a Duration (got number 600); write reminderInterval: Duration.seconds(600) (or Duration.minutes(...), Duration.hours(...))',
    'ResilientLambdaInvoke lambdaFunction as an ARN': expect.stringMatching(/^Error: ResilientLambdaInvoke 'Price': lambdaFunction must be a Lambda function \(lambda\.IFunction\) \(got string "arn:aws:lambda:us-east-1:123456789012:function:price"\)/),
    'WorkflowRestApi workflow as a state machine': 'Error: WorkflowRestApi \'Api\': workflow must be a Workflow (got a StateMachine); write workflow: new Workflow(this, \'Id\', { ... })',
    'FanOutMap processor as a function': expect.stringMatching(/^Error: FanOutMap 'Lines': processor must be a FanOutProcessor \(got an? \w+\); write processor: FanOutProcessor\.chain\(\.\.\.\), FanOutProcessor\.lambda\(\.\.\.\)$/),
    'Workflow with workflowType for type': expect.stringMatching(/^Error: Workflow 'W': workflowType is not a field of WorkflowProps; did you mean type\? \(its fields: .*\btype\b/),
    'HttpTask with methd for method': expect.stringMatching(/^Error: HttpTask 'Charge': methd is not a field of HttpTaskProps; did you mean method\?/),
    'ActivityTask with a misspelled field of aws-cdk-lib': expect.stringMatching(/^Error: ActivityTask 'Print': resultPth is not a field of ActivityTaskProps; did you mean resultPath\?/),
    'ActivityTask with a field of aws-cdk-lib': 'accepted',
  });
});
