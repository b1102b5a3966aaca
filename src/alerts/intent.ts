/**
 * What the user asked for when placing an order (BUY/SELL of YES/NO), from the trade journal.
 *
 * Used where the exchange's data cannot tell the direction: a fill listed over REST in a market that has
 * settled since (the current position is 0, so it says nothing about the position after the fill), and
 * orders the exchange cancelled. Kalshi's single book only says bid (buy YES = sell NO) or ask
 * (sell YES = buy NO); the journal's `order_submitted` line has the user's action and outcome, and
 * `order_placed` links the client order id to the exchange's order id.
 */
import { type Centis, tryParseCount } from "../domain/money.js";
import type { BookSide, OutcomeSide } from "../exchange/port.js";
import { journalFilesKey, readJournal } from "../trading/journal.js";

export interface OrderIntent {
  action: "buy" | "sell";
  outcome: OutcomeSide;
  /** The count the user placed (the journal's `order_submitted`), when known. */
  count?: Centis;
}

export interface OrderRef {
  orderId?: string | null;
  clientOrderId?: string | null;
}

/** The user's intent for an order, or null when it is not known (not placed by this bot, journal gone). */
export type OrderIntentLookup = (ref: OrderRef) => Promise<OrderIntent | null>;

/** Whether `intent` can be how an order on `bookSide` was meant: bid = BUY YES or SELL NO; ask = SELL YES or BUY NO. */
export function intentFits(
  bookSide: BookSide,
  intent: OrderIntent | null | undefined,
): intent is OrderIntent {
  if (!intent) return false;
  const yesExposure = (intent.action === "buy") === (intent.outcome === "yes");
  return yesExposure === (bookSide === "bid");
}

/**
 * Looks intents up in the journal files of `logDir` (trades-*.log, .gz). The files are read again only
 * when a lookup misses and the files changed since the last read.
 */
export function journalIntentLookup(logDir: string): OrderIntentLookup {
  let key: string | null = null;
  let byClientId = new Map<string, OrderIntent>();
  let clientIdByOrder = new Map<string, string>();

  const load = async (): Promise<void> => {
    const intents = new Map<string, OrderIntent>();
    const links = new Map<string, string>();
    for await (const e of readJournal(logDir)) {
      const cid = typeof e.clientOrderId === "string" ? e.clientOrderId : null;
      if (e.type === "order_submitted" && cid) {
        const action = e.action;
        const outcome = e.outcome;
        if ((action === "buy" || action === "sell") && (outcome === "yes" || outcome === "no")) {
          // The journal writes counts as wire strings ("8.00").
          const n = typeof e.count === "string" ? tryParseCount(e.count) : null;
          const count = n !== null && n > 0 ? { count: n } : {};
          intents.set(cid, { action, outcome, ...count });
        }
      } else if (cid && typeof e.orderId === "string") {
        links.set(e.orderId, cid);
      }
    }
    byClientId = intents;
    clientIdByOrder = links;
  };

  const find = (ref: OrderRef): OrderIntent | null => {
    const viaOrder = ref.orderId ? clientIdByOrder.get(ref.orderId) : undefined;
    return (
      (ref.clientOrderId ? byClientId.get(ref.clientOrderId) : undefined) ??
      (viaOrder ? byClientId.get(viaOrder) : undefined) ??
      null
    );
  };

  let reading: Promise<void> | null = null;
  return async (ref) => {
    const hit = find(ref);
    if (hit) return hit;
    reading ??= (async () => {
      try {
        const k = await journalFilesKey(logDir).catch(() => "");
        if (k !== key) {
          await load();
          key = k;
        }
      } finally {
        reading = null;
      }
    })();
    await reading;
    return find(ref);
  };
}
