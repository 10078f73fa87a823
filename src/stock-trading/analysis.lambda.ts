/**
 * Sample stock analysis for StockTradingWorkflow: a deterministic market simulation, so that demos
 * and local runs need no external service. The same input always gives the same analysis.
 *
 * Input: `{ tradeId, companyId, amount, price? }`: `amount` is the money to invest, `price` an
 * optional limit price. Output: `{ companyId, stockCount, price, tradeAmount, recommended, rating }`.
 */
import { createHash } from 'crypto';

/** A company's quote in the simulated market. `halted`: the market refuses orders (trades fail). */
export interface Quote {
  readonly price: number;
  readonly rating: 'BUY' | 'HOLD' | 'SELL';
  readonly halted?: boolean;
}

/** The simulated market: a few listed companies; any other id gets a price and rating from its hash. */
export const MARKET: Record<string, Quote> = {
  ACME: { price: 12.5, rating: 'BUY' },
  GLOBEX: { price: 88, rating: 'HOLD' },
  INITECH: { price: 41.2, rating: 'BUY', halted: true },
  UMBRELLA: { price: 7.75, rating: 'SELL' },
};

export interface AnalysisRequest {
  readonly tradeId?: unknown;
  readonly companyId?: unknown;
  readonly amount?: unknown;
  readonly price?: unknown;
}

export interface Analysis {
  readonly companyId: string;
  readonly stockCount: number;
  readonly price: number;
  readonly tradeAmount: number;
  readonly recommended: boolean;
  readonly rating: string;
}

/** A request the analysis cannot work with (not retried). */
export class InvalidAnalysisRequest extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidAnalysisRequest';
  }
}

/** The quote of a company in the simulated market. */
export function quote(companyId: string): Quote {
  const listed = MARKET[companyId.toUpperCase()];
  if (listed) return listed;
  const hash = createHash('sha256').update(companyId.toUpperCase()).digest();
  const price = Math.round((5 + (hash.readUInt32BE(0) % 49_500) / 100) * 100) / 100;
  const rating = (['BUY', 'HOLD', 'SELL'] as const)[hash[4] % 3];
  return { price, rating };
}

/** How many shares the amount buys at the quoted (or limit) price, and whether to buy them. */
export function analyse(request: AnalysisRequest): Analysis {
  if (typeof request.companyId !== 'string' || request.companyId.length === 0) {
    throw new InvalidAnalysisRequest('companyId is missing');
  }
  if (typeof request.amount !== 'number' || !Number.isFinite(request.amount) || request.amount < 0) {
    throw new InvalidAnalysisRequest(`amount must be a number of at least 0 (got ${JSON.stringify(request.amount)})`);
  }
  const market = quote(request.companyId);
  const limit = typeof request.price === 'number' ? request.price : undefined;
  const price = limit !== undefined ? Math.min(limit, market.price) : market.price;
  const stockCount = Math.floor(request.amount / price);
  const tradeAmount = Math.round(stockCount * price * 100) / 100;
  return {
    companyId: request.companyId,
    stockCount,
    price,
    tradeAmount,
    recommended: market.rating === 'BUY' && stockCount > 0,
    rating: market.rating,
  };
}

export async function handler(event: AnalysisRequest): Promise<Analysis> {
  return analyse(event);
}
