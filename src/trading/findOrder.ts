/**
 * An order named by the short id lists show (the first 8 characters of its id) or by its full id.
 * Kalshi reads orders only by their full id, so a short id is matched against the account's resting
 * orders and the orders of the last 30 days; a prefix shared by two orders is reported, never guessed.
 */
import { KalshiApiError } from "../exchange/errors.js";
import type { ExchangePort, Order } from "../exchange/port.js";

/** Fewest characters of an order id /status and /cancel accept. */
export const SHORT_ID_MIN = 8;
const FULL_ID_MIN = 36; // a UUID
const RECENT_MS = 30 * 86_400_000;

export type OrderLookup =
  | { kind: "found"; order: Order }
  | { kind: "ambiguous"; orders: Order[] }
  | { kind: "none" }
  | { kind: "tooShort" };

/** The orders whose id starts with `prefix` (letter case ignored; one entry per id). */
export function matchShortId(orders: Order[], prefix: string): Exclude<OrderLookup, { kind: "tooShort" }> {
  const p = prefix.toLowerCase();
  const byId = new Map<string, Order>();
  for (const o of orders) if (o.orderId.toLowerCase().startsWith(p)) byId.set(o.orderId, o);
  const hits = [...byId.values()];
  if (hits.length === 0) return { kind: "none" };
  return hits.length === 1 ? { kind: "found", order: hits[0]! } : { kind: "ambiguous", orders: hits };
}

const isNotFound = (e: unknown) => e instanceof KalshiApiError && e.status === 404;

/** Reads a full id directly; a shorter one is matched against resting and recent orders. */
export async function findOrder(
  exchange: Pick<ExchangePort, "getOrder" | "getOrders">,
  idOrPrefix: string,
  now: () => number,
): Promise<OrderLookup> {
  const id = idOrPrefix.trim();
  if (id.length < SHORT_ID_MIN) return { kind: "tooShort" };
  if (id.length < FULL_ID_MIN) {
    const [resting, recent] = await Promise.all([
      exchange.getOrders({ status: "resting" }),
      exchange.getOrders({ minTs: now() - RECENT_MS }),
    ]);
    const m = matchShortId([...resting, ...recent], id);
    if (m.kind !== "none") return m;
  }
  try {
    return { kind: "found", order: await exchange.getOrder(id) };
  } catch (e) {
    if (isNotFound(e)) return { kind: "none" };
    throw e;
  }
}
