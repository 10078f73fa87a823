/**
 * What serves approval requests, once for every gate it serves: the table of requests, the link
 * signing key, the decision endpoint, the delivery sweep and the request function. A gate without a
 * service builds one in its own scope (its construct ids stay those of the gate); an ApprovalService
 * builds one that its gates share.
 */
import { Duration, Token } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ApprovalServiceProps } from './approval-service-props';
import { DecisionEndpoint } from './decision-endpoint';
import { DeliverySweep } from './delivery-sweep';
import { RequestFunctionSide } from './request-side';
import { suppressNag } from '../private/nag';
import { validateThrottling } from '../private/rest-api';
import { recordTable } from '../private/tables';

/** The settings of what serves approval requests: those of an `ApprovalService`, or of a gate without one. */
export type BackendSettings = ApprovalServiceProps;

/** The settings that belong to the service, for the message to a gate given both a service and one of them. */
export const BACKEND_SETTINGS: ReadonlyArray<keyof BackendSettings> = [
  'encryptionKey', 'removalPolicy', 'recordRetention', 'authorizer', 'throttlingRateLimit', 'throttlingBurstLimit',
  'decisionConcurrency', 'cloudWatchRole', 'logRetention',
];

export class ApprovalBackend {
  public readonly table: dynamodb.Table;
  public readonly signingKey: secretsmanager.Secret;
  public readonly endpoint: DecisionEndpoint;
  public readonly sweep: DeliverySweep;
  public readonly request: RequestFunctionSide;
  public readonly encryptionKey?: kms.IKey;
  public readonly logRetention: logs.RetentionDays;

  /**
   * @param name the construct, for messages (`ApprovalGate 'Approve'`)
   * @param gateEnvironment the settings of the one gate served (a gate without a service); none for a shared service
   */
  constructor(owner: Construct, name: string, settings: BackendSettings, gateEnvironment?: (decisionUrl: string) => Record<string, string>) {
    const retention = settings.recordRetention ?? Duration.days(90);
    if (!retention.isUnresolved() && retention.toSeconds() < 0) {
      throw new Error(`${name}: recordRetention cannot be negative (got ${retention.toHumanString()})`);
    }
    const rate = settings.throttlingRateLimit ?? 10;
    const burst = settings.throttlingBurstLimit ?? 20;
    validateThrottling(name, rate, burst);
    const concurrency = settings.decisionConcurrency ?? 10;
    if (!Token.isUnresolved(concurrency) && (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1000)) {
      throw new Error(`${name}: decisionConcurrency must be a whole number from 1 to 1000 (got ${concurrency})`);
    }
    this.encryptionKey = settings.encryptionKey;
    this.logRetention = settings.logRetention ?? logs.RetentionDays.ONE_YEAR;

    // The record of every request. Encrypted, recoverable to any second of the last 35 days, and
    // removed by TTL only after its deadline plus the retention.
    this.table = recordTable(owner, 'Requests', 'requestId', settings.encryptionKey, settings.removalPolicy);

    this.signingKey = new secretsmanager.Secret(owner, 'SigningKey', {
      description: `HMAC key that signs the approval links of ${owner.node.path}`,
      encryptionKey: settings.encryptionKey,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    suppressNag(this.signingKey, [{
      id: 'AwsSolutions-SMG4',
      reason: 'Rotating the link signing key would invalidate every approval link in flight. The key is read only by the request and decision functions, and links expire with their gate\'s timeout.',
    }]);

    // The decision endpoint: the API, and the function that records decisions and delivers them.
    this.endpoint = new DecisionEndpoint(owner, {
      table: this.table,
      signingKey: this.signingKey,
      encryptionKey: settings.encryptionKey,
      authorizer: settings.authorizer,
      throttlingRateLimit: rate,
      throttlingBurstLimit: burst,
      logRetention: this.logRetention,
      reservedConcurrency: concurrency,
      cloudWatchRole: settings.cloudWatchRole === true,
    });

    // The delivery sweep: settles the decisions whose delivery is not confirmed.
    this.sweep = new DeliverySweep(owner, { table: this.table, encryptionKey: settings.encryptionKey, logRetention: this.logRetention });

    // The function that stores the task token and sends the message.
    this.request = new RequestFunctionSide(owner, {
      table: this.table,
      signingKey: this.signingKey,
      encryptionKey: settings.encryptionKey,
      decisionUrl: this.endpoint.url,
      retention,
      logRetention: this.logRetention,
      gateEnvironment: gateEnvironment?.(this.endpoint.url),
    });
  }

  /** The roles of the three functions, which all deliver decisions to the workflows. */
  public get deliveryRoles(): iam.Role[] {
    return [this.endpoint.role, this.sweep.role, this.request.role];
  }
}
