/**
 * The reads a quote needs, then quote.ts's pure pricing. Reads per quote: the market (unless the
 * market card just read it), the balance, the ticker's position, the book only for a market order
 * (unless handed over), and the series fee schedule only when not cached. Kept apart from the
 * pricing so the pricing is tested without I/O and the read budget (tests/trading/quoteReads) here.
 */
import type { ExchangePort, Market, Orderbook } from "../exchange/port.js";
import type { FeeSchedule } from "./feeSchedule.js";
import { type BestPrices, bestPrices, marketBestPrices } from "./prices.js";
import { type Centis, CENTIS_PER_CONTRACT } from "../domain/money.js";
import { afterSizing, sizeToBudget } from "./dollarSizing.js";
import { type QuoteLimits, checkIntent, checkMarket, priceQuote } from "./quote.js";
import type { MarketSnapshots } from "./snapshots.js";
import { type OrderIntent, type Quote, unknownMarketError } from "./types.js";

export type QuoteFn = (intent: OrderIntent, pre?: { book?: Orderbook }) => Promise<Quote>;

export function createQuoter(deps: {
  exchange: ExchangePort;
  fees: FeeSchedule;
  snapshots: MarketSnapshots;
  limits: QuoteLimits;
  now: () => number;
  newId: () => string;
}): QuoteFn {
  const { exchange, snapshots, now } = deps;

  /** The market: the one the market card read a moment ago (handed over once), else from the exchange. */
  async function loadMarket(ticker: string): Promise<Market> {
    const handed = snapshots.takeMarket(ticker);
    if (handed) return handed;
    const found = await exchange.getMarkets({ tickers: [ticker] });
    const m = found.find((x) => x.ticker.toUpperCase() === ticker);
    if (!m) throw unknownMarketError(ticker);
    return m;
  }

  /**
   * Best prices: a book handed over (the market card's, or place()'s re-check) is used as is; a
   * market order needs the book for its worst price; a limit order only needs to know whether it
   * crosses (taker or maker fee estimate), which the market snapshot's best prices tell.
   */
  async function pricesFor(
    intent: OrderIntent,
    market: Market,
    book: Orderbook | undefined,
  ): Promise<{ best: BestPrices; book?: Orderbook }> {
    const handed = book ?? snapshots.takeBook(intent.ticker);
    if (handed) return { best: bestPrices(handed), book: handed };
    if (intent.kind === "market") {
      const read = await exchange.getOrderbook(intent.ticker);
      return { best: bestPrices(read), book: read };
    }
    return { best: marketBestPrices(market) };
  }

  /** `pre.book` is the book place() just read for its price re-check. */
  return async function quote(raw, pre = {}) {
    // A dollar amount is turned into a count once the prices are read; one contract stands in till then.
    const budget = raw.budget;
    const asked = checkIntent(
      budget === undefined ? raw : { ...raw, count: CENTIS_PER_CONTRACT as Centis },
      deps.limits,
    );
    const market = await loadMarket(asked.ticker);
    checkMarket(asked, market, now());
    const ticker = asked.ticker;
    const [prices, balance, positions, fees] = await Promise.all([
      pricesFor(asked, market, pre.book),
      exchange.getBalance(),
      exchange.getPositions({ ticker }),
      deps.fees.feeInfo(market),
    ]);
    const held = positions.find((p) => p.ticker.toUpperCase() === ticker);
    if (budget === undefined) return price(asked);
    const sized = sizeToBudget(
      { ...asked, budget },
      { market, best: prices.best, fees, limits: deps.limits },
    );
    // The caps and the balance are checked after the conversion; a refusal says what the amount bought.
    const q = afterSizing(sized, () => price(sized.intent));
    return { ...q, sizing: sized.sizing };

    function price(intent: OrderIntent): Quote {
      return priceQuote({
        intent,
        market,
        best: prices.best,
        ...(prices.book ? { book: prices.book } : {}),
        ...(held ? { heldCost: held.marketExposure } : {}),
        balance: balance.balance,
        position: held?.position ?? 0,
        fees,
        limits: deps.limits,
        now: now(),
        clientOrderId: deps.newId(),
      });
    }
  };
}
