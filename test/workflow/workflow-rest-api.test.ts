import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Workflow, WorkflowRestApi, WorkflowType } from '../../src';
import { expectNagClean } from '../support/nag';

function setup(type = WorkflowType.expressSync()) {
  const stack = new Stack(new App(), 'Test', { env: { account: '123456789012', region: 'us-east-1' } });
  const workflow = new Workflow(stack, 'Quotes', { definition: new sfn.Pass(stack, 'Price'), type });
  return { stack, workflow };
}

describe('WorkflowRestApi', () => {
  test('runs the workflow synchronously behind IAM auth, with access logs, tracing and throttling', () => {
    const { stack, workflow } = setup();
    const api = new WorkflowRestApi(stack, 'Api', { workflow });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'ANY',
      AuthorizationType: 'AWS_IAM',
      Integration: Match.objectLike({ Uri: { 'Fn::Join': ['', Match.arrayWith([':apigateway:us-east-1:states:action/StartSyncExecution'])] } }),
    });
    t.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'prod',
      TracingEnabled: true,
      AccessLogSetting: Match.objectLike({ DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiAccessLogs'), 'Arn'] } }),
      MethodSettings: [Match.objectLike({ LoggingLevel: 'ERROR', DataTraceEnabled: false, ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 })],
    });
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365, LogGroupName: Match.absent() });
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [Match.objectLike({ Action: 'states:StartSyncExecution', Resource: { Ref: Match.stringLikeRegexp('^Quotes') } })] },
    });
    // The URL is the deployed stage's invoke URL: https://<api id>.execute-api.<region>.<suffix>/prod/
    expect(api.url).toBe(api.restApi.url);
    expect(stack.resolve(api.url)).toEqual({
      'Fn::Join': ['', [
        'https://', { Ref: stack.getLogicalId(api.restApi.node.defaultChild as CfnElement) }, '.execute-api.us-east-1.', { Ref: 'AWS::URLSuffix' },
        '/', { Ref: stack.getLogicalId(api.restApi.deploymentStage.node.defaultChild as CfnElement) }, '/',
      ]],
    });
  });

  test('is cdk-nag clean, with reasoned suppressions only', () => {
    const { stack, workflow } = setup();
    new WorkflowRestApi(stack, 'Api', { workflow });
    expectNagClean(stack);
  });

  test('uses a given authorizer and throttling', () => {
    const { stack, workflow } = setup();
    const authorizer = new apigw.TokenAuthorizer(stack, 'Auth', {
      handler: new lambda.Function(stack, 'AuthFn', {
        runtime: lambda.Runtime.NODEJS_20_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>({})'),
      }),
    });
    new WorkflowRestApi(stack, 'Api', { workflow, authorizer, throttlingRateLimit: 5, throttlingBurstLimit: 10, stageName: 'v1' });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ApiGateway::Method', { AuthorizationType: 'CUSTOM' });
    t.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'v1', MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 })] });
  });

  test.each([
    ['standard', WorkflowType.standard(), 'STANDARD'],
    ['expressAsync', WorkflowType.expressAsync(), 'EXPRESS (ASYNC)'],
  ])('fails when the workflow is %s', (_name, type, label) => {
    const { stack, workflow } = setup(type);
    expect(() => new WorkflowRestApi(stack, 'Api', { workflow }))
      .toThrow(`WorkflowRestApi 'Api': the workflow must be WorkflowType.expressSync() to answer requests with its output (got ${label}); change the workflow's type`);
  });

  test('fails when both an authorizer and an authorization type are given', () => {
    const { stack, workflow } = setup();
    const authorizer = new apigw.TokenAuthorizer(stack, 'Auth', {
      handler: new lambda.Function(stack, 'AuthFn', {
        runtime: lambda.Runtime.NODEJS_20_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>({})'),
      }),
    });
    expect(() => new WorkflowRestApi(stack, 'Api', { workflow, authorizer, authorizationType: apigw.AuthorizationType.IAM }))
      .toThrow("WorkflowRestApi 'Api': give either authorizer or authorizationType, not both (the authorizer sets its own type)");
  });

  test('fails when throttling limits are not positive', () => {
    const { stack, workflow } = setup();
    expect(() => new WorkflowRestApi(stack, 'Api', { workflow, throttlingRateLimit: 0 }))
      .toThrow("WorkflowRestApi 'Api': throttling limits must be positive, the burst a whole number (got rate 0, burst 200)");
  });
});
