import { describe, expect, it } from "vitest";
import { contracts, parseCount } from "../../src/domain/money.js";
import type { ExchangePort } from "../../src/exchange/port.js";
import { KalshiApiError, KalshiNetworkError } from "../../src/exchange/errors.js";
import { type ExecutorConfig, createOrderExecutor } from "../../src/trading/executor.js";
import { type Quote, UserError } from "../../src/trading/types.js";
import { SimExchange } from "../support/simExchange.js";
import { T0, fakeClock, idSeq, intent, memoryJournal, usd, EXECUTOR_CONFIG } from "./helpers.js";

const TICKER = "KXHIGHNY-26NOV25-B45";

function setup(
  opts: {
    position?: number;
    exchange?: (fx: SimExchange) => ExchangePort;
    config?: Partial<ExecutorConfig>;
  } = {},
) {
  const clock = fakeClock();
  const fx = new SimExchange({ now: clock.now });
  fx.addMarket({
    ticker: TICKER,
    title: "Highest temperature in NYC on Nov 25?",
    closeTime: T0 + 86_400_000,
  });
  // YES bids 0.55 (100); NO bids 0.40 (100) → YES ask 0.60, NO ask 0.45.
  fx.setBook(TICKER, {
    yes: [
      ["0.55", 100],
      ["0.50", 100],
    ],
    no: [
      ["0.40", 100],
      ["0.35", 100],
    ],
  });
  if (opts.position !== undefined) fx.setPosition(TICKER, opts.position);
  const journal = memoryJournal();
  const exec = createOrderExecutor({
    exchange: opts.exchange ? opts.exchange(fx) : fx,
    journal,
    config: { ...EXECUTOR_CONFIG, ...opts.config },
    now: clock.now,
    newId: idSeq(),
  });
  return { fx, exec, clock, journal };
}

async function placed(exec: ReturnType<typeof setup>["exec"], q: Quote) {
  const out = await exec.place(q);
  if (out.kind !== "placed") throw new Error(`expected placed, got ${out.kind}`);
  return out.result;
}

describe("V2 mapping", () => {
  const cases = [
    {
      name: "buy YES @0.56 → bid 0.56",
      pos: undefined,
      i: { outcome: "yes", action: "buy", limit: "0.56" },
      side: "bid",
      yes: "0.56",
      ro: false,
    },
    {
      name: "buy NO @0.42 → ask 0.58",
      pos: undefined,
      i: { outcome: "no", action: "buy", limit: "0.42" },
      side: "ask",
      yes: "0.58",
      ro: false,
    },
    {
      // A resting sell goes WITHOUT reduce_only: Kalshi rejects reduce_only unless immediate_or_cancel.
      name: "sell YES @0.62 → ask 0.62, not reduce-only (resting)",
      pos: 10,
      i: { outcome: "yes", action: "sell", limit: "0.62" },
      side: "ask",
      yes: "0.62",
      ro: false,
    },
    {
      name: "sell NO @0.47 → bid 0.53, not reduce-only (resting)",
      pos: -10,
      i: { outcome: "no", action: "sell", limit: "0.47" },
      side: "bid",
      yes: "0.53",
      ro: false,
    },
  ] as const;
  for (const c of cases) {
    it(c.name, async () => {
      const { fx, exec } = setup({ position: c.pos });
      const q = await exec.quote(intent({ ...c.i }));
      expect(q.wire).toEqual({
        side: c.side,
        yesPrice: usd(c.yes),
        timeInForce: "good_till_canceled",
        reduceOnly: c.ro,
      });
      const r = await placed(exec, q);
      expect(fx.createRequests).toHaveLength(1);
      const req = fx.createRequests[0]!;
      expect(req).toMatchObject({
        ticker: TICKER,
        side: c.side,
        price: usd(c.yes),
        count: contracts(10),
        clientOrderId: q.clientOrderId,
      });
      expect(Boolean(req.reduceOnly)).toBe(c.ro);
      // None of these limits cross the book: the order rests in full.
      expect(r).toMatchObject({
        status: "resting",
        filledCount: 0,
        restingCount: contracts(10),
        averagePrice: null,
      });
    });
  }
});

describe("market orders", () => {
  it("buy YES: limit at best ask + slippage, IOC, fills at the ask", async () => {
    const { fx, exec } = setup();
    const q = await exec.quote(intent({ count: contracts(10) }));
    expect(q.price).toBe(usd("0.62"));
    expect(q.wire).toEqual({
      side: "bid",
      yesPrice: usd("0.62"),
      timeInForce: "immediate_or_cancel",
      reduceOnly: false,
    });
    expect(q.estimatedCost).toBe(usd("6.20"));
    // 0.07 × 10 × 0.62 × 0.38 = 0.16492 → $0.17
    expect(q.estimatedFee).toBe(usd("0.17"));
    expect(q.maxLoss).toBe(usd("6.37"));
    expect(q.maxPayout).toBe(usd("10"));
    expect(q.balance).toBe(usd("1000"));
    expect(q.balanceAfter).toBe(usd("993.63"));
    expect(q.marketTitle).toBe("Highest temperature in NYC on Nov 25?");
    expect(q.expiresAt).toBe(T0 + 30_000);
    expect(q.clientOrderId).toBe("coid-1");
    const r = await placed(exec, q);
    // 0.07 × 10 × 0.6 × 0.4 = 0.168 → $0.17 charged by the exchange.
    expect(r).toEqual({
      orderId: expect.any(String),
      clientOrderId: "coid-1",
      status: "executed",
      filledCount: contracts(10),
      averagePrice: usd("0.60"),
      fees: usd("0.17"),
      restingCount: 0,
    });
    expect(fx.balance).toBe(usd("993.83"));
  });

  it("buy NO: ask at 1 − (NO ask + slippage); average reported as a NO price", async () => {
    const { fx, exec } = setup();
    const q = await exec.quote(intent({ outcome: "no" }));
    expect(q.price).toBe(usd("0.47"));
    expect(q.wire).toMatchObject({ side: "ask", yesPrice: usd("0.53"), timeInForce: "immediate_or_cancel" });
    const r = await placed(exec, q);
    expect(r.averagePrice).toBe(usd("0.45"));
    expect(r.status).toBe("executed");
    expect(fx.positions.get(TICKER)?.position).toBe(contracts(-10));
  });

  it("sell YES: best bid − slippage; sell NO: best NO bid − slippage", async () => {
    const a = setup({ position: 10 });
    const qa = await a.exec.quote(intent({ action: "sell" }));
    expect(qa.price).toBe(usd("0.53"));
    expect(qa.wire).toEqual({
      side: "ask",
      yesPrice: usd("0.53"),
      timeInForce: "immediate_or_cancel",
      reduceOnly: true,
    });
    expect(qa.estimatedCost).toBe(usd("5.30"));
    expect(qa.maxPayout).toBe(usd("5.30"));
    const ra = await placed(a.exec, qa);
    expect(ra.averagePrice).toBe(usd("0.55"));

    const b = setup({ position: -10 });
    const qb = await b.exec.quote(intent({ outcome: "no", action: "sell" }));
    expect(qb.price).toBe(usd("0.38"));
    expect(qb.wire).toEqual({
      side: "bid",
      yesPrice: usd("0.62"),
      timeInForce: "immediate_or_cancel",
      reduceOnly: true,
    });
    const rb = await placed(b.exec, qb);
    expect(rb.averagePrice).toBe(usd("0.40"));
    expect(b.fx.positions.get(TICKER)?.position).toBe(0);
  });

  it("caps the worst price inside the price range", async () => {
    const { fx, exec } = setup();
    fx.setBook(TICKER, { yes: [["0.01", 5]], no: [["0.02", 5]] }); // YES ask 0.98, NO ask 0.99
    const q = await exec.quote(intent({ count: contracts(5) }));
    expect(q.price).toBe(usd("0.99"));
    const b = setup({ position: -5 });
    b.fx.setBook(TICKER, { yes: [["0.98", 5]], no: [["0.02", 5]] });
    const qs = await b.exec.quote(intent({ outcome: "no", action: "sell", count: contracts(5) }));
    expect(qs.price).toBe(usd("0.01"));
    expect(qs.wire.yesPrice).toBe(usd("0.99"));
  });

  it("an IOC remainder is canceled, not left resting", async () => {
    const { fx, exec } = setup();
    fx.setBook(TICKER, { yes: [["0.55", 10]], no: [["0.40", 4]] });
    const r = await placed(exec, await exec.quote(intent({ count: contracts(10) })));
    expect(r).toMatchObject({
      status: "canceled",
      filledCount: contracts(4),
      restingCount: 0,
      averagePrice: usd("0.60"),
    });
  });

  it("a crossing limit order fills now and rests the remainder", async () => {
    const { fx, exec } = setup();
    fx.setBook(TICKER, { yes: [["0.55", 10]], no: [["0.40", 4]] });
    const r = await placed(exec, await exec.quote(intent({ count: contracts(10), limit: "0.60" })));
    expect(r).toMatchObject({ status: "resting", filledCount: contracts(4), restingCount: contracts(6) });
  });
});

describe("validation messages", () => {
  async function message(p: Promise<unknown>): Promise<string> {
    try {
      await p;
    } catch (e) {
      expect(e).toBeInstanceOf(UserError);
      return (e as Error).message;
    }
    throw new Error("expected a UserError");
  }

  it("unknown, closed, paused and unopened markets", async () => {
    const { fx, exec } = setup();
    expect(await message(exec.quote(intent({ ticker: "kxfoo" })))).toBe(
      "There is no market with ticker KXFOO. Find one with /search <words>.",
    );
    fx.markets.get(TICKER)!.status = "closed";
    expect(await message(exec.quote(intent()))).toBe("KXHIGHNY-26NOV25-B45 is closed for trading.");
    fx.markets.get(TICKER)!.status = "inactive";
    expect(await message(exec.quote(intent()))).toBe("Trading in KXHIGHNY-26NOV25-B45 is paused right now.");
    fx.markets.get(TICKER)!.status = "initialized";
    expect(await message(exec.quote(intent()))).toBe("KXHIGHNY-26NOV25-B45 is not open for trading yet.");
    fx.markets.get(TICKER)!.status = "active";
    fx.markets.get(TICKER)!.closeTime = T0 - 1;
    expect(await message(exec.quote(intent()))).toBe("KXHIGHNY-26NOV25-B45 is closed for trading.");
  });

  it("ticker, outcome and action", async () => {
    const { exec } = setup();
    expect(await message(exec.quote(intent({ ticker: "  " })))).toBe(
      "Which market? Give a ticker, like KXHIGHNY-26NOV25-B45.",
    );
    expect(await message(exec.quote(intent({ outcome: "maybe" as never })))).toBe("Choose YES or NO.");
    expect(await message(exec.quote(intent({ action: "hold" as never })))).toBe("Choose buy or sell.");
  });

  it("counts", async () => {
    const { exec } = setup();
    const msg = "Count must be a whole number of contracts, like 10.";
    expect(await message(exec.quote(intent({ count: parseCount("2.5") })))).toBe(msg);
    expect(await message(exec.quote(intent({ count: contracts(0) })))).toBe(msg);
    expect(await message(exec.quote(intent({ count: contracts(-3) })))).toBe(msg);
    expect(await message(exec.quote(intent({ count: contracts(150) })))).toBe(
      "That order is for 150 contracts, above your limit of 100 (MAX_ORDER_CONTRACTS).",
    );
  });

  it("prices off the grid or out of range", async () => {
    const { fx, exec } = setup();
    expect(await message(exec.quote(intent({ limit: "0.423" })))).toBe(
      "$0.423 is not a valid price for this market: prices go in steps of $0.01 between $0.01 and $0.99.",
    );
    expect(await message(exec.quote(intent({ limit: "1.00" })))).toContain("$1.00 is not a valid price");
    expect(await message(exec.quote(intent({ limit: "0" })))).toContain("$0.00 is not a valid price");
    expect(await message(exec.quote({ ...intent(), kind: "limit" }))).toBe(
      "A limit order needs a price, like 0.55.",
    );
    // Tapered grid: sub-cent ticks only at the tails.
    fx.markets.get(TICKER)!.priceRanges = [
      { start: usd("0"), end: usd("0.10"), step: usd("0.001") },
      { start: usd("0.10"), end: usd("0.90"), step: usd("0.01") },
      { start: usd("0.90"), end: usd("1"), step: usd("0.001") },
    ];
    expect(await message(exec.quote(intent({ limit: "0.423" })))).toBe(
      "$0.423 is not a valid price for this market: prices go in steps of $0.001 between $0.001 and $0.10, " +
        "$0.01 between $0.10 and $0.90 and $0.001 between $0.90 and $0.999.",
    );
    const ok = await exec.quote(intent({ limit: "0.055" }));
    expect(ok.price).toBe(usd("0.055"));
  });

  it("risk cap on cost", async () => {
    const { exec: e2 } = setup();
    const q = await e2.quote(intent({ count: contracts(100), limit: "0.60" }));
    expect(q.estimatedCost).toBe(usd("60"));
    const cfg = setup();
    const exec3 = createOrderExecutor({
      exchange: cfg.fx,
      journal: cfg.journal,
      config: {
        maxOrderContracts: 1000,
        maxOrderCost: usd("100"),
        confirmTimeoutMs: 30_000,
        marketOrderSlippage: usd("0.02"),
      },
      now: cfg.clock.now,
    });
    expect(await message(exec3.quote(intent({ count: contracts(250), limit: "0.60" })))).toBe(
      "That order would cost $150.00, above your limit of $100.00 (MAX_ORDER_COST_DOLLARS).",
    );
  });

  it("balance", async () => {
    const { fx, exec } = setup();
    fx.setBalance("5");
    expect(await message(exec.quote(intent({ limit: "0.60" })))).toBe(
      "That order would cost $6.17 including fees, but your balance is $5.00.",
    );
  });

  it("sells never exceed the position", async () => {
    const a = setup({ position: 5 });
    expect(await message(a.exec.quote(intent({ action: "sell", limit: "0.55" })))).toBe(
      "You hold 5 YES contracts, so you can sell at most 5.",
    );
    expect(await message(a.exec.quote(intent({ outcome: "no", action: "sell", limit: "0.40" })))).toBe(
      "You don't hold any NO contracts in KXHIGHNY-26NOV25-B45, so there is nothing to sell.",
    );
    const b = setup({ position: -1 });
    expect(
      await message(
        b.exec.quote(intent({ outcome: "no", action: "sell", limit: "0.40", count: contracts(2) })),
      ),
    ).toBe("You hold 1 NO contract, so you can sell at most 1.");
  });

  it("no liquidity for a market order", async () => {
    const { fx, exec } = setup({ position: 3 });
    fx.setBook(TICKER, { yes: [], no: [] });
    expect(await message(exec.quote(intent()))).toBe(
      "Nobody is selling YES right now, so a market order can't fill; try a limit order.",
    );
    expect(await message(exec.quote(intent({ outcome: "no" })))).toBe(
      "Nobody is selling NO right now, so a market order can't fill; try a limit order.",
    );
    expect(await message(exec.quote(intent({ action: "sell", count: contracts(3) })))).toBe(
      "Nobody is buying YES right now, so a market order can't fill; try a limit order.",
    );
  });

  it("nothing is sent to the exchange when validation fails", async () => {
    const { fx, exec } = setup();
    await expect(exec.quote(intent({ limit: "0.423" }))).rejects.toThrow(UserError);
    expect(fx.calls.createOrder ?? 0).toBe(0);
  });
});

describe("placing", () => {
  it("an expired quote is not placed; a fresh quote comes back", async () => {
    const { fx, exec, clock } = setup();
    const q = await exec.quote(intent());
    clock.advance(30_001);
    const out = await exec.place(q);
    expect(out.kind).toBe("requote");
    if (out.kind !== "requote") return;
    expect(out.reason).toBe("expired");
    expect(out.quote.clientOrderId).not.toBe(q.clientOrderId);
    expect(out.quote.expiresAt).toBe(clock.now() + 30_000);
    expect(fx.calls.createOrder ?? 0).toBe(0);
  });

  it("a market order whose price moved past the worst price is re-quoted", async () => {
    const { fx, exec } = setup();
    const q = await exec.quote(intent());
    expect(q.price).toBe(usd("0.62"));
    fx.setBook(TICKER, { yes: [["0.55", 100]], no: [["0.35", 100]] }); // ask now 0.65
    const out = await exec.place(q);
    expect(out).toMatchObject({ kind: "requote", reason: "price_moved" });
    if (out.kind === "requote") expect(out.quote.price).toBe(usd("0.67"));
    expect(fx.calls.createOrder ?? 0).toBe(0);
    // A move inside the worst price still places.
    const q2 = await exec.quote(intent());
    fx.setBook(TICKER, { yes: [["0.55", 100]], no: [["0.34", 100]] }); // ask 0.66 ≤ 0.67
    expect((await exec.place(q2)).kind).toBe("placed");
  });

  it("placing the same quote twice creates one order", async () => {
    const { fx, exec } = setup();
    const q = await exec.quote(intent({ limit: "0.50" }));
    const [a, b] = await Promise.all([exec.place(q), exec.place(q)]);
    const c = await exec.place(q);
    expect(a).toEqual(b);
    expect(c).toEqual(a);
    expect(fx.orders).toHaveLength(1);
  });

  it("after a restart the exchange's client_order_id dedupe still prevents a second order", async () => {
    // The Kalshi client answers a 409 for its own client_order_id with that order (tests/integration,
    // "repeating the create of a RESTING order"); a port that only refuses it leaves the outcome open,
    // and the one read of the market's resting orders finds the order.
    const first = setup();
    const q = await first.exec.quote(intent({ limit: "0.50" }));
    const r1 = await placed(first.exec, q);
    const again = createOrderExecutor({
      exchange: first.fx,
      journal: first.journal,
      config: EXECUTOR_CONFIG,
      now: first.clock.now,
    });
    const r2 = await again.place(q);
    expect(r2).toMatchObject({ kind: "unknown", checked: true, resting: { orderId: r1.orderId } });
    expect(first.fx.orders).toHaveLength(1);
  });

  it("a lost create response is an open outcome; placing the quote again recovers it from the order list", async () => {
    const { fx, exec, journal } = setup({
      exchange: (fx) =>
        Object.assign(Object.create(fx) as SimExchange, {
          async createOrder(req: Parameters<SimExchange["createOrder"]>[0]) {
            await fx.createOrder(req);
            throw new Error("socket hang up");
          },
        }),
    });
    const q = await exec.quote(intent({ limit: "0.60", count: contracts(4) }));
    // Reconciling a lost answer is the adapter's (KalshiClient.createOrder); this port gave up. It
    // filled, so it does not rest: unknown, after one read of the resting orders.
    const first = await exec.place(q);
    expect(first).toMatchObject({ kind: "unknown", checked: true });
    expect(first).not.toHaveProperty("resting");
    const r = await placed(exec, q);
    expect(fx.orders).toHaveLength(1);
    expect(fx.createRequests).toHaveLength(1);
    expect(r).toMatchObject({
      orderId: fx.orders[0]!.orderId,
      status: "executed",
      filledCount: contracts(4),
      averagePrice: usd("0.60"),
    });
    expect(journal.events.map((e) => e.type)).toEqual([
      "order_submitted",
      "order_unknown",
      "order_submitted",
      "order_placed",
    ]);
  });

  it("exchange errors propagate and are journaled as rejections", async () => {
    const { fx, exec, journal } = setup();
    const refused = KalshiApiError.fromResponse(400, {
      error: { code: "insufficient_balance", message: "insufficient balance" },
    });
    fx.failNext("createOrder", refused);
    const q = await exec.quote(intent({ limit: "0.50" }));
    expect(await exec.place(q)).toEqual({ kind: "rejected", code: "insufficient_balance", cause: refused });
    expect(journal.events.map((e) => e.type)).toEqual(["order_submitted", "order_rejected"]);
    expect(journal.events[1]).toMatchObject({
      type: "order_rejected",
      code: "insufficient_balance",
      clientOrderId: q.clientOrderId,
    });
    // A retry of the same quote is allowed (and still deduped by the exchange).
    const out = await exec.place(q);
    expect(out.kind).toBe("placed");
    expect(fx.orders).toHaveLength(1);
  });

  it("maker fee estimate for a resting limit on a maker-fee series", async () => {
    const { fx, exec } = setup();
    fx.setSeries("KXHIGHNY-26NOV25", { ticker: "KXHIGHNY", feeType: "quadratic_with_maker_fees" });
    const q = await exec.quote(intent({ limit: "0.50", count: contracts(100) }));
    expect(q.estimatedFee).toBe(usd("0.44")); // 0.0175 × 100 × 0.25 = 0.4375 → $0.44
    const plain = setup();
    const q2 = await plain.exec.quote(intent({ limit: "0.50", count: contracts(100) }));
    expect(q2.estimatedFee).toBe(0);
  });

  it("the quote's fee uses the series' fee multiplier", async () => {
    const { fx, exec } = setup();
    fx.setSeries("KXHIGHNY-26NOV25", {
      ticker: "KXHIGHNY",
      feeType: "quadratic_with_maker_fees",
      feeMultiplier: 0.5,
    });
    // Taker: buy 10 YES at the 0.60 ask. 0.07 × 0.5 × 10 × 0.60 × 0.40 = 0.084 → $0.09 (not $0.17).
    const taker = await exec.quote(intent({ limit: "0.60" }));
    expect(taker.estimatedFee).toBe(usd("0.09"));
    expect(taker.maxLoss).toBe(usd("6.09"));
    expect(taker.balanceAfter).toBe(usd("993.91"));
    // Maker: 100 YES resting at 0.50. 0.0175 × 0.5 × 100 × 0.25 = 0.21875 → $0.22 (not $0.44).
    const maker = await exec.quote(intent({ limit: "0.50", count: contracts(100) }));
    expect(maker.estimatedFee).toBe(usd("0.22"));
  });
});

describe("orders", () => {
  it("a resting order filled later shows in order status", async () => {
    const { fx, exec } = setup();
    const r = await placed(exec, await exec.quote(intent({ outcome: "no", limit: "0.42" })));
    fx.fillResting(r.orderId, contracts(4));
    const o = await exec.orderStatus(r.orderId);
    expect(o).toMatchObject({ status: "resting", fillCount: contracts(4), remainingCount: contracts(6) });
    expect(fx.positions.get(TICKER)?.position).toBe(contracts(-4));
    // 4 NO @ 0.42 paid (1.68); the 6 still resting hold their cost aside (2.52), as on Kalshi.
    expect(fx.balance).toBe(usd("995.80"));
  });

  it("cancel, cancelAll, open orders, status", async () => {
    const { fx, exec, journal } = setup();
    const a = await placed(exec, await exec.quote(intent({ limit: "0.50" })));
    await placed(exec, await exec.quote(intent({ limit: "0.51" })));
    await placed(exec, await exec.quote(intent({ limit: "0.52" })));
    // Newest first, as Kalshi lists orders.
    expect((await exec.openOrders()).map((o) => o.yesPrice)).toEqual([usd("0.52"), usd("0.51"), usd("0.50")]);
    expect(await exec.cancel(a.orderId)).toEqual({
      kind: "canceled",
      orderId: a.orderId,
      canceledCount: contracts(10),
    });
    expect((await exec.orderStatus(a.orderId)).status).toBe("canceled");
    // Again (routed or not): already gone, nothing sent or journaled twice.
    const gone = { kind: "alreadyGone", orderId: a.orderId, status: "canceled" };
    expect(await exec.cancel(a.orderId)).toMatchObject(gone);
    expect(await exec.cancel(a.orderId, TICKER)).toMatchObject(gone);
    // "Cancel all" is Kalshi's cancel-all endpoint between two reads: it names what it canceled.
    const all = await exec.cancelAll();
    expect(all.canceled.map((o) => o.yesPrice)).toEqual([usd("0.52"), usd("0.51")]);
    expect(all).toMatchObject({ unlisted: [], resting: [] });
    expect(fx.calls.cancelAllOrders).toBe(1);
    expect(await exec.openOrders()).toEqual([]);
    expect(journal.events.filter((e) => e.type === "order_canceled")).toHaveLength(3);
    // Every cancel was routed by the order's market (the sim 404s otherwise).
    expect(fx.orderWrites.every((w) => w.ticker === TICKER)).toBe(true);
    expect(fx.orders.every((o) => o.status === "canceled")).toBe(true);
  });
});

/**
 * On Kalshi's single YES book a buy of YES (a bid) first sells NO held, and a buy of NO (an ask) first
 * sells YES held. Book: YES bids 0.55/0.50, NO bids 0.40/0.35 → YES ask 0.60, NO ask 0.45.
 */
describe("a buy against a position in the other outcome", () => {
  it("pure close: buying 10 YES while holding 10 NO sells the NO; no cash needed beyond the fee", async () => {
    const { fx, exec } = setup({ position: -10 });
    fx.setBalance("2.00");
    const q = await exec.quote(intent({ limit: "0.60" }));
    // Wire unchanged: a bid at the YES price, not reduce-only.
    expect(q.wire).toEqual({
      side: "bid",
      yesPrice: usd("0.60"),
      timeInForce: "good_till_canceled",
      reduceOnly: false,
    });
    expect(q.closes).toEqual({ outcome: "no", count: contracts(10), estimatedProceeds: usd("4.00") });
    expect(q.estimatedCost).toBe(0); // opens nothing
    expect(q.estimatedFee).toBe(usd("0.17")); // taker 0.07 × 10 × 0.60 × 0.40 = 0.168 → $0.17
    expect(q.maxLoss).toBe(usd("0.17"));
    expect(q.maxPayout).toBe(usd("4.00")); // the proceeds, like a sell
    expect(q.balanceAfter).toBe(usd("5.83")); // 2.00 + 4.00 − 0.17

    const r = await placed(exec, q);
    expect(r).toMatchObject({ status: "executed", filledCount: contracts(10), averagePrice: usd("0.60") });
    expect(r.closed).toEqual({ outcome: "no", count: contracts(10) });
    expect(fx.balance).toBe(q.balanceAfter);
    expect(fx.positions.get(TICKER)?.position).toBe(0);
  });

  it("a market buy the old check refused ($6.37 against a $2.00 balance) is quoted and fills", async () => {
    const { fx, exec } = setup({ position: -10 });
    fx.setBalance("2.00");
    const q = await exec.quote(intent()); // market: worst YES price 0.60 + 0.02 = 0.62
    expect(q.price).toBe(usd("0.62"));
    expect(q.closes).toEqual({ outcome: "no", count: contracts(10), estimatedProceeds: usd("3.80") });
    expect(q.estimatedFee).toBe(usd("0.17")); // 0.07 × 10 × 0.62 × 0.38 = 0.16492 → $0.17
    expect(q.balanceAfter).toBe(usd("5.63")); // 2.00 + 3.80 − 0.17 (worst case)
    const r = await placed(exec, q);
    expect(r.closed).toEqual({ outcome: "no", count: contracts(10) });
    // Filled at 0.60: 2.00 + 10 × 0.40 − 0.17.
    expect(fx.balance).toBe(usd("5.83"));
    expect(fx.balance).toBeGreaterThanOrEqual(q.balanceAfter);
  });

  it("partial close: buying 10 YES while holding 6 NO sells the 6 NO, then buys 4 YES", async () => {
    const { fx, exec } = setup({ position: -6 });
    const q = await exec.quote(intent()); // market, worst 0.62
    expect(q.closes).toEqual({ outcome: "no", count: contracts(6), estimatedProceeds: usd("2.28") }); // 6 × 0.38
    expect(q.estimatedCost).toBe(usd("2.48")); // 4 × 0.62
    expect(q.estimatedFee).toBe(usd("0.17"));
    expect(q.maxLoss).toBe(usd("2.65")); // 2.48 + 0.17
    expect(q.maxPayout).toBe(usd("6.28")); // 4 × $1 + 2.28
    expect(q.balanceAfter).toBe(usd("999.63")); // 1000 − 2.48 + 2.28 − 0.17

    const r = await placed(exec, q);
    expect(r.closed).toEqual({ outcome: "no", count: contracts(6) });
    expect(r.filledCount).toBe(contracts(10));
    // At 0.60: + 6 × 0.40 − 4 × 0.60 − 0.17.
    expect(fx.balance).toBe(usd("999.83"));
    expect(fx.positions.get(TICKER)?.position).toBe(contracts(4));
  });

  it("buying NO while holding YES closes the YES (an ask); exact balance at the limit", async () => {
    const { fx, exec } = setup({ position: 10 });
    const q = await exec.quote(intent({ outcome: "no", count: contracts(4), limit: "0.45" }));
    expect(q.wire).toMatchObject({ side: "ask", yesPrice: usd("0.55"), reduceOnly: false });
    expect(q.closes).toEqual({ outcome: "yes", count: contracts(4), estimatedProceeds: usd("2.20") });
    expect(q.estimatedCost).toBe(0);
    expect(q.estimatedFee).toBe(usd("0.07")); // 0.07 × 4 × 0.55 × 0.45 = 0.0693 → $0.07
    expect(q.balanceAfter).toBe(usd("1002.13"));
    const r = await placed(exec, q);
    expect(r).toMatchObject({ closed: { outcome: "yes", count: contracts(4) }, averagePrice: usd("0.45") });
    expect(fx.balance).toBe(q.balanceAfter);
    expect(fx.positions.get(TICKER)?.position).toBe(contracts(6));
  });

  it("only the opening part counts toward the cost cap and the balance", async () => {
    const capped = setup({ position: -6, config: { maxOrderCost: usd("3") } });
    // 4 opened × 0.60 = 2.40 ≤ $3 (the whole 10 would be $6.00).
    const ok = await capped.exec.quote(intent({ limit: "0.60" }));
    expect(ok.estimatedCost).toBe(usd("2.40"));
    const flat = setup({ config: { maxOrderCost: usd("3") } });
    await expect(flat.exec.quote(intent({ limit: "0.60" }))).rejects.toMatchObject({
      code: "over_cost_limit",
    });

    // Opening 4 needs 2.40 + fee 0.17 = 2.57; the proceeds of the NO are not counted in advance.
    capped.fx.setBalance("2.50");
    await expect(capped.exec.quote(intent({ limit: "0.60" }))).rejects.toThrow(
      "After selling your 6 NO, buying 4 YES would cost $2.57 including fees, but your balance is $2.50.",
    );
  });

  it("a pure close still needs the fee in cash", async () => {
    const { fx, exec } = setup({ position: -10 });
    fx.setBalance("0.10");
    await expect(exec.quote(intent({ limit: "0.60" }))).rejects.toThrow(
      "Selling your 10 NO this way costs $0.17 in fees, but your balance is $0.10.",
    );
  });

  it("sells and buys without an opposite position carry no `closes`", async () => {
    const { exec } = setup({ position: 10 });
    expect((await exec.quote(intent({ limit: "0.60" }))).closes).toBeUndefined();
    expect((await exec.quote(intent({ action: "sell", limit: "0.55" }))).closes).toBeUndefined();
  });

  it("the result tells what actually closed when the position changed after the quote", async () => {
    const { fx, exec } = setup({ position: -6 });
    const q = await exec.quote(intent({ limit: "0.60" }));
    expect(q.closes?.count).toBe(contracts(6));
    fx.setPosition(TICKER, -2); // 4 NO sold elsewhere before the confirm
    const r = await placed(exec, q);
    expect(r.closed).toEqual({ outcome: "no", count: contracts(2) });
    expect(fx.positions.get(TICKER)?.position).toBe(contracts(8));
  });
});

describe("journal after a failed create", () => {
  const failing = (err: Error) => (fx: SimExchange) =>
    Object.assign(Object.create(fx) as SimExchange, {
      async createOrder() {
        throw err;
      },
    });

  it("an outcome-unknown failure with no order found is journaled as order_unknown, not rejected", async () => {
    const timeout = new KalshiNetworkError(
      "timeout",
      "POST",
      "/trade-api/v2/portfolio/events/orders",
      null,
      true,
    );
    const { exec, journal } = setup({ exchange: failing(timeout) });
    const q = await exec.quote(intent({ limit: "0.50" }));
    expect(await exec.place(q)).toEqual({ kind: "unknown", cause: timeout, checked: true });
    expect(journal.events.map((e) => e.type)).toEqual(["order_submitted", "order_unknown"]);
    expect(journal.events[1]).toMatchObject({ clientOrderId: q.clientOrderId, ticker: TICKER });
  });

  it("a plain refusal from the exchange is still order_rejected", async () => {
    const refused = new KalshiApiError(400, "insufficient_balance", "insufficient balance", null, false);
    const { exec, journal } = setup({ exchange: failing(refused) });
    const q = await exec.quote(intent({ limit: "0.50" }));
    expect(await exec.place(q)).toEqual({ kind: "rejected", code: "insufficient_balance", cause: refused });
    expect(journal.events.map((e) => e.type)).toEqual(["order_submitted", "order_rejected"]);
  });
});

describe("sells the exchange accepts (resting sells capped at the holding, market sells reduce-only)", () => {
  it("a resting sell is capped at the holding when placed, if it shrank since the quote", async () => {
    const { fx, exec } = setup({ position: 10 });
    const q = await exec.quote(intent({ outcome: "yes", action: "sell", limit: "0.62" }));
    fx.setPosition(TICKER, 4); // sold elsewhere meanwhile
    const r = await placed(exec, q);
    expect(fx.createRequests[0]).toMatchObject({ count: contracts(4), timeInForce: "good_till_canceled" });
    expect(fx.createRequests[0]!.reduceOnly).toBeUndefined();
    expect(r).toMatchObject({ status: "resting", restingCount: contracts(4), cappedAtHolding: contracts(4) });
  });

  it("a second resting sell counts what already rests to sell: capped at the rest, refused when nothing is left", async () => {
    const { fx, exec } = setup({ position: 10 });
    const first = await exec.quote(
      intent({ outcome: "yes", action: "sell", count: contracts(6), limit: "0.90" }),
    );
    expect(await placed(exec, first)).toMatchObject({ status: "resting", restingCount: contracts(6) });
    // 6 of the 10 already rest to sell at 0.90: a sell of 10 at 0.85 is for the 4 left.
    const second = await exec.quote(
      intent({ outcome: "yes", action: "sell", count: contracts(10), limit: "0.85" }),
    );
    const r = await placed(exec, second);
    expect(fx.createRequests[1]).toMatchObject({ count: contracts(4), timeInForce: "good_till_canceled" });
    expect(r).toMatchObject({
      restingCount: contracts(4),
      cappedAtHolding: contracts(4),
      alreadySelling: contracts(6),
    });
    // All 10 rest to sell now: a third is refused, nothing sent.
    const third = await exec.quote(
      intent({ outcome: "yes", action: "sell", count: contracts(2), limit: "0.80" }),
    );
    const refused = await exec.place(third);
    expect(refused).toMatchObject({ kind: "rejected", code: "nothing_to_sell" });
    expect(refused.kind === "rejected" && (refused.cause as Error).message).toBe(
      `Your resting orders in ${TICKER} already sell all 10 YES you hold, so nothing was placed. Cancel one in /orders to sell at another price.`,
    );
    expect(fx.createRequests).toHaveLength(2);
  });

  it("a resting sell of a holding that is gone is not placed at all", async () => {
    const { fx, exec } = setup({ position: 10 });
    const q = await exec.quote(intent({ outcome: "yes", action: "sell", limit: "0.62" }));
    await fx.closePosition(TICKER); // sold elsewhere
    const out = await exec.place(q);
    expect(out).toMatchObject({ kind: "rejected", code: "nothing_to_sell" });
    expect(out.kind === "rejected" && (out.cause as Error).message).toBe(
      `You no longer hold any YES contracts in ${TICKER}, so nothing was placed.`,
    );
    expect(fx.createRequests).toHaveLength(0);
  });

  it("two sells of the same position at market: the second learns the holding was gone (reduce-only cap)", async () => {
    const { exec } = setup({ position: 10 });
    const first = await exec.quote(intent({ outcome: "yes", action: "sell", count: contracts(10) }));
    const second = await exec.quote(intent({ outcome: "yes", action: "sell", count: contracts(10) }));
    expect(second.wire).toMatchObject({ timeInForce: "immediate_or_cancel", reduceOnly: true });
    expect(await placed(exec, first)).toMatchObject({ status: "executed", filledCount: contracts(10) });
    const r = await placed(exec, second);
    expect(r).toMatchObject({
      status: "canceled",
      filledCount: 0,
      unfilled: { reason: "no_position", held: 0 },
    });
  });

  it("an unfilled market buy is told as no liquidity at the limit", async () => {
    const { exec } = setup({
      exchange: (fx) =>
        Object.assign(Object.create(fx) as SimExchange, {
          async createOrder(req: Parameters<SimExchange["createOrder"]>[0]) {
            // Someone else took the sellers between the price check and our order.
            fx.setBook(TICKER, { yes: [["0.55", 100]], no: [] });
            return fx.createOrder(req);
          },
        }),
    });
    const q = await exec.quote(intent({ count: contracts(5) }));
    const r = await placed(exec, q);
    expect(r).toMatchObject({ status: "canceled", filledCount: 0, unfilled: { reason: "no_liquidity" } });
  });
});

describe("an ambiguous create is reconciled before anything is re-sent", () => {
  it("a dropped answer of an IOC that filled, then a failed lookup: placing again finds it (one order)", async () => {
    let lookups = 0;
    const { fx, exec } = setup({
      exchange: (fx) =>
        Object.assign(Object.create(fx) as SimExchange, {
          async createOrder(req: Parameters<SimExchange["createOrder"]>[0]) {
            await fx.createOrder(req);
            throw new KalshiNetworkError("network", "POST", "/portfolio/events/orders", "ECONNRESET", true);
          },
          async getOrders(f: Parameters<SimExchange["getOrders"]>[0]) {
            if (++lookups === 1)
              throw new KalshiNetworkError("network", "GET", "/portfolio/orders", "ECONNRESET", false);
            return fx.getOrders(f);
          },
        }),
    });
    const q = await exec.quote(intent({ count: contracts(4) })); // market buy: IOC
    // The one read of the resting orders after the open outcome is the failed lookup.
    expect(await exec.place(q)).toMatchObject({
      kind: "unknown",
      cause: { outcomeUnknown: true },
      checked: false,
    });
    const r = await placed(exec, q);
    expect(fx.orders).toHaveLength(1);
    expect(fx.createRequests).toHaveLength(1);
    expect(r).toMatchObject({
      orderId: fx.orders[0]!.orderId,
      status: "executed",
      filledCount: contracts(4),
    });
  });

  it("placing again while the exchange cannot be asked sends nothing and leaves the outcome open", async () => {
    let failLookups = true;
    const { fx, exec, journal } = setup({
      exchange: (fx) =>
        Object.assign(Object.create(fx) as SimExchange, {
          async createOrder(req: Parameters<SimExchange["createOrder"]>[0]) {
            await fx.createOrder(req);
            throw new KalshiNetworkError("timeout", "POST", "/portfolio/events/orders", "ETIMEDOUT", true);
          },
          async getOrders(f: Parameters<SimExchange["getOrders"]>[0]) {
            if (failLookups)
              throw new KalshiNetworkError("network", "GET", "/portfolio/orders", "ECONNRESET", false);
            return fx.getOrders(f);
          },
        }),
    });
    const q = await exec.quote(intent({ count: contracts(4) }));
    expect(await exec.place(q)).toMatchObject({
      kind: "unknown",
      cause: { outcomeUnknown: true },
      checked: false,
    });
    const again = await exec.place(q);
    expect(again).toMatchObject({ kind: "unknown", checked: false });
    expect(again.kind === "unknown" && again.cause).toBeInstanceOf(KalshiNetworkError);
    expect(fx.createRequests).toHaveLength(1);
    expect(journal.events.filter((e) => e.type === "order_unknown")).toHaveLength(2);
    failLookups = false;
    expect(await placed(exec, q)).toMatchObject({ orderId: fx.orders[0]!.orderId });
    expect(fx.orders).toHaveLength(1);
  });
});
