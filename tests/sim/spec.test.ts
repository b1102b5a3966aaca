/**
 * Validates sim responses against the response schemas of Kalshi's official OpenAPI spec
 * (../shared/kalshi/openapi-3.31.0.yaml relative to the repo root), and the living market.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv, type ValidateFunction } from "ajv";
import { parse } from "yaml";
import { afterEach, describe, expect, it } from "vitest";
import { startSim, type SimServer } from "../../src/sim/server.js";
import { SimClient, type WsHandle } from "../support/simClient.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
// ../shared relative to the repo root; a git worktree one level deeper also finds it.
const SPEC =
  [
    join(repoRoot, "../shared/kalshi/openapi-3.31.0.yaml"),
    join(repoRoot, "../../shared/kalshi/openapi-3.31.0.yaml"),
  ].find((p) => existsSync(p)) ?? join(repoRoot, "../shared/kalshi/openapi-3.31.0.yaml");
const haveSpec = existsSync(SPEC);
if (!haveSpec) console.warn(`notice: ${SPEC} is absent; skipping the spec validation tests`);

type Schema = Record<string, unknown>;

/** OpenAPI 3.0 → JSON Schema: `nullable: true` becomes a type union / anyOf with null. */
function convert(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(convert);
  if (node === null || typeof node !== "object") return node;
  const out: Schema = {};
  for (const [k, v] of Object.entries(node as Schema)) out[k] = convert(v);
  if (out.nullable === true) {
    delete out.nullable;
    if (typeof out.type === "string") out.type = [out.type, "null"];
    else if (out.$ref || out.allOf || out.oneOf || out.anyOf) {
      const copy = { ...out };
      return { anyOf: [copy, { type: "null" }] };
    }
    if (Array.isArray(out.enum)) out.enum = [...(out.enum as unknown[]), null];
  }
  return out;
}

let validators: ((name: string) => ValidateFunction) | null = null;
function validator(name: string): ValidateFunction {
  if (!validators) {
    const doc = parse(readFileSync(SPEC, "utf8")) as { components: { schemas: Schema } };
    const schemas = convert(doc.components.schemas) as Schema;
    const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
    ajv.addFormat("date-time", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
    for (const f of ["double", "float", "int32", "int64", "uuid"]) ajv.addFormat(f, true);
    ajv.addSchema({ $id: "spec", components: { schemas } });
    const cache = new Map<string, ValidateFunction>();
    validators = (n) => {
      let v = cache.get(n);
      if (!v) {
        v = ajv.compile({ $ref: `spec#/components/schemas/${n}` });
        cache.set(n, v);
      }
      return v;
    };
  }
  return validators(name);
}

function expectValid(name: string, body: unknown): void {
  const v = validator(name);
  const ok = v(body);
  expect(ok ? [] : v.errors?.slice(0, 5), `${name} schema`).toEqual([]);
}

const sims: SimServer[] = [];
const sockets: WsHandle[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

describe.skipIf(!haveSpec)("sim responses match Kalshi's OpenAPI 3.31.0 schemas", () => {
  it("validates every endpoint the bot uses, after some trading and a settlement", async () => {
    // The validator does reject a wrong shape.
    expect(validator("GetBalanceResponse")({ balance: "12", balance_dollars: "0.12", updated_ts: 1 })).toBe(
      false,
    );
    const sim = await startSim({ livingMarket: false, rateLimit: false });
    sims.push(sim);
    const c = new SimClient(sim);
    const m = sim.engine.markets().find((x) => x.status === "active" && x.seriesTicker === "KXFED")!;
    const t = sim.engine.top(m.ticker);
    const ask = (t.ask! / 1e6).toFixed(2);
    const created = await c.order({
      ticker: m.ticker,
      side: "bid",
      price: ask,
      count: "3",
      time_in_force: "immediate_or_cancel",
    });
    expect(created.status).toBe(201);
    expectValid("CreateOrderV2Response", created.body);
    const resting = await c.order({ ticker: m.ticker, side: "bid", price: "0.01", count: "2" });
    expectValid("CreateOrderV2Response", resting.body);
    const amended = await c.post(`/portfolio/events/orders/${resting.body.order_id}/amend`, {
      ticker: m.ticker,
      side: "bid",
      price: "0.02",
      count: "3",
    });
    expect(amended.status).toBe(200);
    expectValid("AmendOrderV2Response", amended.body);
    const decreased = await c.post(`/portfolio/events/orders/${resting.body.order_id}/decrease`, {
      reduce_by: "1.00",
      market_ticker: m.ticker,
    });
    expect(decreased.status).toBe(200);
    expectValid("DecreaseOrderV2Response", decreased.body);
    const cancelled = await c.del(
      `/portfolio/events/orders/${resting.body.order_id}?market_ticker=${m.ticker}`,
    );
    expectValid("CancelOrderV2Response", cancelled.body);
    // Shard 1 (crypto): a resting bid cancelled in a batch, one item routed and one not.
    const btc = sim.engine.markets().find((x) => x.status === "active" && x.seriesTicker === "KXBTCD")!;
    const onShard1 = await c.order({ ticker: btc.ticker, side: "bid", price: "0.01", count: "1" });
    const batch = await c.del("/portfolio/events/orders/batched", {
      orders: [
        { order_id: onShard1.body.order_id },
        { order_id: onShard1.body.order_id, market_ticker: btc.ticker },
      ],
    });
    expectValid("BatchCancelOrdersV2Response", batch.body);
    expect(batch.body.orders.map((o: { reduced_by: string }) => o.reduced_by)).toEqual(["0.00", "1.00"]);
    const queued = await c.order({ ticker: btc.ticker, side: "bid", price: "0.01", count: "1" });
    const queue = await c.get(`/portfolio/orders/queue_positions?market_tickers=${btc.ticker}`);
    expectValid("GetOrderQueuePositionsResponse", queue.body);
    expect(queue.body.queue_positions.map((q: { order_id: string }) => q.order_id)).toEqual([
      queued.body.order_id,
    ]);
    sim.settle(m.ticker, "no");

    const checks: [string, string][] = [
      ["/exchange/status", "ExchangeStatus"],
      ["/account/endpoint_costs", "GetAccountEndpointCostsResponse"],
      ["/api_keys", "GetApiKeysResponse"],
      ["/portfolio/balance?exchange_index=1", "GetBalanceResponse"],
      ["/account/limits", "GetAccountApiLimitsResponse"],
      ["/portfolio/balance", "GetBalanceResponse"],
      ["/portfolio/positions?count_filter=total_traded", "GetPositionsResponse"],
      ["/portfolio/orders", "GetOrdersResponse"],
      [`/portfolio/orders/${created.body.order_id}`, "GetOrderResponse"],
      ["/portfolio/fills", "GetFillsResponse"],
      ["/portfolio/settlements", "GetSettlementsResponse"],
      ["/historical/cutoff", "GetHistoricalCutoffResponse"],
      ["/historical/fills", "GetFillsResponse"],
      ["/historical/orders", "GetOrdersResponse"],
      ["/markets?limit=1000", "GetMarketsResponse"],
      [`/markets/${m.ticker}`, "GetMarketResponse"],
      [`/markets/${m.ticker}/orderbook`, "GetMarketOrderbookResponse"],
      [`/markets/orderbooks?tickers=${m.ticker}`, "GetMarketOrderbooksResponse"],
      ["/events?with_nested_markets=true", "GetEventsResponse"],
      [`/events/${m.eventTicker}`, "GetEventResponse"],
      ["/series", "GetSeriesListResponse"],
      ["/series/KXFED", "GetSeriesResponse"],
    ];
    for (const [path, schema] of checks) {
      const r = await c.get(path);
      expect(r.status, path).toBe(200);
      expectValid(schema, r.body);
    }
    expect((await c.get("/portfolio/settlements")).body.settlements).toHaveLength(1);
    const err = await c.order({ ticker: m.ticker, side: "bid", price: "0.50", count: "1" });
    expect(err.status).toBe(409);
    expectValid("ErrorResponse", err.body.error);
  });
});

describe.skipIf(!haveSpec)("the live-sized catalog's responses match the spec too", () => {
  it("validates events, markets (plain and combo), series and tags_by_categories", async () => {
    const sim = await startSim({
      livingMarket: false,
      catalog: { series: 25, openEvents: 60, combos: 300 },
    });
    sims.push(sim);
    const c = new SimClient(sim);
    const events = await c.get("/events?status=open&with_nested_markets=true&limit=5");
    const ev = events.body.events[0];
    const plain = ev.markets[0].ticker as string;
    const combo = (await c.get("/markets?mve_filter=only&limit=1")).body.markets[0].ticker as string;
    const checks: [string, string][] = [
      ["/events?status=open&with_nested_markets=true&limit=5", "GetEventsResponse"],
      [`/events?min_updated_ts=1&limit=3`, "GetEventsResponse"],
      [`/events/${ev.event_ticker}`, "GetEventResponse"],
      ["/markets?limit=1000&mve_filter=exclude", "GetMarketsResponse"],
      ["/markets?mve_filter=only&limit=50", "GetMarketsResponse"],
      [`/markets?tickers=${plain},${combo}`, "GetMarketsResponse"],
      [`/markets/${plain}`, "GetMarketResponse"],
      ["/series", "GetSeriesListResponse"],
      [`/series/${ev.series_ticker}`, "GetSeriesResponse"],
      ["/search/tags_by_categories", "GetTagsForSeriesCategoriesResponse"],
    ];
    for (const [path, schema] of checks) {
      const r = await c.get(path);
      expect(r.status, path).toBe(200);
      expectValid(schema, r.body);
    }
    const bad = await c.get("/markets?status=open&min_updated_ts=1");
    expect(bad.status).toBe(400);
    expectValid("ErrorResponse", bad.body.error);
  });
});

describe("living market", () => {
  it("fills a resting user order while nobody watches and pushes the fill on the WebSocket", async () => {
    const sim = await startSim({ livingMarket: { intervalMs: 5 }, rateLimit: false, seed: 3 });
    sims.push(sim);
    const c = new SimClient(sim);
    const ws = await c.ws();
    sockets.push(ws);
    ws.send({ id: 1, cmd: "subscribe", params: { channels: ["fill"] } });
    await ws.next((m) => m.type === "subscribed");
    const m = sim.engine.markets().find((x) => x.status === "active" && x.seriesTicker === "KXNBAGAME")!;
    const top = sim.engine.top(m.ticker);
    const px = ((top.bid! + 10_000) / 1e6).toFixed(2);
    const r = await c.order({ ticker: m.ticker, side: "bid", price: px, count: "1" });
    expect(r.body.fill_count).toBe("0.00");
    const fill = await ws.next((x) => x.type === "fill" && x.msg.order_id === r.body.order_id, 10_000);
    expect(fill.msg.is_taker).toBe(false);
    expect(sim.engine.moneyDiscrepancy()).toBe(0);
  });

  it("closes and settles markets on schedule when the clock passes their times", async () => {
    const sim = await startSim({ livingMarket: false, rateLimit: false });
    sims.push(sim);
    const c = new SimClient(sim);
    const m = sim.engine.markets().find((x) => x.status === "active" && x.seriesTicker === "KXHIGHNY")!;
    const t = sim.engine.top(m.ticker);
    await c.order({
      ticker: m.ticker,
      side: "bid",
      price: (t.ask! / 1e6).toFixed(2),
      count: "1",
      time_in_force: "immediate_or_cancel",
    });
    sim.engine.advanceClock(m.settleTime - sim.engine.now() + 1000);
    const after = (await c.get(`/markets/${m.ticker}`)).body.market;
    expect(after.status).toBe("finalized");
    expect(["yes", "no"]).toContain(after.result);
    // Exactly one winner in a mutually exclusive event.
    const siblings = (await c.get(`/markets?event_ticker=${m.eventTicker}`)).body.markets;
    expect(siblings.filter((x: { result: string }) => x.result === "yes")).toHaveLength(1);
    const s = (await c.get("/portfolio/settlements")).body.settlements;
    expect(s[0].ticker).toBe(m.ticker);
    expect(s[0].revenue).toBe(after.result === "yes" ? 100 : 0);
    expect(sim.engine.moneyDiscrepancy()).toBe(0);
  });
});
