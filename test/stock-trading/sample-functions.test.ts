import { analyse, handler as analysisHandler, quote } from '../../src/stock-trading/analysis.lambda';
import { handler as executeHandler, simulateTrade, validateOrder } from '../../src/stock-trading/execute-trade.lambda';
import { FakeDynamoDB } from '../support/fake-dynamodb';

describe('sample analysis', () => {
  test('listed companies: the amount buys whole shares at the quoted price; BUY-rated ones are recommended', async () => {
    expect(await analysisHandler({ tradeId: 't', companyId: 'ACME', amount: 1000 }))
      .toEqual({ companyId: 'ACME', stockCount: 80, price: 12.5, tradeAmount: 1000, recommended: true, rating: 'BUY' });
    expect(analyse({ companyId: 'UMBRELLA', amount: 100 })).toMatchObject({ stockCount: 12, tradeAmount: 93, recommended: false, rating: 'SELL' });
  });

  test('a limit price below the quote is used; an amount too small for one share is not recommended', () => {
    expect(analyse({ companyId: 'ACME', amount: 100, price: 10 })).toMatchObject({ price: 10, stockCount: 10, tradeAmount: 100 });
    expect(analyse({ companyId: 'ACME', amount: 5 })).toMatchObject({ stockCount: 0, tradeAmount: 0, recommended: false });
  });

  test('any other company gets the same price and rating every time, from its id', () => {
    const first = quote('Contoso');
    expect(quote('CONTOSO')).toEqual(first);
    expect(first.price).toBeGreaterThanOrEqual(5);
    expect(first.price).toBeLessThan(500);
    expect(['BUY', 'HOLD', 'SELL']).toContain(first.rating);
    expect(quote('Fabrikam')).not.toEqual(first);
  });

  test.each([
    [{ amount: 10 }, 'companyId is missing'],
    [{ companyId: 'ACME', amount: -1 }, 'amount must be a number of at least 0 (got -1)'],
    [{ companyId: 'ACME', amount: '10' }, 'amount must be a number of at least 0 (got "10")'],
  ])('fails with InvalidAnalysisRequest on %j', (request, message) => {
    expect(() => analyse(request)).toThrow(expect.objectContaining({ name: 'InvalidAnalysisRequest', message }));
  });
});

describe('sample trade execution', () => {
  let ddb: FakeDynamoDB;
  const order = { idempotencyKey: 'k'.repeat(64), tradeId: 't-1', companyId: 'ACME', stockCount: 8, price: 12.5, tradeAmount: 100 };
  beforeEach(() => {
    ddb = new FakeDynamoDB();
    ddb.addTable('Trades', 'idempotencyKey');
    process.env.TRADES_TABLE_NAME = 'Trades';
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => {
    ddb.restore();
    jest.restoreAllMocks();
  });

  test('two invocations with one key trade once and answer the same', async () => {
    const first = await executeHandler(order);
    const second = await executeHandler(order);
    expect(second).toEqual(first);
    expect(first).toMatchObject({ tradeId: 't-1', status: 'FILLED', filledCount: 8, tradeAmount: 100, transactionId: expect.stringMatching(/^tx-[0-9a-f]{16}$/) });
    expect(ddb.writes).toEqual([{ table: 'Trades', command: 'PutItem', key: order.idempotencyKey }]);
  });

  test('another key is another trade', async () => {
    await executeHandler(order);
    const other = await executeHandler({ ...order, idempotencyKey: 'j'.repeat(64) });
    expect(ddb.writes).toHaveLength(2);
    expect(other.transactionId).not.toBe(simulateTrade(validateOrder(order), new Date()).transactionId);
  });

  test('the market refuses orders for a halted company: REJECTED with a reason', async () => {
    expect(await executeHandler({ ...order, companyId: 'INITECH' })).toMatchObject({ status: 'REJECTED', filledCount: 0, reason: 'trading in INITECH is halted' });
  });

  test.each([
    [{ idempotencyKey: undefined }, 'idempotencyKey is missing'],
    [{ tradeId: '' }, 'tradeId is missing'],
    [{ stockCount: 2.5 }, 'stockCount must be a whole number above 0 (got 2.5)'],
    [{ price: 0 }, 'price must be a number above 0 (got 0)'],
  ])('fails with InvalidTradeOrder on %j, without trading', async (change, message) => {
    await expect(executeHandler({ ...order, ...change })).rejects.toMatchObject({ name: 'InvalidTradeOrder', message });
    expect(ddb.writes).toEqual([]);
  });

  test('fails when the trades table is not configured', async () => {
    delete process.env.TRADES_TABLE_NAME;
    await expect(executeHandler(order)).rejects.toThrow('missing TRADES_TABLE_NAME');
  });
});
