/**
 * Kalshi's rate-limit token costs per endpoint (openapi-3.31.0.yaml, the "Rate limit" notes): the
 * default is 10 tokens a request; the endpoints below cost otherwise. The sim's token buckets charge
 * these, and `GET /account/endpoint_costs` lists them in GetAccountEndpointCostsResponse's shape.
 */
import { REST_PREFIX } from "./http/message.js";

export const DEFAULT_COST = 10;

export interface EndpointCost {
  method: string;
  /** The route as the spec's `paths` spell it (without /trade-api/v2). */
  path: string;
  cost: number;
  /** Billed per item of the body's `orders` array (batch endpoints). */
  perItem?: boolean;
}

/** Every non-default cost the spec documents (3.31.0). Batch create costs the default per item. */
export const ENDPOINT_COSTS: readonly EndpointCost[] = [
  { method: "GET", path: "/portfolio/orders/{order_id}", cost: 2 },
  { method: "DELETE", path: "/portfolio/events/orders", cost: 2 },
  { method: "DELETE", path: "/portfolio/events/orders/{order_id}", cost: 2 },
  { method: "DELETE", path: "/portfolio/events/orders/batched", cost: 2, perItem: true },
  { method: "GET", path: "/communications/rfqs/{rfq_id}/quotes/{quote_id}", cost: 2 },
  { method: "DELETE", path: "/communications/rfqs/{rfq_id}/quotes/{quote_id}", cost: 2 },
  { method: "POST", path: "/communications/quotes", cost: 2 },
  { method: "GET", path: "/communications/quotes/{quote_id}", cost: 2 },
  { method: "DELETE", path: "/communications/quotes/{quote_id}", cost: 2 },
  { method: "POST", path: "/account/api_usage_level/upgrade", cost: 30 },
];

/** Batch create: the default cost for each order in the batch. */
const PER_ITEM_DEFAULT = new Set(["POST /portfolio/events/orders/batched"]);

/** Tokens one request costs; `items` is the length of a batch body's `orders`. */
export function tokenCost(method: string, path: string, items: number): number {
  const listed = ENDPOINT_COSTS.find((e) => e.method === method && e.path === path);
  const each = listed?.cost ?? DEFAULT_COST;
  const perItem = listed?.perItem === true || PER_ITEM_DEFAULT.has(`${method} ${path}`);
  return perItem ? each * Math.max(1, items) : each;
}

/**
 * GetAccountEndpointCostsResponse. `path` carries the full route with /trade-api/v2 (the spec only
 * says "API route path"; which form the live exchange sends is unconfirmed).
 */
export function endpointCostsToWire(): { default_cost: number; endpoint_costs: object[] } {
  return {
    default_cost: DEFAULT_COST,
    endpoint_costs: ENDPOINT_COSTS.map((e) => ({
      method: e.method,
      path: REST_PREFIX + e.path,
      cost: e.cost,
    })),
  };
}
