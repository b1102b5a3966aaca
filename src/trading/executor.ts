/**
 * Order executor: the use case the bot calls to quote, place and cancel. Thin wiring of its parts:
 * feeSchedule.ts (cached series fees), quoter.ts + quote.ts (reads, then pure pricing),
 * placeOrder.ts (places a quote once; answers "was it placed?" as a PlaceOutcome), cancelOrder.ts
 * (one cancel, answered as a CancelOutcome) and orderList.ts (the resting orders with their queue
 * positions, and "Cancel all").
 * A place() of a quote already being placed shares that placement, so a double tap sends once.
 */
import { randomUUID } from "node:crypto";
import type { ExchangePort } from "../exchange/port.js";
import { type CancelDeps, cancelOrder } from "./cancelOrder.js";
import { createFeeSchedule } from "./feeSchedule.js";
import { findOrder } from "./findOrder.js";
import type { TradeJournal } from "./journal.js";
import { cancelAllResting, restingOrders } from "./orderList.js";
import { createPlacer } from "./placeOrder.js";
import type { QuoteLimits } from "./quote.js";
import { createQuoter } from "./quoter.js";
import { createSizeCheck } from "./sizeCheck.js";
import { type MarketSnapshots, createMarketSnapshots } from "./snapshots.js";
import type { OrderExecutor, PlaceOutcome } from "./types.js";

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
    restingOrders: () => restingOrders(exchange),
    checkSize: createSizeCheck({ exchange, limits: deps.config }),
  };
}

/** cancel and cancelAll, journaled; each drops the market's cached book. */
function createCancels(d: CancelDeps): Pick<OrderExecutor, "cancel" | "cancelAll"> {
  return {
    cancel: (orderId, ticker) => cancelOrder(d, orderId, ticker),
    cancelAll: (listed) => cancelAllResting(d, listed),
  };
}
