/**
 * Sample trade execution for StockTradingWorkflow, idempotent: the first invocation with an
 * idempotency key trades and stores its result with a conditional write; any later invocation with
 * the same key (a retry after a lost response) returns that result and trades nothing.
 */
import { createHash } from 'crypto';
import type * as DynamoDB from '@aws-sdk/client-dynamodb';
import { quote } from './analysis.lambda';

let loaded: { sdk: typeof DynamoDB; client: DynamoDB.DynamoDBClient } | undefined;

/** The DynamoDB client, loaded on first use: loading the SDK package takes far longer than this handler. */
function dynamodb(): { sdk: typeof DynamoDB; client: DynamoDB.DynamoDBClient } {
  if (!loaded) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sdk = require('@aws-sdk/client-dynamodb') as typeof DynamoDB;
    loaded = { sdk, client: new sdk.DynamoDBClient({}) };
  }
  return loaded;
}

export interface TradeOrder {
  readonly idempotencyKey?: unknown;
  readonly tradeId?: unknown;
  readonly companyId?: unknown;
  readonly stockCount?: unknown;
  readonly price?: unknown;
}

export interface TradeResult {
  readonly tradeId: string;
  readonly transactionId: string;
  /** FILLED, or REJECTED (with a reason) when the market refuses the order. */
  readonly status: 'FILLED' | 'REJECTED';
  readonly filledCount: number;
  readonly tradeAmount: number;
  readonly reason?: string;
  readonly executedAt: string;
}

/** An order the function cannot execute (not retried). */
export class InvalidTradeOrder extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidTradeOrder';
  }
}

/** Checks an order; the idempotency key must be there, or a retry could trade twice. */
export function validateOrder(order: TradeOrder): { idempotencyKey: string; tradeId: string; companyId: string; stockCount: number; price: number } {
  if (typeof order.idempotencyKey !== 'string' || order.idempotencyKey.length < 8) throw new InvalidTradeOrder('idempotencyKey is missing');
  if (typeof order.tradeId !== 'string' || order.tradeId.length === 0) throw new InvalidTradeOrder('tradeId is missing');
  if (typeof order.companyId !== 'string' || order.companyId.length === 0) throw new InvalidTradeOrder('companyId is missing');
  if (typeof order.stockCount !== 'number' || !Number.isInteger(order.stockCount) || order.stockCount <= 0) {
    throw new InvalidTradeOrder(`stockCount must be a whole number above 0 (got ${JSON.stringify(order.stockCount)})`);
  }
  if (typeof order.price !== 'number' || !(order.price > 0)) {
    throw new InvalidTradeOrder(`price must be a number above 0 (got ${JSON.stringify(order.price)})`);
  }
  const { idempotencyKey, tradeId, companyId, stockCount, price } = order;
  return { idempotencyKey, tradeId, companyId, stockCount, price };
}

/** What the simulated market does with an order: fills it, unless trading in the company is halted. */
export function simulateTrade(order: ReturnType<typeof validateOrder>, now: Date): TradeResult {
  const transactionId = `tx-${createHash('sha256').update(order.idempotencyKey).digest('hex').slice(0, 16)}`;
  const halted = quote(order.companyId).halted === true;
  return {
    tradeId: order.tradeId,
    transactionId,
    status: halted ? 'REJECTED' : 'FILLED',
    filledCount: halted ? 0 : order.stockCount,
    tradeAmount: halted ? 0 : Math.round(order.stockCount * order.price * 100) / 100,
    ...(halted ? { reason: `trading in ${order.companyId} is halted` } : {}),
    executedAt: now.toISOString(),
  };
}

export async function handler(event: TradeOrder): Promise<TradeResult> {
  const order = validateOrder(event);
  const table = process.env.TRADES_TABLE_NAME;
  if (!table) throw new Error('the trade execution function is missing TRADES_TABLE_NAME');
  const result = simulateTrade(order, new Date());
  try {
    const { sdk, client } = dynamodb();
    await client.send(new sdk.PutItemCommand({
      TableName: table,
      Item: {
        idempotencyKey: { S: order.idempotencyKey },
        tradeId: { S: order.tradeId },
        result: { S: JSON.stringify(result) },
        ttl: { N: String(Math.floor(Date.now() / 1000) + 30 * 24 * 3600) },
      },
      ConditionExpression: 'attribute_not_exists(idempotencyKey)',
    }));
  } catch (e) {
    if ((e as Error).name !== 'ConditionalCheckFailedException') throw e;
    // Executed before (a retry after a lost response): answer as the first time, trade nothing.
    const { sdk, client } = dynamodb();
    const first = await client.send(new sdk.GetItemCommand({
      TableName: table,
      Key: { idempotencyKey: { S: order.idempotencyKey } },
      ConsistentRead: true,
    }));
    const stored = first.Item?.result?.S;
    if (!stored) throw new Error(`trade ${order.tradeId}: the record of its first execution is unreadable`);
    console.log(JSON.stringify({ event: 'trade.replayed', tradeId: order.tradeId, transactionId: JSON.parse(stored).transactionId }));
    return JSON.parse(stored);
  }
  console.log(JSON.stringify({ event: 'trade.executed', tradeId: order.tradeId, transactionId: result.transactionId, status: result.status }));
  return result;
}
