/**
 * The Saga's resources, ASL, security findings and validation.
 */
import { Duration } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { LANGUAGES, importedFunction, newStack, orderSaga } from './order-saga';
import { Saga, SagaStep, TryFinally, Workflow, WorkflowType } from '../../src';
import { aslOf, logicalIdOf } from '../support/asl';
import { expectNagClean } from '../support/nag';
import { snapshotOf } from '../support/snapshot';

function twoSteps(stack: ReturnType<typeof newStack>) {
  return [
    SagaStep.lambda('Reserve stock', { action: importedFunction(stack, 'reserve'), compensation: importedFunction(stack, 'release') }),
    SagaStep.lambda('Charge payment', { action: importedFunction(stack, 'charge'), compensation: importedFunction(stack, 'refund') }),
  ];
}

describe('the resources a Saga creates', () => {
  test('a queue for the records of sagas not undone: encrypted, TLS only, kept 14 days, written by the saga\'s state machine only', () => {
    const { stack, saga, stateMachine } = orderSaga(sfn.QueryLanguage.JSON_PATH);
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::SQS::Queue', 1);
    t.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    t.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          // Only the role of the state machine that runs the saga may send a record.
          {
            Sid: 'OnlyTheSagaSendsRecords',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 'sqs:SendMessage',
            Resource: { 'Fn::GetAtt': [logicalIdOf(saga.notUndoneQueue), 'Arn'] },
            Condition: { ArnNotEquals: { 'aws:PrincipalArn': [{ 'Fn::GetAtt': [logicalIdOf(stateMachine.role), 'Arn'] }] } },
          },
        ],
      },
    });
    expect(saga.notUndoneQueue.node.path).toBe('Test/Order/NotUndone');
  });

  test('recordSenders adds the roles named to those that may send records; a saga in no state machine of its stack, with none named, is refused', () => {
    const stack = newStack();
    const operator = new iam.Role(stack, 'Replayer', { assumedBy: new iam.AccountRootPrincipal() });
    const saga = new Saga(stack, 'A', { steps: twoSteps(stack), recordSenders: [operator] });
    const policy = Object.values(Template.fromStack(stack).findResources('AWS::SQS::QueuePolicy'))[0];
    expect(policy.Properties.PolicyDocument.Statement[1].Condition).toEqual({ ArnNotEquals: { 'aws:PrincipalArn': [{ 'Fn::GetAtt': [logicalIdOf(operator), 'Arn'] }] } });
    expect(saga.notUndoneQueue).toBeDefined();
    const lonely = newStack();
    new Saga(lonely, 'B', { steps: twoSteps(lonely) });
    expect(() => Template.fromStack(lonely)).toThrow("Saga 'B' runs in no state machine of its stack, so no role may send its records to its queue; "
      + "build the state machine in the saga's stack, or name the role that runs it in recordSenders");
  });

  test('fails when recordSenders is not a list of roles (plain JavaScript)', () => {
    const stack = newStack();
    expect(() => new Saga(stack, 'A', { steps: twoSteps(stack), recordSenders: 'arn:aws:iam::123456789012:role/x' as any }))
      .toThrow('Saga \'A\': recordSenders must be a list of IRoles (got string "arn:aws:iam::123456789012:role/x"); write recordSenders: [an IRole]');
  });

  test('an alarm, in the style of Workflow\'s, as soon as one record waits in the queue', () => {
    const { stack, saga } = orderSaga(sfn.QueryLanguage.JSON_PATH);
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(saga.notUndoneQueue), 'QueueName'] } }],
      Statistic: 'Maximum',
      Threshold: 1,
      Period: 300,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmDescription: '1 or more executions of saga Test/Order could not undo their steps; their records wait in queue Test/Order/NotUndone',
    });
    expect(saga.notUndoneAlarm).toBeDefined();
  });

  test('alarm options: an action on alarm and OK, a period, or no alarm', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Oncall');
    inMachine(stack, new Saga(stack, 'A', { steps: twoSteps(stack), alarm: { action: new cloudwatchActions.SnsAction(topic), period: Duration.minutes(1) } }));
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { Period: 60, AlarmActions: [{ Ref: logicalIdOf(topic) }], OKActions: [{ Ref: logicalIdOf(topic) }] });
    const quiet = newStack();
    const saga = inMachine(quiet, new Saga(quiet, 'B', { steps: twoSteps(quiet), alarm: { enabled: false }, recordRetention: Duration.days(4) }));
    Template.fromStack(quiet).resourceCountIs('AWS::CloudWatch::Alarm', 0);
    Template.fromStack(quiet).hasResourceProperties('AWS::SQS::Queue', { MessageRetentionPeriod: 4 * 24 * 3600 });
    expect(saga.notUndoneAlarm).toBeUndefined();
  });

  test('the state machine may send to the records queue, and invoke the step functions, and nothing else', () => {
    // ('cancel', the last step's compensation, can never run: nothing after the last step can fail.)
    const { stack, saga, stateMachine } = orderSaga(sfn.QueryLanguage.JSON_PATH);
    const policy = Object.entries(Template.fromStack(stack).findResources('AWS::IAM::Policy')).find(([id]) => id.startsWith('MachineRoleDefaultPolicy'))![1];
    const statements = policy.Properties.PolicyDocument.Statement;
    expect(statements).toContainEqual(expect.objectContaining({ Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [logicalIdOf(saga.notUndoneQueue), 'Arn'] } }));
    const invoked = statements.filter((s: any) => s.Action === 'lambda:InvokeFunction').flatMap((s: any) => s.Resource);
    expect(invoked.filter((r: string) => !r.endsWith(':*')).sort()).toEqual(['charge', 'refund', 'release', 'reserve', 'ship']
      .map(f => `arn:aws:lambda:us-east-1:123456789012:function:${f}`));
    expect(stateMachine).toBeDefined();
  });

  test('grantConsumeRecords lets an operator\'s role read and delete the records', () => {
    const stack = newStack();
    const saga = inMachine(stack, new Saga(stack, 'A', { steps: twoSteps(stack) }));
    const role = new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
    saga.grantConsumeRecords(role);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [Match.objectLike({ Action: Match.arrayWith(['sqs:ReceiveMessage', 'sqs:DeleteMessage']), Resource: { 'Fn::GetAtt': [logicalIdOf(saga.notUndoneQueue), 'Arn'] } })] },
    });
  });
});

/** The saga in a state machine of its stack (who may send its records is that machine's role). */
function inMachine(stack: import('aws-cdk-lib').Stack, saga: Saga): Saga {
  new sfn.StateMachine(stack, `${saga.node.id}Machine`, { definitionBody: sfn.DefinitionBody.fromChainable(saga) });
  return saga;
}

describe.each(LANGUAGES)('the ASL of a %s saga', (language, queryLanguage) => {
  test('is valid, and every Lambda step retries (actions: transient errors; compensations: every error, more)', () => {
    const { asl } = orderSaga(queryLanguage);
    expect(asl).toBeValidAsl();
    expect(asl.States['Charge payment'].Retry).toEqual([{
      ErrorEquals: ['Lambda.ClientExecutionTimeoutException', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'],
      IntervalSeconds: 1,
      MaxAttempts: 6,
      BackoffRate: 2,
      MaxDelaySeconds: 30,
      JitterStrategy: 'FULL',
    }]);
    expect(asl.States['Charge payment: undo'].Retry).toEqual([{
      ErrorEquals: ['States.ALL'], IntervalSeconds: 2, MaxAttempts: 10, BackoffRate: 2, MaxDelaySeconds: 30, JitterStrategy: 'FULL',
    }]);
    // The last step declares no own compensation: its compensation could never run, and is not created.
    expect(asl.States['Book shipping: undo']).toBeUndefined();
  });

  test('every state the saga creates declares its query language', () => {
    const { saga } = orderSaga(queryLanguage);
    const states = saga.node.findAll().filter((c): c is sfn.State => c instanceof sfn.State);
    expect(states.length).toBeGreaterThan(6);
    for (const state of states) expect([state.node.path, (state as any).queryLanguage]).toEqual([state.node.path, queryLanguage]);
  });

  test('is cdk-nag clean in a Workflow', () => {
    const stack = newStack();
    const saga = new Saga(stack, 'Order', { queryLanguage, steps: twoSteps(stack) });
    const workflow = new Workflow(stack, 'Orders', { definition: saga });
    expect(aslOf(stack, workflow)).toBeValidAsl();
    expectNagClean(stack);
    // The saga's Lambda tasks retry the transient errors: no warning from the Workflow.
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('lambdaWithoutRetry'));
  });

  test('snapshot', () => {
    const { stack } = orderSaga(queryLanguage);
    expect(snapshotOf(stack)).toMatchSnapshot();
  });

  test(`runs in a JSONPath definition too: each state declares QueryLanguage ${language}`, () => {
    const stack = newStack();
    const saga = new Saga(stack, 'Order', { queryLanguage, steps: twoSteps(stack) });
    const machine = new sfn.StateMachine(stack, 'M', { definitionBody: sfn.DefinitionBody.fromChainable(saga) });
    const asl = aslOf(stack, machine);
    expect(asl).toBeValidAsl();
    expect(asl.QueryLanguage).toBeUndefined();
    for (const state of Object.values<any>(asl.States)) {
      expect(state.QueryLanguage).toBe(language);
    }
  });
});

describe('Express workflows', () => {
  test.each([
    ['expressAsync', WorkflowType.expressAsync()],
    ['expressSync', WorkflowType.expressSync()],
  ])('a saga in an %s Workflow is allowed, with a warning that its steps must be idempotent', (_name, type) => {
    const stack = newStack();
    new Workflow(stack, 'Orders', { definition: new Saga(stack, 'Order', { steps: twoSteps(stack) }), type });
    Annotations.fromStack(stack).hasWarning('/Test/Order', Match.stringLikeRegexp(
      "^Saga 'Order' runs in the Express state machine Test/Orders/Resource, which runs each state at least once: an action or a compensation may run twice, so they must be idempotent"));
  });

  test('a saga in an Express sfn.StateMachine gets the warning too; in a Standard one, none', () => {
    const stack = newStack();
    new sfn.StateMachine(stack, 'Fast', { definitionBody: sfn.DefinitionBody.fromChainable(new Saga(stack, 'A', { steps: twoSteps(stack) })), stateMachineType: sfn.StateMachineType.EXPRESS });
    const other = newStack();
    new sfn.StateMachine(other, 'Slow', { definitionBody: sfn.DefinitionBody.fromChainable(new Saga(other, 'A', { steps: twoSteps(other) })) });
    expect(Annotations.fromStack(stack).findWarning('/Test/A', Match.stringLikeRegexp('sagaInExpressWorkflow'))).toHaveLength(1);
    expect(Annotations.fromStack(other).findWarning('*', Match.stringLikeRegexp('sagaInExpressWorkflow'))).toHaveLength(0);
  });
});

describe('Saga.idempotencyKey', () => {
  test('an intrinsic in JSONPath, an expression in JSONata, over the execution ARN and the step name', () => {
    const stack = newStack();
    expect(stack.resolve(sfn.TaskInput.fromObject({ key: Saga.idempotencyKey('Ship') }).value)).toEqual({ key: "States.Hash(States.Format('{}/Ship', $$.Execution.Id), 'SHA-256')" });
    expect(Saga.idempotencyKey('Ship', sfn.QueryLanguage.JSONATA)).toBe("{% $hash($states.context.Execution.Id & '/Ship', 'SHA-256') %}");
  });
});

describe('validation', () => {
  const fn = (stack: ReturnType<typeof newStack>) => importedFunction(stack, 'f');

  test('fails when there are no steps', () => {
    expect(() => new Saga(newStack(), 'Order', { steps: [] })).toThrow("Saga 'Order': steps must hold at least one step (got none)");
  });

  test('fails when props are left out (plain JavaScript)', () => {
    expect(() => new Saga(newStack(), 'Order', undefined as any)).toThrow("Saga 'Order': props are required (got undefined); give at least { steps }");
  });

  test('fails when two steps have the same name', () => {
    const stack = newStack();
    expect(() => new Saga(stack, 'Order', { steps: [SagaStep.lambda('Pay', { action: fn(stack) }), SagaStep.lambda('Pay', { action: importedFunction(stack, 'g') })] }))
      .toThrow("Saga 'Order': two steps are named 'Pay'; step names name states and idempotency keys, so they must be unique");
  });

  test('fails when a state name derived from the id would pass 80 characters (Saga and TryFinally)', () => {
    const stack = newStack();
    const steps = [SagaStep.lambda('Pay', { action: fn(stack) })];
    expect(new Saga(stack, 'S'.repeat(61), { steps }).node.id).toHaveLength(61);
    expect(() => new Saga(stack, 'T'.repeat(62), { steps })).toThrow(`Saga '${'T'.repeat(62)}': the state name '${'T'.repeat(62)}: record not undone' is 81 characters, `
      + 'over the 80 Step Functions allows; give an id of at most 61 characters (got 62)');
    expect(() => new TryFinally(stack, 'U'.repeat(72), { body: new sfn.Pass(stack, 'B'), cleanup: new sfn.Pass(stack, 'C') }))
      .toThrow(`TryFinally '${'U'.repeat(72)}': the state name '${'U'.repeat(72)}: finally' is 81 characters, over the 80 Step Functions allows; give an id of at most 71 characters (got 72)`);
  });

  test('fails when a JSONata saga\'s step is one state that declares no query language (its JSONata Catch would be literal text in a JSONPath machine)', () => {
    const stack = newStack();
    const plain = new tasks.LambdaInvoke(stack, 'Charge card', { lambdaFunction: importedFunction(stack, 'charge') });
    expect(() => new Saga(stack, 'Order', { queryLanguage: sfn.QueryLanguage.JSONATA, steps: [SagaStep.of('Charge', { action: plain, compensation: sfn.Pass.jsonata(stack, 'Refund') })] }))
      .toThrow("Saga 'Order': step 'Charge' is the state 'Charge card', which declares no query language, and the saga is JSONata; "
        + 'create it with its .jsonata() factory (sfn.Pass.jsonata, tasks.LambdaInvoke.jsonata...) or give it queryLanguage: sfn.QueryLanguage.JSONATA');
    // Declared, it is caught where it stands.
    const declared = tasks.LambdaInvoke.jsonata(stack, 'Charge card 2', { lambdaFunction: importedFunction(stack, 'charge2') });
    expect(new Saga(stack, 'Order2', { queryLanguage: sfn.QueryLanguage.JSONATA, steps: [SagaStep.of('Charge', { action: declared })] }).startState).toBeDefined();
  });

  test('fails when a step is not a SagaStep', () => {
    expect(() => new Saga(newStack(), 'Order', { steps: [{ name: 'x' } as any] }))
      .toThrow("Saga 'Order': steps must be a list of SagaSteps (its element 0 is an object) (got an Array); write steps: [SagaStep.lambda(...)]");
  });

  test.each(["it's", 'a/b', '', ' padded', 'x'.repeat(65)])('fails when a step name is %j', (name) => {
    expect(() => SagaStep.lambda(name, { action: fn(newStack()) })).toThrow(/^SagaStep.lambda: the step name must be 1 to 64 characters without quotes, braces, slashes, backslashes or surrounding spaces/);
  });

  test('fails when a step declares its own compensation but has none', () => {
    const stack = newStack();
    expect(() => SagaStep.lambda('Pay', { action: fn(stack), compensateFailedAction: true }))
      .toThrow("SagaStep.lambda('Pay'): compensateFailedAction is true but there is no compensation function to run; give compensation or leave compensateFailedAction out");
    expect(() => SagaStep.of('Pay', { action: new sfn.Pass(stack, 'P'), compensateFailedAction: true }))
      .toThrow("SagaStep.of('Pay'): compensateFailedAction is true but there is no compensation to run; give compensation or leave compensateFailedAction out");
  });

  test('fails when the action is missing', () => {
    expect(() => SagaStep.lambda('Pay', {} as any)).toThrow("SagaStep.lambda('Pay'): action is required (got undefined); give the Lambda function that does the step");
  });

  test.each(['a.b', 'saga', '1x'])('fails when resultField is %j', (field) => {
    expect(() => SagaStep.lambda('Pay', { action: fn(newStack()), resultField: field })).toThrow(/^SagaStep.lambda\('Pay'\): resultField/);
  });

  test.each([
    ['$.a.b', "resultPath must be a field of the payload, such as '$.reservation' (got '$.a.b')"],
    ['payment', "resultPath must be a field of the payload, such as '$.reservation' (got 'payment')"],
    ['$.saga', "resultPath '$.saga' is where a JSONPath saga keeps its failure record; choose another field"],
  ])('fails when resultPath is %j', (resultPath, message) => {
    expect(() => SagaStep.lambda('Pay', { action: fn(newStack()), resultPath })).toThrow(`SagaStep.lambda('Pay'): ${message}`);
  });

  test('fails when resultPath and the deprecated resultField are both given', () => {
    expect(() => SagaStep.lambda('Pay', { action: fn(newStack()), resultPath: '$.paid', resultField: 'paid' }))
      .toThrow("SagaStep.lambda('Pay'): resultPath and resultField are both given; keep resultPath ('$.paid') and remove resultField, which it replaces");
  });

  test.each(LANGUAGES)('resultPath \'$.payment\' and the deprecated resultField \'payment\' make the same state machine (%s)', (_name, queryLanguage) => {
    const build = (props: { resultPath?: string; resultField?: string }) => {
      const stack = newStack();
      const saga = new Saga(stack, 'Order', { queryLanguage, steps: [SagaStep.lambda('Pay', { action: fn(stack), ...props })] });
      return aslOf(stack, new Workflow(stack, 'Orders', { definition: saga, queryLanguage }));
    };
    const asl = build({ resultPath: '$.payment' });
    expect(JSON.stringify(asl)).toContain('payment');
    expect(asl).toEqual(build({ resultField: 'payment' }));
  });

  test('fails when recordRetention is outside what SQS keeps', () => {
    const stack = newStack();
    expect(() => new Saga(stack, 'Order', { steps: twoSteps(stack), recordRetention: Duration.days(15) }))
      .toThrow("Saga 'Order': recordRetention must be from 1 minute to 14 days, the limits of an SQS queue (got 15 days)");
  });

  test('fails when a JSONPath saga stands in a JSONata definition (give queryLanguage: JSONATA)', () => {
    const stack = newStack();
    const saga = new Saga(stack, 'Order', { steps: twoSteps(stack) });
    expect(() => new sfn.StateMachine(stack, 'M', { definitionBody: sfn.DefinitionBody.fromChainable(saga), queryLanguage: sfn.QueryLanguage.JSONATA }))
      .toThrow("Saga 'Test/Order': its state 'Order: begin' is JSONPath, and the state machine is JSONata; give the construct queryLanguage: sfn.QueryLanguage.JSONATA");
  });

  test('fails when the saga id cannot name states', () => {
    const stack = newStack();
    expect(() => new Saga(stack, "Bob's", { steps: twoSteps(stack) })).toThrow(/^Saga 'Bob's': the id must be 1 to 64 characters without quotes/);
  });

  test('TryFinally fails when outcomePath is not a top-level field', () => {
    const stack = newStack();
    expect(() => new TryFinally(stack, 'T', { body: new sfn.Pass(stack, 'B'), cleanup: new sfn.Pass(stack, 'C'), outcomePath: '$.a.b' }))
      .toThrow("TryFinally 'T': outcomePath must be a top-level field such as '$.outcome' (got '$.a.b')");
  });
});

test('a step whose action is written in the other language runs inside the step\'s Parallel, where the saga\'s Catch can stand', () => {
  const stack = newStack();
  const action = sfn.Pass.jsonata(stack, 'Reserve (JSONata)', { outputs: { reserved: true } });
  const saga = new Saga(stack, 'Order', { steps: [SagaStep.of('Reserve stock', { action, compensation: new sfn.Pass(stack, 'Release') }), ...twoSteps(stack).slice(1)] });
  const machine = new sfn.StateMachine(stack, 'M', { definitionBody: sfn.DefinitionBody.fromChainable(saga) });
  const asl = aslOf(stack, machine);
  expect(asl).toBeValidAsl();
  expect(asl.States['Reserve stock']).toMatchObject({ Type: 'Parallel', QueryLanguage: 'JSONPath' });
  expect(asl.States['Reserve stock'].Branches[0].States['Reserve (JSONata)'].QueryLanguage).toBe('JSONata');
});
