/**
 * Changing a resting order from its card (issue 13): one tick up or down, a typed price, or a
 * smaller size. Planning is pure (the order and its market in, a plan or the reason there is none
 * out) so the bot can show the change on a confirmation before anything is sent; `apply` reads the
 * order once more and sends the plan only when the order is still what the confirmation showed.
 * Prices are in the order's own outcome (what the trader reads on the card); the wire speaks YES
 * prices and book sides, and Kalshi's amend `count` is the new TOTAL (filled + resting). Every
 * outcome is a value; the bot renders it.
 */
import { type Centis, type Micros, centis } from "../domain/money.js";
import { KalshiApiError } from "../exchange/errors.js";
import type { ExchangePort, Market, Order, OutcomeSide } from "../exchange/port.js";
import { isValidPrice, snapDown, snapUp } from "./prices.js";
import { wireYesPrice } from "./quote.js";
import type { MarketSnapshots } from "./snapshots.js";

/** A resting order with its market, read afresh. */
export interface OrderNow {
  order: Order;
  market: Market;
}

/** What a tap on a change button found: the order resting, finished meanwhile, or none at all. */
export type ReadOutcome =
  ({ kind: "resting" } & OrderNow) | { kind: "gone"; order: Order } | { kind: "notFound"; orderId: string };

/**
 * One change, as its confirmation shows it (JSON-safe). `kind: "price"` re-prices the whole order
 * (amend; the total stays, so the resting part stays what is left of it); `kind: "size"` lowers the
 * total (decrease; the price and the queue place stay).
 */
export interface ChangePlan {
  kind: "price" | "size";
  orderId: string;
  ticker: string;
  /** The outcome whose prices `fromPrice` / `toPrice` are. */
  outcome: OutcomeSide;
  fromPrice: Micros;
  toPrice: Micros;
  /** Total size (filled + resting) before and after. */
  fromTotal: Centis;
  toTotal: Centis;
  /** Filled when the plan was made. */
  filled: Centis;
  /**
   * A new price that reaches the other side of the market (its best price, read with the market,
   * in the order's outcome): the amend trades at once. Null: it rests.
   */
  tradesAt: Micros | null;
}

/** Why there is no plan (the bot says it in a sentence; nothing is sent). */
export type NoPlan =
  /** A new price needs an open market (Kalshi refuses an amend in a paused or closed one). */
  | { kind: "closed"; status: Market["status"] }
  /** A tick past the market's lowest or highest price. */
  | { kind: "edge"; dir: "up" | "down"; price: Micros }
  /** A typed price off the market's grid; `nearest` (one or two) are valid prices of the outcome. */
  | { kind: "offGrid"; price: Micros; nearest: Micros[] }
  | { kind: "samePrice"; price: Micros }
  /** A typed total below what already filled. */
  | { kind: "belowFilled"; asked: Centis; filled: Centis }
  /** A typed total that leaves nothing resting (that is a cancel). */
  | { kind: "nothingLeft"; filled: Centis }
  /** A typed total not below the current total (Reduce only makes an order smaller). */
  | { kind: "notSmaller"; asked: Centis; total: Centis };

export type PlanOutcome = { kind: "plan"; plan: ChangePlan } | NoPlan;

/** Why the exchange refused a change (nothing changed). */
export type RefusalReason = "price" | "cash" | "closed" | "other";

/** What `apply` did. */
export type ApplyOutcome =
  /** Done; `order` is the order read right after (null when that read failed). */
  | { kind: "changed"; plan: ChangePlan; order: Order | null; filledNow: Centis }
  /** Not sent: the order is no longer resting, or its price or size is no longer the plan's. */
  | { kind: "stale"; order: Order }
  | { kind: "notFound"; orderId: string }
  | { kind: "refused"; reason: RefusalReason; details: string | null; order: Order | null }
  /** The request failed in a way that leaves open whether it acted; `order` as read afterwards. */
  | { kind: "unknown"; cause: unknown; order: Order | null };

export interface OrderChanges {
  /** The order and its market as they are now (reads: the order, then its market). */
  read(orderId: string): Promise<ReadOutcome>;
  /** Sends `plan` (amend or decrease, routed by its market) when the order is still as planned. */
  apply(plan: ChangePlan): Promise<ApplyOutcome>;
}

export interface OrderChangesDeps {
  exchange: Pick<ExchangePort, "getOrder" | "getMarket" | "amendOrder" | "decreaseOrder">;
  snapshots: Pick<MarketSnapshots, "drop">;
}

const isNotFound = (e: unknown) => e instanceof KalshiApiError && e.status === 404;

/** The outcome price of a resting order (its YES price, or the NO price for a NO order). */
export function priceOf(o: Order, outcome: OutcomeSide): Micros {
  return outcome === "yes" ? o.yesPrice : o.noPrice;
}

/**
 * The next valid price of `outcome` one tick above (`up`) or below the order's, on the market's
 * own grid (a tapered market steps $0.001 below $0.10 and above $0.90, $0.01 between): the step is
 * the one on the side moved to, so a tick across a boundary lands on a valid price. A NO price
 * moves opposite to the YES price it is sent as.
 */
export function tickPlan(now: OrderNow, outcome: OutcomeSide, dir: "up" | "down"): PlanOutcome {
  if (now.market.status !== "active") return { kind: "closed", status: now.market.status };
  const from = priceOf(now.order, outcome);
  const yes = wireYesPrice(outcome, from);
  const yesUp = (dir === "up") === (outcome === "yes");
  const next = yesUp ? snapUp(now.market, yes + 1) : snapDown(now.market, yes - 1);
  if (next === null) return { kind: "edge", dir, price: from };
  return { kind: "plan", plan: pricePlanOf(now, outcome, wireYesPrice(outcome, next)) };
}

/** A typed price of `outcome`: on the grid and different from the order's, else why not. */
export function pricePlan(now: OrderNow, outcome: OutcomeSide, price: Micros): PlanOutcome {
  if (now.market.status !== "active") return { kind: "closed", status: now.market.status };
  const yes = wireYesPrice(outcome, price);
  if (!isValidPrice(now.market, yes)) {
    const back = (y: Micros | null) => (y === null ? null : wireYesPrice(outcome, y));
    const nearest = [back(snapDown(now.market, yes)), back(snapUp(now.market, yes))]
      .filter((p): p is Micros => p !== null)
      .sort((a, b) => a - b)
      .filter((p, i, all) => i === 0 || p !== all[i - 1]);
    return { kind: "offGrid", price, nearest };
  }
  if (price === priceOf(now.order, outcome)) return { kind: "samePrice", price };
  return { kind: "plan", plan: pricePlanOf(now, outcome, price) };
}

/** A typed new total (filled + resting): below the current total and above what filled. */
export function reducePlan(now: OrderNow, outcome: OutcomeSide, total: Centis): PlanOutcome {
  const o = now.order;
  if (total < o.fillCount) return { kind: "belowFilled", asked: total, filled: o.fillCount };
  if (total === o.fillCount) return { kind: "nothingLeft", filled: o.fillCount };
  if (total >= totalOf(o)) return { kind: "notSmaller", asked: total, total: totalOf(o) };
  const p = priceOf(o, outcome);
  return {
    kind: "plan",
    plan: { ...base(o, outcome), kind: "size", fromPrice: p, toPrice: p, toTotal: total },
  };
}

/**
 * An order's total as AmendOrderV2 counts it: filled + resting. Not `initial_count`: Kalshi calls that
 * "the initial size of the order" and does not say a decrease changes it, so an amend sent with it
 * could put back contracts the user had already taken off.
 */
export function totalOf(o: Order): Centis {
  return (o.fillCount + o.remainingCount) as Centis;
}

function base(o: Order, outcome: OutcomeSide) {
  return {
    orderId: o.orderId,
    ticker: o.ticker,
    outcome,
    fromTotal: totalOf(o),
    filled: o.fillCount,
    tradesAt: null,
  };
}

function pricePlanOf(now: OrderNow, outcome: OutcomeSide, to: Micros): ChangePlan {
  const o = now.order;
  const from = priceOf(o, outcome);
  return {
    ...base(o, outcome),
    kind: "price",
    fromPrice: from,
    toPrice: to,
    toTotal: totalOf(o),
    tradesAt: crossing(now, outcome, wireYesPrice(outcome, to)),
  };
}

/**
 * The best opposite price (in the order's outcome) a resting order re-priced to `yes` would meet,
 * from the market's best prices; the order's own price is on its own side, so it never counts.
 */
function crossing({ order, market }: OrderNow, outcome: OutcomeSide, yes: Micros): Micros | null {
  const opposite = order.bookSide === "bid" ? market.yesAsk : market.yesBid;
  if (opposite === null) return null;
  const crosses = order.bookSide === "bid" ? yes >= opposite : yes <= opposite;
  return crosses ? wireYesPrice(outcome, opposite) : null;
}

export function createOrderChanges(d: OrderChangesDeps): OrderChanges {
  const { exchange } = d;

  async function readOrder(orderId: string): Promise<Order | null> {
    try {
      return await exchange.getOrder(orderId);
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
  }

  /** The order after a change or a failed one; null when it cannot be read (never throws). */
  const readAfter = (orderId: string) => readOrder(orderId).catch(() => null);

  async function read(orderId: string): Promise<ReadOutcome> {
    const order = await readOrder(orderId);
    if (order === null) return { kind: "notFound", orderId };
    if (order.status !== "resting") return { kind: "gone", order };
    return { kind: "resting", order, market: await exchange.getMarket(order.ticker) };
  }

  async function apply(plan: ChangePlan): Promise<ApplyOutcome> {
    const o = await readOrder(plan.orderId);
    if (o === null) return { kind: "notFound", orderId: plan.orderId };
    if (
      o.status !== "resting" ||
      priceOf(o, plan.outcome) !== plan.fromPrice ||
      totalOf(o) !== plan.fromTotal
    ) {
      return { kind: "stale", order: o };
    }
    let filledNow = centis(0);
    try {
      if (plan.kind === "price") {
        const r = await exchange.amendOrder({
          orderId: o.orderId,
          ticker: o.ticker,
          side: o.bookSide,
          price: wireYesPrice(plan.outcome, plan.toPrice),
          count: plan.toTotal,
          ...(o.clientOrderId ? { clientOrderId: o.clientOrderId } : {}),
        });
        filledNow = r.fillCount ?? centis(0);
      } else {
        // Decrease speaks resting contracts: the new total less what has filled by now.
        const reduceTo = centis(plan.toTotal - o.fillCount);
        if (reduceTo <= 0) return { kind: "stale", order: o };
        await exchange.decreaseOrder({ orderId: o.orderId, ticker: o.ticker, reduceTo });
      }
    } catch (e) {
      return failed(e, o);
    } finally {
      d.snapshots.drop(o.ticker);
    }
    return { kind: "changed", plan, order: await readAfter(o.orderId), filledNow };
  }

  async function failed(e: unknown, before: Order): Promise<ApplyOutcome> {
    const after = await readAfter(before.orderId);
    if (e instanceof KalshiApiError && !e.outcomeUnknown && e.status >= 400 && e.status < 500) {
      // A 404: the order finished between the read and the change.
      if (e.status === 404 && after && after.status !== "resting") return { kind: "stale", order: after };
      return { kind: "refused", reason: reasonOf(e.code), details: e.details, order: after };
    }
    return { kind: "unknown", cause: e, order: after };
  }

  return { read, apply };
}

function reasonOf(code: string): RefusalReason {
  if (code === "invalid_price") return "price";
  if (code === "insufficient_balance") return "cash";
  if (code === "market_closed" || code === "trading_paused") return "closed";
  return "other";
}
