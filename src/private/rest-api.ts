import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';
import { suppressNag } from './nag';

/** The API Gateway account setting of each app, where one was asked for. */
const accounts = new WeakMap<IConstruct, { readonly stack: Stack; readonly account: apigw.CfnAccount }>();

/**
 * API Gateway's CloudWatch role, which a stage needs to write access and execution logs: an account
 * and region setting (`AWS::ApiGateway::Account`), so created at most once per app, in the stack of
 * the first construct that asks, and kept (with its role) when that stack is deleted, so that deleting
 * a stack never unsets it for the account's other APIs. The stage of `api` deploys after it.
 */
export function useApiGatewayAccount(scope: Construct, api: apigw.RestApi): void {
  const root = scope.node.root;
  let entry = accounts.get(root);
  if (!entry) {
    const stack = Stack.of(scope);
    const role = new iam.Role(stack, 'CdkWorkflowPatternsApiGatewayLogsRole', {
      description: 'Lets API Gateway write the access and execution logs of the stages of this account and region',
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonAPIGatewayPushToCloudWatchLogs')],
    });
    role.applyRemovalPolicy(RemovalPolicy.RETAIN);
    suppressNag(role, [{
      id: 'AwsSolutions-IAM4',
      reason: 'API Gateway pushes its logs with the AWS managed AmazonAPIGatewayPushToCloudWatchLogs policy, as AWS documents.',
      appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs'],
    }]);
    const account = new apigw.CfnAccount(stack, 'CdkWorkflowPatternsApiGatewayAccount', { cloudWatchRoleArn: role.roleArn });
    account.applyRemovalPolicy(RemovalPolicy.RETAIN);
    entry = { stack, account };
    accounts.set(root, entry);
  }
  const here = Stack.of(api);
  if (here === entry.stack) api.deploymentStage.node.addDependency(entry.account);
  else here.addDependency(entry.stack, 'API Gateway\'s CloudWatch role (an account setting) is set before a stage that logs is deployed');
}

/** What every REST API stage of this library has: JSON access logs, error logging without data, tracing, throttling. */
export function loggedStageOptions(stageName: string, accessLogs: logs.ILogGroup, rate: number, burst: number): apigw.StageOptions {
  return {
    stageName,
    accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
    // The standard fields log the resource path, never the query string.
    accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
    loggingLevel: apigw.MethodLoggingLevel.ERROR,
    dataTraceEnabled: false,
    tracingEnabled: true,
    throttlingRateLimit: rate,
    throttlingBurstLimit: burst,
  };
}

/** Checks the stage throttling limits; `owner` names the construct, as in `WorkflowRestApi 'Api'`. */
export function validateThrottling(owner: string, rate: number, burst: number): void {
  if (rate <= 0 || burst <= 0 || !Number.isInteger(burst)) {
    throw new Error(`${owner}: throttling limits must be positive, the burst a whole number (got rate ${rate}, burst ${burst})`);
  }
}

const WAF_REASON = 'A WAF web ACL is an account-level choice; associate one with the stage where the API is public.';

/** The cdk-nag suppressions every REST API of this library needs: WAF (account-level) and API Gateway's logging role. */
export function suppressRestApiNag(api: apigw.RestApi): void {
  suppressNag(api, [{ id: 'AwsSolutions-APIG3', reason: WAF_REASON }]);
  const stage = api.deploymentStage.node.defaultChild;
  if (stage) suppressNag(stage, [{ id: 'AwsSolutions-APIG3', reason: WAF_REASON }]);
  const cloudWatchRole = api.node.tryFindChild('CloudWatchRole');
  if (cloudWatchRole) {
    suppressNag(cloudWatchRole, [{
      id: 'AwsSolutions-IAM4',
      reason: 'API Gateway pushes its logs with the AWS managed AmazonAPIGatewayPushToCloudWatchLogs policy, as AWS documents.',
      appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs'],
    }]);
  }
}
