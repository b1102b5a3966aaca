/**
 * The account's order writes over REST: create (single and batched), cancel (one, batched, all),
 * decrease and amend, all on the write bucket. Request bodies are read by orderRequests.ts, which
 * holds Kalshi's rules; this file routes them to the engine and shapes the answers.
 */
import { type Centis, formatCount } from "../../domain/money.js";
import type { SimContext } from "../context.js";
import { SimError, USER } from "../engine.js";
import {
  type Route as OrderRoute,
  bad,
  findRoutedOrder,
  parseAmend,
  parseCreateOrder,
  parseDecrease,
  parseRoute,
  subaccountField,
} from "../orderRequests.js";
import { amendResponseToWire, createResponseToWire } from "../wire.js";
import { type Json, type Query, errorBody, ok } from "./message.js";
import type { Handler, Router } from "./router.js";

const fmtCount = (c: number): string => formatCount(c as Centis);
const subaccountParam = (q: Query): void => subaccountField(q.get("subaccount"));

function place({ engine, duplicateClientOrderId }: SimContext, b: Json): Json {
  const { route, ...input } = parseCreateOrder(b);
  // Create routes by ticker; an explicit shard that does not hold the market does not know it.
  if (route.exchangeIndex !== undefined && route.exchangeIndex !== engine.exchangeIndex(input.ticker)) {
    throw new SimError(
      404,
      "market_not_found",
      "market not found",
      `no market ${input.ticker} on exchange shard ${route.exchangeIndex}`,
    );
  }
  const r = engine.placeOrder(USER, input);
  if (r.duplicate && duplicateClientOrderId === "conflict") {
    throw new SimError(
      409,
      "duplicate_client_order_id",
      "duplicate client order id",
      `an order with client_order_id ${r.order.clientOrderId} already exists`,
    );
  }
  return createResponseToWire(r.order, r.fills, r.tsMs, r.duplicate);
}

function cancel({ engine }: SimContext, orderId: string, route: OrderRoute): Json {
  findRoutedOrder(engine, orderId, route);
  const r = engine.cancelOrder(USER, orderId);
  return {
    order_id: r.order.orderId,
    client_order_id: r.order.clientOrderId,
    reduced_by: fmtCount(r.reducedBy),
    ts_ms: r.tsMs,
  };
}

/** Each item is placed on its own; a refused item answers with its error, the others still count. */
const batchCreate =
  (ctx: SimContext): Handler =>
  async ({ body }) => {
    const b = await body();
    if (!Array.isArray(b.orders) || b.orders.length === 0) throw bad("orders must be a non-empty array");
    const out = (b.orders as unknown[]).map((item) => {
      try {
        if (typeof item !== "object" || item === null) throw bad("each order must be an object");
        return place(ctx, item as Json);
      } catch (e) {
        if (!(e instanceof SimError)) throw e;
        const cid = (item as Json | null)?.client_order_id;
        return { ...(typeof cid === "string" ? { client_order_id: cid } : {}), error: errorBody(e).error };
      }
    });
    return ok({ orders: out }, 201);
  };

const batchCancel =
  (ctx: SimContext): Handler =>
  async ({ body }) => {
    const b = await body();
    if (!Array.isArray(b.orders) || b.orders.length === 0) throw bad("orders must be a non-empty array");
    const out = (b.orders as Json[]).map((item) => {
      const id = typeof item?.order_id === "string" ? item.order_id : "";
      try {
        if (typeof item !== "object" || item === null || !id) throw bad("each order needs an order_id");
        subaccountField(item.subaccount);
        return cancel(ctx, id, parseRoute(item.exchange_index, item.market_ticker));
      } catch (e) {
        if (!(e instanceof SimError)) throw e;
        return { order_id: id, reduced_by: "0.00", error: errorBody(e).error };
      }
    });
    return ok({ orders: out });
  };

const decrease =
  ({ engine }: SimContext): Handler =>
  async ({ params, body, q }) => {
    subaccountParam(q);
    const b = await body();
    const o = findRoutedOrder(engine, params[0] ?? "", parseRoute(b.exchange_index, b.market_ticker));
    if (o.status !== "resting") {
      throw new SimError(404, "not_found", "order not found", `order ${o.orderId} is already ${o.status}`);
    }
    const r = engine.decreaseOrder(USER, o.orderId, parseDecrease(b, o));
    return ok({
      order_id: r.orderId,
      client_order_id: r.clientOrderId,
      remaining_count: fmtCount(r.remaining),
      ts_ms: engine.now(),
    });
  };

const amend =
  ({ engine }: SimContext): Handler =>
  async ({ params, body, q }) => {
    subaccountParam(q);
    const a = parseAmend(await body());
    const o = findRoutedOrder(engine, params[0] ?? "", a.route);
    if (a.side !== o.side) throw bad(`side ${a.side} does not match the order's side ${o.side}`);
    if (a.clientOrderId !== undefined && a.clientOrderId !== o.clientOrderId) {
      throw bad(`client_order_id ${a.clientOrderId} does not match the order's client_order_id`);
    }
    const r = engine.amendOrder(USER, o.orderId, {
      price: a.price,
      count: a.count,
      expirationTs: a.expirationTs,
      updatedClientOrderId: a.updatedClientOrderId,
    });
    return ok(amendResponseToWire(r));
  };

export function registerOrderRoutes(r: Router, ctx: SimContext): void {
  const write = { bucket: "write" } as const;
  const base = "/portfolio/events/orders";
  r.add("POST", base, true, async ({ body }) => ok(place(ctx, await body()), 201), write);
  r.add(
    "DELETE",
    base,
    true,
    ({ q }) => {
      subaccountParam(q);
      ctx.engine.cancelAll(USER); // every shard
      return { status: 204 };
    },
    write,
  );
  r.add("POST", `${base}/batched`, true, batchCreate(ctx), write);
  // Before /{order_id}, which would otherwise take "batched" for an order id.
  r.add("DELETE", `${base}/batched`, true, batchCancel(ctx), write);
  r.add(
    "DELETE",
    `${base}/{order_id}`,
    true,
    ({ params, q }) => {
      subaccountParam(q);
      return ok(cancel(ctx, params[0] ?? "", parseRoute(q.get("exchange_index"), q.get("market_ticker"))));
    },
    write,
  );
  r.add("POST", `${base}/{order_id}/decrease`, true, decrease(ctx), write);
  r.add("POST", `${base}/{order_id}/amend`, true, amend(ctx), write);
}
