/**
 * The baseline saga: the smallest definition a careful engineer would write by hand for the order
 * saga of examples/order-saga.ts, in plain `aws-stepfunctions` constructs (the shape of AWS's saga
 * samples): each action catches every error and jumps into the chain of compensations where it
 * starts for that step, the compensations run in reverse order and end in one Fail state.
 *
 * What it keeps, so that the two run the same work: the same functions and payloads (with the
 * idempotency key), the same retries (transient Lambda errors for the actions, every error ten times
 * for the compensations), the charge and the shipment undone when their own action fails.
 * What it leaves out, each costing the Saga a transition on some path (see SAGA_EXTRA_TRANSITIONS
 * in bench/saga.ts for why each is kept): no record of what failed (its Fail states have a fixed
 * cause that names neither the step nor the error nor what was undone), no record sent when a
 * compensation fails for good (only a Fail state with a fixed cause; nothing alarms).
 */
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { LambdaRetry } from '../../src';

export interface MinimalSagaProps {
  readonly fns: Record<'ReserveStock' | 'ReleaseStock' | 'ChargePayment' | 'RefundPayment' | 'BookShipping' | 'CancelShipment', lambda.IFunction>;
  /** The compensations' retry, the same as the Saga's. */
  readonly compensationRetry: sfn.RetryProps;
}

/** The minimal saga's definition. */
export function minimalSaga(scope: Construct, props: MinimalSagaProps): sfn.IChainable {
  const { fns } = props;
  const call = (name: string, fn: lambda.IFunction, resultPath: string) => new tasks.LambdaInvoke(scope, name, {
    lambdaFunction: fn,
    payloadResponseOnly: true,
    retryOnServiceExceptions: false,
    payload: sfn.TaskInput.fromObject({
      step: name,
      idempotencyKey: sfn.JsonPath.stringAt(`States.Hash(States.Format('{}/${name}', $$.Execution.Id), 'SHA-256')`),
      input: sfn.JsonPath.entirePayload,
    }),
    resultPath,
  });
  const rolledBack = new sfn.Fail(scope, 'Order rolled back', { error: 'SagaRolledBack', cause: 'the order was undone' });
  const notUndone = new sfn.Fail(scope, 'Order not undone', { error: 'SagaNotUndone', cause: 'a compensation failed' });
  const undo = (name: string, fn: lambda.IFunction, next: sfn.IChainable) => {
    const task = call(name, fn, sfn.JsonPath.DISCARD).addRetry(props.compensationRetry).addCatch(notUndone);
    task.next(next);
    return task;
  };
  const release = undo('Release stock', fns.ReleaseStock, rolledBack);
  const refund = undo('Refund payment', fns.RefundPayment, release);
  const cancel = undo('Cancel shipment', fns.CancelShipment, refund);
  const action = (name: string, fn: lambda.IFunction, resultPath: string, onFailure: sfn.IChainable) => {
    const task = call(name, fn, resultPath);
    LambdaRetry.addTo(task);
    return task.addCatch(onFailure, { resultPath: '$.error' });
  };
  return sfn.Chain.start(action('Reserve stock', fns.ReserveStock, '$.reservation', rolledBack))
    .next(action('Charge payment', fns.ChargePayment, '$.payment', refund))
    .next(action('Book shipping', fns.BookShipping, '$.shipment', cancel))
    .next(new sfn.Succeed(scope, 'Order placed'));
}
