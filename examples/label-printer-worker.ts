/**
 * The label printer's worker: run it on the warehouse machine with the activity's ARN in its
 * environment (the stack's output) and the worker role's credentials.
 *
 *   ACTIVITY_ARN=arn:aws:states:...:activity:... node label-printer-worker.js
 *
 * The demo and the tests run the same handler locally (`activities: { 'Print label': printLabel }`).
 */
import { ActivityContext, ActivityWorker } from '../src/worker';

/** Prints one label; a printer without paper fails the task with `Printer.OutOfPaper`. */
export async function printLabel(
  input: { orderId: string; address: string }, context: ActivityContext,
): Promise<{ labelId: string; printedBy: string }> {
  if (input.address === 'tray empty') throw Object.assign(new Error('tray 2 is empty'), { name: 'Printer.OutOfPaper' });
  await context.heartbeat();
  return { labelId: `LBL-${input.orderId}`, printedBy: context.workerName };
}

if (require.main === module) {
  void new ActivityWorker({ activityArn: process.env.ACTIVITY_ARN ?? '', handler: printLabel, concurrency: 2 }).start();
}
