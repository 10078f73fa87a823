import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { Workflow } from './workflow';
import { ExpressInvocation } from './workflow-type';
import { suppressNag } from '../private/nag';
import { checkProps } from '../private/prop-types';
import { required, requiredProps } from '../private/required';
import { loggedStageOptions, suppressRestApiNag, useApiGatewayAccount, validateThrottling } from '../private/rest-api';

/**
 * Properties for a `WorkflowRestApi`.
 */
export interface WorkflowRestApiProps {
  /** The workflow to run. It must be `WorkflowType.expressSync()`. */
  readonly workflow: Workflow;

  /**
   * A name for the API.
   * @default - the construct's path
   */
  readonly restApiName?: string;

  /**
   * How callers authenticate. IAM (SigV4-signed requests) unless an authorizer is given.
   * @default apigw.AuthorizationType.IAM
   */
  readonly authorizationType?: apigw.AuthorizationType;

  /**
   * An authorizer (Cognito user pools, Lambda) for every method.
   * @default - none: IAM authorization
   */
  readonly authorizer?: apigw.IAuthorizer;

  /**
   * Steady-state requests per second the stage accepts.
   * @default 100
   */
  readonly throttlingRateLimit?: number;

  /**
   * Burst of requests the stage accepts.
   * @default 200
   */
  readonly throttlingBurstLimit?: number;

  /**
   * Whether to create API Gateway's CloudWatch role, which the stage needs to write its access and
   * error logs. It is a setting of the whole account and region (`AWS::ApiGateway::Account`): give
   * `true` on one construct of the app when the account has none yet (a new account); the library
   * creates it once per app, whatever the number of constructs that ask, and keeps it when its stack
   * is deleted.
   * @default false - the account's API Gateway settings must already name a CloudWatch role
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html
   */
  readonly cloudWatchRole?: boolean;

  /**
   * How long to keep the access logs.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly accessLogRetention?: logs.RetentionDays;

  /**
   * The stage name.
   * @default 'prod'
   */
  readonly stageName?: string;
}

/**
 * A REST API that runs a synchronous Express workflow per request and answers with its output
 * (API Gateway's `StepFunctionsRestApi`), with IAM authorization, access logging, tracing and
 * throttling turned on.
 */
export class WorkflowRestApi extends Construct {
  /** The REST API. */
  public readonly restApi: apigw.StepFunctionsRestApi;

  /** The access log group. */
  public readonly accessLogGroup: logs.LogGroup;

  /** The URL of the deployed stage. */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: WorkflowRestApiProps) {
    super(scope, id);
    requiredProps(props, `WorkflowRestApi '${id}'`, ['workflow']);
    required(props.workflow, `WorkflowRestApi '${id}'`, 'workflow', 'give the Workflow (of type WorkflowType.expressSync()) that answers the requests');
    checkProps(`WorkflowRestApi '${id}'`, 'WorkflowRestApiProps', props);
    if (props.workflow.type.invocation !== ExpressInvocation.SYNC) {
      throw new Error(`WorkflowRestApi '${id}': the workflow must be WorkflowType.expressSync() to answer requests with its output (got ${props.workflow.type}); change the workflow's type`);
    }
    const rate = props.throttlingRateLimit ?? 100;
    const burst = props.throttlingBurstLimit ?? 200;
    validateThrottling(`WorkflowRestApi '${id}'`, rate, burst);
    if (props.authorizer && props.authorizationType) {
      throw new Error(`WorkflowRestApi '${id}': give either authorizer or authorizationType, not both (the authorizer sets its own type)`);
    }

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? logs.RetentionDays.ONE_YEAR,
    });
    this.restApi = new apigw.StepFunctionsRestApi(this, 'Resource', {
      stateMachine: props.workflow.stateMachine,
      restApiName: props.restApiName,
      // An account setting: never created here; useApiGatewayAccount makes one per app when asked.
      cloudWatchRole: false,
      defaultMethodOptions: props.authorizer
        ? { authorizer: props.authorizer }
        : { authorizationType: props.authorizationType ?? apigw.AuthorizationType.IAM },
      deployOptions: loggedStageOptions(props.stageName ?? 'prod', this.accessLogGroup, rate, burst),
    });
    this.url = this.restApi.url;
    if (props.cloudWatchRole === true) useApiGatewayAccount(this, this.restApi);

    suppressNag(this.restApi, [
      { id: 'AwsSolutions-APIG2', reason: 'The request body is the workflow input, validated by the workflow itself; there is no request model to validate it against.' },
    ]);
    suppressRestApiNag(this.restApi);
    for (const method of this.restApi.methods) {
      if (!props.authorizer) {
        suppressNag(method, [{ id: 'AwsSolutions-COG4', reason: 'Callers authenticate with IAM (SigV4) by default; give an authorizer to use Cognito user pools.' }]);
      }
    }
  }
}
