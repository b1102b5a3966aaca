/**
 * What the account holds, in one definition that /balance, /account and /portfolio all show, so the
 * same moment never gives two values: cash (Kalshi's available balance), cash held by resting orders,
 * and open positions valued at what they would sell for now.
 *
 * Value of a position = count × the bid of its own outcome (YES bid for YES, NO bid = 1 − YES ask
 * for NO), floored to the micro-dollar; a settled market at its payout; without a bid, the last
 * traded price. That is how the sim computes Kalshi's `portfolio_value` (liquidation value at the
 * best bids); Kalshi documents that field only as "portfolio value in cents", so we compute our own
 * from one batched read of markets and books, which also gives every position its own value.
 *
 * Cash held by a resting order is estimated as Kalshi holds it when the order rests: price × the
 * part that opens a position (a part that sells what is held needs no cash) plus the maker fee.
 */
import { estimateFee } from "../domain/fees.js";
import { type Centis, type Micros, complementPrice, micros, mulPriceCount } from "../domain/money.js";
import type {
  ExchangePort,
  Market,
  Order,
  Orderbook,
  OutcomeSide,
  Position,
  ShardBalance,
} from "../exchange/port.js";
import type { FeeInfo, FeeSchedule } from "./feeSchedule.js";
import { bestPrices, isSettled, settledYesValue } from "./prices.js";
import { heldOf } from "./quote.js";

export interface ValuedPosition {
  position: Position;
  side: OutcomeSide;
  count: Centis;
  market: Market | undefined;
  /** The price of `side` it would sell at now; null when the market has no price at all. */
  price: Micros | null;
  value: Micros | null;
}

export interface RestingOrderView {
  orderId: string;
  ticker: string;
  /** The market's title (the ticker when the market could not be read). */
  title: string;
  /** In the user's words: a bid while holding NO sells NO; otherwise it buys YES (an ask mirrors it). */
  action: "buy" | "sell";
  outcome: OutcomeSide;
  /** Price of `outcome`. */
  price: Micros;
  remaining: Centis;
  /** Cash the order holds (estimated, see the top of the file). */
  reserved: Micros;
}

export interface Holdings {
  cash: Micros;
  /** Cash per exchange shard, as Kalshi's balance breaks it down. */
  byShard: ShardBalance[];
  reserved: Micros;
  restingOrders: RestingOrderView[];
  /** Σ value of the priced positions. */
  positionsValue: Micros;
  /** cash + reserved + positionsValue. */
  total: Micros;
  positions: ValuedPosition[];
  /** Tickers held without any price (left out of positionsValue). */
  unpriced: string[];
  /** The market read failed: positions are listed without prices. */
  pricesFailed: boolean;
}

/** The price of `side` a position would sell at now (the definition above). */
export function sellPriceOf(
  side: OutcomeSide,
  m: Market | undefined,
  book: Orderbook | undefined,
): Micros | null {
  if (!m) return null;
  if (isSettled(m)) {
    const yes = settledYesValue(m);
    return yes === null ? null : side === "yes" ? yes : complementPrice(yes);
  }
  const bid = book
    ? bestPrices(book)[side === "yes" ? "yesBid" : "noBid"]
    : side === "yes"
      ? m.yesBid
      : m.noBid;
  if (bid !== null && bid > 0) return bid;
  if (m.lastPrice === null || m.lastPrice <= 0) return null;
  return side === "yes" ? m.lastPrice : complementPrice(m.lastPrice);
}

/** What a resting order does and the cash it holds, given the signed position in its market. */
export function restingOrderView(
  o: Order,
  position: number,
  fee?: Pick<FeeInfo, "feeType" | "multiplier">,
): RestingOrderView {
  const bid = o.bookSide === "bid";
  const closable = heldOf(bid ? "no" : "yes", position);
  const opening = Math.max(0, o.remainingCount - closable) as Centis;
  const unit = bid ? o.yesPrice : o.noPrice;
  const makerFee = fee
    ? estimateFee({
        price: o.yesPrice,
        count: o.remainingCount,
        role: "maker",
        feeType: fee.feeType,
        multiplier: fee.multiplier,
      })
    : 0;
  const sells = closable > 0;
  const outcome: OutcomeSide = bid === sells ? "no" : "yes";
  return {
    orderId: o.orderId,
    ticker: o.ticker,
    title: o.ticker,
    action: sells ? "sell" : "buy",
    outcome,
    price: outcome === "yes" ? o.yesPrice : o.noPrice,
    remaining: o.remainingCount,
    reserved: micros(mulPriceCount(unit, opening, "ceil") + makerFee),
  };
}

export interface HoldingsDeps {
  exchange: ExchangePort;
  /** Series fee schedules, for the maker fee a resting order holds; without it that fee is left out. */
  fees?: FeeSchedule;
}

/** Reads balance, positions and resting orders, then every market and book in one batch each. */
export async function readHoldings(deps: HoldingsDeps): Promise<Holdings> {
  const { exchange } = deps;
  const [balance, positions, orders] = await Promise.all([
    exchange.getBalance(),
    exchange.getPositions(),
    exchange.getOrders({ status: "resting" }),
  ]);
  const open = positions.filter((p) => p.position !== 0);
  const held = [...new Set(open.map((p) => p.ticker))];
  const tickers = [...new Set([...held, ...orders.map((o) => o.ticker)])];
  let pricesFailed = false;
  const [markets, books] = tickers.length
    ? await Promise.all([
        exchange.getMarkets({ tickers }).catch(() => {
          pricesFailed = true;
          return [] as Market[];
        }),
        held.length
          ? exchange.getOrderbooks(held).catch(() => new Map<string, Orderbook>())
          : Promise.resolve(new Map<string, Orderbook>()),
      ])
    : [[] as Market[], new Map<string, Orderbook>()];
  const byTicker = new Map(markets.map((m) => [m.ticker, m]));
  const valued = open.map((p) => valuePosition(p, byTicker.get(p.ticker), books.get(p.ticker)));
  const signed = new Map(positions.map((p) => [p.ticker, p.position as number]));
  const restingOrders = await Promise.all(
    orders.map(async (o) => {
      const m = byTicker.get(o.ticker);
      const fee = m && deps.fees ? await deps.fees.feeInfo(m).catch(() => undefined) : undefined;
      return { ...restingOrderView(o, signed.get(o.ticker) ?? 0, fee), title: m?.title ?? o.ticker };
    }),
  );
  const positionsValue = micros(valued.reduce((a, v) => a + (v.value ?? 0), 0));
  const reserved = micros(restingOrders.reduce((a, o) => a + o.reserved, 0));
  return {
    cash: balance.balance,
    byShard: balance.byShard,
    reserved,
    restingOrders,
    positionsValue,
    total: micros(balance.balance + reserved + positionsValue),
    positions: valued,
    unpriced: valued.filter((v) => v.value === null).map((v) => v.position.ticker),
    pricesFailed,
  };
}

function valuePosition(p: Position, m: Market | undefined, book: Orderbook | undefined): ValuedPosition {
  const side: OutcomeSide = p.position > 0 ? "yes" : "no";
  const count = Math.abs(p.position) as Centis;
  const price = sellPriceOf(side, m, book);
  return {
    position: p,
    side,
    count,
    market: m,
    price,
    value: price === null ? null : mulPriceCount(price, count, "floor"),
  };
}
