/**
 * The decision endpoint of an approval service: the REST API approvers' links point at, and the
 * function behind it. Created in the scope of the gate with a service of its own (so that their
 * construct ids stay those of the gate), or of a shared ApprovalService.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { DecisionFunction } from './decision-function';
import { grantTable } from './gate-grants';
import { PAGE_HEADERS } from '../private/approval/pages';
import { functionLogs, functionRole, onNewestNodeRuntime } from '../private/functions';
import { suppressNag } from '../private/nag';
import { loggedStageOptions, suppressRestApiNag, useApiGatewayAccount } from '../private/rest-api';

export const STAGE = 'prod';

export interface DecisionEndpointProps {
  readonly table: dynamodb.Table;
  readonly signingKey: secretsmanager.ISecret;
  readonly encryptionKey?: kms.IKey;
  readonly authorizer?: apigw.IAuthorizer;
  readonly throttlingRateLimit: number;
  readonly throttlingBurstLimit: number;
  readonly logRetention: logs.RetentionDays;
  readonly reservedConcurrency: number;
  readonly cloudWatchRole: boolean;
}

/**
 * The headers of API Gateway's own answers (a request the validator refuses, a path that does not
 * exist, throttling, a fault): those of the decision pages, but for their type (a gateway response
 * is JSON) and their Content-Security-Policy, which holds quotes a gateway response's value (one
 * quoted string) cannot: `sandbox` says as much for an answer that holds no page.
 */
export const GATEWAY_RESPONSE_HEADERS: Readonly<Record<string, string>> = {
  ...Object.fromEntries(Object.entries(PAGE_HEADERS).filter(([name]) => name !== 'Content-Type')),
  'Content-Security-Policy': 'sandbox',
};

export class DecisionEndpoint {
  public readonly api: apigw.RestApi;
  /** The URL approvers' links point at. */
  public readonly url: string;
  public readonly function: DecisionFunction;
  public readonly role: iam.Role;

  constructor(private readonly gate: Construct, props: DecisionEndpointProps) {
    const stack = Stack.of(gate);
    this.api = new apigw.RestApi(gate, 'Api', {
      description: `Approve/reject endpoint of ${gate.node.path}`,
      endpointTypes: [apigw.EndpointType.REGIONAL],
      // An account setting: never created here; useApiGatewayAccount makes one per app when asked.
      cloudWatchRole: false,
      deployOptions: {
        ...loggedStageOptions(STAGE, new logs.LogGroup(gate, 'AccessLogs', { retention: props.logRetention }),
          props.throttlingRateLimit, props.throttlingBurstLimit),
        // X-Ray's trace of an API Gateway request records its URL, query string included: that is the
        // signed link. No tracing on this stage.
        tracingEnabled: false,
      },
    });
    if (props.cloudWatchRole) useApiGatewayAccount(gate, this.api);
    const headers = Object.fromEntries(Object.entries(GATEWAY_RESPONSE_HEADERS).map(([name, value]) => [name, `'${value}'`]));
    this.api.addGatewayResponse('ClientErrors', { type: apigw.ResponseType.DEFAULT_4XX, responseHeaders: headers });
    this.api.addGatewayResponse('ServerErrors', { type: apigw.ResponseType.DEFAULT_5XX, responseHeaders: headers });
    // Built from the API id alone: the request function must not depend on the deployment, which
    // depends on the decision function.
    this.url = `https://${this.api.restApiId}.execute-api.${stack.region}.${stack.urlSuffix}/${STAGE}/decision`;

    this.role = functionRole(gate, 'DecisionRole');
    this.function = onNewestNodeRuntime(new DecisionFunction(gate, 'DecisionFunction', {
      description: `Records approve/reject decisions and sends them to the workflow, for ${gate.node.path}`,
      role: this.role,
      memorySize: 256,
      timeout: Duration.seconds(20),
      // An endpoint anyone with a link can call never takes more of the account's concurrency than this.
      reservedConcurrentExecutions: props.reservedConcurrency,
      logGroup: functionLogs(gate, 'DecisionLogs', this.role, props.logRetention),
      environment: {
        TABLE_NAME: props.table.tableName,
        SIGNING_KEY_SECRET_ARN: props.signingKey.secretArn,
      },
    }));
    // GetItem: the confirmation page tells an approver who comes late that the request is decided.
    grantTable(this.function, [props.table.tableArn], 'dynamodb:UpdateItem', 'dynamodb:GetItem');
    props.signingKey.grantRead(this.function);
    if (props.encryptionKey) {
      props.encryptionKey.grant(this.function, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey');
    }
    this.addMethods(props.authorizer);
  }

  private addMethods(authorizer: apigw.IAuthorizer | undefined): void {
    const validator = new apigw.RequestValidator(this.gate, 'LinkValidator', {
      restApi: this.api,
      validateRequestParameters: true,
    });
    const resource = this.api.root.addResource('decision');
    const requestParameters = Object.fromEntries(['id', 'a', 'exp', 'sig'].map(p => [`method.request.querystring.${p}`, true]));
    // No permission for the console's test invocations: two resources fewer, and nothing calls the function but the stage.
    const integration = new apigw.LambdaIntegration(this.function, { allowTestInvoke: false });
    for (const httpMethod of ['GET', 'POST']) {
      const method = resource.addMethod(httpMethod, integration, {
        requestParameters,
        requestValidator: validator,
        ...(authorizer ? { authorizer } : { authorizationType: apigw.AuthorizationType.NONE }),
      });
      if (!authorizer) {
        const reason = 'Approvers open a link from a message: the HMAC-signed, expiring, single-use link is the credential (GET changes nothing); give an authorizer to require a sign-in as well.';
        suppressNag(method, [{ id: 'AwsSolutions-APIG4', reason }, { id: 'AwsSolutions-COG4', reason }]);
      }
    }
    suppressRestApiNag(this.api);
    suppressNag(this.api, [{
      id: 'AwsSolutions-APIG2',
      reason: 'API Gateway validates the link parameters (id, a, exp, sig); the body is an HTML form (application/x-www-form-urlencoded), which JSON-schema models cannot describe, so the function validates it (size, type, fields).',
    }]);
  }
}

