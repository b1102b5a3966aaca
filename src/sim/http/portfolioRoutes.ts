/**
 * The account's reads over REST: balance, positions, orders, fills and settlements, current and
 * historical (older than the cutoff). Only the paper account's (`USER`) records are ever listed.
 */
import { type Micros, formatDollars } from "../../domain/money.js";
import type { SimContext } from "../context.js";
import { type SimEngine, type SimOrder, SimError, USER } from "../engine.js";
import { SHARDS } from "../fixtures.js";
import { bad, intParam, subaccountField } from "../orderRequests.js";
import { queuePositionsToWire } from "../queuePositions.js";
import { eventPositionsToWire, fillToWire, orderToWire, positionToWire, settlementToWire } from "../wire.js";
import { type Query, type Reply, ok, paginate, tsRange } from "./message.js";
import type { Router } from "./router.js";

const fmtDollars = (m: number): string => formatDollars(m as Micros);

/** The user's orders on one side of the historical cutoff, newest first. */
function userOrders(engine: SimEngine, historical: boolean): SimOrder[] {
  const cutoff = engine.historicalCutoff();
  return Object.values(engine.state.orders)
    .filter((o) => o.accountId === USER)
    .filter((o) => (o.status !== "resting" && o.lastUpdateTs < cutoff) === historical)
    .sort((a, b) => b.seq - a.seq);
}

function listOrders({ engine, pageCap }: SimContext, q: Query, historical: boolean): Reply {
  const { min, max } = tsRange(q);
  const ticker = q.get("ticker");
  const events = q.get("event_ticker")?.split(",").filter(Boolean);
  const status = q.get("status");
  if (status && !["resting", "canceled", "executed"].includes(status)) {
    throw bad("status must be resting, canceled or executed");
  }
  const shard = intParam(q, "exchange_index", 0);
  const items = userOrders(engine, historical).filter(
    (o) =>
      (shard === undefined || engine.exchangeIndex(o.ticker) === shard) &&
      (!ticker || o.ticker === ticker) &&
      (!events?.length || events.includes(engine.findMarket(o.ticker)?.eventTicker ?? "")) &&
      (!status || o.status === status) &&
      o.createdTs >= min &&
      o.createdTs <= max,
  );
  const { page, cursor } = paginate(items, q, 100, 1000, pageCap);
  return ok({ orders: page.map((o) => orderToWire(engine, o)), cursor });
}

function listFills({ engine, pageCap }: SimContext, q: Query, historical: boolean): Reply {
  const { min, max } = tsRange(q);
  const cutoff = engine.historicalCutoff();
  const ticker = q.get("ticker");
  const orderId = q.get("order_id");
  const shard = intParam(q, "exchange_index", 0);
  const items = engine.state.fills
    .filter((f) => f.accountId === USER && f.ts < cutoff === historical)
    .filter((f) => shard === undefined || engine.exchangeIndex(f.ticker) === shard)
    .filter((f) => (!ticker || f.ticker === ticker) && (!orderId || f.orderId === orderId))
    .filter((f) => f.ts >= min && f.ts <= max)
    .reverse();
  const { page, cursor } = paginate(items, q, 100, 1000, pageCap);
  return ok({ fills: page.map((f) => fillToWire(engine, f)), cursor });
}

function listSettlements({ engine, pageCap }: SimContext, q: Query): Reply {
  const { min, max } = tsRange(q);
  const ticker = q.get("ticker");
  const ev = q.get("event_ticker");
  const items = engine.state.settlements
    .filter((s) => s.accountId === USER)
    .filter((s) => (!ticker || s.ticker === ticker) && (!ev || s.eventTicker === ev))
    .filter((s) => s.settledTime >= min && s.settledTime <= max)
    .reverse();
  const { page, cursor } = paginate(items, q, 100, 1000, pageCap);
  return ok({ settlements: page.map((x) => settlementToWire(engine, x)), cursor });
}

/** Each shard holds its own cash; without exchange_index the top-level fields cover all shards. */
function balance(engine: SimEngine, q: Query): Reply {
  const u = engine.user;
  subaccountField(q.get("subaccount"));
  const shard = intParam(q, "exchange_index", 0);
  if (shard !== undefined && !(SHARDS as readonly number[]).includes(shard))
    throw bad(`exchange_index ${shard} does not exist`);
  const cash = shard === undefined ? u.balance : engine.shardBalance(USER, shard);
  return ok({
    balance: Math.floor(cash / 10_000),
    balance_dollars: fmtDollars(cash),
    portfolio_value: Math.floor(engine.portfolioValue(USER, shard) / 10_000),
    updated_ts: Math.floor(u.updatedTs / 1000),
    balance_breakdown: SHARDS.map((i) => ({
      exchange_index: i,
      balance: fmtDollars(engine.shardBalance(USER, i)),
    })),
  });
}

function positions({ engine, pageCap }: SimContext, q: Query): Reply {
  const filters = (q.get("count_filter") ?? "").split(",").filter(Boolean);
  for (const f of filters)
    if (f !== "position" && f !== "total_traded") throw bad("count_filter accepts position, total_traded");
  const ticker = q.get("ticker");
  const ev = q.get("event_ticker");
  const items = Object.values(engine.user.positions)
    .filter((p) => p.position !== 0 || p.totalTraded !== 0)
    .filter(
      (p) =>
        !filters.length || filters.some((f) => (f === "position" ? p.position !== 0 : p.totalTraded !== 0)),
    )
    .filter(
      (p) => (!ticker || p.ticker === ticker) && (!ev || engine.findMarket(p.ticker)?.eventTicker === ev),
    )
    .sort((a, b) => b.lastUpdatedTs - a.lastUpdatedTs);
  const { page, cursor } = paginate(items, q, 100, 1000, pageCap);
  return ok({
    market_positions: page.map((p) => positionToWire(engine, p)),
    event_positions: eventPositionsToWire(engine, page),
    cursor,
  });
}

export function registerPortfolioRoutes(r: Router, ctx: SimContext): void {
  const { engine } = ctx;
  r.add("GET", "/portfolio/balance", true, ({ q }) => balance(engine, q));
  r.add("GET", "/portfolio/positions", true, ({ q }) => positions(ctx, q));
  r.add("GET", "/portfolio/orders", true, ({ q }) => listOrders(ctx, q, false));
  r.add("GET", "/historical/orders", true, ({ q }) => listOrders(ctx, q, true));
  // Before /{order_id}, which would otherwise take "queue_positions" for an order id.
  r.add("GET", "/portfolio/orders/queue_positions", true, ({ q }) => ok(queuePositionsToWire(engine, q)));
  r.add("GET", "/portfolio/orders/{order_id}", true, ({ params }) => {
    const o = engine.order(params[0] ?? "");
    if (!o || o.accountId !== USER) throw new SimError(404, "not_found", "order not found");
    return ok({ order: orderToWire(engine, o) });
  });
  r.add("GET", "/portfolio/fills", true, ({ q }) => listFills(ctx, q, false));
  r.add("GET", "/historical/fills", true, ({ q }) => listFills(ctx, q, true));
  r.add("GET", "/portfolio/settlements", true, ({ q }) => listSettlements(ctx, q));
}
