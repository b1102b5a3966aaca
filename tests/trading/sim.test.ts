/**
 * The trading core against the sim: the real KalshiClient over signed HTTP on 127.0.0.1, the real
 * executor, portfolio, history, journal and CSV export. Expected numbers are worked out by hand from
 * the sim's order book and the exchange's own fills, never from the code under test.
 */
import { readFile } from "node:fs/promises";
import { parse } from "csv-parse/sync";
import { afterEach, describe, expect, it } from "vitest";
import { type Centis, ONE_DOLLAR, contracts, micros, parseDollars } from "../../src/domain/money.js";
import { type OrderIntent, type PlaceResult, UserError } from "../../src/trading/types.js";
import { createOrderExecutor } from "../../src/trading/executor.js";
import { createTradingServices } from "../../src/trading/index.js";
import { readJournal } from "../../src/trading/journal.js";
import { type SimStack, type SimStackOptions, startSimStack } from "../support/simStack.js";
import { EXECUTOR_CONFIG } from "./helpers.js";
import { asks, bids, findTicker, handAverage, handValue, walk } from "./simHelpers.js";

const usd = parseDollars;
const CONFIG = EXECUTOR_CONFIG;
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

let stacks: SimStack[] = [];
afterEach(async () => {
  await Promise.all(stacks.map((s) => s.close()));
  stacks = [];
});

async function stack(o?: SimStackOptions): Promise<SimStack> {
  const s = await startSimStack(o);
  stacks.push(s);
  return s;
}

function limit(
  ticker: string,
  outcome: "yes" | "no",
  action: "buy" | "sell",
  count: number,
  price: string,
): OrderIntent {
  return { ticker, outcome, action, count: contracts(count), kind: "limit", limitPrice: usd(price) };
}

function market(ticker: string, outcome: "yes" | "no", action: "buy" | "sell", count: number): OrderIntent {
  return { ticker, outcome, action, count: contracts(count), kind: "market" };
}

/** Quote + place; the outcome must be "placed". */
async function trade(s: SimStack, i: OrderIntent): Promise<PlaceResult> {
  const q = await s.services.executor.quote(i);
  const out = await s.services.executor.place(q);
  if (out.kind !== "placed") throw new Error(`expected placed, got ${JSON.stringify(out)}`);
  return out.result;
}

/** Another account rests a GTC order (the user's order then trades against it at its price). */
function rest(s: SimStack, ticker: string, side: "bid" | "ask", price: string, count: number) {
  const r = s.sim.trade({ ticker, side, price, count: String(count), time_in_force: "good_till_canceled" });
  expect(r.order.status).toBe("resting");
}

async function positionOf(s: SimStack, ticker: string): Promise<number> {
  const ps = await s.client.getPositions({ ticker });
  return ps.find((p) => p.ticker === ticker)?.position ?? 0;
}

async function quoteError(s: SimStack, i: OrderIntent): Promise<UserError> {
  const err = await s.services.executor.quote(i).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UserError);
  return err as UserError;
}

describe("orders against the sim", () => {
  it("buys and sells YES and NO: results and the exchange's positions match", async () => {
    const s = await stack();
    const a = await findTicker(s.client, "KXFED-", "-T3.75"); // book 0.43 / 0.45
    const b = await findTicker(s.client, "KXHIGHNY-", "-B45"); // book 0.30 / 0.32

    rest(s, a, "ask", "0.44", 10); // someone sells 10 YES at 0.44
    const buyYes = await trade(s, limit(a, "yes", "buy", 10, "0.44"));
    expect(buyYes).toMatchObject({ status: "executed", filledCount: contracts(10), restingCount: 0 });
    expect(buyYes.averagePrice).toBe(usd("0.44"));
    expect(await positionOf(s, a)).toBe(contracts(10));

    rest(s, a, "bid", "0.44", 4); // someone buys 4 YES at 0.44
    const sellYes = await trade(s, limit(a, "yes", "sell", 4, "0.44"));
    expect(sellYes).toMatchObject({ status: "executed", filledCount: contracts(4) });
    expect(sellYes.averagePrice).toBe(usd("0.44"));
    expect(await positionOf(s, a)).toBe(contracts(6));

    rest(s, b, "bid", "0.31", 10); // someone buys YES at 0.31 = sells NO at 0.69
    const buyNo = await trade(s, limit(b, "no", "buy", 10, "0.69"));
    expect(buyNo).toMatchObject({ status: "executed", filledCount: contracts(10) });
    expect(buyNo.averagePrice).toBe(usd("0.69"));
    expect(await positionOf(s, b)).toBe(-contracts(10));

    rest(s, b, "ask", "0.31", 3); // someone sells YES at 0.31 = buys NO at 0.69
    const sellNo = await trade(s, limit(b, "no", "sell", 3, "0.69"));
    expect(sellNo).toMatchObject({ status: "executed", filledCount: contracts(3) });
    expect(sellNo.averagePrice).toBe(usd("0.69"));
    expect(await positionOf(s, b)).toBe(-contracts(7));

    // Each result's fee is what the exchange charged for that order.
    for (const r of [buyYes, sellYes, buyNo, sellNo]) {
      const o = await s.client.getOrder(r.orderId);
      expect(r.fees).toBe(o.takerFees + o.makerFees);
      expect(o.clientOrderId).toBe(r.clientOrderId);
    }
    expect(s.sim.engine.moneyDiscrepancy()).toBe(0);
  });

  it("a market order (IOC at the worst price) fills against the book and its result matches the exchange's order", async () => {
    const s = await stack();
    const t = await findTicker(s.client, "KXHIGHNY-", "-B43");
    const book = await s.client.getOrderbook(t);
    const q = await s.services.executor.quote(market(t, "yes", "buy", 40));
    const bestAsk = asks(book, "yes")[0]!.price;
    expect(q.price).toBe(bestAsk + usd("0.02"));
    expect(q.wire).toMatchObject({ side: "bid", yesPrice: q.price, timeInForce: "immediate_or_cancel" });
    const expected = walk(asks(book, "yes"), contracts(40), q.price, "buy");

    const out = await s.services.executor.place(q);
    expect(out.kind).toBe("placed");
    const r = (out as { result: PlaceResult }).result;
    const o = await s.client.getOrder(r.orderId);
    const fills = await s.client.getFills({ orderId: r.orderId });

    expect(r.filledCount).toBe(expected.filled);
    expect(r.status).toBe(expected.filled === contracts(40) ? "executed" : "canceled");
    expect(r.restingCount).toBe(0);
    expect(o.status).toBe(r.status);
    expect(o.fillCount).toBe(r.filledCount);
    expect(o.takerFillCost).toBe(expected.value);
    expect(r.averagePrice).toBe(handAverage(expected.value, expected.filled));
    expect(r.fees).toBe(o.takerFees);
    expect(r.fees).toBe(sum(fills.map((f) => f.fee)));
    expect(await positionOf(s, t)).toBe(expected.filled);

    // Selling part of the YES at market walks the bids down to its worst price.
    const book2 = await s.client.getOrderbook(t);
    const q2 = await s.services.executor.quote(market(t, "yes", "sell", 25));
    expect(q2.price).toBe(bids(book2, "yes")[0]!.price - usd("0.02"));
    const exp2 = walk(bids(book2, "yes"), contracts(25), q2.price, "sell");
    const out2 = await s.services.executor.place(q2);
    const r2 = (out2 as { result: PlaceResult }).result;
    expect(r2.filledCount).toBe(exp2.filled);
    expect(r2.averagePrice).toBe(handAverage(exp2.value, exp2.filled));
    const o2 = await s.client.getOrder(r2.orderId);
    expect(r2.fees).toBe(o2.takerFees);
    expect(await positionOf(s, t)).toBe(expected.filled - exp2.filled);
  });

  it("a limit order rests, shows in open orders, and cancels", async () => {
    const s = await stack();
    const t = await findTicker(s.client, "KXCPI-", "-T0.2"); // tapered: 0.51 / 0.53
    const r = await trade(s, limit(t, "yes", "buy", 12, "0.40"));
    expect(r).toMatchObject({
      status: "resting",
      filledCount: 0,
      restingCount: contracts(12),
      averagePrice: null,
    });
    const open = await s.services.executor.openOrders();
    expect(open.map((o) => o.orderId)).toEqual([r.orderId]);
    expect(open[0]).toMatchObject({
      ticker: t,
      bookSide: "bid",
      yesPrice: usd("0.40"),
      remainingCount: contracts(12),
    });
    const status = await s.services.executor.orderStatus(r.orderId);
    expect(status.status).toBe("resting");

    // Routed by another market's ticker, Kalshi finds nothing (404) though the order rests: that is
    // not "already gone" but an unknown outcome, and the order still rests.
    const other = await findTicker(s.client, "KXCPI-", "-T0.4");
    const wrong = await s.services.executor.cancel(r.orderId, other);
    expect(wrong).toMatchObject({ kind: "unknown", orderId: r.orderId });
    expect((wrong as { cause: { status: number } }).cause.status).toBe(404);
    expect((await s.services.executor.openOrders()).map((o) => o.orderId)).toEqual([r.orderId]);

    const c = await s.services.executor.cancel(r.orderId);
    expect(c).toEqual({ kind: "canceled", orderId: r.orderId, canceledCount: contracts(12) });
    expect(await s.services.executor.openOrders()).toEqual([]);
    const canceled = await s.services.executor.orderStatus(r.orderId);
    expect(canceled.status).toBe("canceled");

    // Cancelling it again: Kalshi answers 404; the executor reads the order and says it is gone.
    const gone = { kind: "alreadyGone", orderId: r.orderId, status: "canceled", at: canceled.lastUpdateTime };
    expect(canceled.lastUpdateTime).not.toBeNull();
    expect(await s.services.executor.cancel(r.orderId, t)).toEqual(gone);
    expect(await s.services.executor.cancel(r.orderId)).toEqual(gone);
    expect(await s.services.executor.cancel("no-such-order", t)).toEqual({
      kind: "notFound",
      orderId: "no-such-order",
    });
    expect(await s.services.executor.cancel("no-such-order")).toEqual({
      kind: "notFound",
      orderId: "no-such-order",
    });

    // cancelAll over two resting orders (one of them NO).
    await trade(s, limit(t, "yes", "buy", 2, "0.30"));
    await trade(s, limit(t, "no", "buy", 3, "0.30"));
    const all = await s.services.executor.cancelAll();
    expect(all.canceled.map((o) => o.outcomeSide).sort()).toEqual(["no", "yes"]);
    expect(all).toMatchObject({ unlisted: [], resting: [] });
    expect(await s.services.executor.openOrders()).toEqual([]);
    expect((await s.client.getBalance()).balance).toBe(usd("1000"));
  });

  it("cancelling an order that already filled says so (Kalshi answers 404)", async () => {
    const s = await stack();
    const t = await findTicker(s.client, "KXCPI-", "-T0.2");
    const filled = await trade(s, market(t, "yes", "buy", 1));
    expect(filled.status).toBe("executed");
    const f = await s.services.executor.orderStatus(filled.orderId);
    expect(await s.services.executor.cancel(filled.orderId, t)).toEqual({
      kind: "alreadyGone",
      orderId: filled.orderId,
      status: "executed",
      at: f.lastUpdateTime,
    });
    expect(await s.client.getOrder(filled.orderId)).toEqual(f); // nothing changed
  });

  it("on a sub-cent market the quote's fee includes Kalshi's rounding fee: within $0.0001 of what the sim charges", async () => {
    const s = await stack();
    const cpi = await findTicker(s.client, "KXCPI-", "-T0.4"); // tapered deci-cent, 0.059 / 0.061
    // Another account adds to the best levels (YES $0.061 offered, $0.059 bid), so each order below
    // fills in one trade at its own limit price.
    const book = await s.client.getOrderbook(cpi);
    expect([bids(book, "yes")[0]!.price, asks(book, "yes")[0]!.price]).toEqual([usd("0.059"), usd("0.061")]);
    rest(s, cpi, "ask", "0.061", 100);
    rest(s, cpi, "bid", "0.059", 100);
    const charged = async (orderId: string) => sum((await s.client.getFills({ orderId })).map((f) => f.fee));
    const cases: OrderIntent[] = [
      limit(cpi, "yes", "buy", 7, "0.061"), // 7 × $0.061 = $0.427; trade fee $0.0281 + rounding $0.0049
      limit(cpi, "yes", "buy", 13, "0.061"),
      limit(cpi, "no", "buy", 3, "0.941"), // an ask at YES $0.059: closes 3 of the 20 YES bought above
      limit(cpi, "yes", "sell", 9, "0.059"),
    ];
    for (const i of cases) {
      const q = await s.services.executor.quote(i);
      const r = await trade(s, i);
      expect(r.filledCount).toBe(i.count);
      const fee = await charged(r.orderId);
      expect(
        Math.abs(q.estimatedFee - fee),
        `${i.action} ${i.count} ${i.outcome}: quote ${q.estimatedFee}, sim ${fee}`,
      ).toBeLessThanOrEqual(100);
    }
    // The first case by hand: fee = trade fee ceiled to $0.0001 + what floors −$0.427 − fee to cents.
    const first = await s.services.executor.quote(limit(cpi, "yes", "buy", 7, "0.061"));
    expect(first.estimatedFee).toBe(usd("0.033"));
  });

  it("quote validation on real sim markets", async () => {
    const s = await stack();
    const fed = await findTicker(s.client, "KXFED-", "-T3.75"); // linear cent
    const cpi = await findTicker(s.client, "KXCPI-", "-T0.4"); // tapered deci-cent, 0.059 / 0.061

    const e1 = await quoteError(s, limit(fed, "yes", "buy", 5, "0.555"));
    expect(e1.code).toBe("invalid_price");
    expect(e1.message).toMatch(/^\$?0\.555 is not a valid price for this market: /);

    // Tapered: a tenth of a cent is fine below $0.10, not between $0.10 and $0.90.
    const ok = await s.services.executor.quote(limit(cpi, "yes", "buy", 5, "0.055"));
    expect(ok.wire.yesPrice).toBe(usd("0.055"));
    const e2 = await quoteError(s, limit(cpi, "yes", "buy", 5, "0.505"));
    expect(e2.code).toBe("invalid_price");
    // A NO price of 0.945 is a YES price of 0.055: valid. 0.5 is a YES price on the cent grid: valid.
    await s.services.executor.quote(limit(cpi, "no", "buy", 5, "0.945"));
    const e3 = await quoteError(s, limit(cpi, "no", "buy", 5, "0.4955"));
    expect(e3.code).toBe("invalid_price");

    const closedTicker = (await s.client.getMarkets({ status: "closed" }))[0]!.ticker;
    const e4 = await quoteError(s, limit(closedTicker, "yes", "buy", 1, "0.50"));
    expect(e4.code).toBe("market_closed");
    expect(e4.message).toBe(`${closedTicker} is closed for trading.`);

    const e5 = await quoteError(s, market(fed, "yes", "sell", 1));
    expect(e5.code).toBe("nothing_to_sell");
    rest(s, fed, "ask", "0.44", 3);
    await trade(s, limit(fed, "yes", "buy", 3, "0.44"));
    const e6 = await quoteError(s, limit(fed, "yes", "sell", 4, "0.44"));
    expect(e6.code).toBe("over_position");
    expect(e6.message).toBe("You hold 3 YES contracts, so you can sell at most 3.");
    const e7 = await quoteError(s, market(fed, "no", "sell", 1));
    expect(e7.code).toBe("nothing_to_sell");

    const e8 = await quoteError(s, limit("KXNOPE-1", "yes", "buy", 1, "0.50"));
    expect(e8.code).toBe("unknown_market");
    // Nothing reached the exchange's order book from any refused quote.
    expect((await s.client.getOrders()).length).toBe(1);
  });

  it("the same quote placed twice (and concurrently, and after a restart) makes one order", async () => {
    const s = await stack();
    const t = await findTicker(s.client, "KXNBAGAME-", "-LAL");
    const q = await s.services.executor.quote(limit(t, "yes", "buy", 5, "0.20"));
    const [a, b] = await Promise.all([s.services.executor.place(q), s.services.executor.place(q)]);
    const c = await s.services.executor.place(q);
    expect(a).toBe(b);
    expect(c).toBe(a);

    // A fresh executor (the bot restarted) placing the same saved quote gets the same order back.
    const fresh = createOrderExecutor({
      exchange: s.client,
      journal: { record: () => undefined },
      config: CONFIG,
      now: () => s.sim.engine.now(),
    });
    const d = await fresh.place(q);
    expect(d.kind).toBe("placed");
    const orders = (await s.client.getOrders({ ticker: t })).filter(
      (o) => o.clientOrderId === q.clientOrderId,
    );
    expect(orders).toHaveLength(1);
    expect((d as { result: PlaceResult }).result.orderId).toBe(orders[0]!.orderId);
    expect(orders[0]!.remainingCount).toBe(contracts(5));
  });
});

describe("placing when the connection drops after the exchange accepted", () => {
  it("a filled sell is reported once with the right price and exact fees", async () => {
    const s = await stack();
    const t = await findTicker(s.client, "KXFED-", "-T3.75");
    rest(s, t, "ask", "0.44", 10);
    await trade(s, limit(t, "yes", "buy", 10, "0.44"));
    rest(s, t, "bid", "0.44", 7);
    const q = await s.services.executor.quote(limit(t, "yes", "sell", 7, "0.44"));
    s.sim.addFault({ path: "/portfolio/events/orders", method: "POST", kind: "drop_after_accept" });
    const out = await s.services.executor.place(q);
    expect(out.kind).toBe("placed");
    const r = (out as { result: PlaceResult }).result;
    const o = await s.client.getOrder(r.orderId);
    expect(r).toMatchObject({ status: "executed", filledCount: contracts(7), averagePrice: usd("0.44") });
    expect(r.fees).toBe(o.takerFees);
    expect(r.fees).toBeGreaterThan(0);
    const mine = (await s.client.getOrders({ ticker: t })).filter((x) => x.clientOrderId === q.clientOrderId);
    expect(mine).toHaveLength(1);
    expect(await positionOf(s, t)).toBe(contracts(3));
  });
});

describe("portfolio and P&L against the sim", () => {
  it("average entry, mark and unrealized P&L match the sim's book and fills", async () => {
    const s = await stack();
    const a = await findTicker(s.client, "KXHIGHNY-", "-B45"); // 0.30 / 0.32
    const b = await findTicker(s.client, "KXFED-", "-T3.75"); // 0.43 / 0.45

    rest(s, a, "ask", "0.31", 10);
    await trade(s, limit(a, "yes", "buy", 10, "0.31"));
    const bookA = await s.client.getOrderbook(a);
    const qa = await s.services.executor.quote(market(a, "yes", "buy", 15));
    const wa = walk(asks(bookA, "yes"), contracts(15), qa.price, "buy");
    await s.services.executor.place(qa);

    const bookB = await s.client.getOrderbook(b);
    const qb = await s.services.executor.quote(market(b, "no", "buy", 8));
    const wb = walk(asks(bookB, "no"), contracts(8), qb.price, "buy");
    await s.services.executor.place(qb);

    const feesOf = async (t: string) => sum((await s.client.getFills({ ticker: t })).map((f) => f.fee));
    const countA = contracts(10) + wa.filled;
    const costA = usd("3.10") + wa.value;
    // Valued at the bid of the side held (what it would sell for now), floored.
    const markA = bids(await s.client.getOrderbook(a), "yes")[0]!.price;
    const valueA = handValue(markA, countA as Centis, "floor");
    const unrealA = valueA - costA - (await feesOf(a));

    const countB = wb.filled;
    const markB = bids(await s.client.getOrderbook(b), "no")[0]!.price;
    const valueB = handValue(markB, countB, "floor");
    const unrealB = valueB - wb.value - (await feesOf(b));

    const v = await s.services.portfolio.view();
    expect(v.notes).toEqual([]);
    const pa = v.positions.find((p) => p.ticker === a)!;
    const pb = v.positions.find((p) => p.ticker === b)!;
    expect(pa).toMatchObject({
      side: "yes",
      count: countA,
      averageEntry: handAverage(costA, countA),
      markPrice: markA,
      value: valueA,
      unrealizedPnl: unrealA,
      settled: false,
    });
    expect(pb).toMatchObject({
      side: "no",
      count: countB,
      averageEntry: handAverage(wb.value, countB),
      markPrice: markB,
      value: valueB,
      unrealizedPnl: unrealB,
    });
    expect(v.totalValue).toBe(valueA + valueB);
    expect(v.totalUnrealized).toBe(unrealA + unrealB);
    const bal = await s.client.getBalance();
    expect(v.balance).toBe(bal.balance);
    expect(v.realized.allTime).toBe(0);
  });

  it("realized P&L after a partial sell and after settlement; it adds up to the change in cash", async () => {
    const s = await stack();
    const t = await findTicker(s.client, "KXNBAGAME-", "-GSW"); // maker fees series, 0.54 / 0.56
    const start = (await s.client.getBalance()).balance;

    rest(s, t, "ask", "0.55", 10);
    await trade(s, limit(t, "yes", "buy", 10, "0.55")); // lot 1
    rest(s, t, "ask", "0.55", 5);
    await trade(s, limit(t, "yes", "buy", 5, "0.55")); // lot 2
    const buys = (await s.client.getFills({ ticker: t })).sort((x, y) => x.createdTime - y.createdTime);
    expect(buys.map((f) => f.count)).toEqual([contracts(10), contracts(5)]);
    const [fee1, fee2] = [buys[0]!.fee, buys[1]!.fee];
    // Taker fee 0.07 × C × P × (1 − P), rounded up to the cent: 10 → 0.17325 → 0.18; 5 → 0.086625 → 0.09.
    expect([fee1, fee2]).toEqual([usd("0.18"), usd("0.09")]);

    // Sell 12 at market: FIFO closes all of lot 1 and 2 of lot 2's 5.
    const book = await s.client.getOrderbook(t);
    const q = await s.services.executor.quote(market(t, "yes", "sell", 12));
    const w = walk(bids(book, "yes"), contracts(12), q.price, "sell");
    expect(w.filled).toBe(contracts(12));
    const sold = await s.services.executor.place(q);
    const sellFees = sum(
      (await s.client.getFills({ orderId: (sold as { result: PlaceResult }).result.orderId })).map(
        (f) => f.fee,
      ),
    );
    const realizedSell = w.value - usd("6.60") - fee1 - Math.round((fee2 * 2) / 5) - sellFees;

    let v = await s.services.portfolio.view();
    expect(v.realized.allTime).toBe(realizedSell);
    expect(v.realized.today).toBe(realizedSell);
    expect(v.realized.byMarket).toEqual([{ ticker: t, pnl: realizedSell }]);
    const open = v.positions.find((p) => p.ticker === t)!;
    expect(open).toMatchObject({ side: "yes", count: contracts(3), averageEntry: usd("0.55") });

    const rows = await s.services.history.recent(10);
    expect(rows[0]).toMatchObject({ action: "sell", outcome: "yes", source: "bot" });
    expect(sum(rows.filter((r) => r.realizedPnl !== null).map((r) => r.realizedPnl!))).toBe(realizedSell);

    s.sim.settle(t, "yes");
    const [st] = await s.client.getSettlements({ ticker: t });
    expect(st!.revenue).toBe(usd("3"));
    // Settling is free; the settlement's fee_cost is the fees already paid in this market (0.18 + 0.09 + sell).
    expect(st!.fee).toBe(fee1 + fee2 + sellFees);
    const realizedSettle = usd("3") - usd("1.65") - (fee2 - Math.round((fee2 * 2) / 5));

    v = await s.services.portfolio.view();
    expect(v.positions.find((p) => p.ticker === t)).toBeUndefined();
    expect(v.realized.allTime).toBe(realizedSell + realizedSettle);
    const end = (await s.client.getBalance()).balance;
    expect(v.realized.allTime).toBe(end - start); // everything closed: P&L = cash out − cash in

    // /history over the same time adds up to the same realized P&L: the sell and the settlement.
    const rep = await s.services.history.report(0, v.asOf);
    expect(rep.settlements).toEqual([
      expect.objectContaining({ ticker: t, result: "yes", yesCount: contracts(3), revenue: usd("3") }),
    ]);
    expect(rep.settlements[0]!.realizedPnl).toBe(realizedSettle);
    const tradePnl = sum(rep.rows.filter((r) => r.realizedPnl !== null).map((r) => r.realizedPnl!));
    expect(tradePnl + rep.settlements[0]!.realizedPnl).toBe(v.realized.allTime);
  });
});

describe("history, journal and CSV against the sim", () => {
  it("rows placed by the bot say bot, a fill from an order placed elsewhere says elsewhere (also after a restart)", async () => {
    const s = await stack();
    const t = await findTicker(s.client, "KXFED-", "-T3.50");
    rest(s, t, "ask", "0.91", 4);
    const mine = await trade(s, limit(t, "yes", "buy", 4, "0.91"));
    rest(s, t, "ask", "0.91", 2);
    const other = await s.client.createOrder({
      ticker: t,
      side: "bid",
      count: contracts(2),
      price: usd("0.91"),
      timeInForce: "immediate_or_cancel",
      clientOrderId: "placed-on-the-website",
    });
    expect(other.fillCount).toBe(contracts(2));

    const check = async (rows: Awaited<ReturnType<typeof s.services.history.recent>>) => {
      expect(rows).toHaveLength(2);
      expect(rows.find((r) => r.orderId === mine.orderId)?.source).toBe("bot");
      expect(rows.find((r) => r.orderId === other.orderId)?.source).toBe("elsewhere");
    };
    await check(await s.services.history.recent(10));

    // The journal on disk has the order; a restarted bot still tells them apart.
    await s.services.close();
    const lines = [];
    for await (const e of readJournal(s.logDir)) lines.push(e);
    expect(lines.find((e) => e.type === "order_placed" && e.orderId === mine.orderId)).toMatchObject({
      environment: "sim",
      ticker: t,
      clientOrderId: mine.clientOrderId,
      status: "executed",
      filledCount: "4.00",
      restingCount: "0.00",
      averagePrice: "0.9100",
      fees: "0.0300", // 0.07 × 4 × 0.91 × 0.09 = 0.022932, rounded up to the cent
    });
    const restarted = restartServices(s);
    await check(await restarted.history.recent(10));
    await restarted.close();
  });

  it("history spans the historical cutoff with FIFO P&L across it", async () => {
    const s = await stack({ sim: { historicalCutoffMs: 60_000 } });
    const t = await findTicker(s.client, "KXHIGHNY-", "-B45");
    rest(s, t, "ask", "0.31", 10);
    const buy = await trade(s, limit(t, "yes", "buy", 10, "0.31"));
    s.sim.engine.advanceClock(120_000);
    expect((await s.client.getHistoricalFills()).map((f) => f.orderId)).toEqual([buy.orderId]);
    expect(await s.client.getFills()).toEqual([]);

    const afterCutoff = s.sim.engine.now();
    rest(s, t, "bid", "0.31", 4);
    const sell = await trade(s, limit(t, "yes", "sell", 4, "0.31"));
    const sellFees = sum((await s.client.getFills({ orderId: sell.orderId })).map((f) => f.fee));
    const buyFee = (await s.client.getHistoricalFills())[0]!.fee;
    const expected = usd("1.24") - usd("1.24") - Math.round((buyFee * 4) / 10) - sellFees;

    const all = await s.services.history.between(0, s.sim.engine.now());
    expect(all.map((r) => [r.action, r.count, r.orderId, r.source])).toEqual([
      ["buy", contracts(10), buy.orderId, "bot"],
      ["sell", contracts(4), sell.orderId, "bot"],
    ]);
    expect(all[1]!.realizedPnl).toBe(expected);
    const later = await s.services.history.between(afterCutoff, s.sim.engine.now());
    expect(later).toHaveLength(1);
    expect(later[0]!.realizedPnl).toBe(expected);
    const v = await s.services.portfolio.view();
    expect(v.positions[0]).toMatchObject({ ticker: t, count: contracts(6), averageEntry: usd("0.31") });
    expect(v.notes).toEqual([]);
  });

  it("the CSV export of the sim's history parses back to the same rows", async () => {
    const s = await stack();
    const a = await findTicker(s.client, "KXCPI-", "-T0.4"); // deci-cent prices
    const b = await findTicker(s.client, "KXHIGHNY-", "-B43");
    await trade(s, market(a, "yes", "buy", 20));
    await trade(s, market(b, "no", "buy", 6));
    await trade(s, market(a, "yes", "sell", 5));
    rest(s, b, "ask", "0.27", 2);
    await s.client.createOrder({
      ticker: b,
      side: "bid",
      count: contracts(2),
      price: usd("0.27"),
      timeInForce: "immediate_or_cancel",
      clientOrderId: "elsewhere-1",
    });

    const to = s.sim.engine.now();
    const rows = await s.services.history.between(0, to);
    const res = await s.services.exporter.exportCsv(0, to);
    expect(res.rows).toBe(rows.length);
    expect(res.files).toHaveLength(1);
    const text = await readFile(res.files[0]!, "utf8");
    const parsed = parse(text, { bom: true, columns: true }) as Record<string, string>[];
    // market_title names the strike too (issue 16): "<question without ?> — <yes sub-title>".
    const title = async (t: string) => {
      const m = await s.client.getMarket(t);
      return m.yesSubTitle ? `${m.title.replace(/\?$/, "")} — ${m.yesSubTitle}` : m.title;
    };
    // Plain decimals: at least 2 places, more only when the amount has them (0.055, 0.262).
    const fmt = (m: number) => (m / 1e6).toFixed(6).replace(/(\.\d\d\d*?)0+$/, "$1");
    const expected = await Promise.all(
      rows.map(async (r) => ({
        ticker: r.ticker,
        market_title: await title(r.ticker),
        outcome: r.outcome.toUpperCase(),
        action: r.action,
        count: String(r.count / 100),
        price: fmt(r.price),
        cost: fmt(r.cost),
        fee: fmt(r.fee),
        realized_pnl: r.realizedPnl === null ? "" : fmt(r.realizedPnl),
        order_id: r.orderId,
        fill_id: r.fillId,
        liquidity: r.isTaker ? "taker" : "maker",
        source: r.source,
        payout: "", // only settlement rows have a payout
        environment: "sim",
        time_zone: "America/New_York",
      })),
    );
    expect(parsed.map((p) => ({ ...p, time: undefined }))).toEqual(
      expected.map((e) => ({ ...e, time: undefined })),
    );
    for (const [i, p] of parsed.entries()) expect(Date.parse(p.time!)).toBe(rows[i]!.time);
    expect(parsed.filter((p) => p.source === "elsewhere")).toHaveLength(1);
    expect(parsed.some((p) => /^0\.0\d\d$/.test(p.price!))).toBe(true); // a deci-cent price kept its digit
  });
});

/** New services over the same client and journal directory, as after a bot restart. */
function restartServices(s: SimStack) {
  return createTradingServices({
    exchange: s.client,
    config: CONFIG,
    environment: "sim",
    timeZone: "America/New_York",
    logDir: s.logDir,
    dataDir: s.dataDir,
    now: () => s.sim.engine.now(),
  });
}

describe("a buy against a position in the other outcome, on the sim", () => {
  it("holding 10 NO with $2.00, buying 10 YES sells the NO: quoted (not refused), and the balance after matches to the cent", async () => {
    const s = await stack();
    const t = await findTicker(s.client, "KXFED-", "-T3.75");
    const { executor } = s.services;
    const bought = await trade(s, market(t, "no", "buy", 10));
    expect(bought.filledCount).toBe(contracts(10));
    expect(await positionOf(s, t)).toBe(contracts(-10));
    // The reviewer's repro: a $2.00 balance.
    s.sim.engine.user.balance = usd("2.00");

    // A market buy of 10 YES used to be refused ("would cost $… including fees, but your balance is $2.00").
    const mq = await executor.quote(market(t, "yes", "buy", 10));
    expect(mq.closes).toEqual({
      outcome: "no",
      count: contracts(10),
      estimatedProceeds: handValue(micros(ONE_DOLLAR - mq.price), contracts(10), "floor"),
    });
    expect(mq.estimatedCost).toBe(0);
    expect(mq.maxPayout).toBe(mq.closes!.estimatedProceeds);
    expect(mq.balanceAfter).toBe(usd("2.00") + mq.closes!.estimatedProceeds - mq.estimatedFee);

    // Someone offers exactly 10 YES at 0.44 (inside 0.43/0.45): a limit buy at 0.44 fills all 10 there,
    // so the estimate is exact. By hand: proceeds 10 × (1 − 0.44) = $5.60, taker fee
    // 0.07 × 10 × 0.44 × 0.56 = 0.17248 → $0.18, balance after 2.00 + 5.60 − 0.18 = $7.42.
    rest(s, t, "ask", "0.44", 10);
    const q = await executor.quote(limit(t, "yes", "buy", 10, "0.44"));
    expect(q.wire).toMatchObject({ side: "bid", yesPrice: usd("0.44"), reduceOnly: false });
    expect(q.closes).toEqual({ outcome: "no", count: contracts(10), estimatedProceeds: usd("5.60") });
    expect(q.estimatedFee).toBe(usd("0.18"));
    expect(q.maxLoss).toBe(usd("0.18"));
    expect(q.balanceAfter).toBe(usd("7.42"));
    const out = await executor.place(q);
    if (out.kind !== "placed") throw new Error(`expected placed, got ${out.kind}`);
    expect(out.result).toMatchObject({
      status: "executed",
      filledCount: contracts(10),
      averagePrice: usd("0.44"),
      fees: usd("0.18"),
      closed: { outcome: "no", count: contracts(10) },
    });
    expect((await s.client.getBalance()).balance).toBe(q.balanceAfter);
    expect(await positionOf(s, t)).toBe(0);
  });

  it("holding 6 NO, buying 10 YES sells the 6 NO and buys 4 YES; the balance after matches to the cent", async () => {
    const s = await stack();
    const t = await findTicker(s.client, "KXFED-", "-T3.75");
    await trade(s, market(t, "no", "buy", 6));
    const before = (await s.client.getBalance()).balance;
    rest(s, t, "ask", "0.44", 10);
    const q = await s.services.executor.quote(limit(t, "yes", "buy", 10, "0.44"));
    // By hand: closes 6 NO for 6 × 0.56 = $3.36; opens 4 YES for 4 × 0.44 = $1.76; fee $0.18 on all 10.
    expect(q.closes).toEqual({ outcome: "no", count: contracts(6), estimatedProceeds: usd("3.36") });
    expect(q.estimatedCost).toBe(usd("1.76"));
    expect(q.maxLoss).toBe(usd("1.94"));
    expect(q.maxPayout).toBe(usd("7.36")); // 4 × $1 + 3.36
    expect(q.balanceAfter).toBe(before - usd("1.76") + usd("3.36") - usd("0.18"));
    const out = await s.services.executor.place(q);
    if (out.kind !== "placed") throw new Error(`expected placed, got ${out.kind}`);
    expect(out.result).toMatchObject({
      filledCount: contracts(10),
      fees: usd("0.18"),
      closed: { outcome: "no", count: contracts(6) },
    });
    expect((await s.client.getBalance()).balance).toBe(q.balanceAfter);
    expect(await positionOf(s, t)).toBe(contracts(4));
  });
});

describe("HTTP requests per quote against the sim", () => {
  it("a quote reads only what its intent needs; the market card's reads are reused by the quote after it", async () => {
    const s = await stack({ countRequests: true });
    const t = await findTicker(s.client, "KXFED-", "-T3.75"); // book 0.43 / 0.45
    const { executor, markets } = s.services;
    const sent = async (f: () => Promise<unknown>) => {
      s.requests.length = 0;
      await f();
      return [...s.requests].sort();
    };
    const event = (await s.client.getMarkets({ tickers: [t] }))[0]!.eventTicker;

    // First quote in an event: the series fee schedule once (event → series).
    expect(await sent(() => executor.quote(limit(t, "yes", "buy", 5, "0.40")))).toEqual(
      [
        `GET /events/${event}`,
        "GET /markets",
        "GET /portfolio/balance",
        "GET /portfolio/positions",
        "GET /series/KXFED",
      ].sort(),
    );
    // Limit buy: market + position + balance (no order book). The position tells whether the buy
    // closes the other outcome first.
    expect(await sent(() => executor.quote(limit(t, "yes", "buy", 5, "0.40")))).toEqual([
      "GET /markets",
      "GET /portfolio/balance",
      "GET /portfolio/positions",
    ]);
    // Market buy: the book too.
    expect(await sent(() => executor.quote(market(t, "yes", "buy", 5)))).toEqual([
      "GET /markets",
      `GET /markets/${t}/orderbook`,
      "GET /portfolio/balance",
      "GET /portfolio/positions",
    ]);
    // The bot's /buy: market card, then the quote: 4 requests (before the card hand-over: 5).
    for (const i of [limit(t, "yes", "buy", 5, "0.40"), market(t, "no", "buy", 5)]) {
      expect(
        await sent(async () => {
          await markets.info(t);
          await executor.quote(i);
        }),
      ).toEqual([
        "GET /markets",
        `GET /markets/${t}/orderbook`,
        "GET /portfolio/balance",
        "GET /portfolio/positions",
      ]);
    }

    // A crossing limit buy is estimated as taker from the market snapshot, and the estimate is the fee
    // the exchange then charges; placing it costs the create and one order read (the exact fee).
    rest(s, t, "ask", "0.44", 10);
    const q = await executor.quote(limit(t, "yes", "buy", 10, "0.44"));
    expect(q.estimatedFee).toBe(usd("0.18")); // 0.07 × 10 × 0.44 × 0.56 = 0.17248 → $0.18
    let r: PlaceResult | undefined;
    expect(
      await sent(async () => {
        const out = await executor.place(q);
        if (out.kind === "placed") r = out.result;
      }),
    ).toEqual(["GET /portfolio/orders/" + r?.orderId, "POST /portfolio/events/orders"].sort());
    expect(r).toMatchObject({ status: "executed", fees: q.estimatedFee });

    // A sell: positions too (the book only for a market sell).
    expect(await sent(() => executor.quote(limit(t, "yes", "sell", 4, "0.44")))).toEqual(
      ["GET /markets", "GET /portfolio/balance", "GET /portfolio/positions"].sort(),
    );
  });
});

describe("sells against the strict sim (reduce_only only with IOC)", () => {
  it("a resting sell goes without reduce_only and rests; two market sells of one position: the second is told the holding was gone", async () => {
    const s = await stack();
    const t = await findTicker(s.client, "KXHIGHNY-", "-B43");
    await trade(s, market(t, "yes", "buy", 10));
    const held = await positionOf(s, t);
    expect(held).toBeGreaterThan(0);
    const n = held / 100;

    // A resting sell far above the book: accepted by the strict sim (no reduce_only), rests in full.
    const resting = await trade(s, limit(t, "yes", "sell", n, "0.95"));
    expect(resting).toMatchObject({ status: "resting", restingCount: held });
    await s.services.executor.cancel(resting.orderId);

    // Two users quote a market sell of the whole position; both confirm.
    const q1 = await s.services.executor.quote(market(t, "yes", "sell", n));
    const q2 = await s.services.executor.quote(market(t, "yes", "sell", n));
    const o1 = await s.services.executor.place(q1);
    expect(o1).toMatchObject({ kind: "placed", result: { filledCount: held } });
    const o2 = await s.services.executor.place(q2);
    expect(o2).toMatchObject({
      kind: "placed",
      result: { filledCount: 0, unfilled: { reason: "no_position", held: 0 } },
    });
    expect(await positionOf(s, t)).toBe(0);
  });
});
