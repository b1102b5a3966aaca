/**
 * The rules Kalshi's spec states only in prose (API.md 3.4a), over signed HTTP: what the live
 * exchange refuses, the sim refuses with a Kalshi-shaped 400/404/409 and changes nothing.
 * docs/sim.md's rule table points at these tests by name.
 */
import { describe, expect, it } from "vitest";
import { micros, parseCount, parseDollars } from "../../src/domain/money.js";
import { tokenCost } from "../../src/sim/endpointCosts.js";
import type { SimClient, SimResponse } from "../support/simClient.js";
import { marketAround, useSims } from "./support.js";

const start = useSims();

function expectRefused(r: SimResponse, status: number, code: string, details?: RegExp): void {
  expect(r.status).toBe(status);
  expect(Object.keys(r.body)).toEqual(["error"]);
  expect(r.body.error.code).toBe(code);
  expect(typeof r.body.error.message).toBe("string");
  if (details) expect(r.body.error.details).toMatch(details);
}

async function orderCount(c: SimClient): Promise<number> {
  return (await c.get("/portfolio/orders")).body.orders.length;
}

async function balances(c: SimClient): Promise<{ total: number; shards: number[] }> {
  const b = (await c.get("/portfolio/balance")).body;
  return {
    total: parseDollars(b.balance_dollars),
    shards: (b.balance_breakdown as { exchange_index: number; balance: string }[]).map((x) =>
      parseDollars(x.balance),
    ),
  };
}

const order = (c: SimClient, ticker: string, o: Record<string, unknown> = {}): Promise<SimResponse> =>
  c.post("/portfolio/events/orders", {
    ticker,
    side: "bid",
    price: "0.43",
    count: "2",
    time_in_force: "good_till_canceled",
    self_trade_prevention_type: "taker_at_cross",
    client_order_id: crypto.randomUUID(),
    ...o,
  });

describe("create: reduce_only and expiration_time", () => {
  it("refuses reduce_only unless time_in_force is immediate_or_cancel, and creates nothing", async () => {
    const { sim, c } = await start();
    const t = marketAround(sim, "KXFED", 43);
    await order(c, t, { price: "0.44", count: "3", time_in_force: "immediate_or_cancel" });
    const before = { n: await orderCount(c), b: await balances(c) };
    for (const tif of ["good_till_canceled", "fill_or_kill"]) {
      const r = await order(c, t, {
        side: "ask",
        price: "0.42",
        count: "1",
        reduce_only: true,
        time_in_force: tif,
      });
      expectRefused(
        r,
        400,
        "invalid_order",
        /reduce_only set to true will be rejected unless time_in_force is immediate_or_cancel/,
      );
    }
    expect(await orderCount(c)).toBe(before.n);
    expect(await balances(c)).toEqual(before.b);
    const ioc = await order(c, t, {
      side: "ask",
      price: "0.42",
      count: "5",
      reduce_only: true,
      time_in_force: "immediate_or_cancel",
    });
    expect(ioc.status).toBe(201);
    expect(ioc.body.fill_count).toBe("3.00"); // capped at the 3 held
  });

  it("refuses expiration_time with immediate_or_cancel or fill_or_kill; accepts it with good_till_canceled", async () => {
    const { sim, c } = await start();
    const t = marketAround(sim, "KXFED", 43);
    const exp = Math.floor(sim.engine.now() / 1000) + 3600;
    for (const tif of ["immediate_or_cancel", "fill_or_kill"]) {
      const r = await order(c, t, { price: "0.44", time_in_force: tif, expiration_time: exp });
      expectRefused(
        r,
        400,
        "invalid_order",
        /immediate_or_cancel time-in-force value cannot be combined with expiration_time/,
      );
    }
    expect(await orderCount(c)).toBe(0);
    const gtc = await order(c, t, { price: "0.41", expiration_time: exp });
    expect(gtc.status).toBe(201);
    expectRefused(await order(c, t, { time_in_force: "GTT" }), 400, "invalid_parameters");
  });
});

describe("batch create", () => {
  it("applies the same rules per item: the refused items carry their error, the others are placed", async () => {
    const { sim, c } = await start();
    const t = marketAround(sim, "KXFED", 43);
    const cid = crypto.randomUUID();
    const item = (o: Record<string, unknown>) => ({
      ticker: t,
      side: "bid",
      price: "0.41",
      count: "1",
      time_in_force: "good_till_canceled",
      self_trade_prevention_type: "taker_at_cross",
      client_order_id: crypto.randomUUID(),
      ...o,
    });
    const r = await c.post("/portfolio/events/orders/batched", {
      orders: [
        item({ client_order_id: cid }),
        item({ client_order_id: cid }), // the first one rests: 409
        item({ side: "ask", reduce_only: true }), // reduce_only on a resting order
        item({ subaccount: 3 }),
      ],
    });
    expect(r.status).toBe(201);
    const codes = r.body.orders.map((o: { error?: { code: string } }) => o.error?.code ?? "placed");
    expect(codes).toEqual(["placed", "duplicate_client_order_id", "invalid_order", "invalid_parameters"]);
    expect(await orderCount(c)).toBe(1);
  });
});

describe("decrease", () => {
  it("needs exactly one of reduce_by or reduce_to; reduce_to cannot raise the order", async () => {
    const { sim, c } = await start();
    const t = marketAround(sim, "KXFED", 43);
    const r = await order(c, t, { price: "0.41", count: "5" });
    const path = `/portfolio/events/orders/${r.body.order_id}/decrease`;
    expectRefused(
      await c.post(path, { market_ticker: t }),
      400,
      "invalid_parameters",
      /Exactly one of reduce_by or reduce_to/,
    );
    expectRefused(
      await c.post(path, { market_ticker: t, reduce_by: "1.00", reduce_to: "2.00" }),
      400,
      "invalid_parameters",
      /Exactly one of reduce_by or reduce_to/,
    );
    expectRefused(await c.post(path, { market_ticker: t, reduce_to: "6.00" }), 400, "invalid_parameters");
    expect((await c.get(`/portfolio/orders/${r.body.order_id}`)).body.order.remaining_count_fp).toBe("5.00");
    const by = await c.post(path, { market_ticker: t, reduce_by: "1.00" });
    expect(by.status).toBe(200);
    expect(by.body).toMatchObject({ order_id: r.body.order_id, remaining_count: "4.00" });
    const to = await c.post(path, { market_ticker: t, reduce_to: "1.50" });
    expect(to.body.remaining_count).toBe("1.50");
  });
});

describe("amend", () => {
  it("count is the new total (filled + resting): a 5-lot with 2 filled amended to 6 rests 4", async () => {
    const { sim, c } = await start();
    const t = marketAround(sim, "KXFED", 43);
    const r = await order(c, t, { price: "0.43", count: "5" });
    sim.trade({ ticker: t, side: "ask", price: "0.43", count: "2" });
    const path = `/portfolio/events/orders/${r.body.order_id}/amend`;
    const amend = (o: Record<string, unknown>): Promise<SimResponse> =>
      c.post(path, { ticker: t, side: "bid", price: "0.43", count: "6", ...o });
    expectRefused(await amend({ count: "2.00" }), 400, "invalid_order", /new total/);
    expectRefused(await amend({ side: "ask" }), 400, "invalid_parameters");
    expectRefused(await amend({ price: "0.435" }), 400, "invalid_price");
    const a = await amend({});
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ order_id: r.body.order_id, remaining_count: "4.00", fill_count: "0.00" });
    const o = (await c.get(`/portfolio/orders/${r.body.order_id}`)).body.order;
    expect(o).toMatchObject({ fill_count_fp: "2.00", remaining_count_fp: "4.00", initial_count_fp: "6.00" });
    expect(sim.engine.moneyDiscrepancy()).toBe(0);
  });

  it("a smaller size keeps the queue place; a larger size or a new price goes to the back", async () => {
    const { sim, c } = await start();
    const t = marketAround(sim, "KXFED", 43);
    const a = (await order(c, t, { count: "3" })).body.order_id as string;
    const b = (await order(c, t, { count: "3" })).body.order_id as string;
    const amend = (id: string, price: string, count: string): Promise<SimResponse> =>
      c.post(`/portfolio/events/orders/${id}/amend`, { ticker: t, side: "bid", price, count });
    /** The user order the next 1-lot sell at $0.43 fills (the user's fills are the ones kept). */
    const nextFilled = (): string => {
      sim.trade({ ticker: t, side: "ask", price: "0.43", count: "1" });
      return sim.engine.state.fills.at(-1)!.orderId;
    };

    expect((await amend(a, "0.43", "2")).status).toBe(200); // 3 → 2 resting: keeps its place
    expect(nextFilled()).toBe(a);
    expect((await amend(a, "0.43", "4")).status).toBe(200); // 1 filled + 3 resting: size up
    expect(nextFilled()).toBe(b);
    expect((await amend(b, "0.42", "3")).status).toBe(200); // b: new price, then back again
    expect((await amend(b, "0.43", "3")).status).toBe(200);
    expect(nextFilled()).toBe(a);
    expect(sim.engine.moneyDiscrepancy()).toBe(0);
  });

  it("an amend that crosses the book trades at once and reports the fill", async () => {
    const { sim, c } = await start();
    const t = marketAround(sim, "KXFED", 43);
    const r = await order(c, t, { price: "0.41", count: "2" });
    const a = await c.post(`/portfolio/events/orders/${r.body.order_id}/amend`, {
      ticker: t,
      side: "bid",
      price: "0.44",
      count: "2",
    });
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({
      fill_count: "2.00",
      remaining_count: "0.00",
      average_fill_price: "0.4400",
    });
    expect((await c.get(`/portfolio/orders/${r.body.order_id}`)).body.order.status).toBe("executed");
    expect(sim.engine.moneyDiscrepancy()).toBe(0);
  });
});

describe("amend: what cannot be re-priced", () => {
  it("a paused market refuses an amend (409 market_closed); the order rests as it was", async () => {
    const { sim, c } = await start();
    const t = marketAround(sim, "KXFED", 43);
    const r = await order(c, t, { price: "0.41", count: "2" });
    sim.engine.market(t).status = "inactive";
    const path = `/portfolio/events/orders/${r.body.order_id}/amend`;
    const a = await c.post(path, { ticker: t, side: "bid", price: "0.40", count: "2" });
    expectRefused(a, 409, "market_closed");
    const o = (await c.get(`/portfolio/orders/${r.body.order_id}`)).body.order;
    expect(o).toMatchObject({ status: "resting", yes_price_dollars: "0.4100", remaining_count_fp: "2.00" });
  });

  it("a post-only order amended through the book is refused and keeps resting; off the book it moves", async () => {
    const { sim, c } = await start();
    const t = marketAround(sim, "KXFED", 43);
    const r = await order(c, t, { price: "0.41", count: "2", post_only: true });
    const path = `/portfolio/events/orders/${r.body.order_id}/amend`;
    const amend = (price: string) => c.post(path, { ticker: t, side: "bid", price, count: "2" });
    expectRefused(await amend("0.44"), 400, "invalid_order", /post_only/);
    let o = (await c.get(`/portfolio/orders/${r.body.order_id}`)).body.order;
    expect(o).toMatchObject({ status: "resting", yes_price_dollars: "0.4100", fill_count_fp: "0.00" });
    expect((await amend("0.42")).status).toBe(200);
    o = (await c.get(`/portfolio/orders/${r.body.order_id}`)).body.order;
    expect(o).toMatchObject({ status: "resting", yes_price_dollars: "0.4200" });
    expect(sim.engine.moneyDiscrepancy()).toBe(0);
  });
});

describe("amend: client order ids", () => {
  it("updated_client_order_id renames the open order: the new id is taken, the old one is free", async () => {
    const { sim, c } = await start();
    const t = marketAround(sim, "KXFED", 43);
    const [oldId, newId, otherId] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    const r = await order(c, t, { client_order_id: oldId, price: "0.41" });
    const other = await order(c, t, { client_order_id: otherId, price: "0.40" });
    const path = `/portfolio/events/orders/${r.body.order_id}/amend`;
    const body = { ticker: t, side: "bid", price: "0.41", count: "2" };
    expectRefused(await c.post(path, { ...body, client_order_id: otherId }), 400, "invalid_parameters");
    expectRefused(
      await c.post(path, { ...body, updated_client_order_id: otherId }),
      409,
      "duplicate_client_order_id",
    );
    const a = await c.post(path, { ...body, client_order_id: oldId, updated_client_order_id: newId });
    expect(a.status).toBe(200);
    expect(a.body.client_order_id).toBe(newId);
    expectRefused(
      await order(c, t, { client_order_id: newId, price: "0.41" }),
      409,
      "duplicate_client_order_id",
    );
    expect((await order(c, t, { client_order_id: oldId, price: "0.41" })).status).toBe(201);
    expect(other.status).toBe(201);
  });
});

describe("exchange shards", () => {
  it("KXBTCD lives on shard 1: its orders, fills and positions say so", async () => {
    const { sim, c } = await start();
    const t = marketAround(sim, "KXBTCD", 50);
    expect((await c.get(`/markets/${t}`)).body.market.exchange_index).toBe(1);
    const r = await order(c, t, { price: "0.51", count: "1", time_in_force: "immediate_or_cancel" });
    expect(r.body.fill_count).toBe("1.00");
    expect((await c.get(`/portfolio/orders/${r.body.order_id}`)).body.order.exchange_index).toBe(1);
    expect((await c.get(`/portfolio/fills?ticker=${t}`)).body.fills[0].exchange_index).toBe(1);
    expect((await c.get(`/portfolio/positions?ticker=${t}`)).body.market_positions[0].exchange_index).toBe(1);
    expect((await c.get("/portfolio/fills?exchange_index=0")).body.fills).toHaveLength(0);
  });

  it("cancel, decrease and amend of a shard-1 order without market_ticker or exchange_index 1 answer 404", async () => {
    const { sim, c } = await start();
    const t = marketAround(sim, "KXBTCD", 50);
    const id = (await order(c, t, { price: "0.45", count: "4" })).body.order_id as string;
    // Reads have no routing.
    expect((await c.get(`/portfolio/orders/${id}`)).status).toBe(200);
    expect((await c.get("/portfolio/orders?exchange_index=1")).body.orders[0].order_id).toBe(id);

    expectRefused(await c.del(`/portfolio/events/orders/${id}`), 404, "not_found", /shard 0/);
    expectRefused(await c.del(`/portfolio/events/orders/${id}?exchange_index=0`), 404, "not_found");
    expectRefused(
      await c.del(`/portfolio/events/orders/${id}?exchange_index=-1`),
      400,
      "invalid_parameters",
      /market_ticker/,
    );
    expectRefused(
      await c.post(`/portfolio/events/orders/${id}/decrease`, { reduce_by: "1.00" }),
      404,
      "not_found",
    );
    expectRefused(
      await c.post(`/portfolio/events/orders/${id}/amend`, {
        ticker: t,
        side: "bid",
        price: "0.45",
        count: "3",
        exchange_index: 0,
      }),
      404,
      "not_found",
    );
    const batch = await c.del("/portfolio/events/orders/batched", { orders: [{ order_id: id }] });
    expect(batch.status).toBe(200);
    expect(batch.body.orders[0]).toMatchObject({
      order_id: id,
      reduced_by: "0.00",
      error: { code: "not_found" },
    });
    expect((await c.get(`/portfolio/orders/${id}`)).body.order.remaining_count_fp).toBe("4.00");

    // Routed, each works.
    const dec = await c.post(`/portfolio/events/orders/${id}/decrease`, {
      reduce_by: "1.00",
      market_ticker: t,
    });
    expect(dec.body.remaining_count).toBe("3.00");
    const dec2 = await c.post(`/portfolio/events/orders/${id}/decrease`, {
      reduce_by: "1.00",
      exchange_index: 1,
    });
    expect(dec2.body.remaining_count).toBe("2.00");
    const am = await c.post(`/portfolio/events/orders/${id}/amend`, {
      ticker: t,
      side: "bid",
      price: "0.45",
      count: "1",
    });
    expect(am.body.remaining_count).toBe("1.00");
    const can = await c.del(`/portfolio/events/orders/${id}?market_ticker=${t}`);
    expect(can.body).toMatchObject({ order_id: id, reduced_by: "1.00" });
    const other = (await order(c, t, { price: "0.45", count: "2" })).body.order_id as string;
    const routed = await c.del("/portfolio/events/orders/batched", {
      orders: [{ order_id: other, market_ticker: t }],
    });
    expect(routed.body.orders[0]).toMatchObject({ order_id: other, reduced_by: "2.00" });
    expect(routed.body.orders[0].error).toBeUndefined();
    const junk = await c.del("/portfolio/events/orders/batched", { orders: [null, { market_ticker: t }] });
    expect(junk.status).toBe(200);
    expect(junk.body.orders.map((o: { error: { code: string } }) => o.error.code)).toEqual([
      "invalid_parameters",
      "invalid_parameters",
    ]);
    const status = (await c.get("/exchange/status")).body;
    expect(status.exchange_index_statuses.map((x: { exchange_index: number }) => x.exchange_index)).toEqual([
      0, 1,
    ]);
    expect(sim.engine.moneyDiscrepancy()).toBe(0);
  });

  it("a market_ticker of another market, or a create naming the wrong shard, finds nothing", async () => {
    const { sim, c } = await start();
    const t = marketAround(sim, "KXBTCD", 50);
    const fed = marketAround(sim, "KXFED", 43);
    const id = (await order(c, t, { price: "0.45", count: "1" })).body.order_id as string;
    expectRefused(await c.del(`/portfolio/events/orders/${id}?market_ticker=${fed}`), 404, "not_found");
    expectRefused(await order(c, t, { price: "0.45", exchange_index: 0 }), 404, "market_not_found");
    expect((await order(c, t, { price: "0.45", exchange_index: -1 })).status).toBe(201);
  });

  it("each shard holds its own cash: balance_breakdown per shard, the top level sums them", async () => {
    const { sim, c } = await start({ shardBalances: { 0: micros(900_000_000), 1: micros(5_000_000) } });
    const t = marketAround(sim, "KXBTCD", 50);
    expect(await balances(c)).toEqual({ total: 905_000_000, shards: [900_000_000, 5_000_000] });
    const b1 = (await c.get("/portfolio/balance?exchange_index=1")).body;
    expect(b1).toMatchObject({ balance: 500, balance_dollars: "5.0000" });
    // $5 on shard 1 cannot pay for 20 × $0.45 although the account holds $905.
    const big = await order(c, t, { price: "0.45", count: "20" });
    expectRefused(big, 400, "insufficient_balance", /on exchange shard 1 is \$5\.00/);
    const r = await order(c, t, { price: "0.51", count: "2", time_in_force: "immediate_or_cancel" });
    expect(r.body.fill_count).toBe("2.00");
    const after = await balances(c);
    expect(after.shards[0]).toBe(900_000_000);
    expect(after.shards[1]).toBe(5_000_000 - 1_020_000 - 40_000); // 2 × $0.51 + $0.04 taker fee
    expect(after.total).toBe(after.shards[0]! + after.shards[1]!);
    expect(sim.engine.moneyDiscrepancy()).toBe(0);
  });

  it("DELETE /portfolio/events/orders cancels resting orders on every shard (204)", async () => {
    const { sim, c } = await start();
    const btc = marketAround(sim, "KXBTCD", 50);
    const fed = marketAround(sim, "KXFED", 43);
    const before = await balances(c);
    await order(c, btc, { price: "0.45", count: "2" });
    await order(c, fed, { price: "0.41", count: "2" });
    const r = await c.del("/portfolio/events/orders");
    expect(r.status).toBe(204);
    expect(r.text).toBe("");
    const orders = (await c.get("/portfolio/orders")).body.orders as {
      status: string;
      exchange_index: number;
    }[];
    expect(orders.map((o) => [o.exchange_index, o.status]).sort()).toEqual([
      [0, "canceled"],
      [1, "canceled"],
    ]);
    expect(await balances(c)).toEqual(before);
  });
});

describe("queue positions (GET /portfolio/orders/queue_positions)", () => {
  it("needs market_tickers or event_ticker; lists only the account's resting orders with the contracts ahead at their price", async () => {
    const { sim, c } = await start();
    const t = marketAround(sim, "KXFED", 43);
    // The market maker's bids rest first: at $0.42 (its best) and at $0.40.
    const makerAt = (p: number) => sim.engine.levels(t, "bid").find((l) => l.price === p)?.count ?? 0;
    const maker = makerAt(420_000);
    expect(maker).toBeGreaterThan(0);
    const makerLow = makerAt(400_000);
    const a = (await order(c, t, { price: "0.42", count: "3" })).body.order_id as string;
    const b = (await order(c, t, { price: "0.42", count: "2" })).body.order_id as string;
    const lower = (await order(c, t, { price: "0.40", count: "1" })).body.order_id as string;
    const gone = (await order(c, t, { price: "0.42", count: "1" })).body.order_id as string;
    expect((await c.del(`/portfolio/events/orders/${gone}?market_ticker=${t}`)).status).toBe(200);

    const before = await orderCount(c);
    expectRefused(
      await c.get("/portfolio/orders/queue_positions"),
      400,
      "invalid_parameters",
      /market_tickers/,
    );
    expect(await orderCount(c)).toBe(before);

    const byMarket = await c.get(`/portfolio/orders/queue_positions?market_tickers=${t},NO-SUCH-MARKET`);
    expect(byMarket.status).toBe(200);
    const ahead = (maker + 300) / 100;
    expect(byMarket.body.queue_positions).toEqual([
      { order_id: a, market_ticker: t, queue_position_fp: (maker / 100).toFixed(2) },
      { order_id: b, market_ticker: t, queue_position_fp: ahead.toFixed(2) },
      { order_id: lower, market_ticker: t, queue_position_fp: (makerLow / 100).toFixed(2) },
    ]);
    const event = sim.engine.market(t).eventTicker;
    const byEvent = await c.get(`/portfolio/orders/queue_positions?event_ticker=${event}`);
    expect(byEvent.body.queue_positions).toEqual(byMarket.body.queue_positions);
    // A fill at the front moves everyone behind it up.
    sim.trade({ ticker: t, side: "ask", price: "0.42", count: String(maker / 100 + 1) });
    const after = await c.get(`/portfolio/orders/queue_positions?market_tickers=${t}`);
    expect(after.body.queue_positions[1]).toEqual({
      order_id: b,
      market_ticker: t,
      queue_position_fp: "2.00",
    });
  });
});

describe("money in messages", () => {
  it("an insufficient balance names exact amounts, sub-cent digits kept, never float-formatted", async () => {
    const { sim, c } = await start({ shardBalances: { 0: micros(1_000_000), 1: micros(100_000) } });
    const t = marketAround(sim, "KXBTCD", 50);
    // 3 × $0.055 = $0.165 (a 0.1¢ price on the tapered market); shard 1 holds $0.10.
    const r = await order(c, t, { price: "0.055", count: "3" });
    expectRefused(r, 400, "insufficient_balance");
    expect(r.body.error.details).toBe(
      "this order needs up to $0.165 and the available balance on exchange shard 1 is $0.10",
    );
  });
});

describe("client_order_id (strict by default)", () => {
  it("refuses an id that matches an open order (409); an id of a finished order makes a new order", async () => {
    const { sim, c } = await start();
    const t = marketAround(sim, "KXFED", 43);
    const cid = crypto.randomUUID();
    const ioc = await order(c, t, {
      client_order_id: cid,
      price: "0.44",
      count: "1",
      time_in_force: "immediate_or_cancel",
    });
    expect(ioc.body.fill_count).toBe("1.00");
    // The filled IOC is finished: the same id again is a second order (and a second fill).
    const again = await order(c, t, {
      client_order_id: cid,
      price: "0.44",
      count: "1",
      time_in_force: "immediate_or_cancel",
    });
    expect(again.status).toBe(201);
    expect(again.body.order_id).not.toBe(ioc.body.order_id);
    expect((await c.get(`/portfolio/positions?ticker=${t}`)).body.market_positions[0].position_fp).toBe(
      "2.00",
    );

    const resting = await order(c, t, { client_order_id: cid, price: "0.41" });
    expect(resting.status).toBe(201);
    const dup = await order(c, t, { client_order_id: cid, price: "0.41" });
    expectRefused(dup, 409, "duplicate_client_order_id");
    expect(await orderCount(c)).toBe(3);
    await c.del(`/portfolio/events/orders/${resting.body.order_id}?market_ticker=${t}`);
    expect((await order(c, t, { client_order_id: cid, price: "0.41" })).status).toBe(201);
  });

  it("lenient (SIM_CLIENT_ORDER_ID=lenient) answers any repeated id with the earlier order", async () => {
    const { sim, c } = await start({ clientOrderIds: "lenient" });
    const t = marketAround(sim, "KXFED", 43);
    const cid = crypto.randomUUID();
    const first = await order(c, t, {
      client_order_id: cid,
      price: "0.44",
      count: "1",
      time_in_force: "immediate_or_cancel",
    });
    const second = await order(c, t, {
      client_order_id: cid,
      price: "0.44",
      count: "1",
      time_in_force: "immediate_or_cancel",
    });
    expect(second.status).toBe(201);
    expect(second.body.order_id).toBe(first.body.order_id);
    expect(
      parseCount((await c.get(`/portfolio/positions?ticker=${t}`)).body.market_positions[0].position_fp),
    ).toBe(100);
  });
});

describe("endpoint costs and API keys", () => {
  it("charges the documented token costs and lists the non-default ones", async () => {
    expect(tokenCost("DELETE", "/portfolio/events/orders/{order_id}", 1)).toBe(2);
    expect(tokenCost("DELETE", "/portfolio/events/orders/batched", 7)).toBe(14);
    expect(tokenCost("POST", "/portfolio/events/orders/batched", 3)).toBe(30);
    expect(tokenCost("DELETE", "/portfolio/events/orders", 1)).toBe(2);
    expect(tokenCost("POST", "/portfolio/events/orders", 1)).toBe(10);
    expect(tokenCost("POST", "/portfolio/events/orders/{order_id}/amend", 1)).toBe(10);
    expect(tokenCost("POST", "/portfolio/events/orders/{order_id}/decrease", 1)).toBe(10);
    expect(tokenCost("GET", "/portfolio/orders/{order_id}", 1)).toBe(2);

    // A frozen refill clock: the write bucket holds exactly 20 tokens.
    const { sim, c } = await start({ rateLimit: { read: 1000, write: 20, clock: () => 0 } });
    const t = marketAround(sim, "KXFED", 43);
    const id = (await order(c, t, { price: "0.41" })).body.order_id as string; // 10 left
    const batch = await c.del("/portfolio/events/orders/batched", {
      orders: [1, 2, 3, 4].map(() => ({ order_id: id, market_ticker: t })),
    }); // 4 × 2 = 8: 2 left
    expect(batch.status).toBe(200);
    expect((await c.del("/portfolio/events/orders")).status).toBe(204); // 2: 0 left
    expect((await c.del("/portfolio/events/orders")).status).toBe(429);

    const costs = await c.get("/account/endpoint_costs", { unsigned: true });
    expect(costs.status).toBe(200);
    expect(costs.body.default_cost).toBe(10);
    expect(costs.body.endpoint_costs).toEqual(
      expect.arrayContaining([
        { method: "DELETE", path: "/trade-api/v2/portfolio/events/orders/{order_id}", cost: 2 },
        { method: "DELETE", path: "/trade-api/v2/portfolio/events/orders/batched", cost: 2 },
        { method: "DELETE", path: "/trade-api/v2/portfolio/events/orders", cost: 2 },
        { method: "GET", path: "/trade-api/v2/portfolio/orders/{order_id}", cost: 2 },
      ]),
    );
    expect(costs.body.endpoint_costs.some((e: { cost: number }) => e.cost === 10)).toBe(false);
  });

  it("GET /api_keys carries api_key_region_expiration_ts, settable for tests", async () => {
    const { sim, c } = await start();
    const keys = (await c.get("/api_keys")).body;
    expect(keys.api_keys).toEqual([{ api_key_id: sim.keyId, name: "sim", scopes: ["read", "write"] }]);
    expect(keys.api_key_region_expiration_ts).toBeGreaterThan(Date.now() / 1000 + 30 * 86_400);
    const soon = Math.floor(Date.now() / 1000) + 3 * 86_400;
    expect((await c.control("POST", "/api_keys/region", { expiration_ts: soon })).status).toBe(200);
    expect((await c.get("/api_keys")).body.api_key_region_expiration_ts).toBe(soon);
    sim.setApiKeyRegionExpiration(null);
    expect((await c.get("/api_keys")).body).not.toHaveProperty("api_key_region_expiration_ts");
    expectRefused(
      await c.control("POST", "/api_keys/region", { expiration_ts: "soon" }),
      400,
      "invalid_parameters",
    );
  });
});

describe("cancel of an order that no longer rests", () => {
  // openapi CancelOrderV2 documents only 200, 401, 404 and 500: an order that is canceled, executed
  // or unknown is not found for a cancel. The order stays as it was; a read by id still shows it.
  it("answers 404 not_found for a canceled, an executed and an unknown order, and changes nothing", async () => {
    const { sim, c } = await start();
    const t = marketAround(sim, "KXFED", 43);
    const rested = (await order(c, t, { price: "0.10" })).body.order_id as string;
    expect((await c.del(`/portfolio/events/orders/${rested}?market_ticker=${t}`)).status).toBe(200);
    const canceled = (await c.get(`/portfolio/orders/${rested}`)).body.order;
    expect(canceled.status).toBe("canceled");
    const filled = (await order(c, t, { price: "0.44", count: "1", time_in_force: "immediate_or_cancel" }))
      .body.order_id as string;
    const executed = (await c.get(`/portfolio/orders/${filled}`)).body.order;
    expect(executed.status).toBe("executed");
    const before = await balances(c);

    for (const id of [rested, filled, "no-such-order"]) {
      expectRefused(await c.del(`/portfolio/events/orders/${id}?market_ticker=${t}`), 404, "not_found");
    }
    expect((await c.get(`/portfolio/orders/${rested}`)).body.order).toEqual(canceled);
    expect((await c.get(`/portfolio/orders/${filled}`)).body.order).toEqual(executed);
    expect(await balances(c)).toEqual(before);
  });
});
