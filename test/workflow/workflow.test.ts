import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { LambdaRetry, ResilientLambdaInvoke, Saga, SagaStep, Workflow, WorkflowType } from '../../src';
import { aslOf, arnOf, logicalIdOf } from '../support/asl';
import { TaskFailure, runLocally } from '../support/local-execution';
import { expectNagClean, nagFindings } from '../support/nag';
import { snapshotOf } from '../support/snapshot';
import { synthErrors } from '../support/synth';

function newStack() {
  return new Stack(new App(), 'Test', { env: { account: '123456789012', region: 'us-east-1' } });
}

function fn(stack: Stack, id = 'Fn') {
  return new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_20_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async (e) => e'),
  });
}


describe('Workflow defaults', () => {
  test('a Standard state machine, logged at ALL without execution data, traced, with four alarms', () => {
    const stack = newStack();
    const workflow = new Workflow(stack, 'Orders', { definition: new sfn.Pass(stack, 'Start') });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: false,
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OrdersLogs'), 'Arn'] } } }],
      },
    });
    const machine = Object.values(t.findResources('AWS::StepFunctions::StateMachine'))[0];
    expect(JSON.stringify(machine.Properties.DefinitionString)).not.toContain('TimeoutSeconds');
    t.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: Match.stringLikeRegexp('^/aws/vendedlogs/states/Test-Orders-'),
      RetentionInDays: 365,
    });
    t.resourceCountIs('AWS::CloudWatch::Alarm', 4);
    for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionThrottled', 'ExecutionsAborted']) {
      t.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: metric,
        Namespace: 'AWS/States',
        Threshold: 1,
        Period: 300,
        EvaluationPeriods: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
    }
    expect(workflow.alarms).toHaveLength(4);
    expect(workflow.type.toString()).toBe('STANDARD');
  });

  test.each([
    ['expressAsync', WorkflowType.expressAsync(), 'EXPRESS (ASYNC)'],
    ['expressSync', WorkflowType.expressSync(), 'EXPRESS (SYNC)'],
  ])('%s is an EXPRESS state machine limited to 5 minutes', (_name, type, label) => {
    const stack = newStack();
    const workflow = new Workflow(stack, 'Fast', { definition: new sfn.Pass(stack, 'Start'), type });
    Template.fromStack(stack).hasResourceProperties('AWS::StepFunctions::StateMachine', { StateMachineType: 'EXPRESS' });
    expect(aslOf(stack, workflow).TimeoutSeconds).toBe(300);
    expect(workflow.type.toString()).toBe(label);
  });

  test('snapshot of a default Standard workflow', () => {
    const stack = newStack();
    new Workflow(stack, 'Orders', { definition: new sfn.Pass(stack, 'Start') });
    expect(snapshotOf(stack)).toMatchSnapshot();
  });

  test.each([
    ['standard', WorkflowType.standard()],
    ['expressAsync', WorkflowType.expressAsync()],
    ['expressSync', WorkflowType.expressSync()],
  ])('a default %s workflow is cdk-nag clean', (_name, type) => {
    const stack = newStack();
    const workflow = new Workflow(stack, 'W', { definition: new sfn.Pass(stack, 'Start').next(new sfn.Succeed(stack, 'Done')), type });
    expect(aslOf(stack, workflow)).toBeValidAsl();
    expectNagClean(stack);
  });
});

test.each(['JSONPath', 'JSONata'])('the versions (ARN:*) CDK grants for Lambda tasks are named for cdk-nag, for the functions the workflow invokes only, in %s', language => {
  const stack = newStack();
  const invoked = fn(stack, 'Invoked');
  const direct = fn(stack, 'Direct');
  fn(stack, 'NotInvoked');
  const invoke = language === 'JSONata' ? ResilientLambdaInvoke.jsonata : ResilientLambdaInvoke.jsonPath;
  const workflow = new Workflow(stack, 'W', {
    definition: invoke(stack, 'Call', { lambdaFunction: invoked })
      .next(invoke(stack, 'Call directly', { lambdaFunction: direct, payloadResponseOnly: true })),
  });
  expect(aslOf(stack, workflow).QueryLanguage).toBe(language);
  expect(aslOf(stack, workflow)).toBeValidAsl();
  // (The test functions themselves have findings of their own: runtime, managed policy.)
  expect(nagFindings(stack).filter(f => f.includes('AwsSolutions-IAM5'))).toEqual([]);
  const policy = Object.entries(Template.fromStack(stack).findResources('AWS::IAM::Policy')).find(([id]) => id.startsWith('WRoleDefaultPolicy'))![1];
  const suppression = policy.Metadata.cdk_nag.rules_to_suppress.find((r: any) => r.reason.startsWith("CDK's Lambda tasks"));
  expect(suppression.applies_to).toEqual([`Resource::<${logicalIdOf(invoked)}.Arn>:*`, `Resource::<${logicalIdOf(direct)}.Arn>:*`]);
});

describe('Workflow options', () => {
  test('logging: level, execution data, retention, removal policy', () => {
    const stack = newStack();
    new Workflow(stack, 'W', {
      definition: new sfn.Pass(stack, 'Start'),
      logging: { level: sfn.LogLevel.ERROR, includeExecutionData: true, retention: logs.RetentionDays.ONE_WEEK },
    });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::StepFunctions::StateMachine', { LoggingConfiguration: { Level: 'ERROR', IncludeExecutionData: true } });
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
  });

  test('logging to a given log group creates none', () => {
    const stack = newStack();
    const logGroup = new logs.LogGroup(stack, 'Mine', { logGroupName: '/aws/vendedlogs/states/mine' });
    const workflow = new Workflow(stack, 'W', { definition: new sfn.Pass(stack, 'Start'), logging: { logGroup } });
    Template.fromStack(stack).resourceCountIs('AWS::Logs::LogGroup', 1);
    expect(workflow.logGroup).toBe(logGroup);
  });

  test('logging off', () => {
    const stack = newStack();
    const workflow = new Workflow(stack, 'W', { definition: new sfn.Pass(stack, 'Start'), logging: { enabled: false } });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::Logs::LogGroup', 0);
    t.hasResourceProperties('AWS::StepFunctions::StateMachine', { LoggingConfiguration: Match.absent() });
    expect(workflow.logGroup).toBeUndefined();
  });

  test('tracing off', () => {
    const stack = newStack();
    new Workflow(stack, 'W', { definition: new sfn.Pass(stack, 'Start'), tracing: false });
    Template.fromStack(stack).hasResourceProperties('AWS::StepFunctions::StateMachine', { TracingConfiguration: { Enabled: false } });
  });

  test('alarms: thresholds, period, an action, one turned off', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Alarms');
    const workflow = new Workflow(stack, 'W', {
      definition: new sfn.Pass(stack, 'Start'),
      alarms: { failedThreshold: 5, abortedThreshold: 0, period: Duration.minutes(1), action: new cloudwatchActions.SnsAction(topic) },
    });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::CloudWatch::Alarm', 3);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ExecutionsFailed',
      Threshold: 5,
      Period: 60,
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^Alarms') }],
      OKActions: [{ Ref: Match.stringLikeRegexp('^Alarms') }],
    });
    expect(Object.values(t.findResources('AWS::CloudWatch::Alarm')).map(a => a.Properties.MetricName)).not.toContain('ExecutionsAborted');
    expect(workflow.alarms).toHaveLength(3);
  });

  test('alarms off', () => {
    const stack = newStack();
    new Workflow(stack, 'W', { definition: new sfn.Pass(stack, 'Start'), alarms: { enabled: false } });
    Template.fromStack(stack).resourceCountIs('AWS::CloudWatch::Alarm', 0);
  });

  test('a customer managed key encrypts the state machine', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    new Workflow(stack, 'W', { definition: new sfn.Pass(stack, 'Start'), encryptionKey: key });
    Template.fromStack(stack).hasResourceProperties('AWS::StepFunctions::StateMachine', {
      EncryptionConfiguration: { Type: 'CUSTOMER_MANAGED_KMS_KEY', KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] }, KmsDataKeyReusePeriodSeconds: 300 },
    });
  });

  test('timeout and name', () => {
    const stack = newStack();
    const workflow = new Workflow(stack, 'W', { definition: new sfn.Pass(stack, 'Start'), timeout: Duration.hours(2), workflowName: 'orders' });
    expect(aslOf(stack, workflow).TimeoutSeconds).toBe(7200);
    Template.fromStack(stack).hasResourceProperties('AWS::StepFunctions::StateMachine', { StateMachineName: 'orders' });
  });

  test('grants and metrics pass through to the state machine', () => {
    const stack = newStack();
    const workflow = new Workflow(stack, 'W', { definition: new sfn.Pass(stack, 'Start'), type: WorkflowType.expressSync() });
    const role = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    workflow.grantStartExecution(role);
    workflow.grantStartSyncExecution(role);
    workflow.grantRead(role);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'states:StartExecution', Resource: { Ref: Match.stringLikeRegexp('^W') } }),
          Match.objectLike({ Action: 'states:StartSyncExecution', Resource: { Ref: Match.stringLikeRegexp('^W') } }),
        ]),
      },
    });
    expect(workflow.metricFailed().metricName).toBe('ExecutionsFailed');
    expect(workflow.metricThrottled().metricName).toBe('ExecutionThrottled');
    expect(workflow.metricTimedOut().metricName).toBe('ExecutionsTimedOut');
    expect(workflow.metricAborted().metricName).toBe('ExecutionsAborted');
  });
});

describe('Workflow guardrails', () => {
  const express = WorkflowType.expressAsync();

  test('fails when an Express workflow waits for a task token, even inside a Parallel branch', () => {
    const stack = newStack();
    const callback = new tasks.SnsPublish(stack, 'Ask approval', {
      topic: new sns.Topic(stack, 'T'),
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      message: sfn.TaskInput.fromObject({ token: sfn.JsonPath.taskToken }),
    });
    new Workflow(stack, 'W', { definition: new sfn.Parallel(stack, 'Both').branch(callback), type: express });
    expect(synthErrors(stack)).toContain(
      "Workflow 'W': state 'Ask approval' (in branch 1 of Parallel 'Both') waits for a task token (.waitForTaskToken), which an EXPRESS (ASYNC) workflow cannot do; use WorkflowType.standard(), or call the service without waiting");
  });

  test('fails when an Express workflow runs a job to completion inside a Map', () => {
    const stack = newStack();
    const child = new Workflow(stack, 'Child', { definition: new sfn.Pass(stack, 'Inner') });
    const map = new sfn.Map(stack, 'Each').itemProcessor(child.asNestedTask(stack, 'Run child'));
    new Workflow(stack, 'W', { definition: map, type: WorkflowType.expressSync() });
    expect(synthErrors(stack)).toContain(
      "Workflow 'W': state 'Run child' (in the item processor of Map 'Each') runs a job to completion (.sync), which an EXPRESS (SYNC) workflow cannot do; use WorkflowType.standard(), or start the job without waiting (REQUEST_RESPONSE)");
  });

  test('fails when an Express workflow runs an Activity', () => {
    const stack = newStack();
    const activity = new sfn.Activity(stack, 'Act');
    new Workflow(stack, 'W', { definition: new tasks.StepFunctionsInvokeActivity(stack, 'Do work', { activity }), type: express });
    expect(synthErrors(stack)).toContain("Workflow 'W': state 'Do work' (in the workflow) is an Activity task, which an EXPRESS (ASYNC) workflow cannot run; use WorkflowType.standard()");
  });

  test('fails when an Express workflow waits longer than 5 minutes, reached through a Catch', () => {
    const stack = newStack();
    const wait = new sfn.Wait(stack, 'Back off', { time: sfn.WaitTime.duration(Duration.minutes(10)) });
    const task = new ResilientLambdaInvoke(stack, 'Call', { lambdaFunction: fn(stack) }).addCatch(wait);
    new Workflow(stack, 'W', { definition: task, type: express });
    expect(synthErrors(stack)).toContain(
      "Workflow 'W': state 'Back off' (in the workflow) waits 600 seconds, longer than the 5 minutes an EXPRESS (ASYNC) workflow may run; wait at most 300 seconds or use WorkflowType.standard()");
  });

  test('lists every offending state at once', () => {
    const stack = newStack();
    const w1 = new sfn.Wait(stack, 'W1', { time: sfn.WaitTime.duration(Duration.minutes(6)) });
    const w2 = new sfn.Wait(stack, 'W2', { time: sfn.WaitTime.duration(Duration.minutes(7)) });
    new Workflow(stack, 'W', { definition: w1.next(w2), type: express });
    const message = synthErrors(stack);
    expect(message).toContain("state 'W1'");
    expect(message).toContain("state 'W2'");
  });

  test('a Standard workflow may do all of that', () => {
    const stack = newStack();
    const wait = new sfn.Wait(stack, 'Long', { time: sfn.WaitTime.duration(Duration.days(3)) });
    const activity = new tasks.StepFunctionsInvokeActivity(stack, 'Do work', { activity: new sfn.Activity(stack, 'Act') });
    new Workflow(stack, 'W', { definition: wait.next(activity) });
    expect(synthErrors(stack)).toBe('');
  });

  test('warns when an Express wait is read from the input', () => {
    const stack = newStack();
    new Workflow(stack, 'W', { definition: new sfn.Wait(stack, 'Later', { time: sfn.WaitTime.secondsPath('$.delay') }), type: express });
    Annotations.fromStack(stack).hasWarning('/Test/W', Match.stringLikeRegexp("state 'Later' \\(in the workflow\\) waits for a time read from the input"));
  });

  test('fails when an Express timeout is over 5 minutes', () => {
    const stack = newStack();
    expect(() => new Workflow(stack, 'W', { definition: new sfn.Pass(stack, 'P'), type: express, timeout: Duration.minutes(6) }))
      .toThrow("Workflow 'W': an EXPRESS (ASYNC) workflow runs for at most 5 minutes, so timeout must be 5 minutes or less (got 6 minutes); shorten it or use WorkflowType.standard()");
  });

  test('fails when the timeout is under a second or over a year', () => {
    expect(() => new Workflow(newStack(), 'W', { definition: new sfn.Pass(newStack(), 'P'), timeout: Duration.millis(10) }))
      .toThrow("Workflow 'W': timeout must be a whole number of seconds, at least 1 (got 10 millis)");
    const stack = newStack();
    expect(() => new Workflow(stack, 'W', { definition: new sfn.Pass(stack, 'P'), timeout: Duration.days(366) }))
      .toThrow("Workflow 'W': timeout must be at most 365 days (got 366 days)");
  });

  test('fails when the timeout is 0 seconds; 1 second is the least accepted', () => {
    const stack = newStack();
    expect(() => new Workflow(stack, 'W', { definition: new sfn.Pass(stack, 'P'), timeout: Duration.seconds(0) }))
      .toThrow("Workflow 'W': timeout must be a whole number of seconds, at least 1 (got 0 seconds)");
    const least = newStack();
    expect(aslOf(least, new Workflow(least, 'W', { definition: new sfn.Pass(least, 'P'), timeout: Duration.seconds(1) })).TimeoutSeconds).toBe(1);
  });

  test('an Express wait of exactly 300 seconds is accepted, 301 is not', () => {
    const stack = newStack();
    new Workflow(stack, 'W', { definition: new sfn.Wait(stack, 'Five minutes', { time: sfn.WaitTime.duration(Duration.seconds(300)) }), type: express });
    expect(synthErrors(stack)).toBe('');
    const over = newStack();
    new Workflow(over, 'W', { definition: new sfn.Wait(over, 'Longer', { time: sfn.WaitTime.duration(Duration.seconds(301)) }), type: express });
    expect(synthErrors(over)).toContain("state 'Longer' (in the workflow) waits 301 seconds");
  });

  test('fails when a state name is over 80 characters; 80 is accepted', () => {
    const stack = newStack();
    new Workflow(stack, 'W', { definition: new sfn.Pass(stack, 'P', { stateName: 'x'.repeat(81) }) });
    expect(synthErrors(stack)).toContain(`Workflow 'W': state '${'x'.repeat(81)}' (in the workflow) has a name of 81 characters, over the 80 Step Functions allows; give it a shorter name (or its construct a shorter id)`);
    const exact = newStack();
    new Workflow(exact, 'W', { definition: new sfn.Pass(exact, 'P', { stateName: 'x'.repeat(80) }) });
    expect(synthErrors(exact)).toBe('');
  });

  test('fails when logging is off but logging options are set', () => {
    const stack = newStack();
    expect(() => new Workflow(stack, 'W', { definition: new sfn.Pass(stack, 'P'), logging: { enabled: false, includeExecutionData: true } }))
      .toThrow("Workflow 'W': logging is turned off (enabled: false) but logging options are set; remove them or turn logging on");
  });

  test('fails when an alarm threshold is negative', () => {
    const stack = newStack();
    expect(() => new Workflow(stack, 'W', { definition: new sfn.Pass(stack, 'P'), alarms: { throttledThreshold: -1 } }))
      .toThrow("Workflow 'W': alarm thresholds must be 0 (no alarm) or more (got -1 for ThrottledAlarm)");
  });

  test('fails when a synchronous start is granted on a Standard workflow', () => {
    const stack = newStack();
    const workflow = new Workflow(stack, 'W', { definition: new sfn.Pass(stack, 'P') });
    expect(() => workflow.grantStartSyncExecution(new iam.Role(stack, 'R', { assumedBy: new iam.AccountRootPrincipal() })))
      .toThrow("Workflow 'W': grantStartSyncExecution applies to Express workflows only (this one is STANDARD); use grantStartExecution");
  });
});

describe('Lambda retries', () => {
  test('LambdaRetry adds the recommended retry', () => {
    const stack = newStack();
    const task = new tasks.LambdaInvoke(stack, 'Call', { lambdaFunction: fn(stack), retryOnServiceExceptions: false });
    LambdaRetry.addTo(task, { maxAttempts: 3 });
    const workflow = new Workflow(stack, 'W', { definition: task });
    expect(aslOf(stack, workflow).States.Call.Retry).toEqual([{
      ErrorEquals: ['Lambda.ClientExecutionTimeoutException', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'],
      IntervalSeconds: 1,
      MaxAttempts: 3,
      BackoffRate: 2,
      MaxDelaySeconds: 30,
      JitterStrategy: 'FULL',
    }]);
  });

  test('ResilientLambdaInvoke replaces CDK\'s service-exception retry', () => {
    const stack = newStack();
    const workflow = new Workflow(stack, 'W', { definition: new ResilientLambdaInvoke(stack, 'Call', { lambdaFunction: fn(stack), transientRetry: { interval: Duration.seconds(2) } }) });
    const retry = aslOf(stack, workflow).States.Call.Retry;
    expect(retry).toHaveLength(1);
    expect(retry[0]).toMatchObject({ ErrorEquals: LambdaRetry.TRANSIENT_ERRORS, IntervalSeconds: 2, JitterStrategy: 'FULL' });
    Annotations.fromStack(stack).hasNoWarning('/Test/W', Match.stringLikeRegexp('does not retry'));
  });

  test('warns about a Lambda task without the transient retry', () => {
    const stack = newStack();
    new Workflow(stack, 'W', { definition: new tasks.LambdaInvoke(stack, 'Bare call', { lambdaFunction: fn(stack) }) });
    Annotations.fromStack(stack).hasWarning('/Test/W', Match.stringLikeRegexp(
      "Lambda state 'Bare call' \\(in the workflow\\) does not retry the transient errors .*Lambda.TooManyRequestsException; use ResilientLambdaInvoke or LambdaRetry.addTo\\(task\\)"));
  });

  test.each(['States.TaskFailed', 'States.ALL'])('a %s retry covers the transient Lambda errors: no warning', error => {
    const stack = newStack();
    const task = new tasks.LambdaInvoke(stack, 'Covered call', { lambdaFunction: fn(stack), retryOnServiceExceptions: false }).addRetry({ errors: [error] });
    new Workflow(stack, 'W', { definition: task });
    Annotations.fromStack(stack).hasNoWarning('/Test/W', Match.stringLikeRegexp('does not retry'));
  });

  test('warns about a Lambda task whose retry leaves out one transient error', () => {
    const stack = newStack();
    const task = new tasks.LambdaInvoke(stack, 'Partly covered', { lambdaFunction: fn(stack), retryOnServiceExceptions: false })
      .addRetry({ errors: LambdaRetry.TRANSIENT_ERRORS.filter(e => e !== 'Lambda.ClientExecutionTimeoutException') });
    new Workflow(stack, 'W', { definition: task });
    Annotations.fromStack(stack).hasWarning('/Test/W', Match.stringLikeRegexp("Lambda state 'Partly covered'"));
  });

  test('ResilientLambdaInvoke.jsonata() is a JSONata task with the library\'s retry', () => {
    const stack = newStack();
    const call = ResilientLambdaInvoke.jsonata(stack, 'Call', { lambdaFunction: fn(stack), outputs: '{% $states.result.Payload %}' });
    const workflow = new Workflow(stack, 'W', { definition: call });
    const state = aslOf(stack, workflow).States.Call;
    expect(state).toMatchObject({ QueryLanguage: 'JSONata', Arguments: { FunctionName: expect.anything(), Payload: '{% $states.input %}' }, Output: '{% $states.result.Payload %}' });
    expect(state.Retry).toEqual([expect.objectContaining({ ErrorEquals: LambdaRetry.TRANSIENT_ERRORS, JitterStrategy: 'FULL' })]);
    expect(workflow.queryLanguage).toBe(sfn.QueryLanguage.JSONATA);
  });

  test('fails when ResilientLambdaInvoke.jsonPath() is in a JSONata workflow', () => {
    const stack = newStack();
    const call = ResilientLambdaInvoke.jsonPath(stack, 'Call', { lambdaFunction: fn(stack) });
    expect(() => new Workflow(stack, 'W', { definition: call, queryLanguage: sfn.QueryLanguage.JSONATA }))
      .toThrow("Workflow 'W': state 'Call' (in the workflow) is JSONPath (it declares QueryLanguage JSONPath), and in a JSONata workflow every state must be JSONata");
  });

  test('fails when LambdaRetry options are out of range', () => {
    expect(() => LambdaRetry.props({ maxAttempts: 0 })).toThrow('LambdaRetry: maxAttempts must be a whole number from 1 to 99999999 (got 0)');
    expect(() => LambdaRetry.props({ backoffRate: 0.5 })).toThrow('LambdaRetry: backoffRate must be 1 or more (got 0.5)');
  });

  test('fails when ResilientLambdaInvoke is asked for CDK\'s own retry', () => {
    const stack = newStack();
    expect(() => new ResilientLambdaInvoke(stack, 'Call', { lambdaFunction: fn(stack), retryOnServiceExceptions: true }))
      .toThrow("ResilientLambdaInvoke 'Call': retryOnServiceExceptions must be left out (got true); this task retries transient errors itself, configure it with transientRetry");
  });

  describe.each(['JSONPath', 'JSONata'])('local execution, %s', language => {
    function flakyWorkflow() {
      const stack = newStack();
      const flaky = fn(stack, 'Flaky');
      const transientRetry = { maxAttempts: 3 };
      const call = language === 'JSONata'
        ? new ResilientLambdaInvoke(stack, 'Charge card', { lambdaFunction: flaky, queryLanguage: sfn.QueryLanguage.JSONATA, outputs: '{% $states.result.Payload %}', transientRetry })
          .addCatch(sfn.Fail.jsonata(stack, 'Charge failed', { error: 'ChargeFailed' }))
        : new ResilientLambdaInvoke(stack, 'Charge card', { lambdaFunction: flaky, queryLanguage: sfn.QueryLanguage.JSON_PATH, payloadResponseOnly: true, transientRetry })
          .addCatch(sfn.Fail.jsonPath(stack, 'Charge failed', { error: 'ChargeFailed' }), { resultPath: '$.error' });
      const workflow = new Workflow(stack, 'W', { definition: call.next(new sfn.Succeed(stack, 'Charged')) });
      expect(workflow.queryLanguage).toBe(language === 'JSONata' ? sfn.QueryLanguage.JSONATA : sfn.QueryLanguage.JSON_PATH);
      expect(aslOf(stack, workflow)).toBeValidAsl();
      return { asl: aslOf(stack, workflow), flakyArn: arnOf(flaky) };
    }

    test('a throttled Lambda is retried with the helper\'s policy, then succeeds', async () => {
      const { asl, flakyArn } = flakyWorkflow();
      let calls = 0;
      const run = await runLocally(asl, {
        input: { amount: 10 },
        resources: { [flakyArn]: (e: any) => (++calls <= 2 ? (() => { throw new TaskFailure('Lambda.TooManyRequestsException', 'Rate exceeded'); })() : { ...e, charged: true }) },
      });
      expect(run.status).toBe('SUCCEEDED');
      expect(run.output).toEqual({ amount: 10, charged: true });
      expect(run.retries).toEqual([
        { state: 'Charge card', error: 'Lambda.TooManyRequestsException', attempt: 1 },
        { state: 'Charge card', error: 'Lambda.TooManyRequestsException', attempt: 2 },
      ]);
      expect(run.path).toEqual(['Charge card', 'Charged']);
      expect(run.transitions).toBe(4);
    });

    test('the Catch path is taken when retries run out', async () => {
      const { asl, flakyArn } = flakyWorkflow();
      const run = await runLocally(asl, {
        input: { amount: 10 },
        resources: { [flakyArn]: () => { throw new TaskFailure('Lambda.ServiceException', 'Internal error'); } },
      });
      expect(run.status).toBe('FAILED');
      expect(run.error).toBe('ChargeFailed');
      expect(run.retries.map(r => r.attempt)).toEqual([1, 2, 3]);
      expect(run.catches).toEqual([{ state: 'Charge card', error: 'Lambda.ServiceException', next: 'Charge failed' }]);
      expect(run.path).toEqual(['Charge card', 'Charge failed']);
      expect(run.transitions).toBe(5);
    });

    test('a client execution timeout, the first transient error AWS lists, is retried', async () => {
      const { asl, flakyArn } = flakyWorkflow();
      let calls = 0;
      const run = await runLocally(asl, {
        input: { amount: 10 },
        resources: { [flakyArn]: (e: any) => (++calls === 1 ? (() => { throw new TaskFailure('Lambda.ClientExecutionTimeoutException', 'Client execution timed out'); })() : { ...e, charged: true }) },
      });
      expect(run.status).toBe('SUCCEEDED');
      expect(run.retries).toEqual([{ state: 'Charge card', error: 'Lambda.ClientExecutionTimeoutException', attempt: 1 }]);
      expect(run.path).toEqual(['Charge card', 'Charged']);
    });

    test('a non-transient error is not retried', async () => {
      const { asl, flakyArn } = flakyWorkflow();
      const run = await runLocally(asl, { resources: { [flakyArn]: () => { throw new TaskFailure('CardDeclined', 'no funds'); } } });
      expect(run.retries).toEqual([]);
      expect(run.path).toEqual(['Charge card', 'Charge failed']);
    });
  });
});

describe('triggers', () => {
  test('a schedule starts a Standard workflow with EventBridge retries', () => {
    const stack = newStack();
    const workflow = new Workflow(stack, 'W', { definition: new sfn.Pass(stack, 'P') });
    workflow.addSchedule('Nightly', events.Schedule.cron({ hour: '2', minute: '0' }), { input: events.RuleTargetInput.fromObject({ kind: 'nightly' }) });
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(0 2 * * ? *)',
      Targets: [Match.objectLike({
        Arn: { Ref: Match.stringLikeRegexp('^W') },
        Input: '{"kind":"nightly"}',
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
      })],
    });
  });

  test('an event pattern starts an async Express workflow', () => {
    const stack = newStack();
    const workflow = new Workflow(stack, 'W', { definition: new sfn.Pass(stack, 'P'), type: WorkflowType.expressAsync() });
    workflow.addEventTrigger('OnUpload', { source: ['aws.s3'], detailType: ['Object Created'] });
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['aws.s3'], 'detail-type': ['Object Created'] },
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^W') } })],
    });
  });

  test('fails when a trigger would start a synchronous Express workflow', () => {
    const stack = newStack();
    const workflow = new Workflow(stack, 'W', { definition: new sfn.Pass(stack, 'P'), type: WorkflowType.expressSync() });
    expect(() => workflow.addSchedule('Nightly', events.Schedule.rate(Duration.days(1))))
      .toThrow("Workflow 'W': trigger 'Nightly' would start an EXPRESS (SYNC) workflow asynchronously, and nobody would wait for its result; use WorkflowType.expressAsync() or WorkflowType.standard()");
  });

  test('fails when retry attempts are out of range', () => {
    const stack = newStack();
    const workflow = new Workflow(stack, 'W', { definition: new sfn.Pass(stack, 'P') });
    expect(() => workflow.addSchedule('Nightly', events.Schedule.rate(Duration.days(1)), { retryAttempts: 200 }))
      .toThrow("Workflow 'W': trigger 'Nightly' retryAttempts must be a whole number from 0 to 185 (got 200)");
  });
});

describe('nested workflows', () => {
  test('fails when two states share a name (a saga step named like another state): one message naming the workflow, the name and both states', () => {
    const stack = newStack();
    const pay = lambda.Function.fromFunctionArn(stack, 'PayFn', 'arn:aws:lambda:us-east-1:123456789012:function:pay');
    const saga = new Saga(stack, 'Order', { steps: [SagaStep.lambda('Pay', { action: pay })] });
    expect(() => new Workflow(stack, 'Orders', { definition: new sfn.Pass(stack, 'Pay').next(saga) }))
      .toThrow("Workflow 'Orders': two states are named 'Pay' (Saga 'Order' (Test/Order/Pay), Test/Pay); a workflow's state names are unique: rename one "
        + "(a Saga step's name, a construct's id or stateName, or the stateName of your own state)");
  });

  test('fails when the nested task\'s input is written in the other query language', () => {
    const stack = newStack();
    const child = new Workflow(stack, 'Child', { definition: new sfn.Pass(stack, 'Inner') });
    expect(() => child.asNestedTask(stack, 'Run child', { queryLanguage: sfn.QueryLanguage.JSONATA, input: sfn.TaskInput.fromObject({ 'order.$': '$.order' }) }))
      .toThrow("Workflow 'Child': nested task 'Run child': input holds the JSONPath field 'order.$', and it is JSONata, where it would pass as a literal");
    expect(() => child.asNestedTask(stack, 'Run again', { input: sfn.TaskInput.fromObject({ order: '{% $states.input.order %}' }) }))
      .toThrow("Workflow 'Child': nested task 'Run again': input holds a JSONata expression at 'order'");
  });

  test('a Standard child runs to completion, associated with the parent', () => {
    const stack = newStack();
    const child = new Workflow(stack, 'Child', { definition: new sfn.Pass(stack, 'Inner') });
    const parent = new Workflow(stack, 'Parent', { definition: child.asNestedTask(stack, 'Run child', { outputPath: '$.Output' }) });
    const state = aslOf(stack, parent).States['Run child'];
    expect(state.Resource).toBe('arn:aws:states:::states:startExecution.sync:2');
    expect(state.Parameters).toEqual({
      'Input.$': String.raw`States.JsonMerge($, States.StringToJson(States.Format('\{"AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID":"{}"\}', $$.Execution.Id)), false)`,
      'StateMachineArn': arnOf(child),
    });
    expect(state.OutputPath).toBe('$.Output');
    expect(aslOf(stack, parent)).toBeValidAsl();
  });

  test('the child receives the state input with the parent execution id', async () => {
    const stack = newStack();
    const child = new Workflow(stack, 'Child', { definition: new sfn.Pass(stack, 'Inner') });
    const parent = new Workflow(stack, 'Parent', { definition: child.asNestedTask(stack, 'Run child') });
    const seen: unknown[] = [];
    await runLocally(aslOf(stack, parent), {
      input: { orderId: 'o-1' },
      context: { Execution: { Name: 'run-1' }, StateMachine: { Name: 'Parent' } },
      resources: { 'arn:aws:states:::states:startExecution': (request: any) => { seen.push(request); return { Output: {} }; } },
    });
    expect(seen).toEqual([{
      StateMachineArn: arnOf(child),
      Input: { orderId: 'o-1', AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: 'arn:aws:states:us-east-1:123456789012:execution:Parent:run-1' },
    }]);
  });

  test('a Standard child and an Express child run inside their parent, each with its own history', async () => {
    const stack = newStack();
    const pricing = new Workflow(stack, 'Pricing', {
      definition: new sfn.Pass(stack, 'Price', { parameters: { 'total.$': 'States.MathAdd($.subtotal, $.shipping)' } }),
    });
    const audit = new Workflow(stack, 'Audit', {
      type: WorkflowType.expressAsync(),
      definition: new sfn.Wait(stack, 'Settle', { time: sfn.WaitTime.duration(Duration.seconds(30)) })
        .next(new sfn.Pass(stack, 'Record', { parameters: { 'recorded.$': '$.orderId' } })),
    });
    const parent = new Workflow(stack, 'Checkout', {
      definition: sfn.Chain.start(pricing.asNestedTask(stack, 'Price order', { resultPath: '$.pricing' }))
        .next(audit.asNestedTask(stack, 'Start audit', { resultPath: '$.audit' })),
    });
    const run = await runLocally(aslOf(stack, parent), {
      input: { orderId: 'o-9', subtotal: 40, shipping: 5 },
      startTime: new Date('2026-01-01T00:00:00Z'),
      stateMachines: {
        [arnOf(pricing)]: { definition: aslOf(stack, pricing) },
        [arnOf(audit)]: { definition: aslOf(stack, audit), type: 'EXPRESS' },
      },
    });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output.pricing.Output).toEqual({ total: 45 });
    expect(run.output.audit).toEqual({ ExecutionArn: expect.stringMatching(/:express:/), StartDate: Date.parse('2026-01-01T00:00:00Z') });
    const [standard, express] = run.children;
    expect(standard.states.map(s => s.name)).toEqual(['Price']);
    expect(standard.output).toEqual({ total: 45 });
    // The Express child is not waited for: the parent ends at once, the child 30 seconds later.
    expect(run.durationMs).toBe(0);
    expect(express.states.map(s => s.name)).toEqual(['Settle', 'Record']);
    expect(express.output).toEqual({ recorded: 'o-9' });
    expect(express.stopDate.getTime() - express.startDate.getTime()).toBe(30_000);
    expect(run.billing).toEqual({ standardTransitions: 3, expressRequests: 1, expressDurationMs: 30_000 });
  });

  test('an object input is associated by CDK', () => {
    const stack = newStack();
    const child = new Workflow(stack, 'Child', { definition: new sfn.Pass(stack, 'Inner') });
    const parent = new Workflow(stack, 'Parent', { definition: child.asNestedTask(stack, 'Run child', { input: sfn.TaskInput.fromObject({ id: sfn.JsonPath.stringAt('$.orderId') }) }) });
    expect(aslOf(stack, parent).States['Run child'].Parameters.Input).toEqual({ 'id.$': '$.orderId', 'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id' });
  });

  test('fails when the nested input is not an object', () => {
    const stack = newStack();
    const child = new Workflow(stack, 'Child', { definition: new sfn.Pass(stack, 'Inner') });
    expect(() => child.asNestedTask(stack, 'Run child', { input: sfn.TaskInput.fromJsonPathAt('$.order') }))
      .toThrow("Workflow 'Child': nested task 'Run child' input must be an object (sfn.TaskInput.fromObject) so that the parent execution's id can be added to it; leave input out to pass the state's input");
  });

  test('an Express child is started without waiting', () => {
    const stack = newStack();
    const child = new Workflow(stack, 'Child', { definition: new sfn.Pass(stack, 'Inner'), type: WorkflowType.expressAsync() });
    const parent = new Workflow(stack, 'Parent', { definition: child.asNestedTask(stack, 'Start child'), type: WorkflowType.expressAsync() });
    expect(aslOf(stack, parent).States['Start child'].Resource).toBe('arn:aws:states:::states:startExecution');
    expect(synthErrors(stack)).toBe('');
  });
});

describe('query language', () => {
  test('JSONPath for a definition of CDK\'s JSONPath states, JSONata for JSONata ones, as given otherwise', () => {
    const stack = newStack();
    const jsonPath = new Workflow(stack, 'A', { definition: new sfn.Pass(stack, 'P', { parameters: { 'x.$': '$.x' } }) });
    const jsonata = new Workflow(stack, 'B', { definition: sfn.Pass.jsonata(stack, 'Q', { outputs: '{% $states.input.x %}' }) });
    const given = new Workflow(stack, 'C', { definition: new sfn.Pass(stack, 'R'), queryLanguage: sfn.QueryLanguage.JSONATA });
    expect([jsonPath, jsonata, given].map(w => aslOf(stack, w).QueryLanguage)).toEqual(['JSONPath', 'JSONata', 'JSONata']);
    expect(aslOf(stack, jsonata).States.Q).toEqual({ Type: 'Pass', Output: '{% $states.input.x %}', End: true });
  });

  test('fails when a JSONata workflow holds JSONPath states, inside a Map too, naming each', () => {
    const stack = newStack();
    const inner = new sfn.Pass(stack, 'Inner', { resultPath: '$.inner' });
    const map = sfn.Map.jsonata(stack, 'Each', { items: sfn.ProvideItems.jsonata('{% $states.input.items %}') }).itemProcessor(inner);
    const top = new sfn.Choice(stack, 'Route').when(sfn.Condition.stringEquals('$.kind', 'a'), map).otherwise(new sfn.Succeed(stack, 'Skip'));
    expect(() => new Workflow(stack, 'W', { definition: top, queryLanguage: sfn.QueryLanguage.JSONATA }))
      .toThrow("Workflow 'W': state 'Route' (in the workflow) is JSONPath (it has Choices with Variable), and in a JSONata workflow every state must be JSONata; create it in its JSONata form");
    const nested = newStack();
    const map2 = sfn.Map.jsonata(nested, 'Each', { items: sfn.ProvideItems.jsonata('{% $states.input.items %}') }).itemProcessor(new sfn.Pass(nested, 'Inner', { resultPath: '$.inner' }));
    expect(() => new Workflow(nested, 'W', { definition: map2, queryLanguage: sfn.QueryLanguage.JSONATA }))
      .toThrow("Workflow 'W': state 'Inner' (in the item processor of Map 'Each') is JSONPath (it has ResultPath)");
  });

  test.each(['JSONPath', 'JSONata'])('a %s Standard child runs nested: its output only, a full account of open executions retried', async language => {
    const stack = newStack();
    const jsonata = language === 'JSONata';
    const child = new Workflow(stack, 'Child', {
      definition: jsonata ? sfn.Pass.jsonata(stack, 'Inner', { outputs: { done: '{% $states.input.orderId %}' } }) : new sfn.Pass(stack, 'Inner', { parameters: { 'done.$': '$.orderId' } }),
    });
    const task = jsonata
      ? child.asNestedTask(stack, 'Run child', { queryLanguage: sfn.QueryLanguage.JSONATA, outputs: '{% $merge([$states.input, {"child": {"Output": $states.result.Output}}]) %}' })
      : child.asNestedTask(stack, 'Run child', { resultPath: '$.child' });
    const parent = new Workflow(stack, 'Parent', { definition: task });
    const asl = aslOf(stack, parent);
    expect(asl).toBeValidAsl();
    expect(asl.QueryLanguage).toBe(language);
    expect(asl.States['Run child'].QueryLanguage).toBe(language);
    const input = { orderId: 'o-1', large: 'x'.repeat(1000) };
    const seen: any[] = [];
    const run = await runLocally(asl, { input, stateMachines: { [arnOf(child)]: { definition: aslOf(stack, child) } } });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toEqual({ ...input, child: { Output: { done: 'o-1' } } });
    let starts = 0;
    const limited = await runLocally(asl, {
      input,
      context: { Execution: { Name: 'run-1' }, StateMachine: { Name: 'Parent' } },
      states: {
        'Run child': (request: any) => {
          seen.push(request);
          if (++starts === 1) throw new TaskFailure('StepFunctions.ExecutionLimitExceeded', 'Maximum number of running executions reached');
          return { ExecutionArn: 'arn:aws:states:us-east-1:123456789012:execution:Child:c-1', Input: JSON.stringify(input), Output: { done: 'o-1' }, Status: 'SUCCEEDED' };
        },
      },
    });
    expect(limited.retries).toEqual([{ state: 'Run child', error: 'StepFunctions.ExecutionLimitExceeded', attempt: 1 }]);
    expect(limited.output).toEqual({ ...input, child: { Output: { done: 'o-1' } } });
    expect(seen[0]).toEqual({
      StateMachineArn: arnOf(child),
      Input: { ...input, AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: 'arn:aws:states:us-east-1:123456789012:execution:Parent:run-1' },
    });
  });

  test('the default output of a JSONata nested task is the same as in JSONPath', async () => {
    const stack = newStack();
    const child = new Workflow(stack, 'Child', { definition: sfn.Pass.jsonata(stack, 'Inner', { outputs: { done: true } }) });
    const parent = new Workflow(stack, 'Parent', { definition: child.asNestedTask(stack, 'Run child', { queryLanguage: sfn.QueryLanguage.JSONATA }) });
    const run = await runLocally(aslOf(stack, parent), { input: { a: 1 }, stateMachines: { [arnOf(child)]: { definition: aslOf(stack, child) } } });
    expect(run.output).toEqual({ Output: { done: true } });
  });

  test('fails when a nested task mixes the options of the two languages', () => {
    const stack = newStack();
    const child = new Workflow(stack, 'Child', { definition: new sfn.Pass(stack, 'Inner') });
    expect(() => child.asNestedTask(stack, 'A', { queryLanguage: sfn.QueryLanguage.JSONATA, resultPath: '$.x' }))
      .toThrow("Workflow 'Child': nested task 'A' is JSONata, which has no resultPath or outputPath (got resultPath '$.x'); shape its output with outputs");
    expect(() => child.asNestedTask(stack, 'B', { outputs: '{% $states.result %}' }))
      .toThrow("Workflow 'Child': nested task 'B' is JSONPath, which has no outputs; use resultPath and outputPath, or queryLanguage: sfn.QueryLanguage.JSONATA");
  });
});

describe('cdk-nag suppressions', () => {
  test('are not added to a role the user gives', () => {
    const stack = newStack();
    const role = new iam.Role(stack, 'Mine', { assumedBy: new iam.ServicePrincipal('states.amazonaws.com') });
    new Workflow(stack, 'W', { definition: new sfn.Pass(stack, 'P'), role });
    const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
    expect(Object.values(policies).map(p => p.Metadata?.cdk_nag)).toEqual([undefined]);
  });
});
