/**
 * Example: a Standard workflow that prints a shipping label for every parcel of a shipment, all
 * parcels in parallel (an inline FanOutMap over the list in the input), a bad parcel caught without
 * stopping the others. Used by the demo (`npm run demo`) and by integ/integ.fan-out-map-inline.ts.
 */
import { Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { inlineFunctions } from './inline-functions';
import { FanOutMap, FanOutProcessor, ItemSource, Workflow } from '../src';

/** The label printer, as inline Node.js code (the demo runs it locally). */
export const PRINT_LABEL_FUNCTION = `exports.handler = async (parcel) => {
  if (typeof parcel.weightKg !== 'number' || parcel.weightKg <= 0) {
    throw Object.assign(new Error('parcel ' + parcel.parcelId + ' has no valid weight'), { name: 'InvalidParcel' });
  }
  return { parcelId: parcel.parcelId, label: 'LBL-' + parcel.parcelId, rate: Math.round(parcel.weightKg * 450) / 100 };
};`;

export class FanOutWorkflowStack extends Stack {
  public readonly workflow: Workflow;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    const { PrintLabel: printLabel } = inlineFunctions(this, { PrintLabel: PRINT_LABEL_FUNCTION });

    const labels = new FanOutMap(this, 'Print labels', {
      items: ItemSource.jsonArray('$.parcels'),
      processor: FanOutProcessor.lambda(printLabel, { catchErrors: ['InvalidParcel'] }),
      maxConcurrency: 10,
      resultPath: '$.labels',
    });

    this.workflow = new Workflow(this, 'ShippingWorkflow', {
      definition: labels.next(new sfn.Succeed(this, 'Labels printed')),
      timeout: Duration.minutes(5),
    });
  }
}

/**
 * The same label printer over a shipment manifest in S3: a CSV with one row per parcel, read by a
 * Distributed Map, each batch of parcels an Express child execution, the results written back to
 * S3. The demo runs it over a CSV in a local S3 and prints where the results went.
 */
export class ParcelManifestStack extends Stack {
  public readonly workflow: Workflow;
  public readonly manifests: s3.Bucket;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    const { PrintLabel: printLabel } = inlineFunctions(this, { PrintLabel: PRINT_LABEL_FUNCTION.replace('typeof parcel.weightKg', 'typeof (parcel.weightKg = Number(parcel.weightKg))') });
    this.manifests = new s3.Bucket(this, 'Manifests', {
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });
    const labels = new FanOutMap(this, 'Print manifest labels', {
      items: ItemSource.s3Csv(this.manifests, 'manifests/today.csv', { headers: sfn.CsvHeaders.useFirstRow() }),
      processor: FanOutProcessor.lambda(printLabel, { catchErrors: ['InvalidParcel'] }),
      resultPath: '$.labels',
    });
    this.workflow = new Workflow(this, 'ManifestWorkflow', {
      definition: labels.next(new sfn.Succeed(this, 'Manifest printed')),
    });
  }
}
