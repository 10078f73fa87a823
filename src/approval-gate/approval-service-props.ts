import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';

/**
 * Properties for an `ApprovalService`, and the settings of the service of its own that a gate
 * without one has (`ApprovalGateProps`).
 */
export interface ApprovalServiceProps {
  /**
   * How long a request's record (who decided what, when, and the comment) is kept after its
   * deadline before DynamoDB's time to live removes it.
   * @default Duration.days(90)
   */
  readonly recordRetention?: Duration;

  /**
   * A customer managed key for the table of requests, the signing key secret and the topics the gates create.
   * @default - AWS managed keys
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * What happens to the table of requests (the audit records) when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * An authorizer for the decision endpoint (Cognito user pools, Lambda). With one, approvers
   * authenticate before they decide and the approver recorded is their identity (the `email` claim,
   * the Cognito user name or the principal id); the signed link is still required.
   * @default - none: the signed link is the credential
   */
  readonly authorizer?: apigw.IAuthorizer;

  /**
   * Steady-state requests per second the decision endpoint accepts (for all the gates it serves).
   * @default 10
   */
  readonly throttlingRateLimit?: number;

  /**
   * Burst of requests the decision endpoint accepts (for all the gates it serves).
   * @default 20
   */
  readonly throttlingBurstLimit?: number;

  /**
   * The reserved concurrency of the decision function: however many requests reach the endpoint, it
   * never takes more of the account's Lambda concurrency than this, and always has this much. Lambda
   * keeps 100 of an account's concurrency unreserved, so the account's quota must leave room for it.
   * A whole number from 1 to 1000.
   * @default 10
   * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
   */
  readonly decisionConcurrency?: number;

  /**
   * Whether to create API Gateway's CloudWatch role, which the endpoint's stage needs to write its
   * access and error logs. It is a setting of the whole account and region (`AWS::ApiGateway::Account`):
   * give `true` on one construct of the app when the account has none yet (a new account); the library
   * creates it once per app, whatever the number of constructs that ask, and keeps it when its stack is
   * deleted. Leave it out where the account already has one (set by another app, or by hand).
   * @default false - the account's API Gateway settings must already name a CloudWatch role
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html
   */
  readonly cloudWatchRole?: boolean;

  /**
   * How long to keep the endpoint's access logs and the functions' logs.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}
