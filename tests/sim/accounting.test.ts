/**
 * The sim's account rules a reviewer found broken, over signed HTTP and the WebSocket:
 * resting reduce-only orders follow the position, a resting order's maker fee is part of the
 * balance check, and an order's many small fills cost what one fill would (fee accumulator).
 */
import { afterEach, describe, expect, it } from "vitest";
import { estimateFee } from "../../src/domain/fees.js";
import { type Centis, micros, parseCount, parseDollars } from "../../src/domain/money.js";
import { USER } from "../../src/sim/engine.js";
import type { SimServer } from "../../src/sim/server.js";
import type { SimClient, WsHandle } from "../support/simClient.js";
import { marketAround, useSims } from "./support.js";

const start = useSims();
const sockets: WsHandle[] = [];

afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});

async function balance(c: SimClient): Promise<number> {
  const r = await c.get("/portfolio/balance");
  expect(r.status).toBe(200);
  return parseDollars(r.body.balance_dollars);
}

async function position(c: SimClient, ticker: string): Promise<number> {
  const r = await c.get(`/portfolio/positions?ticker=${ticker}`);
  const p = r.body.market_positions[0];
  return p ? parseCount(p.position_fp) : 0;
}

async function order(c: SimClient, id: string): Promise<Record<string, string>> {
  const r = await c.get(`/portfolio/orders/${id}`);
  expect(r.status).toBe(200);
  return r.body.order;
}

/**
 * A resting (GTC) reduce-only ask placed on the engine directly: Kalshi refuses reduce_only
 * without immediate_or_cancel over HTTP (tests/sim/rules.test.ts), but the engine still caps any
 * reduce-only order it holds at the position, and these tests keep that guarantee.
 */
function restingReduceOnly(sim: SimServer, ticker: string, priceCents: number, count: number) {
  const r = sim.engine.placeOrder(USER, {
    ticker,
    side: "ask",
    price: micros(priceCents * 10_000),
    count: (count * 100) as Centis,
    tif: "good_till_canceled",
    reduceOnly: true,
  });
  return { body: { order_id: r.order.orderId, remaining_count: `${count}.00` }, order: r.order };
}

async function userOrders(c: SimClient): Promise<WsHandle> {
  const ws = await c.ws();
  sockets.push(ws);
  ws.send({ id: 1, cmd: "subscribe", params: { channels: ["user_orders", "fill"] } });
  await ws.next((m) => m.id === 1 && m.type === "subscribed" && m.msg.channel === "fill");
  return ws;
}

const cents = (n: number): number => n * 10_000;

describe("resting reduce-only orders follow the position", () => {
  it("selling the position elsewhere cancels the resting reduce-only order; it never opens a short", async () => {
    const { sim, c } = await start();
    const t = marketAround(sim, "KXHIGHNY", 31);
    const ws = await userOrders(c);
    const buy = await c.order({
      ticker: t,
      side: "bid",
      price: "0.32",
      count: "10",
      time_in_force: "immediate_or_cancel",
    });
    expect(buy.body.fill_count).toBe("10.00");
    const ro = restingReduceOnly(sim, t, 31, 10);
    expect(ro.order.remaining).toBe(1000);
    const afterBuy = await balance(c);

    // Sell the 10 at market while the reduce-only order rests.
    const sell = await c.order({
      ticker: t,
      side: "ask",
      price: "0.30",
      count: "10",
      time_in_force: "immediate_or_cancel",
    });
    expect(sell.body.fill_count).toBe("10.00");
    expect(await position(c, t)).toBe(0);
    const gone = await ws.next(
      (m) => m.type === "user_order" && m.msg.order_id === ro.body.order_id && m.msg.status === "canceled",
    );
    expect(gone.msg.last_update_reason).toBe("ReduceOnlyCancel");
    expect(await order(c, ro.body.order_id)).toMatchObject({
      status: "canceled",
      remaining_count_fp: "0.00",
    });
    const afterSell = await balance(c);
    expect(afterSell).toBe(afterBuy + 10 * cents(30) - cents(15)); // 10 × $0.30 − $0.15 taker fee

    // Another trader lifts $0.31: the mm's ask at $0.32 is the best now; the user is not touched.
    sim.trade({ ticker: t, side: "bid", price: "0.31", count: "10" });
    expect(await position(c, t)).toBe(0);
    expect(await balance(c)).toBe(afterSell);
    expect(sim.engine.moneyDiscrepancy()).toBe(0);
  });

  it("a partial sale shrinks it to what is left; it then closes exactly that and no more", async () => {
    const { sim, c } = await start();
    const t = marketAround(sim, "KXHIGHNY", 31);
    const ws = await userOrders(c);
    await c.order({
      ticker: t,
      side: "bid",
      price: "0.32",
      count: "10",
      time_in_force: "immediate_or_cancel",
    });
    const ro = restingReduceOnly(sim, t, 31, 10);
    await c.order({
      ticker: t,
      side: "ask",
      price: "0.30",
      count: "4",
      time_in_force: "immediate_or_cancel",
    });
    expect(await position(c, t)).toBe(600);
    const shrunk = await ws.next(
      (m) =>
        m.type === "user_order" && m.msg.order_id === ro.body.order_id && m.msg.remaining_count_fp === "6.00",
    );
    expect(shrunk.msg.status).toBe("resting");
    expect(shrunk.msg.last_update_reason).toBe("ReduceOnlyCancel");

    const r = sim.trade({ ticker: t, side: "bid", price: "0.31", count: "10" });
    expect(r.order.filled).toBe(600); // only our 6 were at $0.31
    expect(await position(c, t)).toBe(0);
    expect(await order(c, ro.body.order_id)).toMatchObject({ status: "executed", fill_count_fp: "6.00" });
    expect(sim.engine.moneyDiscrepancy()).toBe(0);
  });
});

describe("reduce-only and fill-or-kill", () => {
  it("two reduce-only asks over one position count once: a FOK for both is killed, not half filled", async () => {
    const { sim, c } = await start();
    const t = marketAround(sim, "KXHIGHNY", 31);
    await c.order({
      ticker: t,
      side: "bid",
      price: "0.32",
      count: "5",
      time_in_force: "immediate_or_cancel",
    });
    const a = restingReduceOnly(sim, t, 31, 5);
    const b = restingReduceOnly(sim, t, 31, 5);
    expect([a.order.remaining, b.order.remaining]).toEqual([500, 500]);
    const fok = sim.trade({
      ticker: t,
      side: "bid",
      price: "0.31",
      count: "10",
      time_in_force: "fill_or_kill",
    });
    expect(fok.order.filled).toBe(0);
    expect(await position(c, t)).toBe(500);
    const fits = sim.trade({
      ticker: t,
      side: "bid",
      price: "0.31",
      count: "5",
      time_in_force: "fill_or_kill",
    });
    expect(fits.order.filled).toBe(500);
    expect(await position(c, t)).toBe(0);
    expect((await order(c, b.body.order_id)).status).toBe("canceled");
    expect(sim.engine.moneyDiscrepancy()).toBe(0);
  });
});

describe("balance checks count the maker fee a resting order reserves", () => {
  // KXFED charges makers 0.0175 × C × P × (1 − P): 10 @ $0.43 → $0.0429 → $0.05.
  const makerFee = estimateFee({
    price: micros(cents(43)),
    count: 1000 as Centis,
    role: "maker",
    feeType: "quadratic_with_maker_fees",
  });

  it("refuses a resting bid whose cost fits but whose maker fee does not; the balance never goes negative", async () => {
    expect(makerFee).toBe(cents(5));
    const { sim, c } = await start({ shardBalances: { 0: micros(cents(430)) } });
    const t = marketAround(sim, "KXFED", 43);
    const r = await c.order({ ticker: t, side: "bid", price: "0.43", count: "10" });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("insufficient_balance");
    expect(await balance(c)).toBe(cents(430));
    expect((await c.get(`/portfolio/orders?ticker=${t}`)).body.orders).toHaveLength(0);
  });

  it("with cost + maker fee it rests, and ten one-contract fills spend exactly the reservation", async () => {
    const { sim, c } = await start({ shardBalances: { 0: micros(cents(435)) } });
    const t = marketAround(sim, "KXFED", 43);
    const r = await c.order({ ticker: t, side: "bid", price: "0.43", count: "10" });
    expect(r.status).toBe(201);
    expect(r.body.remaining_count).toBe("10.00");
    expect(await balance(c)).toBe(0);
    for (let i = 0; i < 10; i++) {
      sim.trade({ ticker: t, side: "ask", price: "0.43", count: "1" });
      expect(sim.engine.user.balance).toBeGreaterThanOrEqual(0);
    }
    expect(await position(c, t)).toBe(1000);
    expect(await balance(c)).toBe(0);
    const o = await order(c, r.body.order_id);
    expect(o).toMatchObject({ status: "executed", maker_fees_dollars: "0.0500" });
    const fills = (await c.get(`/portfolio/fills?order_id=${r.body.order_id}`)).body.fills as {
      fee_cost: string;
    }[];
    expect(fills).toHaveLength(10);
    expect(fills.reduce((s, f) => s + parseDollars(f.fee_cost), 0)).toBe(cents(5));
    expect(sim.engine.moneyDiscrepancy()).toBe(0);
  });
});

describe("fee rounding: an order's fills share one accumulator", () => {
  it("an IOC buy of 10 against ten one-contract asks costs the fee of a single fill of 10", async () => {
    const { sim, c } = await start();
    const t = marketAround(sim, "KXHIGHNY", 31);
    for (let i = 0; i < 10; i++)
      sim.trade({ ticker: t, side: "ask", price: "0.31", count: "1", time_in_force: "good_till_canceled" });
    const ws = await userOrders(c);
    const start0 = await balance(c);
    const r = await c.order({
      ticker: t,
      side: "bid",
      price: "0.31",
      count: "10",
      time_in_force: "immediate_or_cancel",
    });
    expect(r.body.fill_count).toBe("10.00");

    const single = estimateFee({ price: micros(cents(31)), count: 1000 as Centis, role: "taker" });
    expect(single).toBe(cents(15)); // 0.07 × 10 × 0.31 × 0.69 = $0.1497 → $0.15; ten separate fills were $0.20
    const spent = start0 - (await balance(c));
    expect(spent).toBe(10 * cents(31) + single);
    expect(spent % cents(1)).toBe(0);

    const fills = (await c.get(`/portfolio/fills?order_id=${r.body.order_id}`)).body.fills as {
      fee_cost: string;
    }[];
    expect(fills).toHaveLength(10);
    const fees = fills.map((f) => parseDollars(f.fee_cost));
    expect(Math.min(...fees)).toBeGreaterThanOrEqual(0);
    expect(fees.reduce((s, f) => s + f, 0)).toBe(single);
    expect((await order(c, r.body.order_id)).taker_fees_dollars).toBe("0.1500");
    // The WebSocket fills carry the same fees.
    let seen = 0;
    await ws.next((m) => m.type === "fill" && m.msg.order_id === r.body.order_id && ++seen === 10);
    const wsFees = ws.messages
      .filter((m) => m.type === "fill" && m.msg.order_id === r.body.order_id)
      .map((m) => parseDollars(m.msg.fee_cost as string));
    expect(wsFees.reduce((s, f) => s + f, 0)).toBe(single);
    expect(sim.engine.moneyDiscrepancy()).toBe(0);
  });

  it("a fractional fill at a sub-cent notional keeps the balance in whole cents (rounding fee)", async () => {
    const { sim, c } = await start();
    const t = marketAround(sim, "KXHIGHNY", 46);
    const before = await balance(c);
    // 2.5 × $0.47 = $1.175; trade fee 0.07 × 2.5 × 0.47 × 0.53 = $0.0436 → balance −$1.2186 → −$1.22.
    const r = await c.order({
      ticker: t,
      side: "bid",
      price: "0.47",
      count: "2.5",
      time_in_force: "immediate_or_cancel",
    });
    expect(r.body.fill_count).toBe("2.50");
    expect(before - (await balance(c))).toBe(cents(122));
    const fills = (await c.get(`/portfolio/fills?order_id=${r.body.order_id}`)).body.fills as {
      fee_cost: string;
    }[];
    expect(fills.map((f) => f.fee_cost)).toEqual(["0.0450"]);
    expect(sim.engine.moneyDiscrepancy()).toBe(0);
  });
});
