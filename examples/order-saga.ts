/**
 * Example: an order as a saga (reserve stock, charge payment, book shipping), each step undone in
 * reverse order when a later one fails, in a JSONPath workflow and in a JSONata one. Used by the demo
 * (`npm run demo`: the happy path, a failure at each step, a compensation that fails), by
 * integ/integ.saga.ts and by the README's diagram (docs/order-saga.svg).
 */
import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { inlineFunctions } from './inline-functions';
import { Saga, SagaStep, Workflow } from '../src';

/**
 * The example's functions, as inline Node.js code. Each receives `{ step, idempotencyKey, input }`
 * and uses the key as the id of what it creates, so that a retry creates nothing twice. Inputs that
 * make a step fail: an item `sold-out`, the card `declined`, the address `nowhere`; the card `closed`
 * cannot be refunded.
 */
export const ORDER_SAGA_FUNCTIONS = {
  ReserveStock: `exports.handler = async ({ idempotencyKey, input }) => {
  if (!input.items || input.items.length === 0 || input.items.includes('sold-out')) {
    throw Object.assign(new Error('not in stock: ' + JSON.stringify(input.items)), { name: 'OutOfStock' });
  }
  return { reservationId: 'res-' + idempotencyKey.slice(0, 12), items: input.items };
};`,
  ReleaseStock: 'exports.handler = async ({ input }) => ({ released: input.reservation.reservationId });',
  ChargePayment: `exports.handler = async ({ idempotencyKey, input }) => {
  if (input.card === 'declined') throw Object.assign(new Error('card declined'), { name: 'PaymentDeclined' });
  return { chargeId: 'ch-' + idempotencyKey.slice(0, 12), amount: input.total };
};`,
  RefundPayment: `exports.handler = async ({ idempotencyKey, input }) => {
  if (input.card === 'closed') throw Object.assign(new Error('the card account is closed'), { name: 'RefundRejected' });
  // Also called when the charge itself failed (it may have gone through): the charge is found by its key.
  return { refunded: 'ch-' + idempotencyKey.slice(0, 12), found: Boolean(input.payment) };
};`,
  BookShipping: `exports.handler = async ({ idempotencyKey, input }) => {
  if (input.address === 'nowhere') throw Object.assign(new Error('no carrier delivers to ' + input.address), { name: 'ShippingUnavailable' });
  return { shipmentId: 'sh-' + idempotencyKey.slice(0, 12) };
};`,
  CancelShipment: 'exports.handler = async ({ idempotencyKey }) => ({ cancelled: \'sh-\' + idempotencyKey.slice(0, 12) });',
};

/** The example's functions, by name. */
export type OrderSagaFunctions = Record<keyof typeof ORDER_SAGA_FUNCTIONS, lambda.IFunction>;

/** The order saga, in the given query language. */
export function orderSaga(scope: Construct, id: string, fns: OrderSagaFunctions, queryLanguage: sfn.QueryLanguage): Saga {
  return new Saga(scope, id, {
    queryLanguage,
    steps: [
      SagaStep.lambda('Reserve stock', { action: fns.ReserveStock, compensation: fns.ReleaseStock, resultPath: '$.reservation' }),
      // A charge that timed out may have gone through: refund it all the same.
      SagaStep.lambda('Charge payment', {
        action: fns.ChargePayment,
        compensation: fns.RefundPayment,
        resultPath: '$.payment',
        compensateFailedAction: true,
        actionTimeout: Duration.seconds(30),
      }),
      SagaStep.lambda('Book shipping', { action: fns.BookShipping, compensation: fns.CancelShipment, resultPath: '$.shipment', compensateFailedAction: true }),
    ],
  });
}

export class OrderSagaStack extends Stack {
  /** The saga in a JSONPath workflow. */
  public readonly saga: Saga;
  public readonly workflow: Workflow;
  /** The same saga in JSONata (its states declare JSONata inside the JSONPath workflow). */
  public readonly jsonataSaga: Saga;
  public readonly jsonataWorkflow: Workflow;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    const fns = inlineFunctions(this, ORDER_SAGA_FUNCTIONS);

    this.saga = orderSaga(this, 'Order', fns, sfn.QueryLanguage.JSON_PATH);
    this.workflow = new Workflow(this, 'OrderSaga', {
      definition: this.saga.next(new sfn.Succeed(this, 'Order placed')),
      timeout: Duration.minutes(15),
    });

    this.jsonataSaga = orderSaga(this, 'Order (JSONata)', fns, sfn.QueryLanguage.JSONATA);
    this.jsonataWorkflow = new Workflow(this, 'OrderSagaJsonata', {
      definition: this.jsonataSaga.next(sfn.Succeed.jsonata(this, 'Order placed (JSONata)', { stateName: 'Order placed' })),
      timeout: Duration.minutes(15),
    });
  }
}
