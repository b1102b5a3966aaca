import { describe, expect, it } from "vitest";
import { type Centis, contracts, micros } from "../../src/domain/money.js";
import type { Order, Position, StreamEvent } from "../../src/exchange/port.js";
import { OrderOutbox } from "../../src/alerts/outbox.js";
import { ownCancelsNoted } from "../../src/bot/cancelRequests.js";
import { createSellGuard, planSellShrinks, watchSellGuard } from "../../src/trading/sellGuard.js";
import { SimExchange } from "../support/simExchange.js";
import { T0, usd } from "./helpers.js";

const T = "KXHIGHNY-26NOV25-B45";

function order(over: Partial<Order> & { orderId: string }): Order {
  return {
    clientOrderId: null,
    ticker: T,
    outcomeSide: "no",
    bookSide: "ask",
    status: "resting",
    yesPrice: usd("0.62"),
    noPrice: usd("0.38"),
    fillCount: 0 as Centis,
    remainingCount: contracts(10),
    initialCount: contracts(10),
    takerFillCost: micros(0),
    makerFillCost: micros(0),
    takerFees: micros(0),
    makerFees: micros(0),
    createdTime: T0,
    lastUpdateTime: T0,
    expirationTime: null,
    ...over,
  };
}

function position(ticker: string, n: number): Position {
  return {
    ticker,
    position: contracts(n),
    marketExposure: micros(0),
    realizedPnl: micros(0),
    totalTraded: micros(0),
    feesPaid: micros(0),
    lastUpdatedTs: null,
  };
}

describe("planSellShrinks (pure)", () => {
  it("a resting sell of 10 YES with 4 held is decreased to 4", () => {
    const plan = planSellShrinks([position(T, 4)], [{ order: order({ orderId: "a" }), outcome: "yes" }]);
    expect(plan).toEqual([
      {
        orderId: "a",
        ticker: T,
        outcome: "yes",
        resting: contracts(10),
        keep: contracts(4),
        held: contracts(4),
      },
    ]);
  });

  it("nothing held (sold elsewhere or settled): the sell is canceled (keep 0)", () => {
    const plan = planSellShrinks([], [{ order: order({ orderId: "a" }), outcome: "yes" }]);
    expect(plan).toMatchObject([{ orderId: "a", keep: 0, held: 0 }]);
  });

  it("several sells: the oldest keep their size, the newest give way", () => {
    const sells = [
      {
        order: order({ orderId: "new", createdTime: T0 + 2, remainingCount: contracts(5) }),
        outcome: "yes" as const,
      },
      {
        order: order({ orderId: "old", createdTime: T0, remainingCount: contracts(5) }),
        outcome: "yes" as const,
      },
      {
        order: order({ orderId: "mid", createdTime: T0 + 1, remainingCount: contracts(5) }),
        outcome: "yes" as const,
      },
    ];
    const plan = planSellShrinks([position(T, 7)], sells);
    expect(plan.map((s) => [s.orderId, s.keep])).toEqual([
      ["mid", contracts(2)],
      ["new", 0],
    ]);
  });

  it("a sell within the holding, a NO sell against a NO holding, and buys are left alone", () => {
    const plan = planSellShrinks(
      [position(T, -10), position("KXOTHER-1", 20)],
      [
        { order: order({ orderId: "no-sell", bookSide: "bid", outcomeSide: "yes" }), outcome: "no" },
        { order: order({ orderId: "ok", ticker: "KXOTHER-1" }), outcome: "yes" },
      ],
    );
    expect(plan).toEqual([]);
  });

  it("a YES sell while the position flipped to NO is canceled", () => {
    const plan = planSellShrinks([position(T, -3)], [{ order: order({ orderId: "a" }), outcome: "yes" }]);
    expect(plan).toMatchObject([{ orderId: "a", keep: 0, held: 0 }]);
  });
});

describe("the sell guard, through the port", () => {
  async function world() {
    const fx = new SimExchange({ now: () => T0 });
    fx.addMarket({ ticker: T, closeTime: T0 + 86_400_000 });
    fx.setBook(T, { yes: [["0.30", 100]], no: [["0.30", 100]] });
    fx.setPosition(T, 10);
    const sell = await fx.createOrder({
      ticker: T,
      side: "ask",
      count: contracts(10),
      price: usd("0.90"),
      timeInForce: "good_till_canceled",
      clientOrderId: "sell-1",
    });
    const buy = await fx.createOrder({
      ticker: T,
      side: "bid",
      count: contracts(3),
      price: usd("0.10"),
      timeInForce: "good_till_canceled",
      clientOrderId: "buy-1",
    });
    const intents = new Map([
      ["sell-1", { action: "sell" as const, outcome: "yes" as const }],
      ["buy-1", { action: "buy" as const, outcome: "yes" as const }],
    ]);
    const guard = createSellGuard({
      exchange: fx,
      intentOf: async (o) => (o.clientOrderId ? (intents.get(o.clientOrderId) ?? null) : null),
    });
    return { fx, guard, sell, buy };
  }

  it("the holding falls to 4: the resting sell is decreased to 4, routed by its market, and reported", async () => {
    const { fx, guard, sell } = await world();
    expect(await guard.check()).toEqual([]);
    fx.setPosition(T, 4); // 6 sold elsewhere
    const out = await guard.check();
    expect(out).toEqual([
      expect.objectContaining({
        orderId: sell.orderId,
        resting: contracts(10),
        keep: contracts(4),
        done: "decreased",
      }),
    ]);
    expect(fx.orders.find((o) => o.orderId === sell.orderId)).toMatchObject({
      status: "resting",
      remainingCount: contracts(4),
    });
    expect(fx.orderWrites.at(-1)).toEqual({ method: "decreaseOrder", orderId: sell.orderId, ticker: T });
    // The buy is not a sell: untouched.
    expect(fx.orders.find((o) => o.clientOrderId === "buy-1")?.remainingCount).toBe(contracts(3));
  });

  it("the holding is gone: the resting sell is canceled instead of opening a NO position", async () => {
    const { fx, guard, sell } = await world();
    await fx.closePosition(T); // sold elsewhere
    const out = await guard.check([T]);
    expect(out).toMatchObject([{ orderId: sell.orderId, keep: 0, done: "canceled" }]);
    expect(fx.orders.find((o) => o.orderId === sell.orderId)?.status).toBe("canceled");
  });

  it("a position listing that comes back empty (an outage) cancels nothing; only a read naming the market counts", async () => {
    const { fx, guard, sell } = await world();
    const real = fx.getPositions.bind(fx);
    // The listing answers with no rows at all, as an outage or a dropped page would.
    fx.getPositions = async (filter = {}) => (filter.ticker ? real(filter) : []);
    expect(await guard.check()).toEqual([]);
    // Every read answers empty: still nothing is touched.
    fx.getPositions = async () => [];
    expect(await guard.check()).toEqual([]);
    expect(fx.orders.find((o) => o.orderId === sell.orderId)).toMatchObject({
      status: "resting",
      remainingCount: contracts(10),
    });
    expect(fx.orderWrites.filter((w) => w.method !== "createOrder")).toEqual([]);
  });

  it("the guard's cancel is noted as the owner's own, so the chat is not told 'canceled by another user'", async () => {
    const { fx, sell } = await world();
    const outbox = new OrderOutbox({ timeZone: "America/New_York", now: () => T0 });
    outbox.attach({ edit: async () => undefined, send: async () => ({ messageId: 1 }) });
    const OWNER = 7;
    await outbox.quoted({ id: "sell-1", chatId: OWNER, messageId: 1, ticker: T, summary: "SELL 10 YES" });
    await outbox.settle("sell-1", "Resting", sell.orderId);
    // As the app wires it: the guard's exchange notes its cancels as the owner's own.
    const guard = createSellGuard({
      exchange: ownCancelsNoted(fx, outbox),
      intentOf: async (o) => (o.clientOrderId === "sell-1" ? { action: "sell", outcome: "yes" } : null),
    });
    await fx.closePosition(T); // sold elsewhere
    expect(await guard.check()).toMatchObject([{ orderId: sell.orderId, done: "canceled" }]);
    // What the fill alerts ask before saying "Your order was canceled by another user".
    expect(outbox.askedToCancel(sell.orderId, OWNER)).toBe(true);
  });

  it("a sell that filled between the reads is not told as canceled or refused (it sold)", async () => {
    const { fx, guard, sell } = await world();
    const listed = fx.getOrders.bind(fx);
    // The order list still shows the sell resting; it fills right after (the holding goes to 0).
    fx.getOrders = async (filter) => {
      const list = await listed(filter);
      if (fx.orders.find((o) => o.orderId === sell.orderId)?.status === "resting")
        fx.fillResting(sell.orderId);
      return list;
    };
    expect(await guard.check()).toEqual([]);
  });

  it("a cancel refused because the sell filled meanwhile is not told as a failure", async () => {
    const { fx, guard, sell } = await world();
    await fx.closePosition(T); // sold elsewhere
    fx.cancelOrder = async () => {
      fx.fillResting(sell.orderId); // it filled just before the cancel reached Kalshi
      throw new Error("order not found");
    };
    expect(await guard.check()).toEqual([]);
  });

  it("a refused decrease is reported as failed with the exchange's reason", async () => {
    const { fx, guard } = await world();
    fx.setPosition(T, 4);
    fx.failNext("decreaseOrder", new Error("exchange is busy"));
    const out = await guard.check();
    expect(out).toMatchObject([{ done: "failed", error: "exchange is busy" }]);
  });

  it("watchSellGuard checks at start and after a fill of that market, and reports the change", async () => {
    const { fx, guard, sell } = await world();
    const listeners: Array<(e: StreamEvent) => void> = [];
    const told: string[] = [];
    let resolveTold: () => void = () => undefined;
    const toldOnce = new Promise<void>((r) => (resolveTold = r));
    const stop = watchSellGuard({
      guard,
      stream: {
        on: (l) => {
          listeners.push(l);
          return () => listeners.splice(listeners.indexOf(l), 1);
        },
      },
      onShrunk: (outs) => {
        told.push(...outs.map((o) => `${o.orderId}:${o.keep}`));
        resolveTold();
      },
      intervalMs: 0,
      delayMs: 0,
    });
    fx.setPosition(T, 2);
    const fill = fx.fills[0] ?? {
      fillId: "f",
      tradeId: "f",
      orderId: "x",
      ticker: T,
      outcomeSide: "yes" as const,
      bookSide: "bid" as const,
      count: contracts(1),
      yesPrice: usd("0.5"),
      noPrice: usd("0.5"),
      isTaker: true,
      fee: micros(0),
      createdTime: T0,
    };
    for (const l of listeners) l({ type: "fill", fill, postPosition: null, clientOrderId: null });
    await toldOnce;
    expect(told).toEqual([`${sell.orderId}:${contracts(2)}`]);
    stop();
    expect(listeners).toHaveLength(0);
  });
});

describe("what the user is told (bot view)", () => {
  it("reduced, canceled and refused changes read as one plain sentence each", async () => {
    const { sellShrinkText } = await import("../../src/bot/views.js");
    const base = {
      orderId: "o1",
      ticker: "KXBTC-26DEC01-T1",
      outcome: "yes" as const,
      resting: contracts(10),
    };
    expect(sellShrinkText({ ...base, keep: contracts(4), held: contracts(4), done: "decreased" })).toBe(
      "Your resting sell of 10 YES in <code>KXBTC-26DEC01-T1</code> was reduced to 4 because you now hold 4.",
    );
    expect(sellShrinkText({ ...base, keep: 0 as Centis, held: 0 as Centis, done: "canceled" })).toContain(
      "was canceled because you no longer hold any YES there.",
    );
    expect(
      sellShrinkText({ ...base, keep: 0 as Centis, held: 0 as Centis, done: "failed", error: "busy" }),
    ).toContain("it may open a NO position when it fills");
  });
});
