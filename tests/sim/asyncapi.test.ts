/**
 * Every WebSocket frame the sim sends validates against Kalshi's asyncapi-2.0.0.yaml message
 * payload schemas (../shared/kalshi relative to the repo root): commands and their answers
 * (subscribed, ok, list, unsubscribed, error), and the channel messages trading produces on both
 * exchange shards (fill, user_order, market_position, ticker, orderbook snapshot and delta).
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv, type ValidateFunction } from "ajv";
import { parse } from "yaml";
import { afterEach, describe, expect, it } from "vitest";
import { micros } from "../../src/domain/money.js";
import { startSim, type SimServer } from "../../src/sim/server.js";
import { SimClient, type WsHandle } from "../support/simClient.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const SPEC =
  [
    join(repoRoot, "../shared/kalshi/asyncapi-2.0.0.yaml"),
    join(repoRoot, "../../shared/kalshi/asyncapi-2.0.0.yaml"),
  ].find((p) => existsSync(p)) ?? join(repoRoot, "../shared/kalshi/asyncapi-2.0.0.yaml");
const haveSpec = existsSync(SPEC);
if (!haveSpec) console.warn(`notice: ${SPEC} is absent; skipping the asyncapi validation test`);

type Schema = Record<string, unknown>;

/** The payload schema each server frame `type` is checked against. */
function schemaFor(frame: { type?: unknown; msg?: unknown }): string {
  switch (frame.type) {
    case "subscribed":
      return "subscribedResponsePayload";
    case "unsubscribed":
      return "unsubscribedResponsePayload";
    case "ok":
      return Array.isArray(frame.msg) ? "listSubscriptionsResponsePayload" : "okResponsePayload";
    case "error":
      return "errorResponsePayload";
    case "orderbook_snapshot":
      return "orderbookSnapshotPayload";
    case "orderbook_delta":
      return "orderbookDeltaPayload";
    case "ticker":
      return "tickerPayload";
    case "fill":
      return "fillPayload";
    case "user_order":
      return "userOrderPayload";
    case "market_position":
      return "marketPositionPayload";
    default:
      throw new Error(`the sim sent a frame of unknown type ${JSON.stringify(frame.type)}`);
  }
}

let compiled: ((name: string) => ValidateFunction) | null = null;
function validator(name: string): ValidateFunction {
  if (!compiled) {
    const doc = parse(readFileSync(SPEC, "utf8")) as { components: { schemas: Record<string, Schema> } };
    const schemas = doc.components.schemas;
    // The spec's marketTicker pattern '^[A-Z0-9-]+$' rejects its own examples ("FED-23DEC-T3.00",
    // "KXBTCD-25AUG0517-T114999.99"): real tickers carry dots, so the dot is allowed here.
    expect(schemas.marketTicker!.pattern).toBe("^[A-Z0-9-]+$");
    schemas.marketTicker = { ...schemas.marketTicker, pattern: "^[A-Z0-9.-]+$" };
    const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
    ajv.addFormat("date-time", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
    ajv.addFormat("uuid", /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
    for (const f of ["double", "float", "int32", "int64"]) ajv.addFormat(f, true);
    ajv.addSchema({ $id: "asyncapi", components: { schemas } });
    const cache = new Map<string, ValidateFunction>();
    compiled = (n) => {
      let v = cache.get(n);
      if (!v) {
        v = ajv.compile({ $ref: `asyncapi#/components/schemas/${n}` });
        cache.set(n, v);
      }
      return v;
    };
  }
  return compiled(name);
}

const sims: SimServer[] = [];
const sockets: WsHandle[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

describe.skipIf(!haveSpec)("sim WebSocket frames match Kalshi's asyncapi 2.0.0 schemas", () => {
  it("validates every frame of a session with commands, errors and trading on both shards", async () => {
    // The validator does reject a wrong frame: the ok answer with seq 0 the sim used to send.
    expect(validator("okResponsePayload")({ type: "ok", id: 4, sid: 1, seq: 0, msg: {} })).toBe(false);

    const sim = await startSim({ livingMarket: false, rateLimit: false, seed: 3 });
    sims.push(sim);
    const c = new SimClient(sim);
    const around = (series: string, fair: number): string => {
      const m = sim.engine.markets().find((x) => x.status === "active" && x.seriesTicker === series)!;
      m.fair = micros(fair * 10_000);
      sim.engine.requote(m);
      return m.ticker;
    };
    const fed = around("KXFED", 43); // shard 0, dotted ticker
    const btc = around("KXBTCD", 50); // shard 1
    const ws = await c.ws();
    sockets.push(ws);
    let id = 0;
    const cmd = async (command: string, params?: object): Promise<void> => {
      const n = ++id;
      ws.send(params ? { id: n, cmd: command, params } : { id: n, cmd: command });
      await ws.next((m) => m.id === n);
    };

    await cmd("subscribe", { channels: ["fill", "user_orders", "market_positions"] });
    await cmd("subscribe", { channels: ["ticker"], market_tickers: [fed, btc], send_initial_snapshot: true });
    await cmd("subscribe", { channels: ["orderbook_delta"], market_ticker: fed });
    const sid = (channel: string): number =>
      ws.messages.find((m) => m.type === "subscribed" && m.msg.channel === channel).msg.sid;
    await cmd("update_subscription", { sid: sid("fill"), action: "add_markets", market_tickers: [fed, btc] });
    await cmd("update_subscription", { sid: sid("fill"), action: "delete_markets", market_tickers: [fed] });
    await cmd("update_subscription", { sid: sid("fill"), action: "add_markets", market_tickers: [fed] });
    await cmd("update_subscription", {
      sids: [sid("orderbook_delta")],
      action: "add_markets",
      market_tickers: [btc],
    });
    await cmd("update_subscription", {
      sid: sid("orderbook_delta"),
      action: "get_snapshot",
      market_tickers: [fed],
    });
    await cmd("list_subscriptions");
    await cmd("subscribe", { channels: ["no_such_channel"] });
    await cmd("unsubscribe", { sids: [999] });
    await cmd("update_subscription", { sid: sid("fill"), action: "sideways", market_tickers: [fed] });
    await cmd("frobnicate", {});

    // Trading on both shards: taker fills, a resting order amended, decreased, filled and cancelled.
    const post = (ticker: string, price: string, count: string, tif = "good_till_canceled") =>
      c.post("/portfolio/events/orders", {
        ticker,
        side: "bid",
        price,
        count,
        time_in_force: tif,
        self_trade_prevention_type: "taker_at_cross",
        client_order_id: crypto.randomUUID(),
      });
    expect((await post(fed, "0.44", "2", "immediate_or_cancel")).body.fill_count).toBe("2.00");
    expect((await post(btc, "0.51", "2", "immediate_or_cancel")).body.fill_count).toBe("2.00");
    const rest = (await post(btc, "0.45", "5")).body.order_id as string;
    const amend = await c.post(`/portfolio/events/orders/${rest}/amend`, {
      ticker: btc,
      side: "bid",
      price: "0.46",
      count: "4",
    });
    expect(amend.status).toBe(200);
    const dec = await c.post(`/portfolio/events/orders/${rest}/decrease`, {
      reduce_by: "1.00",
      market_ticker: btc,
    });
    expect(dec.status).toBe(200);
    sim.trade({ ticker: btc, side: "ask", price: "0.46", count: "1" });
    expect((await c.del(`/portfolio/events/orders/${rest}?market_ticker=${btc}`)).status).toBe(200);
    sim.settle(fed, "yes");
    await cmd("unsubscribe", { sids: [sid("ticker")] });
    await cmd("list_subscriptions"); // sentinel: every earlier frame has arrived

    const seen = new Map<string, number>();
    const problems: unknown[] = [];
    for (const frame of ws.messages) {
      const name = schemaFor(frame);
      seen.set(name, (seen.get(name) ?? 0) + 1);
      const v = validator(name);
      if (!v(frame)) problems.push({ frame, errors: v.errors?.slice(0, 3) });
    }
    expect(problems).toEqual([]);
    for (const name of [
      "subscribedResponsePayload",
      "okResponsePayload",
      "listSubscriptionsResponsePayload",
      "unsubscribedResponsePayload",
      "errorResponsePayload",
      "orderbookSnapshotPayload",
      "orderbookDeltaPayload",
      "tickerPayload",
      "fillPayload",
      "userOrderPayload",
      "marketPositionPayload",
    ]) {
      expect(seen.get(name) ?? 0, name).toBeGreaterThan(0);
    }
    // Frames on shard 1 say so.
    const btcFill = ws.messages.find((m) => m.type === "fill" && m.msg.market_ticker === btc);
    expect(btcFill.msg.exchange_index).toBe(1);
    const reasons = new Set(
      ws.messages.filter((m) => m.type === "user_order").map((m) => m.msg.last_update_reason),
    );
    expect([...reasons]).toEqual(expect.arrayContaining(["Trade", "Amend", "Decrease"]));
  });

  it("a price move (POST /sim/price) sends one valid ticker frame per market, only to subscribers of it", async () => {
    const sim = await startSim({ livingMarket: false, rateLimit: false, seed: 3 });
    sims.push(sim);
    const c = new SimClient(sim);
    const [a, b] = sim.engine
      .markets()
      .filter((m) => m.status === "active" && m.priceLevelStructure === "linear_cent")
      .map((m) => m.ticker);
    const ws = await c.ws();
    sockets.push(ws);
    ws.send({ id: 1, cmd: "subscribe", params: { channels: ["ticker"], market_tickers: [a] } });
    const sid = (await ws.next((m) => m.id === 1)).msg.sid as number;
    ws.send({
      id: 2,
      cmd: "update_subscription",
      params: { sid, action: "add_markets", market_tickers: [b] },
    });
    await ws.next((m) => m.id === 2);
    ws.send({
      id: 3,
      cmd: "update_subscription",
      params: { sid, action: "delete_markets", market_tickers: [b] },
    });
    await ws.next((m) => m.id === 3);
    const before = ws.messages.length;
    const move = async (ticker: string, fair: string) => {
      const r = await fetch(`${sim.controlUrl}/price`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ ticker, fair }),
      });
      expect(r.status).toBe(200);
    };
    await move(a!, "0.41");
    await move(b!, "0.61"); // not subscribed any more
    ws.send({ id: 4, cmd: "list_subscriptions" });
    await ws.next((m) => m.id === 4);
    const tickers = ws.messages.slice(before).filter((m) => m.type === "ticker");
    expect(tickers).toHaveLength(1);
    expect(tickers[0].msg).toMatchObject({
      market_ticker: a,
      yes_bid_dollars: "0.4000",
      yes_ask_dollars: "0.4200",
    });
    expect(validator("tickerPayload")(tickers[0])).toBe(true);
    const bad = await fetch(`${sim.controlUrl}/price`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ticker: a, fair: "1.5" }),
    });
    expect(bad.status).toBe(400);
  });
});
