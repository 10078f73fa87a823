import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/**
 * A table of records the library keeps (approval requests, trades): on demand, encrypted (AWS
 * managed key, or the given one), recoverable to any second of the last 35 days, expired by its
 * `ttl` attribute, retained on stack deletion unless told otherwise.
 */
export function recordTable(scope: Construct, id: string, key: string, encryptionKey?: kms.IKey, removalPolicy?: RemovalPolicy): dynamodb.Table {
  return new dynamodb.Table(scope, id, {
    partitionKey: { name: key, type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    encryption: encryptionKey ? dynamodb.TableEncryption.CUSTOMER_MANAGED : dynamodb.TableEncryption.AWS_MANAGED,
    encryptionKey,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    timeToLiveAttribute: 'ttl',
    removalPolicy: removalPolicy ?? RemovalPolicy.RETAIN,
  });
}
