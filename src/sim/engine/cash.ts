/**
 * What an order costs before it trades: the fee model's fee, how much of an order closes a position
 * (and so needs no cash), how much would cross the book right now, the cash an order needs up front
 * and the insufficient_balance refusal. Reads only the engine's public API; changes nothing.
 */
import { estimateFee } from "../../domain/fees.js";
import {
  type Centis,
  type Micros,
  MICROS_PER_CENT,
  centis,
  displayUsd,
  micros,
  mulPriceCount,
} from "../../domain/money.js";
import { SHARDS } from "../fixtures.js";
import type { SimEngine } from "../engine.js";
import { unitCost } from "./accounting.js";
import { crosses } from "./orderBook.js";
import { type Account, type BookSide, type SimOrder, SimError } from "./types.js";

/**
 * The fee model's fee for one fill. Rounded up to whole cents by default (what a single fill
 * costs a retail account: the estimate used for balance checks and reservations); the exchange
 * itself rounds a fill's trade fee up to $0.0001 (`roundTo` 100) and handles cents in applyFill.
 */
export function feeFor(
  engine: SimEngine,
  ticker: string,
  price: Micros,
  count: Centis,
  role: "taker" | "maker",
  roundTo: number = MICROS_PER_CENT,
): Micros {
  const m = engine.market(ticker);
  const s = engine.series(m.seriesTicker);
  return estimateFee({
    price,
    count,
    role,
    feeType: s?.feeType ?? "quadratic",
    multiplier: s?.feeMultiplier ?? 1,
    roundTo,
  });
}

/** Contracts of this order's direction that would close an existing position. */
export function closable(engine: SimEngine, accountId: string, ticker: string, side: BookSide): Centis {
  const pos = engine.position(accountId, ticker).position;
  return centis(side === "bid" ? Math.max(0, -pos) : Math.max(0, pos));
}

/**
 * Contracts of `order` (up to its remaining count) that the opposite book would fill right now at
 * its limit: stops at the account's own order under taker_at_cross, skips them under maker, and
 * counts other accounts' reduce-only orders only up to what those accounts can still close.
 */
export function crossable(engine: SimEngine, order: SimOrder, opposite: SimOrder[]): Centis {
  let available = 0;
  const closableLeft = new Map<string, number>();
  for (const r of opposite) {
    if (available >= order.remaining) break;
    if (!crosses(order.side, order.price, r)) break;
    if (r.accountId === order.accountId) {
      if (order.stp === "taker_at_cross") break;
      continue;
    }
    let left = closableLeft.get(r.accountId);
    if (left === undefined) left = closable(engine, r.accountId, r.ticker, r.side);
    const qty = Math.min(r.remaining, order.remaining - available, r.reduceOnly ? left : Infinity);
    available += qty;
    closableLeft.set(r.accountId, Math.max(0, left - qty));
  }
  return centis(available);
}

/**
 * Cash an order needs before it is accepted: its opening cost, the taker fee on what trades now
 * (`crossQty`) and the maker fee rest() reserves for what would rest (GTC).
 */
export function cashNeeded(engine: SimEngine, order: SimOrder, crossQty: Centis): Micros {
  const openQty = Math.max(0, order.remaining - closable(engine, order.accountId, order.ticker, order.side));
  const restQty = order.tif === "good_till_canceled" ? centis(order.remaining - crossQty) : centis(0);
  return micros(
    mulPriceCount(unitCost(order.side, order.price), centis(openQty), "ceil") +
      (crossQty > 0 ? feeFor(engine, order.ticker, order.price, crossQty, "taker") : 0) +
      (restQty > 0 ? feeFor(engine, order.ticker, order.price, restQty, "maker") : 0),
  );
}

/** Refuses (400 insufficient_balance) unless the cash on the market's shard covers `need`. */
export function requireCash(
  engine: SimEngine,
  acct: Account,
  ticker: string,
  need: Micros,
  alsoFree: Micros = micros(0),
): void {
  const shard = engine.exchangeIndex(ticker);
  const available = micros(engine.shardBalance(acct.id, shard) + alsoFree);
  if (need <= available) return;
  const where = SHARDS.length > 1 ? ` on exchange shard ${shard}` : "";
  throw new SimError(
    400,
    "insufficient_balance",
    "insufficient balance",
    `this order needs up to ${displayUsd(need, { exact: true })} and the available balance${where} is ${displayUsd(available, { exact: true })}`,
  );
}
