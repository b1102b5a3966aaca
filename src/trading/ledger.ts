/**
 * FIFO ledger over fills and settlements: turns the exchange's YES-leg fills into buys and sells of
 * YES or NO, keeps open lots, and realizes P&L when lots are closed by a sell or by settlement.
 * See docs/trading.md, "How P&L is calculated".
 *
 * Interpretation of a fill (book_side is the direction; outcome_side carries the same bit):
 * - the YES-signed position goes up by the count on a `bid`, down on an `ask`;
 * - a bid while holding NO first sells NO at 1 − p (closing NO lots), the rest buys YES at p;
 * - an ask while holding YES first sells YES at p (closing YES lots), the rest buys NO at 1 − p;
 * - a fill that crosses zero is split in two parts; its fee is split in proportion to the counts.
 */
import {
  type Centis,
  type Micros,
  complementPrice,
  micros,
  mulPriceCount,
  scaleMicros,
} from "../domain/money.js";
import type { Fill, OutcomeSide, Settlement } from "../exchange/port.js";
import type { TradeAction } from "./types.js";

export interface Lot {
  side: OutcomeSide;
  count: Centis;
  /** price × count paid, price of `side`. */
  cost: Micros;
  /** Entry fee still attached to the lot. */
  fee: Micros;
  time: number;
  fillId: string;
}

/** One economic trade: a whole fill, or one half of a fill that crossed zero. */
export interface TradePart {
  fill: Fill;
  outcome: OutcomeSide;
  action: TradeAction;
  count: Centis;
  /** Price of `outcome`. */
  price: Micros;
  /** price × count (paid for a buy, received for a sell). */
  cost: Micros;
  fee: Micros;
  /** Set on closing parts; null when the lots it closes are not in the fills we have. */
  realizedPnl: Micros | null;
}

export interface RealizedEvent {
  ticker: string;
  time: number;
  pnl: Micros;
  kind: "sell" | "settlement";
  fillId?: string;
}

export interface LedgerResult {
  parts: TradePart[];
  realized: RealizedEvent[];
  /** Open lots per ticker, oldest first. */
  lots: Map<string, Lot[]>;
}

type Item = { t: number; k: 0; fill: Fill } | { t: number; k: 1; s: Settlement };

/** Proportional share a × k / n, exact on the last piece (the caller keeps the remainder). */
function share(a: Micros, k: number, n: number): Micros {
  if (k === n) return a;
  return scaleMicros(a, k, n, "half-up");
}

/**
 * Runs FIFO over every fill and settlement given (any order; they are sorted by time, fills before a
 * settlement at the same instant, and deduplicated by fill id).
 */
export function runLedger(fills: Fill[], settlements: Settlement[] = []): LedgerResult {
  const seen = new Set<string>();
  const items: Item[] = [];
  for (const f of fills) {
    if (seen.has(f.fillId)) continue;
    seen.add(f.fillId);
    items.push({ t: f.createdTime, k: 0, fill: f });
  }
  for (const s of settlements) items.push({ t: s.settledTime, k: 1, s });
  items.sort((a, b) => a.t - b.t || a.k - b.k);

  const lots = new Map<string, Lot[]>();
  const parts: TradePart[] = [];
  const realized: RealizedEvent[] = [];

  /** Takes `count` from the oldest lots of `side`; returns matched count, cost and fee. */
  function consume(list: Lot[], count: number) {
    let left = count;
    let cost = 0;
    let fee = 0;
    while (left > 0 && list.length > 0) {
      const lot = list[0]!;
      const k = Math.min(left, lot.count);
      const c = share(lot.cost, k, lot.count);
      const f = share(lot.fee, k, lot.count);
      cost += c;
      fee += f;
      lot.cost = micros(lot.cost - c);
      lot.fee = micros(lot.fee - f);
      lot.count = (lot.count - k) as Centis;
      left -= k;
      if (lot.count === 0) list.shift();
    }
    return { matched: count - left, cost, fee };
  }

  for (const it of items) {
    if (it.k === 1) {
      const s = it.s;
      const list = lots.get(s.ticker) ?? [];
      // Settling costs nothing: the settlement's fee_cost is the total of the trading fees already
      // paid in this market (each fill's fee left the balance when it filled). With the lots we have
      // their entry fees; without fills explaining the position, fee_cost is the best figure for them.
      let basis: number;
      if (list.length > 0) {
        basis = list.reduce((acc, l) => acc + l.cost + l.fee, 0);
      } else if (s.yesCount > 0 || s.noCount > 0) {
        basis = s.yesTotalCost + s.noTotalCost + s.fee;
      } else {
        continue; // nothing was held
      }
      lots.delete(s.ticker);
      realized.push({
        ticker: s.ticker,
        time: s.settledTime,
        pnl: micros(s.revenue - basis),
        kind: "settlement",
      });
      continue;
    }
    const f = it.fill;
    const list = lots.get(f.ticker) ?? [];
    lots.set(f.ticker, list);
    const heldSide: OutcomeSide | null = list.length ? list[0]!.side : null;
    const isBid = f.bookSide === "bid";
    // Closing applies when the fill moves the signed position toward zero.
    const closingSide: OutcomeSide = isBid ? "no" : "yes";
    const closing =
      heldSide === closingSide
        ? Math.min(
            f.count,
            list.reduce((a, l) => a + l.count, 0),
          )
        : 0;
    const opening = f.count - closing;
    const closeFee = share(f.fee, closing, f.count);
    const openFee = micros(f.fee - closeFee);
    if (closing > 0) {
      const price = closingSide === "yes" ? f.yesPrice : complementPrice(f.yesPrice);
      const proceeds = mulPriceCount(price, closing as Centis);
      const m = consume(list, closing);
      const pnl = micros(proceeds - m.cost - m.fee - closeFee);
      parts.push({
        fill: f,
        outcome: closingSide,
        action: "sell",
        count: closing as Centis,
        price,
        cost: proceeds,
        fee: closeFee,
        realizedPnl: pnl,
      });
      realized.push({ ticker: f.ticker, time: f.createdTime, pnl, kind: "sell", fillId: f.fillId });
    }
    if (opening > 0) {
      const side: OutcomeSide = isBid ? "yes" : "no";
      const price = side === "yes" ? f.yesPrice : complementPrice(f.yesPrice);
      const cost = mulPriceCount(price, opening as Centis);
      list.push({
        side,
        count: opening as Centis,
        cost,
        fee: openFee,
        time: f.createdTime,
        fillId: f.fillId,
      });
      parts.push({
        fill: f,
        outcome: side,
        action: "buy",
        count: opening as Centis,
        price,
        cost,
        fee: openFee,
        realizedPnl: null,
      });
    }
    if (list.length === 0) lots.delete(f.ticker);
  }
  return { parts, realized, lots };
}

/** Net open position of the lots: count, side, cost (price only) and fees. */
export function summarizeLots(list: Lot[] | undefined) {
  if (!list || list.length === 0) return null;
  let count = 0;
  let cost = 0;
  let fee = 0;
  for (const l of list) {
    count += l.count;
    cost += l.cost;
    fee += l.fee;
  }
  return { side: list[0]!.side, count: count as Centis, cost: micros(cost), fee: micros(fee) };
}
