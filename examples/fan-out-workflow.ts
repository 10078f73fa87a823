/**
 * Example: a Standard workflow that prints a shipping label for every parcel of a shipment, all
 * parcels in parallel (an inline FanOutMap over the list in the input), a bad parcel caught without
 * stopping the others. Used by the demo (`npm run demo`) and by integ/integ.fan-out-map-inline.ts.
 */
import { Duration, Stack, StackProps } from 'aws-cdk-lib';
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
