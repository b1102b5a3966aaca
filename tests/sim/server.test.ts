import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseDollars } from "../../src/domain/money.js";
import { startSim, resetPersisted, type SimOptions, type SimServer } from "../../src/sim/server.js";
import { SimClient, type WsHandle } from "../support/simClient.js";
import { until } from "../support/until.js";

const sims: SimServer[] = [];
const sockets: WsHandle[] = [];
const dirs: string[] = [];

async function start(o: SimOptions = {}): Promise<{ sim: SimServer; c: SimClient }> {
  const sim = await startSim({ livingMarket: false, rateLimit: false, ...o });
  sims.push(sim);
  return { sim, c: new SimClient(sim) };
}

afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await Promise.all(sims.splice(0).map((s) => s.close()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

function activeTicker(sim: SimServer): string {
  return sim.engine.markets().find((m) => m.status === "active" && m.priceLevelStructure === "linear_cent")!
    .ticker;
}

/** A price one cent above the best bid: inside the spread, so a bid there becomes the best bid. */
function insideBid(sim: SimServer, ticker: string): string {
  const t = sim.engine.top(ticker);
  expect(t.ask! - t.bid!).toBeGreaterThan(10_000);
  return ((t.bid! + 10_000) / 1_000_000).toFixed(2);
}

describe("auth", () => {
  it("accepts a valid signature and rejects bad signatures, stale timestamps and unknown keys with 401", async () => {
    const { sim, c } = await start();
    expect((await c.get("/portfolio/balance")).status).toBe(200);
    const badSig = await c.get("/portfolio/balance", { signPath: "/portfolio/balance" }); // path without prefix
    expect(badSig.status).toBe(401);
    expect(badSig.body.error.code).toBe("authentication_error");
    expect(badSig.body.error.details).toContain("INCORRECT_API_KEY_SIGNATURE");
    const stale = await c.get("/portfolio/balance", { nowMs: Date.now() - 60_000 });
    expect(stale.status).toBe(401);
    expect(stale.body.error.code).toBe("authentication_error");
    expect((await c.get("/portfolio/balance", { unsigned: true })).status).toBe(401);
    const other = new SimClient({ ...sim, keyId: "someone-else" });
    expect((await other.get("/portfolio/balance")).status).toBe(401);
    // The error never echoes key material.
    expect(badSig.text).not.toContain(sim.privateKeyPem.slice(40, 80));
    // Public market data needs no signature.
    expect((await c.get("/markets?limit=1", { unsigned: true })).status).toBe(200);
  });

  it("refuses a WebSocket upgrade without a valid signature", async () => {
    const { c } = await start();
    await expect(c.ws({ nowMs: Date.now() - 120_000 })).rejects.toThrow(/401/);
    await expect(c.ws({ unsigned: true })).rejects.toThrow(/401/);
    const ok = await c.ws();
    sockets.push(ok);
  });
});

describe("rate limit", () => {
  it("answers a burst beyond the Basic budget with 429 and the string body, then recovers", async () => {
    // The Basic tier on a clock the test moves: no refill during the burst, a known one after it.
    let nowMs = 0;
    const { c } = await start({ rateLimit: { read: 200, write: 100, clock: () => nowMs } });
    const results = await Promise.all(Array.from({ length: 60 }, () => c.get("/portfolio/balance")));
    const limited = results.filter((r) => r.status === 429);
    expect(results.filter((r) => r.status === 200)).toHaveLength(20); // 200 tokens, 10 a read
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]!.body).toEqual({ error: "too many requests" });
    nowMs += 50; // 10 tokens back: exactly one more read
    expect((await c.get("/portfolio/balance")).status).toBe(200);
    expect((await c.get("/portfolio/balance")).status).toBe(429);
    nowMs += 1000;
    const limits = (await c.get("/account/limits")).body;
    expect(limits.read).toEqual({ refill_rate: 200, bucket_capacity: 200 });
    expect(limits.write).toEqual({ refill_rate: 100, bucket_capacity: 100 });
    // rateLimit: true is that same Basic tier.
    const basic = (await (await start({ rateLimit: true })).c.get("/account/limits")).body;
    expect({ read: basic.read, write: basic.write }).toEqual({ read: limits.read, write: limits.write });
  });
});

describe("faults", () => {
  it("injects 500, 429, hang and drop_after_accept (the order exists although no response came)", async () => {
    const { sim, c } = await start();
    await c.control("POST", "/faults", { path: "/portfolio/balance", kind: "500", count: 1 });
    const e500 = await c.get("/portfolio/balance");
    expect(e500.status).toBe(500);
    expect(e500.body.error.code).toBe("internal_server_error");
    expect((await c.get("/portfolio/balance")).status).toBe(200); // count consumed

    await c.control("POST", "/faults", { path: "/trade-api/v2/portfolio", kind: "429" });
    const e429 = await c.get("/portfolio/positions");
    expect(e429.status).toBe(429);
    expect(e429.body).toEqual({ error: "too many requests" });

    sim.addFault({ path: "/exchange/status", kind: "hang" });
    const ac = new AbortController();
    let winner = "hung";
    const hung = fetch(sim.baseUrl + "/exchange/status", { signal: ac.signal });
    void hung.then(() => (winner = "answered")).catch(() => undefined);
    // The sim took the fault for this request (its one use consumed) ...
    await until(
      "the hang fault taken",
      async () => (await c.control("GET", "/faults")).body.faults.length === 0,
    );
    // ... and a later request to the same path is answered while the hung one still is not.
    expect((await fetch(sim.baseUrl + "/exchange/status")).status).toBe(200);
    expect(winner).toBe("hung");
    ac.abort();
    await hung.catch(() => undefined);

    const t = activeTicker(sim);
    const cid = crypto.randomUUID();
    await c.control("POST", "/faults", {
      path: "/portfolio/events/orders",
      method: "POST",
      kind: "drop_after_accept",
    });
    await expect(
      c.order({ ticker: t, side: "bid", price: "0.02", count: "1", client_order_id: cid }),
    ).rejects.toThrow();
    const orders = (await c.get(`/portfolio/orders?ticker=${t}`)).body.orders;
    expect(orders.filter((o: { client_order_id: string }) => o.client_order_id === cid)).toHaveLength(1);
    // A blind retry with the same client_order_id is refused while that order rests; still one order.
    const retry = await c.order({ ticker: t, side: "bid", price: "0.02", count: "1", client_order_id: cid });
    expect(retry.status).toBe(409);
    expect(retry.body.error.code).toBe("duplicate_client_order_id");
    const again = (await c.get(`/portfolio/orders?ticker=${t}`)).body.orders;
    expect(again.filter((o: { client_order_id: string }) => o.client_order_id === cid)).toHaveLength(1);

    await c.control("POST", "/latency", { ms: 150 });
    const t0 = Date.now();
    await c.get("/exchange/status");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    await c.control("POST", "/latency", { ms: 0 });
  });

  it("drops WebSocket connections on command", async () => {
    const { c } = await start();
    const ws = await c.ws();
    sockets.push(ws);
    const r = await c.control("POST", "/ws/drop");
    expect(r.body.dropped).toBe(1);
    await ws.closed;
  });
});

describe("WebSocket channels", () => {
  it("pushes fill, user_order and market_position for the user's trades; answers commands like Kalshi", async () => {
    const { sim, c } = await start();
    const ws = await c.ws();
    sockets.push(ws);
    ws.send({ id: 1, cmd: "subscribe", params: { channels: ["fill", "user_orders", "market_positions"] } });
    await ws.next((m) => m.id === 1 && m.type === "subscribed" && m.msg.channel === "market_positions");
    ws.send({ id: 2, cmd: "subscribe", params: { channels: ["nope"] } });
    expect((await ws.next((m) => m.id === 2)).msg.code).toBe(8);
    ws.send({ id: 3, cmd: "subscribe", params: {} });
    expect((await ws.next((m) => m.id === 3)).msg.code).toBe(3);
    ws.send({ id: 4, cmd: "frobnicate" });
    expect((await ws.next((m) => m.id === 4)).msg.code).toBe(5);
    ws.send({ id: 5, cmd: "unsubscribe", params: { sids: [999] } });
    expect((await ws.next((m) => m.id === 5)).msg.code).toBe(7);
    ws.send({ id: 6, cmd: "list_subscriptions" });
    expect((await ws.next((m) => m.id === 6)).msg).toHaveLength(3);

    const t = activeTicker(sim);
    const cid = crypto.randomUUID();
    const px = insideBid(sim, t);
    const resting = await c.order({ ticker: t, side: "bid", price: px, count: "3", client_order_id: cid });
    const uo = await ws.next((m) => m.type === "user_order" && m.msg.order_id === resting.body.order_id);
    expect(uo.msg.status).toBe("resting");
    expect(uo.msg.client_order_id).toBe(cid);
    // Another account sells into our bid.
    sim.trade({ ticker: t, side: "ask", price: px, count: "2" });
    const fill = await ws.next((m) => m.type === "fill" && m.msg.order_id === resting.body.order_id);
    expect(fill.msg.count_fp).toBe("2.00");
    expect(fill.msg.is_taker).toBe(false);
    expect(fill.msg.post_position_fp).toBe("2.00");
    expect(fill.msg.yes_price_dollars).toBe(px + "00");
    const pos = await ws.next((m) => m.type === "market_position" && m.msg.market_ticker === t);
    expect(pos.msg.position_fp).toBe("2.00");

    ws.send({ id: 7, cmd: "unsubscribe", params: { sids: [fill.sid] } });
    expect((await ws.next((m) => m.id === 7)).type).toBe("unsubscribed");
  });

  it("streams ticker updates and orderbook snapshots/deltas for subscribed markets", async () => {
    const { sim, c } = await start();
    const t = activeTicker(sim);
    const ws = await c.ws();
    sockets.push(ws);
    ws.send({
      id: 1,
      cmd: "subscribe",
      params: { channels: ["ticker"], market_tickers: [t], send_initial_snapshot: true },
    });
    const first = await ws.next((m) => m.type === "ticker");
    expect(first.msg.market_ticker).toBe(t);
    ws.send({ id: 2, cmd: "subscribe", params: { channels: ["orderbook_delta"], market_ticker: t } });
    const snap = await ws.next((m) => m.type === "orderbook_snapshot");
    expect(snap.seq).toBe(1);
    expect(snap.msg.yes_dollars_fp.length).toBeGreaterThan(0);
    await c.order({ ticker: t, side: "bid", price: "0.03", count: "1" });
    const delta = await ws.next((m) => m.type === "orderbook_delta");
    expect(delta.msg).toMatchObject({ price_dollars: "0.0300", delta_fp: "1.00", side: "yes" });
    expect(delta.seq).toBe(2);
  });
});

describe("persistence and keys", () => {
  it("keeps the paper account across restarts, resets on request, and stores the key pair with mode 0600", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sim-"));
    dirs.push(dir);
    const a = await start({ dataDir: dir, keyDir: dir, startingBalance: 500_000_000 as never });
    const t = activeTicker(a.sim);
    const px = insideBid(a.sim, t);
    const placed = await a.c.order({ ticker: t, side: "bid", price: px, count: "5" });
    const bal = (await a.c.get("/portfolio/balance")).body.balance_dollars;
    expect(parseDollars(bal)).toBeLessThan(500_000_000);
    expect(a.sim.privateKeyPath).toBe(join(dir, "sim-private-key.pem"));
    expect((await stat(a.sim.privateKeyPath!)).mode & 0o777).toBe(0o600);
    const keyId = a.sim.keyId;
    await a.sim.close();

    const b = await start({ dataDir: dir, keyDir: dir });
    expect(b.sim.keyId).toBe(keyId);
    expect((await b.c.get("/portfolio/balance")).body.balance_dollars).toBe(bal);
    const o = (await b.c.get(`/portfolio/orders/${placed.body.order_id}`)).body.order;
    expect(o.status).toBe("resting");
    // The resting order is back in the book.
    b.sim.trade({ ticker: t, side: "ask", price: px, count: "5" });
    expect((await b.c.get(`/portfolio/orders/${placed.body.order_id}`)).body.order.status).toBe("executed");
    await b.sim.close();

    expect(resetPersisted(dir)).toBe(true);
    const c3 = await start({ dataDir: dir, keyDir: dir });
    expect((await c3.c.get("/portfolio/balance")).body.balance_dollars).toBe("1000.0000");
    expect((await c3.c.get("/portfolio/orders")).body.orders).toHaveLength(0);
  });
});

describe("history", () => {
  it("moves fills and finished orders older than the cutoff to /historical/*; filters fills by seconds", async () => {
    const { sim, c } = await start({ historicalCutoffMs: 60_000 });
    const t = activeTicker(sim);
    const book = (await c.get(`/markets/${t}/orderbook?depth=1`)).body.orderbook_fp;
    expect(book.no_dollars).toHaveLength(1);
    const ask = ((1_000_000 - parseDollars(book.no_dollars[0][0])) / 1_000_000).toFixed(2);
    const r = await c.order({
      ticker: t,
      side: "bid",
      price: ask,
      count: "1",
      time_in_force: "immediate_or_cancel",
    });
    const fillsNow = (await c.get("/portfolio/fills")).body.fills;
    expect(fillsNow).toHaveLength(1);
    const ts = fillsNow[0].ts as number;
    expect((await c.get(`/portfolio/fills?min_ts=${ts + 1}`)).body.fills).toHaveLength(0);
    expect((await c.get(`/portfolio/fills?min_ts=${ts}&max_ts=${ts}`)).body.fills).toHaveLength(1);
    sim.engine.advanceClock(120_000);
    expect((await c.get("/portfolio/fills")).body.fills).toHaveLength(0);
    expect((await c.get("/historical/fills")).body.fills[0].order_id).toBe(r.body.order_id);
    expect((await c.get("/historical/orders")).body.orders[0].order_id).toBe(r.body.order_id);
    const cutoff = (await c.get("/historical/cutoff")).body;
    expect(Date.parse(cutoff.trades_created_ts)).toBeGreaterThan(ts * 1000);
  });
});

describe("market data", () => {
  it("serves 30+ markets with filters and cursor pagination, events, series and batched orderbooks", async () => {
    const { c } = await start();
    const all: { ticker: string; status: string }[] = [];
    let cursor = "";
    do {
      const r = await c.get(`/markets?limit=7${cursor ? `&cursor=${cursor}` : ""}`);
      all.push(...r.body.markets);
      cursor = r.body.cursor;
    } while (cursor);
    expect(all.length).toBeGreaterThanOrEqual(30);
    expect(new Set(all.map((m) => m.ticker)).size).toBe(all.length);
    expect(all.some((m) => m.status === "closed")).toBe(true);
    expect(all.some((m) => m.status === "finalized")).toBe(true);
    const open = (await c.get("/markets?status=open&series_ticker=KXHIGHNY")).body.markets;
    expect(open.length).toBe(6);
    expect(open.every((m: { status: string }) => m.status === "active")).toBe(true);
    const settled = (await c.get("/markets?status=settled")).body.markets;
    expect(settled.every((m: { result: string }) => m.result !== "")).toBe(true);
    expect((await c.get("/markets?status=bogus")).status).toBe(400);
    const two = [open[0].ticker, open[1].ticker];
    expect((await c.get(`/markets?tickers=${two.join(",")}`)).body.markets).toHaveLength(2);
    const obs = (await c.get(`/markets/orderbooks?tickers=${two[0]}&tickers=${two[1]}`)).body.orderbooks;
    expect(obs.map((o: { ticker: string }) => o.ticker)).toEqual(two);
    const ev = (await c.get(`/events/${open[0].event_ticker}?with_nested_markets=true`)).body;
    expect(ev.event.series_ticker).toBe("KXHIGHNY");
    expect(ev.markets).toHaveLength(6);
    const series = (await c.get("/series")).body.series;
    expect(series.map((s: { ticker: string }) => s.ticker)).toContain("KXFED");
    expect((await c.get("/series/KXFED")).body.series.fee_type).toBe("quadratic_with_maker_fees");
    expect((await c.get("/markets/NOPE")).status).toBe(404);
  });
});
