/**
 * Order executor: the use case the bot calls to quote, place and cancel. Thin wiring of its parts:
 * feeSchedule.ts (cached series fees), quoter.ts + quote.ts (reads, then pure pricing),
 * placeOrder.ts (places a quote once; answers "was it placed?" as a PlaceOutcome), cancelOrder.ts
 * (one cancel, answered as a CancelOutcome) and "Cancel all" here.
 * A place() of a quote already being placed shares that placement, so a double tap sends once.
 */
import { randomUUID } from "node:crypto";
import type { ExchangePort, OrderRef } from "../exchange/port.js";
import { type CancelDeps, cancelOrder } from "./cancelOrder.js";
import { createFeeSchedule } from "./feeSchedule.js";
import { findOrder } from "./findOrder.js";
import type { TradeJournal } from "./journal.js";
import { createPlacer } from "./placeOrder.js";
import type { QuoteLimits } from "./quote.js";
import { createQuoter } from "./quoter.js";
import { createSizeCheck } from "./sizeCheck.js";
import { type MarketSnapshots, createMarketSnapshots } from "./snapshots.js";
import type { CancelAllResult, OrderExecutor, PlaceOutcome } from "./types.js";

export type ExecutorConfig = QuoteLimits;

export interface OrderExecutorDeps {
  exchange: ExchangePort;
  journal: Pick<TradeJournal, "record">;
  config: ExecutorConfig;
  now?: () => number;
  newId?: () => string;
  /**
   * Market and book snapshots shared with the market service (a market card read just before the
   * quote is reused); the executor makes its own when not given.
   */
  snapshots?: MarketSnapshots;
}

const MAX_REMEMBERED_PLACEMENTS = 1000;

export function createOrderExecutor(deps: OrderExecutorDeps): OrderExecutor {
  const { exchange, journal } = deps;
  const now = deps.now ?? Date.now;
  const snapshots = deps.snapshots ?? createMarketSnapshots({ now });
  const fees = createFeeSchedule({ exchange, now });
  const quote = createQuoter({
    exchange,
    fees,
    snapshots,
    limits: deps.config,
    now,
    newId: deps.newId ?? randomUUID,
  });
  const placeOnce = createPlacer({ exchange, journal, snapshots, quote, now });
  const placements = new Map<string, Promise<PlaceOutcome>>();
  const cancels = createCancels({ exchange, journal, snapshots });

  /** Placed and re-quoted outcomes are remembered; after a rejection or an open outcome a retry may send. */
  function place(q: Parameters<OrderExecutor["place"]>[0]): Promise<PlaceOutcome> {
    const key = q.clientOrderId;
    const pending = placements.get(key);
    if (pending) return pending;
    const p = placeOnce(q);
    placements.set(key, p);
    if (placements.size > MAX_REMEMBERED_PLACEMENTS) {
      const oldest = placements.keys().next().value;
      if (oldest !== undefined && oldest !== key) placements.delete(oldest);
    }
    // A retry of the same quote looks the order up before it sends again (placeOrder.ts).
    const forget = () => void placements.delete(key);
    p.then((out) => (out.kind === "rejected" || out.kind === "unknown") && forget(), forget);
    return p;
  }

  return {
    quote: (intent) => quote(intent),
    place,
    ...cancels,
    orderStatus: (orderId) => exchange.getOrder(orderId.trim()),
    findOrder: (id) => findOrder(exchange, id, now),
    openOrders: () => exchange.getOrders({ status: "resting" }),
    checkSize: createSizeCheck({ exchange, limits: deps.config }),
  };
}

/** cancel and cancelAll, journaled; each drops the market's cached book. */
function createCancels(d: CancelDeps): Pick<OrderExecutor, "cancel" | "cancelAll"> {
  return {
    cancel: (orderId, ticker) => cancelOrder(d, orderId, ticker),
    cancelAll: (listed) => cancelAll(d, listed),
  };
}

/** One routed batch cancel of `targets`, counted into `out`. */
async function cancelListed(d: CancelDeps, targets: OrderRef[], out: CancelAllResult): Promise<void> {
  const tickerOf = new Map(targets.map((t) => [t.orderId, t.ticker]));
  for (const r of await d.exchange.cancelOrders(targets)) {
    const ticker = tickerOf.get(r.orderId) ?? "";
    d.snapshots.drop(ticker);
    if (r.ok) {
      d.journal.record({
        type: "order_canceled",
        orderId: r.orderId,
        ticker,
        clientOrderId: r.clientOrderId,
        canceledCount: r.reducedBy,
      });
      if (r.reducedBy > 0) out.canceled++;
      else out.gone++;
    } else if (r.error.code === "not_found") {
      out.gone++; // filled or canceled since the list was read
    } else {
      out.failed.push({ orderId: r.orderId, ticker, reason: r.error.details ?? r.error.message });
      d.journal.record({
        type: "error",
        message: r.error.message,
        context: "cancelAll",
        orderId: r.orderId,
        ticker,
      });
    }
  }
}

async function cancelAll(d: CancelDeps, listed?: OrderRef[]): Promise<CancelAllResult> {
  const targets: OrderRef[] =
    listed ??
    (await d.exchange.getOrders({ status: "resting" })).map((o) => ({
      orderId: o.orderId,
      ticker: o.ticker,
    }));
  const out: CancelAllResult = { canceled: 0, gone: 0, failed: [], appeared: [] };
  if (targets.length > 0) await cancelListed(d, targets, out);
  if (listed) {
    const ids = new Set(listed.map((t) => t.orderId));
    try {
      out.appeared = (await d.exchange.getOrders({ status: "resting" })).filter((o) => !ids.has(o.orderId));
    } catch {
      // The cancels stand; the bot's /orders shows what rests.
    }
  }
  return out;
}
