/**
 * The sim's REST route table: which handler answers a method and path, whether the route needs a
 * signature, and what it costs in rate-limit tokens (Kalshi's endpoint costs; batches are billed
 * per item). Route files register into it; the request pipeline asks it for a match.
 */
import { SimError } from "../engine.js";
import { tokenCost } from "../endpointCosts.js";
import type { Json, Query, Reply } from "./message.js";

export type Handler = (ctx: {
  q: Query;
  body: () => Promise<Json>;
  params: string[];
}) => Reply | Promise<Reply>;

export type Bucket = "read" | "write";

export interface Route {
  method: string;
  re: RegExp;
  auth: boolean;
  bucket: Bucket;
  cost: number | ((ctx: { bodyText: string }) => number);
  handler: Handler;
}

/** Items of a batch body (`orders`), for the per-item token cost. */
function batchCount(bodyText: string): number {
  try {
    const v = JSON.parse(bodyText) as { orders?: unknown[] };
    return Array.isArray(v.orders) ? Math.max(1, v.orders.length) : 1;
  } catch {
    return 1;
  }
}

export class Router {
  private readonly routes: Route[] = [];

  /** Registers a route; earlier routes win when two patterns match the same path. */
  add(
    method: string,
    pattern: string,
    auth: boolean,
    handler: Handler,
    extra: { bucket?: Bucket; cost?: Route["cost"] } = {},
  ): void {
    const re = new RegExp("^" + pattern.replace(/\{[a-z_]+\}/g, "([^/]+)") + "$");
    // Batches are billed per item (read from the body); every other route has a fixed cost.
    const fixed = tokenCost(method, pattern, 1);
    const perItem = tokenCost(method, pattern, 2) !== fixed;
    const cost =
      extra.cost ?? (perItem ? ({ bodyText }) => tokenCost(method, pattern, batchCount(bodyText)) : fixed);
    this.routes.push({ method, re, auth, handler, bucket: extra.bucket ?? "read", cost });
  }

  /**
   * The route for `method apiPath` and its raw (still percent-encoded) path parameters; a 405 when
   * the path exists for another method, else a 404.
   */
  match(method: string, apiPath: string): { route: Route; rawParams: string[] } {
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const m = route.re.exec(apiPath);
      if (m) return { route, rawParams: m.slice(1) };
    }
    const pathKnown = this.routes.some((x) => x.re.test(apiPath));
    throw pathKnown
      ? new SimError(405, "method_not_allowed", "method not allowed")
      : new SimError(404, "not_found", "not found");
  }
}
