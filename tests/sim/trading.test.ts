import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseCount, parseDollars, MICROS_PER_DOLLAR } from "../../src/domain/money.js";
import { startSim, type SimServer } from "../../src/sim/server.js";
import { SimClient } from "../support/simClient.js";

let sim: SimServer;
let c: SimClient;

beforeEach(async () => {
  sim = await startSim({ livingMarket: false, rateLimit: false, seed: 7 });
  c = new SimClient(sim);
});
afterEach(async () => {
  await sim?.close();
});

function openMarket(structure: "linear_cent" | "tapered_deci_cent" = "linear_cent", series?: string): string {
  const m = sim.engine
    .markets()
    .find(
      (x) =>
        x.status === "active" &&
        x.priceLevelStructure === structure &&
        (!series || x.seriesTicker === series) &&
        x.fair > 200_000 &&
        x.fair < 800_000,
    );
  if (!m) throw new Error("no open market in the fixture");
  return m.ticker;
}

async function book(
  ticker: string,
): Promise<{ bestBid: string; bestAsk: string; askSize: string; bidSize: string }> {
  const r = await c.get(`/markets/${ticker}/orderbook`);
  expect(r.status).toBe(200);
  const yes = r.body.orderbook_fp.yes_dollars as string[][];
  const no = r.body.orderbook_fp.no_dollars as string[][];
  const bestYes = yes[yes.length - 1]!;
  const bestNo = no[no.length - 1]!;
  const ask = (1_000_000 - parseDollars(bestNo[0]!)) / 1_000_000;
  return { bestBid: bestYes[0]!, bidSize: bestYes[1]!, bestAsk: ask.toFixed(4), askSize: bestNo[1]! };
}

async function balance(): Promise<number> {
  const r = await c.get("/portfolio/balance");
  expect(r.status).toBe(200);
  expect(r.body.balance).toBe(Math.floor(parseDollars(r.body.balance_dollars) / 10_000));
  return parseDollars(r.body.balance_dollars);
}

async function position(ticker: string): Promise<number> {
  const r = await c.get(`/portfolio/positions?ticker=${ticker}`);
  const p = r.body.market_positions[0];
  return p ? parseCount(p.position_fp) : 0;
}

describe("sim trading over HTTP", () => {
  it("buys YES at the ask, charging price × count plus the taker fee", async () => {
    const t = openMarket();
    const b = await book(t);
    const before = await balance();
    const r = await c.order({
      ticker: t,
      side: "bid",
      price: b.bestAsk,
      count: "2",
      time_in_force: "immediate_or_cancel",
    });
    expect(r.status).toBe(201);
    expect(r.body.fill_count).toBe("2.00");
    expect(r.body.remaining_count).toBe("0.00");
    expect(r.body.average_fill_price).toBe(b.bestAsk);
    const fills = (await c.get(`/portfolio/fills?order_id=${r.body.order_id}`)).body.fills;
    expect(fills).toHaveLength(1);
    expect(fills[0].is_taker).toBe(true);
    expect(fills[0].outcome_side).toBe("yes");
    const fee = parseDollars(fills[0].fee_cost);
    expect(fee).toBeGreaterThan(0);
    const after = await balance();
    expect(before - after).toBe(2 * parseDollars(b.bestAsk) + fee);
    expect(await position(t)).toBe(200);
    const order = (await c.get(`/portfolio/orders/${r.body.order_id}`)).body.order;
    expect(order.status).toBe("executed");
    expect(order.taker_fill_cost_dollars).toBe((2 * Number(b.bestAsk)).toFixed(4));
    expect(sim.engine.moneyDiscrepancy()).toBe(0);
  });

  it("sells YES it holds (reduces the position) and goes NO when selling from flat", async () => {
    const t = openMarket();
    const b = await book(t);
    await c.order({
      ticker: t,
      side: "bid",
      price: b.bestAsk,
      count: "3",
      time_in_force: "immediate_or_cancel",
    });
    expect(await position(t)).toBe(300);
    const before = await balance();
    const s = await c.order({
      ticker: t,
      side: "ask",
      price: b.bestBid,
      count: "3",
      time_in_force: "immediate_or_cancel",
    });
    expect(s.body.fill_count).toBe("3.00");
    expect(await position(t)).toBe(0);
    const sellFill = (await c.get(`/portfolio/fills?order_id=${s.body.order_id}`)).body.fills[0];
    const after = await balance();
    // Closing YES pays the bid price per contract, minus the fee.
    expect(after - before).toBe(3 * parseDollars(b.bestBid) - parseDollars(sellFill.fee_cost));
    // Now sell from flat: a NO position costing (1 − p) per contract.
    const b2 = await book(t);
    const before2 = await balance();
    const s2 = await c.order({
      ticker: t,
      side: "ask",
      price: b2.bestBid,
      count: "1",
      time_in_force: "immediate_or_cancel",
    });
    expect(s2.body.fill_count).toBe("1.00");
    expect(await position(t)).toBe(-100);
    const f2 = (await c.get(`/portfolio/fills?order_id=${s2.body.order_id}`)).body.fills[0];
    expect(f2.outcome_side).toBe("no");
    expect(before2 - (await balance())).toBe(
      MICROS_PER_DOLLAR - parseDollars(b2.bestBid) + parseDollars(f2.fee_cost),
    );
    // Closing the NO with a bid pays back 1 − p.
    const b3 = await book(t);
    const before3 = await balance();
    const s3 = await c.order({
      ticker: t,
      side: "bid",
      price: b3.bestAsk,
      count: "1",
      time_in_force: "immediate_or_cancel",
    });
    const f3 = (await c.get(`/portfolio/fills?order_id=${s3.body.order_id}`)).body.fills[0];
    expect(await position(t)).toBe(0);
    expect((await balance()) - before3).toBe(
      MICROS_PER_DOLLAR - parseDollars(b3.bestAsk) - parseDollars(f3.fee_cost),
    );
    const pos = (await c.get(`/portfolio/positions?ticker=${t}&count_filter=total_traded`)).body
      .market_positions[0];
    expect(pos.position_fp).toBe("0.00");
    expect(parseDollars(pos.realized_pnl_dollars)).toBe(
      3 * (parseDollars(b.bestBid) - parseDollars(b.bestAsk)) +
        (parseDollars(b3.bestAsk) - parseDollars(b2.bestBid)) * -1,
    );
    expect(sim.engine.moneyDiscrepancy()).toBe(0);
  });

  it("partially fills a marketable GTC order and rests the remainder, reserving its cost", async () => {
    const t = openMarket();
    const b = await book(t);
    const size = parseCount(b.askSize);
    const count = (size + 500) / 100; // 5 more than the best level holds
    const before = await balance();
    const r = await c.order({ ticker: t, side: "bid", price: b.bestAsk, count: String(count) });
    expect(r.status).toBe(201);
    expect(r.body.fill_count).toBe(b.askSize);
    expect(r.body.remaining_count).toBe("5.00");
    const o = (await c.get(`/portfolio/orders/${r.body.order_id}`)).body.order;
    expect(o.status).toBe("resting");
    expect(o.fill_count_fp).toBe(b.askSize);
    // Our rest is now the best bid.
    const b2 = await book(t);
    expect(b2.bestBid).toBe(b.bestAsk);
    expect(b2.bidSize).toBe("5.00");
    const spent = before - (await balance());
    expect(spent).toBeGreaterThanOrEqual((count * parseDollars(b.bestAsk)) | 0);
    // Cancel gives the reservation back.
    const before2 = await balance();
    const cx = await c.del(`/portfolio/events/orders/${r.body.order_id}`);
    expect(cx.status).toBe(200);
    expect(cx.body.reduced_by).toBe("5.00");
    expect((await balance()) - before2).toBeGreaterThanOrEqual(5 * parseDollars(b.bestAsk));
    expect((await c.get(`/portfolio/orders/${r.body.order_id}`)).body.order.status).toBe("canceled");
    expect((await c.del(`/portfolio/events/orders/${r.body.order_id}`)).status).toBe(404);
    expect(sim.engine.moneyDiscrepancy()).toBe(0);
  });

  it("cancels an IOC remainder and kills an unfillable FOK without any fill", async () => {
    const t = openMarket();
    const b = await book(t);
    const size = parseCount(b.askSize) / 100;
    const ioc = await c.order({
      ticker: t,
      side: "bid",
      price: b.bestAsk,
      count: String(size + 3),
      time_in_force: "immediate_or_cancel",
    });
    expect(ioc.body.fill_count).toBe(b.askSize);
    expect(ioc.body.remaining_count).toBe("0.00");
    expect((await c.get(`/portfolio/orders/${ioc.body.order_id}`)).body.order.status).toBe("canceled");

    const b2 = await book(t);
    const before = await balance();
    const fok = await c.order({
      ticker: t,
      side: "bid",
      price: b2.bestAsk,
      count: String(parseCount(b2.askSize) / 100 + 1),
      time_in_force: "fill_or_kill",
    });
    expect(fok.status).toBe(201);
    expect(fok.body.fill_count).toBe("0.00");
    expect(fok.body.remaining_count).toBe("0.00");
    expect(await balance()).toBe(before);
    expect((await c.get(`/portfolio/fills?order_id=${fok.body.order_id}`)).body.fills).toHaveLength(0);
    // A FOK that fits fills completely.
    const fok2 = await c.order({
      ticker: t,
      side: "bid",
      price: b2.bestAsk,
      count: "1",
      time_in_force: "fill_or_kill",
    });
    expect(fok2.body.fill_count).toBe("1.00");
  });

  it("refuses a repeated client_order_id while the first order rests (409), creating nothing", async () => {
    const t = openMarket();
    const b = await book(t);
    const id = crypto.randomUUID();
    const below = (parseDollars(b.bestBid) - 10_000) / 1_000_000;
    const a1 = await c.order({
      ticker: t,
      side: "bid",
      price: below.toFixed(2),
      count: "4",
      client_order_id: id,
    });
    const a2 = await c.order({
      ticker: t,
      side: "bid",
      price: below.toFixed(2),
      count: "4",
      client_order_id: id,
    });
    expect(a1.status).toBe(201);
    expect(a2.status).toBe(409);
    expect(a2.body.error.code).toBe("duplicate_client_order_id");
    const orders = (await c.get(`/portfolio/orders?ticker=${t}`)).body.orders;
    expect(orders.filter((o: { client_order_id: string }) => o.client_order_id === id)).toHaveLength(1);
  });

  it("rejects off-tick prices, closed markets and orders the balance cannot cover", async () => {
    const t = openMarket();
    const bad = await c.order({ ticker: t, side: "bid", price: "0.555", count: "1" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("invalid_price");
    const tapered = openMarket("tapered_deci_cent");
    // Sub-cent ticks are only valid below $0.10 / above $0.90 on tapered markets.
    expect((await c.order({ ticker: tapered, side: "bid", price: "0.055", count: "1" })).status).toBe(201);
    expect(
      (await c.order({ ticker: tapered, side: "bid", price: "0.505", count: "1" })).body.error.code,
    ).toBe("invalid_price");
    const broke = await c.order({ ticker: t, side: "bid", price: "0.50", count: "5000" });
    expect(broke.status).toBe(400);
    expect(broke.body.error.code).toBe("insufficient_balance");
    const closed = sim.engine.markets().find((m) => m.status === "closed")!;
    const cl = await c.order({ ticker: closed.ticker, side: "bid", price: "0.50", count: "1" });
    expect(cl.status).toBe(409);
    expect(cl.body.error.code).toBe("market_closed");
    expect((await c.order({ ticker: "KXNOPE-1", side: "bid", price: "0.50", count: "1" })).status).toBe(404);
    const missing = await c.post("/portfolio/events/orders", {
      ticker: t,
      side: "bid",
      price: "0.50",
      count: "1",
    });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details).toMatch(/time_in_force|self_trade_prevention_type/);
  });

  it("post_only crossing orders are cancelled, reduce_only orders are capped at the position", async () => {
    const t = openMarket();
    const b = await book(t);
    const po = await c.order({ ticker: t, side: "bid", price: b.bestAsk, count: "1", post_only: true });
    expect(po.status).toBe(201);
    expect(po.body.fill_count).toBe("0.00");
    expect((await c.get(`/portfolio/orders/${po.body.order_id}`)).body.order.status).toBe("canceled");
    const ro0 = await c.order({
      ticker: t,
      side: "ask",
      price: b.bestBid,
      count: "1",
      reduce_only: true,
      time_in_force: "immediate_or_cancel",
    });
    expect(ro0.body.fill_count).toBe("0.00");
    await c.order({
      ticker: t,
      side: "bid",
      price: b.bestAsk,
      count: "2",
      time_in_force: "immediate_or_cancel",
    });
    const ro = await c.order({
      ticker: t,
      side: "ask",
      price: b.bestBid,
      count: "10",
      reduce_only: true,
      time_in_force: "immediate_or_cancel",
    });
    expect(ro.body.fill_count).toBe("2.00");
    expect(await position(t)).toBe(0);
  });

  it("settles: $1 per winning contract, a settlement record, money conserved to the cent", async () => {
    const start = await balance();
    const t = openMarket();
    const other = sim.engine
      .markets()
      .find(
        (m) => m.status === "active" && m.eventTicker === sim.engine.market(t).eventTicker && m.ticker !== t,
      );
    const b = await book(t);
    await c.order({
      ticker: t,
      side: "bid",
      price: b.bestAsk,
      count: "7",
      time_in_force: "immediate_or_cancel",
    });
    await c.order({
      ticker: t,
      side: "ask",
      price: b.bestBid,
      count: "2",
      time_in_force: "immediate_or_cancel",
    });
    // A resting order is cancelled on close and its reservation returned.
    await c.order({ ticker: t, side: "bid", price: "0.02", count: "3" });
    if (other) {
      const ob = await book(other.ticker);
      await c.order({
        ticker: other.ticker,
        side: "ask",
        price: ob.bestBid,
        count: "4",
        time_in_force: "immediate_or_cancel",
      });
    }
    const settled = await c.control("POST", "/settle", { ticker: t, result: "yes" });
    expect(settled.status).toBe(200);
    expect(settled.body.market.result).toBe("yes");
    if (other) await c.control("POST", "/settle", { ticker: other.ticker, result: "yes" });

    const s = (await c.get(`/portfolio/settlements?ticker=${t}`)).body.settlements[0];
    expect(s.market_result).toBe("yes");
    expect(s.yes_count_fp).toBe("5.00");
    expect(s.revenue).toBe(500);
    expect(s.value).toBe(100);
    expect(await position(t)).toBe(0);

    // Independent check from the fills: every bid bought YES at p, every ask bought NO at 1 − p.
    const fills = (await c.get("/portfolio/fills?limit=1000")).body.fills as Record<string, string>[];
    let expected = start;
    const payoff: Record<string, number> = {};
    for (const f of fills) {
      const p = parseDollars(f.yes_price_dollars!);
      const n = parseCount(f.count_fp!);
      const fee = parseDollars(f.fee_cost!);
      const cost = f.book_side === "bid" ? (p * n) / 100 : ((MICROS_PER_DOLLAR - p) * n) / 100;
      expected -= cost + fee;
      // Both markets settle YES: each YES contract pays $1, NO nothing (a held YES+NO pair nets to $1).
      if (f.book_side === "bid") payoff[f.ticker!] = (payoff[f.ticker!] ?? 0) + n * 10_000;
    }
    for (const v of Object.values(payoff)) expected += v;
    const final = await balance();
    expect(final).toBe(expected);
    expect(sim.engine.moneyDiscrepancy()).toBe(0);
    const m = (await c.get(`/markets/${t}`)).body.market;
    expect(m.status).toBe("finalized");
    expect((await c.order({ ticker: t, side: "bid", price: "0.50", count: "1" })).body.error.code).toBe(
      "market_closed",
    );
  });
});

describe("control endpoints and expiry", () => {
  it("trades as another account, closes, reports state, expires GTC orders and resets", async () => {
    const t = openMarket();
    const top = sim.engine.top(t);
    const inside = ((top.bid! + 10_000) / 1e6).toFixed(2);
    const exp = Math.floor(Date.now() / 1000) + 60;
    const mine = await c.post("/portfolio/events/orders", {
      ticker: t,
      side: "bid",
      price: inside,
      count: "2",
      time_in_force: "good_till_canceled",
      self_trade_prevention_type: "taker_at_cross",
      client_order_id: crypto.randomUUID(),
      expiration_time: exp,
    });
    expect(mine.status).toBe(201);
    const tr = await c.control("POST", "/trade", { ticker: t, side: "ask", price: inside, count: "1" });
    expect(tr.status).toBe(200);
    expect(tr.body.fills[0].count_fp).toBe("1.00");
    expect(await position(t)).toBe(100);
    const before = await balance();
    sim.engine.advanceClock(61_000);
    const o = (await c.get(`/portfolio/orders/${mine.body.order_id}`)).body.order;
    expect(o.status).toBe("canceled");
    expect(o.fill_count_fp).toBe("1.00");
    expect(await balance()).toBeGreaterThan(before); // reservation returned
    const closed = await c.control("POST", "/close", { ticker: t });
    expect(closed.body.market.status).toBe("closed");
    const st = (await c.control("GET", "/state")).body;
    expect(st.money_discrepancy_micros).toBe(0);
    expect(st.markets.find((m: { ticker: string }) => m.ticker === t).status).toBe("closed");
    expect((await c.control("POST", "/reset")).status).toBe(200);
    expect(await balance()).toBe(1000 * MICROS_PER_DOLLAR);
    expect((await c.get("/portfolio/fills")).body.fills).toHaveLength(0);
    expect((await c.control("POST", "/faults", { path: "nope", kind: "500" })).status).toBe(400);
  });
});
