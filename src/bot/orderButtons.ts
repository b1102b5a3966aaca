/**
 * The change buttons under one resting order on /orders (−1 tick, +1 tick, New price, Reduce). The
 * order list (features/orders.ts) makes them and the change flows answer them: both sides agree on
 * the payload here, so neither needs the other's file. The order id goes through `Buttons.ref` (a
 * long id becomes a short key); the market is read afresh from the order when a button is tapped,
 * so a stale button meets the order as it is now.
 */
export type OrderChange = "down" | "up" | "price" | "reduce";

const CODE: Record<OrderChange, string> = { down: "d", up: "u", price: "p", reduce: "r" };
const BY_CODE = new Map(Object.entries(CODE).map(([k, v]) => [v, k as OrderChange]));

/** The signed-data payload of a change button ("omd:<ref>"); pass it to `kit.buttons.data`. */
export function orderChangePayload(change: OrderChange, orderRef: string): string {
  return `om${CODE[change]}:${orderRef}`;
}

/** The change and order ref of a verified payload, or null when it is not a change button. */
export function parseOrderChange(payload: string): { change: OrderChange; orderRef: string } | null {
  const m = /^om([a-z]):(.+)$/.exec(payload);
  const change = m ? BY_CODE.get(m[1]!) : undefined;
  return m && change ? { change, orderRef: m[2]! } : null;
}
