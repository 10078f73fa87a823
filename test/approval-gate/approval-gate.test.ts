import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { ApprovalGate, ApprovalGateProps, Workflow, WorkflowRestApi, WorkflowType } from '../../src';
import { validateRequest } from '../../src/approval-gate/request.lambda';
import { aslOf, logicalIdOf } from '../support/asl';
import { TaskCall, TaskFailure, TaskOutcome, runLocally } from '../support/local-execution';
import { expectNagClean } from '../support/nag';
import { snapshotOf } from '../support/snapshot';
import { synthErrors } from '../support/synth';

const SUMMARY = sfn.JsonPath.format('Buy {} shares of {}', sfn.JsonPath.stringAt('$.count'), sfn.JsonPath.stringAt('$.symbol'));

/** What the gate's tests need in each query language. */
const LANGUAGES = {
  JSONPath: {
    queryLanguage: sfn.QueryLanguage.JSON_PATH,
    summary: SUMMARY,
    pass: (stack: Stack, id: string) => sfn.Pass.jsonPath(stack, id),
    /** The states the gate adds in this language to the minimal hand-written definition. */
    opened: ['Approve trade: open request'],
    expired: ['Approve trade: expired'],
    requestId: /^[0-9a-f-]{36}$/,
  },
  JSONata: {
    queryLanguage: sfn.QueryLanguage.JSONATA,
    summary: "{% 'Buy ' & $states.input.count & ' shares of ' & $states.input.symbol %}",
    pass: (stack: Stack, id: string) => sfn.Pass.jsonata(stack, id),
    opened: [] as string[],
    expired: [] as string[],
    requestId: /^[0-9a-f]{64}$/,
  },
};
type Language = keyof typeof LANGUAGES;

function newStack() {
  return new Stack(new App(), 'Test', { env: { account: '123456789012', region: 'us-east-1' } });
}

function gated(props: Partial<ApprovalGateProps> = {}, stack = newStack(), language: Language = 'JSONPath') {
  const lang = LANGUAGES[language];
  const gate = new ApprovalGate(stack, 'Approve trade', {
    timeout: Duration.hours(24),
    summary: lang.summary,
    approverEmails: ['desk@example.com'],
    queryLanguage: lang.queryLanguage,
    ...props,
  });
  const workflow = new Workflow(stack, 'Trades', {
    definition: lang.pass(stack, 'Prepare').next(gate).next(new sfn.Succeed(stack, 'Trade placed')),
    queryLanguage: lang.queryLanguage,
  });
  return { stack, gate, workflow };
}


/** The decision the endpoint sends for a request, as SendTaskSuccess output. */
function decided(decision: 'APPROVED' | 'REJECTED', comment: string | null = null) {
  return (request: any, call: TaskCall) => {
    expect(call.taskToken).toBeDefined();
    return { decision, approver: 'desk@example.com', comment, decidedAt: '2026-11-28T10:05:00.000Z', requestId: request.requestId };
  };
}

describe('resources', () => {
  test('a table with encryption, point-in-time recovery and a TTL, kept on stack deletion', () => {
    const t = Template.fromStack(gated().stack);
    t.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        KeySchema: [{ AttributeName: 'requestId', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      },
      DeletionPolicy: 'Retain',
    });
  });

  test('a TLS-only topic encrypted with the SNS managed key, and one filtered email subscription per approver', () => {
    const { stack } = gated({ approverEmails: ['desk@example.com', 'risk@example.com'] });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('alias/aws/sns')])] }) });
    t.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    t.resourceCountIs('AWS::SNS::Subscription', 2);
    for (const address of ['desk@example.com', 'risk@example.com']) {
      t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: address, FilterPolicy: { recipient: [address] } });
    }
  });

  test('a generated 64-character signing key in Secrets Manager', () => {
    Template.fromStack(gated().stack).hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
    });
  });

  test('a REST endpoint: GET and POST on /decision, link parameters required and validated, access logs without query strings, throttled', () => {
    const t = Template.fromStack(gated().stack);
    t.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'decision' });
    const methods = t.findResources('AWS::ApiGateway::Method');
    expect(Object.values(methods).map(m => m.Properties.HttpMethod).sort()).toEqual(['GET', 'POST']);
    for (const method of Object.values(methods)) {
      expect(method.Properties).toMatchObject({
        AuthorizationType: 'NONE',
        RequestParameters: {
          'method.request.querystring.id': true,
          'method.request.querystring.a': true,
          'method.request.querystring.exp': true,
          'method.request.querystring.sig': true,
        },
        RequestValidatorId: { Ref: expect.stringMatching(/LinkValidator/) },
        Integration: { Type: 'AWS_PROXY' },
      });
    }
    t.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestParameters: true });
    const stage = Object.values(t.findResources('AWS::ApiGateway::Stage'))[0].Properties;
    expect(stage.StageName).toBe('prod');
    expect(stage.MethodSettings).toEqual([expect.objectContaining({ DataTraceEnabled: false, LoggingLevel: 'ERROR', ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 })]);
    expect(stage.AccessLogSetting.Format).not.toMatch(/\$context\.path|querystring/i);
    expect(stage.AccessLogSetting.Format).toContain('$context.resourcePath');
  });

  test('no X-Ray tracing on the decision stage: a trace records the request URL, which is the signed link', () => {
    const t = Template.fromStack(gated().stack);
    const stages = Object.values(t.findResources('AWS::ApiGateway::Stage'));
    expect(stages).toHaveLength(1);
    expect(stages[0].Properties.TracingEnabled).toBe(false);
  });

  test('the decision function has reserved concurrency: 10 by default, or as given', () => {
    for (const [props, expected] of [[{}, 10], [{ decisionConcurrency: 3 }, 3]] as const) {
      const { stack, gate } = gated(props);
      const fn = Template.fromStack(stack).toJSON().Resources[logicalIdOf(gate.decisionFunction)];
      expect(fn.Properties.ReservedConcurrentExecutions).toBe(expected);
    }
  });

  test('functions on the newest Node.js runtime, with their own log groups and the gate\'s settings', () => {
    const t = Template.fromStack(gated({ timeout: Duration.hours(2), recordRetention: Duration.days(30), subject: 'Trade needs approval' }).stack);
    const functions = Object.values(t.findResources('AWS::Lambda::Function'));
    expect(functions).toHaveLength(3);
    for (const fn of functions) {
      expect(fn.Properties.Runtime).toBe('nodejs24.x');
      expect(fn.Properties.LoggingConfig.LogGroup).toEqual({ Ref: expect.stringMatching(/Logs/) });
    }
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          TIMEOUT_SECONDS: '7200',
          RETENTION_SECONDS: String(30 * 86400),
          RECIPIENTS: 'desk@example.com',
          SUBJECT: 'Trade needs approval',
          DECISION_URL: { 'Fn::Join': ['', ['https://', { Ref: Match.stringLikeRegexp('ApiRestApi|Api[0-9A-F]') }, '.execute-api.us-east-1.', { Ref: 'AWS::URLSuffix' }, '/prod/decision']] },
        }),
      },
    });
  });

  test('a customer managed key encrypts the table, the secret and the topic, and both functions may use it', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const { gate } = gated({ encryptionKey: key }, stack);
    const t = Template.fromStack(stack);
    const keyArn = { 'Fn::GetAtt': [logicalIdOf(key), 'Arn'] };
    t.hasResourceProperties('AWS::DynamoDB::Table', { SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn } });
    t.hasResourceProperties('AWS::SecretsManager::Secret', { KmsKeyId: keyArn });
    t.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: keyArn });
    for (const fn of [gate.requestFunction, gate.decisionFunction]) {
      const policies = Object.values(t.findResources('AWS::IAM::Policy')).filter(p => JSON.stringify(p.Properties.Roles).includes(logicalIdOf(fn.role!)));
      const statements = policies.flatMap(p => p.Properties.PolicyDocument.Statement);
      expect(statements).toContainEqual({ Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], Effect: 'Allow', Resource: keyArn });
    }
  });

  test('a topic of the user\'s: no topic created; subscriptions and the publish grant go to it', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Approvals', { enforceSSL: true });
    const { gate } = gated({ topic }, stack);
    expect(gate.topic).toBe(topic);
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::SNS::Topic', 1);
    t.hasResourceProperties('AWS::SNS::Subscription', { TopicArn: { Ref: logicalIdOf(topic) }, Endpoint: 'desk@example.com' });
  });

  test('an authorizer protects both methods', () => {
    const stack = newStack();
    const pool = new cognito.UserPool(stack, 'Pool');
    const authorizer = new apigw.CognitoUserPoolsAuthorizer(stack, 'Authorizer', { cognitoUserPools: [pool] });
    gated({ authorizer }, stack);
    const methods = Object.values(Template.fromStack(stack).findResources('AWS::ApiGateway::Method'));
    expect(methods.map(m => m.Properties.AuthorizationType)).toEqual(['COGNITO_USER_POOLS', 'COGNITO_USER_POOLS']);
  });

  test('removalPolicy applies to the table of decisions', () => {
    Template.fromStack(gated({ removalPolicy: RemovalPolicy.DESTROY }).stack).hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
  });
});

/** The ARN patterns of a state machine's executions, and of its Distributed Maps' child executions (`<machine>/<label>:<id>`), as the template holds them. */
function executionsOf(stateMachineId: string) {
  return [':*', '/*'].map(tail => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:us-east-1:123456789012:execution:', { 'Fn::GetAtt': [stateMachineId, 'Name'] }, tail]] }));
}

describe('API Gateway\'s own answers and account setting', () => {
  test('its own error answers (validator, missing route, throttling, faults) carry the pages\' security headers', () => {
    const t = Template.fromStack(gated().stack);
    const headers = {
      'gatewayresponse.header.Content-Security-Policy': "'sandbox'",
      'gatewayresponse.header.Referrer-Policy': "'no-referrer'",
      'gatewayresponse.header.Cache-Control': "'no-store'",
      'gatewayresponse.header.X-Content-Type-Options': "'nosniff'",
      'gatewayresponse.header.X-Frame-Options': "'DENY'",
    };
    t.hasResourceProperties('AWS::ApiGateway::GatewayResponse', { ResponseType: 'DEFAULT_4XX', ResponseParameters: headers });
    t.hasResourceProperties('AWS::ApiGateway::GatewayResponse', { ResponseType: 'DEFAULT_5XX', ResponseParameters: headers });
  });

  test('no account setting is created unless asked; asked by several constructs in two stacks, one per app, kept on deletion, deployed first', () => {
    expect(Template.fromStack(gated().stack).findResources('AWS::ApiGateway::Account')).toEqual({});
    const app = new App();
    const first = new Stack(app, 'First', { env: { account: '123456789012', region: 'us-east-1' } });
    const second = new Stack(app, 'Second', { env: { account: '123456789012', region: 'us-east-1' } });
    gated({ cloudWatchRole: true }, first);
    const other = gated({ cloudWatchRole: true }, second);
    new WorkflowRestApi(second, 'Api', { workflow: new Workflow(second, 'Quotes', { definition: new sfn.Pass(second, 'Quote'), type: WorkflowType.expressSync() }), cloudWatchRole: true });
    const accounts = [first, second].map(st => Object.values(Template.fromStack(st).findResources('AWS::ApiGateway::Account')));
    expect(accounts.map(a => a.length)).toEqual([1, 0]);
    expect(accounts[0][0]).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    Template.fromStack(first).hasResource('AWS::IAM::Role', { DeletionPolicy: 'Retain', Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'apigateway.amazonaws.com' } })] } } });
    expect(second.dependencies).toContain(first);
    // In its own stack, the stage deploys after the setting.
    const stage = Object.values(Template.fromStack(first).findResources('AWS::ApiGateway::Stage'))[0];
    expect(stage.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^CdkWorkflowPatternsApiGatewayAccount/)]));
    expect(other.gate.api).toBeDefined();
  });

  test('fails when cloudWatchRole is not a boolean (plain JavaScript)', () => {
    expect(() => gated({ cloudWatchRole: 'yes' as any })).toThrow('ApprovalGate \'Approve trade\': cloudWatchRole must be true or false (got string "yes")');
  });
});

describe('least privilege', () => {
  function statementsOf(t: Template, roleId: string) {
    return Object.values(t.findResources('AWS::IAM::Policy'))
      .filter(p => (p.Properties.Roles as unknown[]).some(r => JSON.stringify(r) === JSON.stringify({ Ref: roleId })))
      .flatMap(p => p.Properties.PolicyDocument.Statement);
  }

  test('the request function may put and update items in its table, read its key, publish to its topic, write its logs, and deliver to its workflow (a decision made while it was retried): nothing else', () => {
    const { stack, gate, workflow } = gated();
    const t = Template.fromStack(stack);
    const id = (c: any) => logicalIdOf(c);
    expect(statementsOf(t, id(gate.requestFunction.role!))).toEqual([
      { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/RequestLogs/), 'Arn'] } },
      { Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [id(gate.table), 'Arn'] } },
      { Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Effect: 'Allow', Resource: { Ref: id(gate.signingKey) } },
      { Action: 'sns:Publish', Effect: 'Allow', Resource: { Ref: id(gate.topic) } },
      { Action: 'states:SendTaskSuccess', Effect: 'Allow', Resource: { Ref: id(workflow.stateMachine) } },
      { Action: 'states:GetExecutionHistory', Effect: 'Allow', Resource: executionsOf(id(workflow.stateMachine)) },
    ]);
  });

  test('the decision function may update items, read its key, send task success to the state machine that holds the gate and read its executions\' history: nothing else', () => {
    const stack = newStack();
    const { gate, workflow } = gated({}, stack);
    const other = new Workflow(stack, 'Unrelated', { definition: new sfn.Pass(stack, 'Nothing') });
    const t = Template.fromStack(stack);
    const statements = statementsOf(t, logicalIdOf(gate.decisionFunction.role!));
    expect(statements).toEqual([
      { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/DecisionLogs/), 'Arn'] } },
      { Action: ['dynamodb:UpdateItem', 'dynamodb:GetItem'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [logicalIdOf(gate.table), 'Arn'] } },
      { Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Effect: 'Allow', Resource: { Ref: logicalIdOf(gate.signingKey) } },
      { Action: 'states:SendTaskSuccess', Effect: 'Allow', Resource: { Ref: logicalIdOf(workflow.stateMachine) } },
      { Action: 'states:GetExecutionHistory', Effect: 'Allow', Resource: executionsOf(logicalIdOf(workflow.stateMachine)) },
    ]);
    const text = JSON.stringify(statements);
    expect(text).not.toContain(logicalIdOf(other.stateMachine));
    expect(text).not.toMatch(/"Resource":"\*"|states:\*|SendTaskFailure|SendTaskHeartbeat|DescribeExecution|StopExecution/);
  });

  test('the delivery sweep: a schedule every 5 minutes, a function that may query only the delivery index (keys only), read and update records, deliver and read history: nothing else', () => {
    const stack = newStack();
    const { gate, workflow } = gated({}, stack);
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalIdOf(gate.sweepFunction), 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 0 } })],
    });
    expect(Object.values(t.findResources('AWS::DynamoDB::Table'))[0].Properties.GlobalSecondaryIndexes).toEqual([{
      IndexName: 'delivery',
      KeySchema: [{ AttributeName: 'deliveryQueue', KeyType: 'HASH' }, { AttributeName: 'decidedEpoch', KeyType: 'RANGE' }],
      Projection: { ProjectionType: 'KEYS_ONLY' },
    }]);
    const sweep = t.toJSON().Resources[logicalIdOf(gate.sweepFunction)].Properties;
    expect(sweep).toMatchObject({ Runtime: 'nodejs24.x', Timeout: 120, Environment: { Variables: { TABLE_NAME: { Ref: logicalIdOf(gate.table) } } } });
    const tableArn = { 'Fn::GetAtt': [logicalIdOf(gate.table), 'Arn'] };
    expect(statementsOf(t, logicalIdOf(gate.sweepFunction.role!))).toEqual([
      { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/SweepLogs/), 'Arn'] } },
      { Action: 'dynamodb:Query', Effect: 'Allow', Resource: { 'Fn::Join': ['', [tableArn, '/index/delivery']] } },
      { Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], Effect: 'Allow', Resource: tableArn },
      { Action: 'states:SendTaskSuccess', Effect: 'Allow', Resource: { Ref: logicalIdOf(workflow.stateMachine) } },
      { Action: 'states:GetExecutionHistory', Effect: 'Allow', Resource: executionsOf(logicalIdOf(workflow.stateMachine)) },
    ]);
  });

  test('reminders: a schedule invokes the request function, which may query only the pending index (no token projected)', () => {
    const { stack, gate } = gated({ reminderInterval: Duration.hours(4) });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(4 hours)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalIdOf(gate.requestFunction), 'Arn'] }, Input: '{"reminder":true}', RetryPolicy: { MaximumRetryAttempts: 2 } })],
    });
    t.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: Match.arrayWith([{
        IndexName: 'pending',
        KeySchema: [{ AttributeName: 'status', KeyType: 'HASH' }, { AttributeName: 'expiresAt', KeyType: 'RANGE' }],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['summary', 'executionArn', 'recipients', 'notifiedAt'] },
      }]),
    });
    t.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ REMINDER_SECONDS: '14400' }) } });
    const statements = statementsOf(t, logicalIdOf(gate.requestFunction.role!));
    const tableArn = { 'Fn::GetAtt': [logicalIdOf(gate.table), 'Arn'] };
    expect(statements).toEqual(expect.arrayContaining([
      { Action: 'dynamodb:Query', Effect: 'Allow', Resource: { 'Fn::Join': ['', [tableArn, '/index/pending']] } },
      { Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem'], Effect: 'Allow', Resource: tableArn },
    ]));
    expect(JSON.stringify(statements)).not.toContain('index/*');
    expectNagClean(stack);
  });

  test('no reminders by default: no reminder schedule, no pending index', () => {
    const { stack, gate } = gated();
    const t = Template.fromStack(stack);
    expect(Object.values(t.findResources('AWS::Events::Rule')).map(r => r.Properties.Targets[0].Arn)).toEqual([{ 'Fn::GetAtt': [logicalIdOf(gate.sweepFunction), 'Arn'] }]);
    expect(Object.values(t.findResources('AWS::DynamoDB::Table'))[0].Properties.GlobalSecondaryIndexes.map((i: any) => i.IndexName)).toEqual(['delivery']);
  });

  test('identical gates in two stacks of one app each answer only the workflow of their own stack', () => {
    const app = new App();
    const env = { account: '123456789012', region: 'us-east-1' };
    const first = gated({}, new Stack(app, 'First', { env }));
    const second = gated({}, new Stack(app, 'Second', { env }));
    for (const { stack, gate, workflow } of [first, second]) {
      const t = Template.fromStack(stack);
      const sendTask = statementsOf(t, logicalIdOf(gate.decisionFunction.role!)).filter(s => s.Action === 'states:SendTaskSuccess');
      expect(sendTask).toEqual([{ Action: 'states:SendTaskSuccess', Effect: 'Allow', Resource: { Ref: logicalIdOf(workflow.stateMachine) } }]);
      expect(JSON.stringify(t.toJSON())).not.toContain('Fn::ImportValue');
    }
  });

  test('the state machine may invoke the request function (and its versions) only', () => {
    const { stack, gate, workflow } = gated();
    const t = Template.fromStack(stack);
    const statements = statementsOf(t, logicalIdOf(workflow.stateMachine.role));
    const invoke = statements.filter(s => JSON.stringify(s.Action).includes('lambda:'));
    expect(invoke).toEqual([{
      Action: 'lambda:InvokeFunction',
      Effect: 'Allow',
      Resource: [
        { 'Fn::GetAtt': [logicalIdOf(gate.requestFunction), 'Arn'] },
        { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalIdOf(gate.requestFunction), 'Arn'] }, ':*']] },
      ],
    }]);
  });

  test('no dependency cycle between the endpoint, the functions and the state machine', () => {
    const { stack } = gated();
    expect(() => Template.fromStack(stack)).not.toThrow();
    const assembly = (stack.node.root as App).synth();
    expect(assembly.getStackByName('Test').template.Resources).toBeDefined();
  });
});

describe('the states', () => {
  test('open request, wait for the decision with the timeout, route approved/rejected/expired; valid ASL', () => {
    const { stack, workflow } = gated();
    const asl = aslOf(stack, workflow.stateMachine);
    expect(asl).toBeValidAsl();
    expect(asl.States['Approve trade: open request']).toEqual({
      Type: 'Pass',
      QueryLanguage: 'JSONPath',
      Comment: expect.any(String),
      Parameters: { 'requestId.$': 'States.UUID()' },
      ResultPath: '$.approval',
      Next: 'Approve trade',
    });
    const task = asl.States['Approve trade'];
    expect(task).toMatchObject({
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      TimeoutSeconds: 86400,
      ResultPath: '$.approval',
      Parameters: {
        Payload: {
          'taskToken.$': '$$.Task.Token',
          'requestId.$': '$.approval.requestId',
          'summary.$': "States.Format('Buy {} shares of {}', $.count, $.symbol)",
          'executionArn.$': '$$.Execution.Id',
        },
      },
      Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: null, Next: 'Approve trade: expired' }],
    });
    expect(task.Retry.map((r: any) => r.ErrorEquals)).toEqual([
      ['Lambda.ClientExecutionTimeoutException', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'],
      ['ApprovalGate.TransientError'],
    ]);
    expect(asl.States['Approve trade: approved?']).toEqual({
      Type: 'Choice',
      QueryLanguage: 'JSONPath',
      Choices: [{ Variable: '$.approval.decision', StringEquals: 'APPROVED', Next: 'Trade placed' }],
      Default: 'Approve trade: rejected',
    });
    expect(asl.States['Approve trade: rejected']).toEqual({
      Type: 'Fail', QueryLanguage: 'JSONPath', Error: 'ApprovalRejected', CausePath: "States.Format('{} (request {})', $.approval.decision, $.approval.requestId)",
    });
    expect(asl.States['Approve trade: no decision']).toEqual({ Type: 'Fail', QueryLanguage: 'JSONPath', Error: 'ApprovalExpired', Cause: 'No decision within 1 day' });
  });

  test('resultPath and the approved, rejected and expired routes are the user\'s to choose', () => {
    const stack = newStack();
    const rejected = new sfn.Pass(stack, 'Tell requester');
    const expired = new sfn.Pass(stack, 'Escalate');
    const approved = new sfn.Pass(stack, 'Go ahead');
    const gate = new ApprovalGate(stack, 'Gate', { timeout: Duration.minutes(30), summary: 'Deploy to production', resultPath: '$.review', onApproved: approved, onRejected: rejected, onExpired: expired });
    const workflow = new Workflow(stack, 'Deploy', { definition: gate });
    const asl = aslOf(stack, workflow.stateMachine);
    expect(asl).toBeValidAsl();
    expect(asl.States['Gate: approved?']).toMatchObject({ Choices: [{ Variable: '$.review.decision', Next: 'Go ahead' }], Default: 'Tell requester' });
    expect(asl.States['Gate: expired'].Next).toBe('Escalate');
    expect(asl.States.Gate.Parameters.Payload.summary).toBe('Deploy to production');
    expect(Object.keys(asl.States)).not.toContain('Gate: rejected');
  });

  test('works inside a Map and a Parallel branch: the workflow is found and granted', () => {
    const stack = newStack();
    const gate = new ApprovalGate(stack, 'Gate', { timeout: Duration.minutes(30), summary: 'Item', onApproved: new sfn.Pass(stack, 'Ok') });
    const map = new sfn.Map(stack, 'Each item', { itemsPath: '$.items' }).itemProcessor(gate);
    const workflow = new Workflow(stack, 'Batch', { definition: new sfn.Parallel(stack, 'Both').branch(map).branch(new sfn.Pass(stack, 'Other')) });
    const t = Template.fromStack(stack);
    for (const role of [gate.decisionFunction.role!, gate.sweepFunction.role!]) {
      t.hasResourceProperties('AWS::IAM::Policy', {
        Roles: Match.arrayWith([{ Ref: logicalIdOf(role) }]),
        PolicyDocument: {
          Statement: [
            { Action: 'states:SendTaskSuccess', Effect: 'Allow', Resource: { Ref: logicalIdOf(workflow.stateMachine) } },
            { Action: 'states:GetExecutionHistory', Effect: 'Allow', Resource: executionsOf(logicalIdOf(workflow.stateMachine)) },
          ],
        },
      });
    }
  });
});

describe('validation', () => {
  test.each([
    [Duration.seconds(59), '59 seconds'],
    [Duration.days(366), '366 days'],
    [Duration.millis(90_500), '90.5 seconds'],
  ])('fails when the timeout is %s', (timeout, shown) => {
    expect(() => new ApprovalGate(newStack(), 'Gate', { timeout, summary: 's' }))
      .toThrow(`ApprovalGate 'Gate': timeout must be a whole number of seconds between 1 minute and 365 days (got ${shown})`);
  });

  test.each([
    [Duration.minutes(1), 60],
    [Duration.days(365), 31_536_000],
  ])('a timeout of exactly %s, the limits, is accepted', (timeout, seconds) => {
    const stack = newStack();
    const gate = new ApprovalGate(stack, 'Gate', { timeout, summary: 's', onApproved: new sfn.Succeed(stack, 'Ok') });
    const workflow = new Workflow(stack, 'Flow', { definition: gate });
    expect(synthErrors(stack)).toBe('');
    expect(aslOf(stack, workflow.stateMachine).States.Gate.TimeoutSeconds).toBe(seconds);
  });

  test('fails when the timeout is not shorter than the workflow may run, whose expired route could then never run', () => {
    const flow = (gateTimeout: Duration) => {
      const stack = newStack();
      new Workflow(stack, 'Flow', {
        definition: new ApprovalGate(stack, 'Gate', { timeout: gateTimeout, summary: 's', onApproved: new sfn.Succeed(stack, 'Ok') }),
        timeout: Duration.days(2),
      });
      return synthErrors(stack);
    };
    expect(flow(Duration.days(3))).toContain("ApprovalGate 'Gate': its timeout (3 days) is not shorter than workflow Test/Flow may run (2 days), so the execution times out before the expired route can run; shorten the gate's timeout or lengthen the workflow's");
    // Equal: the states before the gate take some of the workflow's time.
    expect(flow(Duration.days(2))).toContain("ApprovalGate 'Gate': its timeout (2 days) is not shorter than workflow Test/Flow may run (2 days)");
    expect(flow(Duration.seconds(2 * 86400 - 1))).toBe('');
  });

  test('fails when a state name derived from the id would pass 80 characters', () => {
    const id = 'A'.repeat(69);
    expect(() => new ApprovalGate(newStack(), id, { timeout: Duration.hours(1), summary: 's' }))
      .toThrow(`ApprovalGate '${id}': the state name '${id}: open request' is 83 characters, over the 80 Step Functions allows; give an id of at most 66 characters (got 69)`);
    const longest = 'A'.repeat(66);
    const stack = newStack();
    new Workflow(stack, 'Flow', { definition: new ApprovalGate(stack, longest, { timeout: Duration.hours(1), summary: 's', onApproved: new sfn.Succeed(stack, 'Ok') }) });
    expect(synthErrors(stack)).toBe('');
  });

  test.each([
    [['not-an-address'], "approverEmails must be literal email addresses (got 'not-an-address')"],
    [['a@example.com', 'A@example.com'], "approverEmails lists 'A@example.com' twice"],
    [Array.from({ length: 21 }, (_, i) => `p${i}@example.com`), 'at most 20 approverEmails (got 21)'],
  ])('fails when approverEmails is %j', (approverEmails, message) => {
    expect(() => new ApprovalGate(newStack(), 'Gate', { timeout: Duration.hours(1), summary: 's', approverEmails })).toThrow(`ApprovalGate 'Gate': ${message}`);
  });

  test.each(['$', 'approval', '$.a[0]'])('fails when resultPath is %s', resultPath => {
    expect(() => new ApprovalGate(newStack(), 'Gate', { timeout: Duration.hours(1), summary: 's', resultPath }))
      .toThrow(`ApprovalGate 'Gate': resultPath must be a path to a field such as '$.approval' (got '${resultPath}')`);
  });

  test.each([
    [Duration.minutes(4), '4 minutes'],
    [Duration.hours(24), '1 day'],
    [Duration.seconds(330), '5 minutes 30 seconds'],
  ])('fails when reminderInterval is %s (timeout 1 day)', (reminderInterval, shown) => {
    expect(() => new ApprovalGate(newStack(), 'Gate', { timeout: Duration.days(1), summary: 's', reminderInterval }))
      .toThrow(`ApprovalGate 'Gate': reminderInterval must be whole minutes, from 5 minutes to less than the timeout (1440 minutes) (got ${shown})`);
  });

  test.each([0, -1, 2.5, 1001])('fails when decisionConcurrency is %s', decisionConcurrency => {
    expect(() => new ApprovalGate(newStack(), 'Gate', { timeout: Duration.hours(1), summary: 's', decisionConcurrency }))
      .toThrow(`ApprovalGate 'Gate': decisionConcurrency must be a whole number from 1 to 1000 (got ${decisionConcurrency})`);
  });

  test('fails when throttling limits are not positive', () => {
    expect(() => new ApprovalGate(newStack(), 'Gate', { timeout: Duration.hours(1), summary: 's', throttlingRateLimit: 0 }))
      .toThrow("ApprovalGate 'Gate': throttling limits must be positive, the burst a whole number (got rate 0, burst 20)");
  });

  test('fails when the gate is placed in an Express workflow', () => {
    const stack = newStack();
    const gate = new ApprovalGate(stack, 'Gate', { timeout: Duration.minutes(5), summary: 's', onApproved: new sfn.Succeed(stack, 'Ok') });
    new Workflow(stack, 'Quick', { definition: gate, type: WorkflowType.expressAsync() });
    const errors = synthErrors(stack);
    expect(errors).toContain("ApprovalGate 'Gate' cannot run in workflow Test/Quick: it waits for a person (.waitForTaskToken), which an EXPRESS (ASYNC) workflow cannot do; use WorkflowType.standard()");
    // The error stops synthesis: no template of that stack is ever written.
    expect(() => Template.fromStack(stack)).toThrow(/ApprovalGate 'Gate' cannot run in workflow Test\/Quick/);
  });

  test('fails when the gate is in no workflow, and accepts a state machine given to addStateMachine', () => {
    const stack = newStack();
    const gate = new ApprovalGate(stack, 'Gate', { timeout: Duration.minutes(5), summary: 's', onApproved: new sfn.Succeed(stack, 'Ok') });
    const machine = new sfn.StateMachine(stack, 'Raw', { definitionBody: sfn.DefinitionBody.fromChainable(gate) });
    expect(synthErrors(stack)).toContain("ApprovalGate 'Gate' is not in any Workflow, so no state machine may receive its decisions");
    gate.addStateMachine(machine);
    expect(synthErrors(stack)).toBe('');
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: Match.arrayWith([{ Ref: logicalIdOf(gate.decisionFunction.role!) }]),
      PolicyDocument: {
        Statement: [
          { Action: 'states:SendTaskSuccess', Effect: 'Allow', Resource: { Ref: logicalIdOf(machine) } },
          { Action: 'states:GetExecutionHistory', Effect: 'Allow', Resource: executionsOf(logicalIdOf(machine)) },
        ],
      },
    });
  });

  test('addStateMachine reads the state machine\'s type and logging: an Express one is refused, one that logs execution data (task tokens) is warned of', () => {
    const stack = newStack();
    const gate = new ApprovalGate(stack, 'Gate', { timeout: Duration.minutes(5), summary: 's', onApproved: new sfn.Succeed(stack, 'Ok') });
    const machine = new sfn.StateMachine(stack, 'Raw', {
      definitionBody: sfn.DefinitionBody.fromChainable(gate),
      logs: { destination: new logs.LogGroup(stack, 'Logs'), level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
    gate.addStateMachine(machine);
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp("ApprovalGate 'Gate': workflow Test/Raw logs execution data, which writes the approval task token to CloudWatch Logs"))).toHaveLength(1);

    const stack2 = newStack();
    const gate2 = new ApprovalGate(stack2, 'Gate', { timeout: Duration.minutes(5), summary: 's', onApproved: new sfn.Succeed(stack2, 'Ok') });
    gate2.addStateMachine(new sfn.StateMachine(stack2, 'Fast', { definitionBody: sfn.DefinitionBody.fromChainable(gate2), stateMachineType: sfn.StateMachineType.EXPRESS }));
    expect(synthErrors(stack2)).toContain("ApprovalGate 'Gate' cannot run in workflow Test/Fast: it waits for a person (.waitForTaskToken), which an EXPRESS workflow cannot do; use WorkflowType.standard()");
  });

  test('fails when nothing follows approval', () => {
    const stack = newStack();
    const gate = new ApprovalGate(stack, 'Gate', { timeout: Duration.minutes(5), summary: 's' });
    new Workflow(stack, 'Flow', { definition: gate });
    expect(synthErrors(stack)).toContain("ApprovalGate 'Gate': nothing runs after approval; chain the next state with .next() or give onApproved");
  });

  test('fails when a state is chained after a gate that has onApproved', () => {
    const stack = newStack();
    const gate = new ApprovalGate(stack, 'Gate', { timeout: Duration.minutes(5), summary: 's', onApproved: new sfn.Succeed(stack, 'Ok') });
    expect(() => gate.next(new sfn.Pass(stack, 'After')))
      .toThrow("ApprovalGate 'Gate': onApproved is set, so nothing can be chained after the gate with .next(); chain it after your onApproved state");
  });

  test('warns when the workflow logs execution data (which would put the task token in CloudWatch Logs)', () => {
    const stack = newStack();
    const gate = new ApprovalGate(stack, 'Gate', { timeout: Duration.minutes(5), summary: 's', onApproved: new sfn.Succeed(stack, 'Ok') });
    new Workflow(stack, 'Flow', { definition: gate, logging: { includeExecutionData: true } });
    Annotations.fromStack(stack).hasWarning('/Test/Gate', Match.stringLikeRegexp('logs execution data, which writes the approval task token to CloudWatch Logs'));
  });
});

describe.each(Object.keys(LANGUAGES) as Language[])('running the workflow locally, %s', language => {
  const input = { count: 10, symbol: 'ACME' };
  const { opened, expired } = LANGUAGES[language];
  const build = (props: Partial<ApprovalGateProps> = {}, stack = newStack()) => gated(props, stack, language);

  test('valid ASL, every state declaring the query language', () => {
    const { stack, workflow } = build();
    const asl = aslOf(stack, workflow.stateMachine);
    expect(asl).toBeValidAsl();
    expect(asl.QueryLanguage).toBe(language);
    const gateStates = Object.entries(asl.States).filter(([name]) => name.startsWith('Approve trade'));
    expect(gateStates.map(([name]) => name).sort()).toEqual(
      ['Approve trade', 'Approve trade: approved?', 'Approve trade: no decision', 'Approve trade: rejected', ...opened, ...expired].sort());
    for (const [, state] of gateStates) expect((state as any).QueryLanguage).toBe(language);
  });

  test('approved: the decision lands at $.approval and the workflow goes on, with no state beyond the request and the decision in JSONata', async () => {
    const { stack, workflow } = build();
    const requests: any[] = [];
    const result = await runLocally(aslOf(stack, workflow.stateMachine), {
      input,
      callbacks: { 'Approve trade': (request, call) => { requests.push(request); return decided('APPROVED', 'ok')(request, call); } },
    });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toEqual(['Prepare', ...opened, 'Approve trade', 'Approve trade: approved?', 'Trade placed']);
    expect(result.transitions).toBe(4 + opened.length);
    expect(requests).toEqual([{ taskToken: expect.stringMatching(/^local-token-/), requestId: expect.stringMatching(LANGUAGES[language].requestId), summary: 'Buy 10 shares of ACME', executionArn: expect.any(String) }]);
    // The request function takes the request as the state sends it (the JSONata request id included).
    expect(validateRequest(requests[0])).toEqual({ taskToken: requests[0].taskToken, requestId: requests[0].requestId, summary: 'Buy 10 shares of ACME', executionArn: requests[0].executionArn });
    expect(result.output).toEqual({
      ...input,
      approval: { decision: 'APPROVED', approver: 'desk@example.com', comment: 'ok', decidedAt: '2026-11-28T10:05:00.000Z', requestId: requests[0].requestId },
    });
  });

  test('rejected: the default Fail state\'s cause is the decision and the request id, not the approver or the comment', async () => {
    const { stack, workflow } = build();
    let requestId = '';
    const result = await runLocally(aslOf(stack, workflow.stateMachine), {
      input,
      callbacks: { 'Approve trade': (request, call) => { requestId = request.requestId; return decided('REJECTED', 'too risky')(request, call); } },
    });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('ApprovalRejected');
    expect(result.cause).toBe(`REJECTED (request ${requestId})`);
    expect(result.cause).not.toMatch(/desk@example\.com|too risky/);
    expect(result.path).toEqual(['Prepare', ...opened, 'Approve trade', 'Approve trade: approved?', 'Approve trade: rejected']);
  });

  test('rejected, with causeIncludesApprover: the cause is the whole decision', async () => {
    const { stack, workflow } = build({ causeIncludesApprover: true });
    const result = await runLocally(aslOf(stack, workflow.stateMachine), { input, callbacks: { 'Approve trade': decided('REJECTED', 'too risky') } });
    expect(result.status).toBe('FAILED');
    expect(JSON.parse(result.cause!)).toEqual({ decision: 'REJECTED', approver: 'desk@example.com', comment: 'too risky', decidedAt: '2026-11-28T10:05:00.000Z', requestId: expect.any(String) });
  });

  test('expired: after the timeout, an EXPIRED decision with the request id and the time it expired, then the expired route', async () => {
    const stack = newStack();
    const { workflow } = build({ onExpired: LANGUAGES[language].pass(stack, 'Escalate') }, stack);
    let requestId = '';
    const result = await runLocally(aslOf(stack, workflow.stateMachine), {
      input,
      startTime: new Date('2026-11-28T10:00:00.000Z'),
      // The approver answers after 25 hours: too late, the task has timed out after 24.
      callbacks: { 'Approve trade': (request, call) => { requestId = request.requestId; return TaskOutcome.succeed(decided('APPROVED')(request, call), { afterSeconds: 25 * 3600 }); } },
    });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.catches).toEqual([{ state: 'Approve trade', error: 'States.Timeout', next: expired[0] ?? 'Escalate' }]);
    expect(result.path).toEqual(['Prepare', ...opened, 'Approve trade', ...expired, 'Escalate']);
    expect(result.output).toEqual({ ...input, approval: { decision: 'EXPIRED', approver: null, comment: null, decidedAt: '2026-11-29T10:00:00.000Z', requestId } });
  });

  test('expired with the default route: fails with ApprovalExpired', async () => {
    const { stack, workflow } = build();
    const result = await runLocally(aslOf(stack, workflow.stateMachine), {
      input,
      callbacks: { 'Approve trade': () => { throw new TaskFailure('States.Timeout'); } },
    });
    expect(result).toMatchObject({ status: 'FAILED', error: 'ApprovalExpired', cause: 'No decision within 1 day' });
    expect(result.path).toEqual(['Prepare', ...opened, 'Approve trade', ...expired, 'Approve trade: no decision']);
  });

  test('the request function throttled by Lambda is retried with the same request id, then the request goes out once', async () => {
    const { stack, workflow } = build();
    const requestIds: string[] = [];
    const result = await runLocally(aslOf(stack, workflow.stateMachine), {
      input,
      callbacks: {
        'Approve trade': (request, call) => {
          requestIds.push(request.requestId);
          if (requestIds.length === 1) throw new TaskFailure('Lambda.ClientExecutionTimeoutException', 'timed out');
          if (requestIds.length === 2) throw new TaskFailure('ApprovalGate.TransientError', 'ThrottlingException: slow down');
          return decided('APPROVED')(request, call);
        },
      },
    });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.retries).toEqual([
      { state: 'Approve trade', error: 'Lambda.ClientExecutionTimeoutException', attempt: 1 },
      { state: 'Approve trade', error: 'ApprovalGate.TransientError', attempt: 2 },
    ]);
    expect(new Set(requestIds).size).toBe(1);
  });

  test('two items of a Map, entered at the same moment, get requests of their own', async () => {
    const stack = newStack();
    const lang = LANGUAGES[language];
    const gate = new ApprovalGate(stack, 'Approve trade', { timeout: Duration.hours(1), summary: 'Item', queryLanguage: lang.queryLanguage, onApproved: new sfn.Succeed(stack, 'Ok') });
    const map = language === 'JSONata'
      ? sfn.Map.jsonata(stack, 'Each', { items: sfn.ProvideItems.jsonata('{% $states.input.items %}') })
      : sfn.Map.jsonPath(stack, 'Each', { itemsPath: '$.items' });
    const workflow = new Workflow(stack, 'Batch', { definition: map.itemProcessor(gate), queryLanguage: lang.queryLanguage });
    const ids: string[] = [];
    const result = await runLocally(aslOf(stack, workflow.stateMachine), {
      input: { items: [{ n: 1 }, { n: 2 }] },
      callbacks: { 'Approve trade': (request, call) => { ids.push(request.requestId); return decided('APPROVED')(request, call); } },
    });
    expect(result.status).toBe('SUCCEEDED');
    expect(ids).toHaveLength(2);
    expect(ids[0]).not.toBe(ids[1]);
  });

  test('cdk-nag AwsSolutions finds nothing unsuppressed', () => {
    expectNagClean(build().stack);
  });
});

describe('query languages', () => {
  test('fails when a JSONPath gate is in a JSONata workflow: one message naming the gate, its states and the fix', () => {
    const stack = newStack();
    const gate = new ApprovalGate(stack, 'Gate', { timeout: Duration.hours(1), summary: 's', onApproved: new sfn.Succeed(stack, 'Ok') });
    const error = (() => {
      try {
        new Workflow(stack, 'Flow', { definition: gate, queryLanguage: sfn.QueryLanguage.JSONATA });
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(error).toBe("Workflow 'Flow': ApprovalGate 'Gate' is JSONPath (its states 'Gate: open request', 'Gate', 'Gate: approved?', 'Gate: expired', 'Gate: rejected', "
      + "'Gate: no decision'), and in a JSONata workflow every state must be JSONata; give the ApprovalGate queryLanguage: sfn.QueryLanguage.JSONATA, "
      + 'or give the Workflow queryLanguage: sfn.QueryLanguage.JSON_PATH');
  });

  test('fails when a JSONPath gate is in a JSONata state machine given to addStateMachine', () => {
    const stack = newStack();
    const gate = new ApprovalGate(stack, 'Gate', { timeout: Duration.hours(1), summary: 's', onApproved: new sfn.Succeed(stack, 'Ok') });
    expect(() => new sfn.StateMachine(stack, 'Raw', { definitionBody: sfn.DefinitionBody.fromChainable(gate), queryLanguage: sfn.QueryLanguage.JSONATA }))
      .toThrow("ApprovalGate 'Gate': state 'Gate: open request' is JSONPath, and the state machine it is in is JSONata, where every state must be JSONata; give the gate queryLanguage: sfn.QueryLanguage.JSONATA");
  });

  test('a JSONata gate in a JSONata state machine given to addStateMachine', () => {
    const stack = newStack();
    const gate = new ApprovalGate(stack, 'Gate', { timeout: Duration.hours(1), summary: 's', queryLanguage: sfn.QueryLanguage.JSONATA, onApproved: sfn.Succeed.jsonata(stack, 'Ok') });
    const machine = new sfn.StateMachine(stack, 'Raw', { definitionBody: sfn.DefinitionBody.fromChainable(gate), queryLanguage: sfn.QueryLanguage.JSONATA });
    gate.addStateMachine(machine);
    expect(synthErrors(stack)).toBe('');
    const asl = aslOf(stack, machine);
    expect(asl).toBeValidAsl();
    expect(asl.StartAt).toBe('Gate');
    expect(asl.States.Gate.Arguments.Payload.taskToken).toBe('{% $states.context.Task.Token %}');
  });

  test('a JSONata gate in a JSONPath workflow runs as JSONata', async () => {
    const stack = newStack();
    const gate = new ApprovalGate(stack, 'Gate', { timeout: Duration.hours(1), summary: '{% $states.input.what %}', queryLanguage: sfn.QueryLanguage.JSONATA });
    const prepare = new sfn.Pass(stack, 'Prepare', { parameters: { 'what.$': '$.request.what' } });
    const workflow = new Workflow(stack, 'Flow', { definition: prepare.next(gate).next(new sfn.Succeed(stack, 'Done')) });
    expect(workflow.queryLanguage).toBe(sfn.QueryLanguage.JSON_PATH);
    const result = await runLocally(aslOf(stack, workflow.stateMachine), { input: { request: { what: 'Deploy' } }, callbacks: { Gate: decided('APPROVED') } });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.calls[0].input.summary).toBe('Deploy');
    expect(result.path).toEqual(['Prepare', 'Gate', 'Gate: approved?', 'Done']);
  });

  test('fails when the summary is in the other language', () => {
    expect(() => new ApprovalGate(newStack(), 'Gate', { timeout: Duration.hours(1), summary: SUMMARY, queryLanguage: sfn.QueryLanguage.JSONATA }))
      .toThrow("ApprovalGate 'Gate': summary is a JSONPath expression, and the gate is JSONata; give a JSONata expression");
    expect(() => new ApprovalGate(newStack(), 'Gate', { timeout: Duration.hours(1), summary: '{% $states.input.what %}' }))
      .toThrow("ApprovalGate 'Gate': summary is a JSONata expression (got '{% $states.input.what %}'), and the gate is JSONPath; give queryLanguage: sfn.QueryLanguage.JSONATA");
  });
});

describe('security rules and snapshot', () => {
  test('cdk-nag AwsSolutions finds nothing unsuppressed, with a key, a topic and an authorizer', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const topic = new sns.Topic(stack, 'Approvals', { enforceSSL: true, masterKey: key });
    const pool = new cognito.UserPool(stack, 'Pool', {
      passwordPolicy: { minLength: 12, requireDigits: true, requireLowercase: true, requireSymbols: true, requireUppercase: true },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
    });
    const authorizer = new apigw.CognitoUserPoolsAuthorizer(stack, 'Authorizer', { cognitoUserPools: [pool] });
    gated({ encryptionKey: key, topic, authorizer }, stack);
    expectNagClean(stack);
  });

  test('snapshot of the default gate in a workflow', () => {
    expect(snapshotOf(gated().stack)).toMatchSnapshot();
  });
});
