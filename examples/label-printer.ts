/**
 * Example: shipping labels printed by a worker on the warehouse's own machine (an activity). The
 * workflow waits for the worker; the worker (label-printer-worker.ts) runs anywhere with an HTTPS
 * connection and the role's credentials. Used by the demo (`npm run demo`, the worker's handler run
 * locally) and by integ/integ.label-printer.ts.
 */
import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ActivityTask, Workflow } from '../src';

export class LabelPrinterStack extends Stack {
  public readonly workflow: Workflow;
  public readonly printLabel: ActivityTask;
  /** The role the warehouse's worker runs as: it may take and answer this activity's tasks, nothing else. */
  public readonly workerRole: iam.Role;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    this.printLabel = new ActivityTask(this, 'Print label', {
      parameters: { 'orderId.$': '$.orderId', 'address.$': '$.address' },
      resultPath: '$.label',
      heartbeatTimeout: sfn.Timeout.duration(Duration.minutes(2)),
    });
    this.printLabel.addCatch(new sfn.Fail(this, 'Printer out of paper', { error: 'PrinterOutOfPaper', cause: 'Refill the printer and run the order again' }), {
      errors: ['Printer.OutOfPaper'],
    });
    this.workerRole = new iam.Role(this, 'WorkerRole', {
      assumedBy: new iam.AccountRootPrincipal(),
      description: 'The warehouse label printer worker',
    });
    this.printLabel.grantWorker(this.workerRole);
    this.workflow = new Workflow(this, 'Shipping', {
      definition: this.printLabel.next(new sfn.Succeed(this, 'Label printed')),
      timeout: Duration.hours(2),
    });
  }
}
