import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as logs from 'aws-cdk-lib/aws-logs';
import { suppressNag } from './nag';

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
