/**
 * One order round of the self-check on one market: a 1-contract post-only YES bid at the market's
 * lowest tick (below the best bid, so it rests and cannot fill), seen on the `user_orders`
 * WebSocket channel, amended up one tick (and to 2 contracts, so the decrease has something to
 * take), decreased back to 1, canceled — every write routed by the market's ticker.
 *
 * The order is registered with the OrderGuard before the create is sent, so the guard can cancel
 * it whatever happens next (a failed step, Ctrl-C, an open create answer).
 */
import { randomUUID } from "node:crypto";
import { type Centis, type Micros, displayCount, displayPrice } from "../domain/money.js";
import type { ExchangePort, Market, Order } from "../exchange/port.js";
import { bestPrices, minValidPrice, snapUp } from "../trading/prices.js";
import type { OrderGuard } from "./guard.js";
import { CheckFailed, Skipped, type StepRunner, said } from "./report.js";
import type { OrderEvents } from "./events.js";

export interface RoundSpec {
  /** Prefix of the step names, e.g. "market" or "crypto (shard 1)". */
  label: string;
  /** Only markets of this series. */
  seriesTicker?: string;
  /** Never markets of these series (by event ticker prefix). */
  excludeSeries?: string[];
  /** When no market fits, SKIP the round instead of failing it. */
  optional?: boolean;
}

interface Choice {
  market: Market;
  price: Micros;
  nextPrice: Micros;
  bestBid: Micros;
}

const ONE = 100 as Centis;
const TWO = 200 as Centis;
/** Markets whose book is read while looking for one where the lowest tick rests. */
const BOOKS_TO_TRY = 8;

export interface RoundDeps {
  exchange: ExchangePort;
  steps: StepRunner;
  guard: OrderGuard;
  events: OrderEvents;
  wsTimeoutMs: number;
  newId?: () => string;
}

function inSeries(m: Market, series: string): boolean {
  return m.eventTicker === series || m.eventTicker.startsWith(`${series}-`);
}

/** An open market where the lowest tick and the next one both rest below the best YES bid. */
async function pickMarket(exchange: ExchangePort, spec: RoundSpec): Promise<Choice | null> {
  const markets = await exchange.getMarkets({
    status: "open",
    max: 300,
    ...(spec.seriesTicker ? { seriesTicker: spec.seriesTicker } : {}),
  });
  const candidates = markets
    .filter((m) => m.status === "active" && m.marketType === "binary")
    .filter((m) => !(spec.excludeSeries ?? []).some((s) => inSeries(m, s)))
    .sort((a, b) => (b.yesBid ?? 0) - (a.yesBid ?? 0))
    .slice(0, BOOKS_TO_TRY);
  for (const market of candidates) {
    const price = minValidPrice(market);
    const nextPrice = snapUp(market, price + 1);
    if (nextPrice === null) continue;
    const best = bestPrices(await exchange.getOrderbook(market.ticker));
    if (best.yesBid === null || best.yesBid <= nextPrice) continue;
    if (best.yesAsk !== null && best.yesAsk <= nextPrice) continue;
    return { market, price, nextPrice, bestBid: best.yesBid };
  }
  return null;
}

function describeOrder(o: Pick<Order, "status" | "remainingCount" | "yesPrice">): string {
  return `${o.status}, ${displayCount(o.remainingCount)} resting at ${displayPrice(o.yesPrice)}`;
}

export async function runRound(deps: RoundDeps, spec: RoundSpec): Promise<void> {
  const { exchange, steps, guard, events } = deps;
  const newId = deps.newId ?? randomUUID;
  const L = spec.label;

  const pick = await steps.run(`${L}: pick market`, async () => {
    const p = await pickMarket(exchange, spec);
    if (!p) {
      const why = `no open market${spec.seriesTicker ? ` of ${spec.seriesTicker}` : ""} has a best YES bid above its two lowest ticks`;
      throw spec.optional ? new Skipped(why) : new CheckFailed(why);
    }
    return said(
      p,
      `${p.market.ticker}: lowest tick ${displayPrice(p.price)}, next ${displayPrice(p.nextPrice)}, best YES bid ${displayPrice(p.bestBid)}`,
    );
  });
  if (!pick) return;
  const ticker = pick.market.ticker;
  const clientOrderId = newId();

  const placed = await steps.run(`${L}: place 1 YES bid`, async () => {
    guard.creating(clientOrderId, ticker);
    const r = await exchange.createOrder({
      ticker,
      side: "bid",
      count: ONE,
      price: pick.price,
      timeInForce: "good_till_canceled",
      clientOrderId,
      postOnly: true,
    });
    guard.created(clientOrderId, r.orderId);
    if (r.fillCount !== 0 || r.remainingCount !== ONE) {
      throw new CheckFailed(
        `expected 1 resting and none filled; Kalshi says ${displayCount(r.remainingCount)} resting, ${displayCount(r.fillCount)} filled`,
      );
    }
    return said(r.orderId, `order ${r.orderId}: 1 resting at ${displayPrice(pick.price)} (post-only, GTC)`);
  });
  if (!placed) return;
  let orderId = placed;

  await steps.run(`${L}: user_orders shows it`, async () => {
    const e = await events.waitFor((o) => o.orderId === orderId && o.status === "resting", deps.wsTimeoutMs);
    return said(e, `user_order ${e.order.orderId}: ${describeOrder(e.order)}`);
  });

  const updatedClientOrderId = newId();
  const amended = await steps.run(`${L}: amend +1 tick (routed)`, async () => {
    guard.renamed(orderId, updatedClientOrderId);
    const r = await exchange.amendOrder({
      orderId,
      ticker,
      side: "bid",
      price: pick.nextPrice,
      count: TWO,
      clientOrderId,
      updatedClientOrderId,
    });
    if (r.orderId !== orderId) guard.created(updatedClientOrderId, r.orderId);
    orderId = r.orderId;
    const o = await exchange.getOrder(orderId);
    if (o.status !== "resting" || o.yesPrice !== pick.nextPrice || o.remainingCount !== TWO) {
      throw new CheckFailed(
        `expected 2 resting at ${displayPrice(pick.nextPrice)}; the order is ${describeOrder(o)}`,
      );
    }
    return said(true, `order ${orderId}: ${describeOrder(o)} (total 2)`);
  });
  if (!amended) return;

  const decreased = await steps.run(`${L}: decrease by 1 (routed)`, async () => {
    const r = await exchange.decreaseOrder({ orderId, ticker, reduceBy: ONE });
    if (r.remainingCount !== ONE) {
      throw new CheckFailed(`expected 1 resting; Kalshi says ${displayCount(r.remainingCount)}`);
    }
    return said(true, `order ${r.orderId}: ${displayCount(r.remainingCount)} resting`);
  });
  if (!decreased) return;

  const canceled = await steps.run(`${L}: cancel (routed)`, async () => {
    const r = await exchange.cancelOrder(orderId, ticker);
    guard.canceled(orderId);
    if (r.reducedBy !== ONE)
      throw new CheckFailed(`expected 1 canceled; Kalshi says ${displayCount(r.reducedBy)}`);
    return said(true, `order ${r.orderId}: canceled, reduced by ${displayCount(r.reducedBy)}`);
  });
  if (!canceled) return;

  await steps.run(`${L}: user_orders shows cancel`, async () => {
    const e = await events.waitFor((o) => o.orderId === orderId && o.status === "canceled", deps.wsTimeoutMs);
    return said(e, `user_order ${e.order.orderId}: ${e.order.status}${e.reason ? ` (${e.reason})` : ""}`);
  });
}
