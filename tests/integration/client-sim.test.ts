/**
 * The project's own KalshiClient against the sim over real HTTP on 127.0.0.1.
 *
 * Every answer the client reads goes through its zod schemas, so each test here also proves that
 * the sim and the client agree on the wire format. Money is checked to the micro-dollar against
 * amounts worked out by hand in the test (price × count, the 0.07·C·P·(1−P) taker fee).
 */
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import type { KalshiClient } from "../../src/exchange/kalshi/client.js";
import { loadPrivateKey } from "../../src/exchange/kalshi/signer.js";
import { EndpointCostTable } from "../../src/exchange/kalshi/rateLimiter.js";
import {
  KalshiApiError,
  KalshiNetworkError,
  describeExchangeError,
  isOutcomeUnknown,
} from "../../src/exchange/errors.js";
import type { CreateOrderRequest, Market, TimeInForce } from "../../src/exchange/port.js";
import { startSim, type SimOptions, type SimServer } from "../../src/sim/server.js";
import { formatDollars, type Centis, type Micros } from "../../src/domain/money.js";
import {
  captureLogger,
  control,
  notional,
  simClient,
  takerBuyDebitByHand,
  takerFeeByHand,
} from "./helpers.js";

const ONE = 1_000_000;
const c = (contracts: number): Centis => (contracts * 100) as Centis;

let sims: SimServer[] = [];
let clients: KalshiClient[] = [];

afterEach(async () => {
  await Promise.allSettled(clients.map((x) => x.close()));
  await Promise.allSettled(sims.map((s) => s.close()));
  clients = [];
  sims = [];
});

async function sim(opts: SimOptions = {}): Promise<SimServer> {
  const s = await startSim({ livingMarket: false, rateLimit: false, seed: 11, ...opts });
  sims.push(s);
  return s;
}

async function client(s: SimServer, over: Parameters<typeof simClient>[1] = {}): Promise<KalshiClient> {
  const k = await simClient(s, over);
  clients.push(k);
  return k;
}

interface Quote {
  ticker: string;
  bid: Micros;
  bidSize: Centis;
  ask: Micros;
  askSize: Centis;
}

/** The top of the book as the client reads it (YES ask = $1 − best NO bid). */
async function quote(k: KalshiClient, ticker: string): Promise<Quote> {
  const ob = await k.getOrderbook(ticker);
  const b = ob.yesBids[0];
  const n = ob.noBids[0];
  if (!b || !n) throw new Error(`${ticker} has an empty side`);
  return {
    ticker,
    bid: b.price,
    bidSize: b.count,
    ask: (ONE - n.price) as Micros,
    askSize: n.count,
  };
}

/**
 * Open KXHIGHNY markets (plain quadratic fees: takers pay, makers do not) with a two-sided book
 * in the middle of the range, one per event unless `sameEvent`.
 */
async function markets(k: KalshiClient, n: number): Promise<Quote[]> {
  const ms: Market[] = await k.getMarkets({ seriesTicker: "KXHIGHNY", status: "open" });
  const out: Quote[] = [];
  for (const m of ms) {
    const q = await quote(k, m.ticker).catch(() => null);
    if (!q || q.bid < 100_000 || q.ask > 900_000 || q.askSize < c(4) || q.bidSize < c(4)) continue;
    out.push(q);
    if (out.length === n) return out;
  }
  throw new Error("not enough suitable markets in the fixture");
}

function order(
  ticker: string,
  side: "bid" | "ask",
  price: Micros,
  count: Centis,
  tif: TimeInForce,
  clientOrderId = randomUUID(),
): CreateOrderRequest {
  return { ticker, side, price, count, timeInForce: tif, clientOrderId };
}

async function balance(k: KalshiClient): Promise<number> {
  return (await k.getBalance()).balance;
}

describe("KalshiClient against the sim: trading and money", () => {
  it("buys and sells YES; balance, fills and positions match the hand-computed amounts", async () => {
    const s = await sim();
    const k = await client(s);
    const [q] = await markets(k, 1);
    const start = await balance(k);
    expect(start).toBe(1000 * ONE);

    // Buy 3 YES at the ask (taker).
    const buy = await k.createOrder(order(q!.ticker, "bid", q!.ask, c(3), "immediate_or_cancel"));
    expect(buy.fillCount).toBe(c(3));
    expect(buy.remainingCount).toBe(0);
    expect(buy.averageFillPrice).toBe(q!.ask);
    const buyFee = takerFeeByHand(q!.ask, c(3));
    expect(buyFee).toBeGreaterThan(0);
    const afterBuy = start - notional(q!.ask, c(3)) - buyFee;
    expect(await balance(k)).toBe(afterBuy);
    const [buyFill, ...moreBuyFills] = await k.getFills({ orderId: buy.orderId });
    expect(moreBuyFills).toHaveLength(0);
    expect(buyFill).toMatchObject({
      ticker: q!.ticker,
      outcomeSide: "yes",
      bookSide: "bid",
      count: c(3),
      yesPrice: q!.ask,
      noPrice: ONE - q!.ask,
      isTaker: true,
      fee: buyFee,
    });
    let [pos] = await k.getPositions();
    expect(pos).toMatchObject({
      ticker: q!.ticker,
      position: c(3),
      marketExposure: notional(q!.ask, c(3)),
      feesPaid: buyFee,
      realizedPnl: 0,
    });

    // Sell the 3 YES at the bid (taker): proceeds minus fee; the position closes.
    const sell = await k.createOrder(order(q!.ticker, "ask", q!.bid, c(3), "immediate_or_cancel"));
    expect(sell.fillCount).toBe(c(3));
    const sellFee = takerFeeByHand(q!.bid, c(3));
    const afterSell = afterBuy + notional(q!.bid, c(3)) - sellFee;
    expect(await balance(k)).toBe(afterSell);
    expect(await k.getPositions()).toEqual([]); // open positions only
    [pos] = await k.getPositions({ all: true });
    expect(pos).toMatchObject({
      position: 0,
      marketExposure: 0,
      realizedPnl: notional(q!.bid, c(3)) - notional(q!.ask, c(3)),
      feesPaid: buyFee + sellFee,
    });
    // Money conserved: what left the account is exactly the spread paid plus both fees.
    expect(start - afterSell).toBe(notional((q!.ask - q!.bid) as Micros, c(3)) + buyFee + sellFee);
    const orders = await k.getOrders({ ticker: q!.ticker });
    expect(orders.map((o) => o.status)).toEqual(["executed", "executed"]);
    expect(s.engine.moneyDiscrepancy()).toBe(0);
  });

  it("partial fill: the remainder rests with its cost reserved; a sim trade fills more; cancel frees the rest", async () => {
    const s = await sim();
    const k = await client(s);
    const [q] = await markets(k, 1);
    const start = await balance(k);
    const want = (q!.askSize + c(5)) as Centis;

    const r = await k.createOrder(order(q!.ticker, "bid", q!.ask, want, "good_till_canceled"));
    expect(r.fillCount).toBe(q!.askSize);
    expect(r.remainingCount).toBe(c(5));
    const fee = takerFeeByHand(q!.ask, q!.askSize);
    // Filled part paid in full; the resting 5 are reserved at the limit price (no maker fee here).
    let expected = start - notional(q!.ask, q!.askSize) - fee - notional(q!.ask, c(5));
    expect(await balance(k)).toBe(expected);
    let o = await k.getOrder(r.orderId);
    expect(o).toMatchObject({ status: "resting", fillCount: q!.askSize, remainingCount: c(5) });
    expect((await quote(k, q!.ticker)).bid).toBe(q!.ask); // our order is now the best bid

    // Someone sells 2 into our resting bid: we are the maker; reserved cash becomes the position.
    await control(s, "/trade", { ticker: q!.ticker, side: "ask", price: formatDollars(q!.ask), count: "2" });
    expect(await balance(k)).toBe(expected);
    const fills = await k.getFills({ orderId: r.orderId });
    expect(fills).toHaveLength(2);
    const maker = fills.find((f) => !f.isTaker);
    expect(maker).toMatchObject({ count: c(2), yesPrice: q!.ask, fee: 0 });
    o = await k.getOrder(r.orderId);
    expect(o).toMatchObject({ status: "resting", remainingCount: c(3) });

    // Cancel: the last 3 contracts' reservation comes back.
    const cx = await k.cancelOrder(r.orderId, q!.ticker);
    expect(cx).toMatchObject({ orderId: r.orderId, reducedBy: c(3) });
    expected = start - notional(q!.ask, (q!.askSize + c(2)) as Centis) - fee;
    expect(await balance(k)).toBe(expected);
    expect((await k.getOrder(r.orderId)).status).toBe("canceled");
    const [pos] = await k.getPositions({ ticker: q!.ticker });
    expect(pos?.position).toBe(q!.askSize + c(2));
    // Cancelling again is refused as not found (nothing is resting any more).
    await expect(k.cancelOrder(r.orderId, q!.ticker)).rejects.toMatchObject({ status: 404 });
    expect(s.engine.moneyDiscrepancy()).toBe(0);
  });

  it("IOC fills what is there and cancels the remainder; nothing rests, nothing stays reserved", async () => {
    const s = await sim();
    const k = await client(s);
    const [q] = await markets(k, 1);
    const start = await balance(k);
    const r = await k.createOrder(
      order(q!.ticker, "bid", q!.ask, (q!.askSize + c(7)) as Centis, "immediate_or_cancel"),
    );
    expect(r.fillCount).toBe(q!.askSize);
    expect(r.remainingCount).toBe(0);
    const o = await k.getOrder(r.orderId);
    expect(o).toMatchObject({ status: "canceled", fillCount: q!.askSize, remainingCount: 0 });
    expect(await k.getOrders({ status: "resting" })).toEqual([]);
    expect(await balance(k)).toBe(start - notional(q!.ask, q!.askSize) - takerFeeByHand(q!.ask, q!.askSize));
    expect(s.engine.moneyDiscrepancy()).toBe(0);
  });

  it("FOK is all or nothing: too large is killed with no fill and no charge; small enough fills whole", async () => {
    const s = await sim();
    const k = await client(s);
    const [q] = await markets(k, 1);
    const start = await balance(k);

    const killed = await k.createOrder(
      order(q!.ticker, "bid", q!.ask, (q!.askSize + c(1)) as Centis, "fill_or_kill"),
    );
    expect(killed.fillCount).toBe(0);
    expect(killed.remainingCount).toBe(0);
    expect((await k.getOrder(killed.orderId)).status).toBe("canceled");
    expect(await k.getFills()).toEqual([]);
    expect(await balance(k)).toBe(start);
    expect((await quote(k, q!.ticker)).askSize).toBe(q!.askSize); // the book is untouched

    const filled = await k.createOrder(order(q!.ticker, "bid", q!.ask, q!.askSize, "fill_or_kill"));
    expect(filled.fillCount).toBe(q!.askSize);
    expect((await k.getOrder(filled.orderId)).status).toBe("executed");
    expect(await balance(k)).toBe(start - notional(q!.ask, q!.askSize) - takerFeeByHand(q!.ask, q!.askSize));
    expect(s.engine.moneyDiscrepancy()).toBe(0);
  });

  it("settlement (sim control): winners get $1 a contract, losers nothing; money conserved", async () => {
    const s = await sim();
    const k = await client(s);
    const [a, b] = await markets(k, 2); // two brackets of one event: at most one may settle YES
    const start = await balance(k);

    // 4 YES on market A; 2 NO on market B (an ask at B's bid sells YES we do not hold = buys NO).
    await k.createOrder(order(a!.ticker, "bid", a!.ask, c(4), "immediate_or_cancel"));
    await k.createOrder(order(b!.ticker, "ask", b!.bid, c(2), "immediate_or_cancel"));
    const feeA = takerFeeByHand(a!.ask, c(4));
    const feeB = takerFeeByHand(b!.bid, c(2));
    const costA = notional(a!.ask, c(4));
    const costB = notional((ONE - b!.bid) as Micros, c(2));
    const afterTrades = start - costA - feeA - costB - feeB;
    expect(await balance(k)).toBe(afterTrades);
    const positions = await k.getPositions();
    expect(new Map(positions.map((p) => [p.ticker, p.position]))).toEqual(
      new Map([
        [a!.ticker, c(4)],
        [b!.ticker, -c(2)],
      ]),
    );

    // Both settle NO: the YES holder of A loses its stake, the NO holder of B is paid $2.
    await control(s, "/settle", { ticker: a!.ticker, result: "no" });
    expect(await balance(k)).toBe(afterTrades);
    await control(s, "/settle", { ticker: b!.ticker, result: "no" });
    expect(await balance(k)).toBe(afterTrades + 2 * ONE);
    expect(await k.getPositions()).toEqual([]);

    const settlements = await k.getSettlements();
    expect(settlements).toHaveLength(2);
    expect(settlements.find((x) => x.ticker === a!.ticker)).toMatchObject({
      marketResult: "no",
      yesCount: c(4),
      noCount: 0,
      yesTotalCost: costA,
      revenue: 0,
      fee: feeA,
    });
    expect(settlements.find((x) => x.ticker === b!.ticker)).toMatchObject({
      marketResult: "no",
      yesCount: 0,
      noCount: c(2),
      noTotalCost: costB,
      revenue: 2 * ONE,
      fee: feeB,
    });
    const [pa] = await k.getPositions({ ticker: a!.ticker, all: true });
    expect(pa).toMatchObject({ position: 0, realizedPnl: -costA, feesPaid: feeA });
    expect(await k.getMarket(a!.ticker)).toMatchObject({ status: "finalized", result: "no" });

    // Trading a settled market is refused with the plain sentence about a closed market.
    const err = await k
      .createOrder(order(a!.ticker, "bid", a!.ask, c(1), "good_till_canceled"))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KalshiApiError);
    expect(describeExchangeError(err, "sim")).toMatch(/not open for trading/);
    expect(await balance(k)).toBe(start - costA - costB - feeA - feeB + 2 * ONE);
    expect(s.engine.moneyDiscrepancy()).toBe(0);
  });

  it("settling YES pays the YES holder $1 a contract", async () => {
    const s = await sim();
    const k = await client(s);
    const [q] = await markets(k, 1);
    const start = await balance(k);
    await k.createOrder(order(q!.ticker, "bid", q!.ask, c(3), "immediate_or_cancel"));
    await control(s, "/settle", { ticker: q!.ticker, result: "yes" });
    expect(await balance(k)).toBe(start - notional(q!.ask, c(3)) - takerFeeByHand(q!.ask, c(3)) + 3 * ONE);
    const [st] = await k.getSettlements({ ticker: q!.ticker });
    expect(st).toMatchObject({ marketResult: "yes", yesCount: c(3), revenue: 3 * ONE });
  });

  it("fractional contracts and 0.1¢ prices: accepted where the market allows, refused where not", async () => {
    const s = await sim();
    const k = await client(s);
    const [q] = await markets(k, 1);
    const start = await balance(k);
    // 2.5 contracts at the ask of a 1¢ market.
    const r = await k.createOrder(order(q!.ticker, "bid", q!.ask, 250 as Centis, "immediate_or_cancel"));
    expect(r.fillCount).toBe(250);
    // $0.005 of the cost is below a cent: the balance moves in whole cents (the rest is a rounding fee).
    let expected = start - takerBuyDebitByHand(q!.ask, 250 as Centis);
    expect(await balance(k)).toBe(expected);
    expect((await k.getPositions())[0]?.position).toBe(250);

    // A 0.1¢ step is refused in a linear_cent market, with the sentence about the price step.
    const err = await k
      .createOrder(order(q!.ticker, "bid", (q!.bid - 5_000) as Micros, c(1), "good_till_canceled"))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 400, code: "invalid_price" });
    expect(describeExchangeError(err)).toMatch(/not a valid price step/);

    // ...and accepted below $0.10 in a tapered_deci_cent market: $0.0150 × 3 rests, reserving $0.045.
    const tapered = (await k.getMarkets({ status: "open" })).find(
      (m) => m.priceLevelStructure === "tapered_deci_cent" && m.yesAsk !== null && m.yesAsk > 20_000,
    );
    expect(tapered).toBeDefined();
    const low = await k.createOrder(
      order(tapered!.ticker, "bid", 15_000 as Micros, c(3), "good_till_canceled"),
    );
    expect(low.remainingCount).toBe(c(3));
    const o = await k.getOrder(low.orderId);
    expect(o).toMatchObject({ yesPrice: 15_000, noPrice: 985_000, status: "resting" });
    expected -= 45_000;
    expect(await balance(k)).toBe(expected);
    await k.cancelOrder(low.orderId, tapered!.ticker);
    expect(await balance(k)).toBe(expected + 45_000);
    expect(s.engine.moneyDiscrepancy()).toBe(0);
  });

  it.each(["existing", "conflict"] as const)(
    "lenient sim: a repeated client_order_id creates one order and charges once (sim answers duplicates: %s)",
    async (dup) => {
      const s = await sim({ clientOrderIds: "lenient", duplicateClientOrderId: dup });
      const k = await client(s);
      const [q] = await markets(k, 1);
      const start = await balance(k);
      const req = order(q!.ticker, "bid", q!.ask, c(2), "immediate_or_cancel");
      const first = await k.createOrder(req);
      const second = await k.createOrder(req);
      expect(second.orderId).toBe(first.orderId);
      expect(second.fillCount).toBe(c(2));
      const mine = (await k.getOrders()).filter((o) => o.clientOrderId === req.clientOrderId);
      expect(mine).toHaveLength(1);
      expect(await k.getFills()).toHaveLength(1);
      expect(await balance(k)).toBe(start - notional(q!.ask, c(2)) - takerFeeByHand(q!.ask, c(2)));
    },
  );

  it("strict sim: repeating the create of a RESTING order is refused (409) and answered with that order", async () => {
    const s = await sim();
    const k = await client(s);
    const [q] = await markets(k, 1);
    const req = order(q!.ticker, "bid", (q!.bid - 20_000) as Micros, c(2), "good_till_canceled");
    const first = await k.createOrder(req);
    const second = await k.createOrder(req);
    expect(second.orderId).toBe(first.orderId);
    expect((await k.getOrders()).filter((o) => o.clientOrderId === req.clientOrderId)).toHaveLength(1);
  });
});

describe("KalshiClient against the sim: authentication", () => {
  it("a key the exchange does not know → 401, not retried, and the sentence about key, environment and clock", async () => {
    const s = await sim();
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const otherPem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const { logger, attempts } = captureLogger();
    const k = await client(s, { privateKey: loadPrivateKey(otherPem), logger });
    const err = await k.getBalance().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KalshiApiError);
    expect((err as KalshiApiError).status).toBe(401);
    expect((err as KalshiApiError).details).toMatch(/INCORRECT_API_KEY_SIGNATURE/);
    expect(attempts.filter((a) => a.path === "/portfolio/balance")).toHaveLength(1);
    const text = describeExchangeError(err, "sim");
    expect(text).toMatch(/KALSHI_API_KEY/);
    expect(text).toMatch(/private key file/);
    expect(text).toMatch(/belongs to the simulator/);
    expect(text).toMatch(/clock/);
    for (const t of [text, (err as Error).message, JSON.stringify(err)]) {
      expect(t).not.toContain(s.keyId);
      expect(t).not.toContain("PRIVATE KEY");
    }
  });

  it("a clock 5 minutes off → 401 naming the clock (from the Date header); the same client with the right clock works", async () => {
    const s = await sim();
    const stale = await client(s, { now: () => Date.now() - 5 * 60_000 });
    const err = await stale.getPositions().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KalshiApiError);
    expect((err as KalshiApiError).status).toBe(401);
    expect((err as KalshiApiError).details).toMatch(/TIMESTAMP_OUT_OF_RANGE/);
    expect(describeExchangeError(err, "demo")).toMatch(
      /this machine's clock is 5 min behind; Kalshi rejects signatures/,
    );
    const good = await client(s);
    expect(await good.getPositions()).toEqual([]);
  });
});

describe("KalshiClient against the sim: rate limits", () => {
  it("with its own limiter off, a burst draws 429s from the sim and the retries get every request through", async () => {
    // Basic tier: 20 reads/s, 10 writes/s. Its clock stands still until the burst has drawn a 429 of
    // each kind (on a loaded machine a slow burst would otherwise refill as it goes and draw none), then
    // runs in real time so the retries get through.
    const { logger, attempts } = captureLogger();
    const drew429 = (path: string) => attempts.some((a) => a.status === 429 && a.path === path);
    let startedAt: number | null = null;
    const clock = () => {
      if (startedAt === null && drew429("/portfolio/balance") && drew429("/portfolio/events/orders"))
        startedAt = performance.now();
      return startedAt === null ? 0 : performance.now() - startedAt;
    };
    const s = await sim({ rateLimit: { read: 200, write: 100, clock } });
    const k = await client(s, { logger, retry: { baseDelayMs: 100, maxDelayMs: 2000 } });
    const [q] = await markets(k, 1);
    const start = await balance(k);
    const below = (q!.bid - 10_000 * 5) as Micros; // rests, never crosses
    const ids = Array.from({ length: 15 }, () => randomUUID());
    const reads = Array.from({ length: 30 }, () => k.getBalance());
    const writes = ids.map((id) =>
      k.createOrder(order(q!.ticker, "bid", below, c(1), "good_till_canceled", id)),
    );
    const [rs, ws] = await Promise.all([Promise.all(reads), Promise.all(writes)]);
    expect(rs).toHaveLength(30);
    expect(new Set(ws.map((w) => w.orderId)).size).toBe(15);
    const too = attempts.filter((a) => a.status === 429);
    expect(too.some((a) => a.path === "/portfolio/balance")).toBe(true);
    expect(too.some((a) => a.path === "/portfolio/events/orders")).toBe(true);
    // Retried creates reuse their client_order_id: exactly 15 orders rest, each with its own id.
    const resting = await k.getOrders({ status: "resting" });
    expect(resting.map((o) => o.clientOrderId).sort()).toEqual([...ids].sort());
    expect(await balance(k)).toBe(start - 15 * notional(below, c(1)));
  });

  it("with its limiter sized from /account/limits, the same kind of burst draws no 429 at all", async () => {
    const s = await sim({ rateLimit: true });
    const { logger, attempts } = captureLogger();
    const k = await client(s, { logger, rateLimit: "auto" });
    const t0 = Date.now();
    const rs = await Promise.all(Array.from({ length: 25 }, () => k.getBalance()));
    expect(rs).toHaveLength(25);
    expect(attempts.filter((a) => a.status === 429)).toEqual([]);
    expect(attempts.some((a) => a.path === "/account/limits" && a.status === 200)).toBe(true);
    // 20 reads fit the 1 s bucket; the rest waited for it rather than being refused.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
  });
});

describe("KalshiClient against the sim: faults", () => {
  it("a 500 on a read is retried and succeeds", async () => {
    const s = await sim();
    const { logger, attempts } = captureLogger();
    const k = await client(s, { logger });
    s.addFault({ path: "/portfolio/balance", kind: "500", count: 2 });
    expect(await balance(k)).toBe(1000 * ONE);
    expect(attempts.map((a) => a.status)).toEqual([500, 500, 200]);
  });

  it("500s beyond the retries → KalshiApiError 500 and a plain sentence", async () => {
    const s = await sim();
    const { logger, attempts } = captureLogger();
    const k = await client(s, { logger });
    await control(s, "/faults", { path: "/trade-api/v2/portfolio/positions", kind: "500", count: 10 });
    const err = await k.getPositions().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KalshiApiError);
    expect(err).toMatchObject({ status: 500, outcomeUnknown: false });
    expect(attempts).toHaveLength(4); // 1 + 3 retries
    expect(describeExchangeError(err)).toBe(
      "Kalshi had an internal problem (HTTP 500); nothing was changed, try again in a minute.",
    );
  });

  it("429s beyond the retries → KalshiApiError 429 and the rate-limit sentence", async () => {
    const s = await sim();
    const { logger, attempts } = captureLogger();
    const k = await client(s, { logger });
    s.addFault({ path: "/portfolio/balance", kind: "429", count: 6 });
    const err = await k.getBalance().catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 429, outcomeUnknown: false });
    expect(attempts).toHaveLength(6); // 1 + 5 retries
    expect(describeExchangeError(err)).toBe("Kalshi is rate-limiting requests; try again in a few seconds.");
  });

  it("a create that hangs once times out, is sent again with the same client_order_id, and lands once", async () => {
    const s = await sim();
    const k = await client(s, { timeoutMs: 200 });
    const [q] = await markets(k, 1);
    s.addFault({ path: "/portfolio/events/orders", method: "POST", kind: "hang", count: 1 });
    const req = order(q!.ticker, "bid", q!.ask, c(1), "immediate_or_cancel");
    const r = await k.createOrder(req);
    expect(r.fillCount).toBe(c(1));
    const all = await k.getOrders();
    expect(all.map((o) => [o.orderId, o.clientOrderId])).toEqual([[r.orderId, req.clientOrderId]]);
  });

  it("a hanging server → timeout error after the retries (short timeoutMs)", async () => {
    const s = await sim();
    const k = await client(s, { timeoutMs: 150 });
    s.addFault({ path: "/portfolio/fills", kind: "hang", count: 4 });
    const t0 = Date.now();
    const err = await k.getFills().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KalshiNetworkError);
    expect(err).toMatchObject({ kind: "timeout", outcomeUnknown: false });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(4 * 150 - 20);
    expect(describeExchangeError(err)).toMatch(/did not answer in time, and nothing was changed/);
    // One hang only: the retry gets through.
    s.addFault({ path: "/portfolio/fills", kind: "hang", count: 1 });
    expect(await k.getFills()).toEqual([]);
  });

  it.each(["existing", "conflict"] as const)(
    "drop_after_accept on createOrder: the retry finds the order; exactly one exists and it is charged once (sim answers duplicates: %s)",
    async (dup) => {
      const s = await sim({ duplicateClientOrderId: dup });
      const k = await client(s);
      const [q] = await markets(k, 1);
      const start = await balance(k);
      s.addFault({ path: "/portfolio/events/orders", method: "POST", kind: "drop_after_accept", count: 1 });
      const req = order(q!.ticker, "bid", q!.ask, c(2), "immediate_or_cancel");
      const r = await k.createOrder(req);
      const mine = (await k.getOrders()).filter((o) => o.clientOrderId === req.clientOrderId);
      expect(mine).toHaveLength(1);
      expect(r.orderId).toBe(mine[0]!.orderId);
      expect(r.fillCount).toBe(c(2));
      expect(await balance(k)).toBe(start - notional(q!.ask, c(2)) - takerFeeByHand(q!.ask, c(2)));
    },
  );

  it.each(["strict", "lenient"] as const)(
    "drop_after_accept on a create: found by client_order_id before anything is re-sent (%s sim)",
    async (policy) => {
      const s = await sim({ clientOrderIds: policy });
      const { logger, attempts } = captureLogger();
      const k = await client(s, { logger });
      const [q] = await markets(k, 1);
      s.addFault({ path: "/portfolio/events/orders", method: "POST", kind: "drop_after_accept", count: 4 });
      const req = order(q!.ticker, "bid", (q!.bid - 20_000) as Micros, c(3), "good_till_canceled");
      const r = await k.createOrder(req);
      expect(attempts.filter((a) => a.method === "POST")).toHaveLength(1);
      expect(attempts.some((a) => a.method === "GET" && a.path.startsWith("/portfolio/orders?"))).toBe(true);
      const all = await k.getOrders();
      expect(all).toHaveLength(1);
      expect(all[0]).toMatchObject({
        orderId: r.orderId,
        clientOrderId: req.clientOrderId,
        status: "resting",
      });
      expect(r.remainingCount).toBe(c(3));
    },
  );

  it("strict sim: a dropped answer of an IOC that filled → exactly one order, one fill set, charged once", async () => {
    const s = await sim();
    const k = await client(s);
    const [q] = await markets(k, 1);
    const start = await balance(k);
    s.addFault({ path: "/portfolio/events/orders", method: "POST", kind: "drop_after_accept", count: 1 });
    const req = order(q!.ticker, "bid", q!.ask, c(2), "immediate_or_cancel");
    const r = await k.createOrder(req);
    expect(r).toMatchObject({ clientOrderId: req.clientOrderId, fillCount: c(2), remainingCount: 0 });
    expect((await k.getOrders()).filter((o) => o.clientOrderId === req.clientOrderId)).toHaveLength(1);
    expect(await k.getFills()).toHaveLength(1);
    expect(await balance(k)).toBe(start - notional(q!.ask, c(2)) - takerFeeByHand(q!.ask, c(2)));
    expect(s.engine.moneyDiscrepancy()).toBe(0);
  });

  it("drop_after_accept on cancel: the retry's 404 is read back and the cancel counts as done", async () => {
    const s = await sim();
    const k = await client(s);
    const [q] = await markets(k, 1);
    const start = await balance(k);
    const r = await k.createOrder(
      order(q!.ticker, "bid", (q!.bid - 30_000) as Micros, c(4), "good_till_canceled"),
    );
    expect(await balance(k)).toBe(start - notional((q!.bid - 30_000) as Micros, c(4)));
    s.addFault({ path: "/portfolio/events/orders/", method: "DELETE", kind: "drop_after_accept", count: 1 });
    const cx = await k.cancelOrder(r.orderId, q!.ticker);
    expect(cx).toMatchObject({ orderId: r.orderId, reducedBy: c(4) });
    expect((await k.getOrder(r.orderId)).status).toBe("canceled");
    expect(await balance(k)).toBe(start);
  });

  it("500 on every create attempt: no order exists and the error says the outcome is not known", async () => {
    const s = await sim();
    const k = await client(s);
    const [q] = await markets(k, 1);
    s.addFault({ path: "/portfolio/events/orders", method: "POST", kind: "500", count: 4 });
    const err = await k
      .createOrder(order(q!.ticker, "bid", q!.ask, c(1), "immediate_or_cancel"))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KalshiApiError);
    expect(isOutcomeUnknown(err)).toBe(true);
    expect(describeExchangeError(err)).toMatch(/not known whether Kalshi acted on it/);
    expect(await k.getOrders()).toEqual([]);
    expect(await balance(k)).toBe(1000 * ONE);
  });
});

/** a / b rounded half-up, by hand (non-negative integers; amounts × 100 over centi-contracts). */
const divHalfUp = (a: number, b: number): number => Math.floor((2 * a + b) / (2 * b));

describe("KalshiClient against the sim: a recovered create reports its averages", () => {
  it.each([
    ["bid", "a 409 on the repeated create"],
    ["ask", "a 409 on the repeated create"],
    ["bid", "every create answer lost"],
    ["ask", "every create answer lost"],
  ] as const)(
    "%s sweeping two price levels, recovered after %s: average YES fill price and fee per contract",
    async (side, how) => {
      const conflict = how.startsWith("a 409");
      // The repeated-create variant needs the lenient sim (the strict one places a finished IOC's
      // id again as a new order); the lost-answer variant runs on the strict default.
      const s = await sim(conflict ? { clientOrderIds: "lenient", duplicateClientOrderId: "conflict" } : {});
      const k = await client(s);
      const [q] = await markets(k, 1);
      const ob = await k.getOrderbook(q!.ticker);
      // The YES prices this order trades at, best first: a bid takes the asks ($1 − NO bids), an
      // ask (selling YES, i.e. buying NO) hits the YES bids.
      const levels =
        side === "bid"
          ? ob.noBids.map((l) => ({ price: (ONE - l.price) as Micros, count: l.count }))
          : ob.yesBids;
      const [l1, l2] = levels;
      const count = (l1!.count + c(1)) as Centis;
      const req = order(q!.ticker, side, l2!.price, count, "immediate_or_cancel");

      const first = conflict ? await k.createOrder(req) : null;
      if (!conflict) {
        s.addFault({ path: "/portfolio/events/orders", method: "POST", kind: "drop_after_accept", count: 4 });
      }
      const r = await k.createOrder(req);

      // By hand from the book: all of level 1 and one contract of level 2, in YES prices.
      const avgYes = divHalfUp((notional(l1!.price, l1!.count) + notional(l2!.price, c(1))) * 100, count);
      const fills = await k.getFills({ orderId: r.orderId });
      expect(new Set(fills.map((f) => f.yesPrice))).toEqual(new Set([l1!.price, l2!.price]));
      const fees = fills.reduce((sum, f) => sum + f.fee, 0);
      expect(fees).toBeGreaterThan(0);
      expect(r).toMatchObject({
        clientOrderId: req.clientOrderId,
        fillCount: count,
        remainingCount: 0,
        averageFillPrice: avgYes,
        averageFeePaid: divHalfUp(fees * 100, count),
      });
      if (first) {
        // The same numbers the fresh create answer carried.
        expect(r.orderId).toBe(first.orderId);
        expect([r.averageFillPrice, r.averageFeePaid]).toEqual([
          first.averageFillPrice,
          first.averageFeePaid,
        ]);
      }
      if (!first) {
        // Strict sim, every answer dropped: the IOC that filled exists exactly once.
        const mine = (await k.getOrders()).filter((o) => o.clientOrderId === req.clientOrderId);
        expect(mine).toHaveLength(1);
      }
      expect(s.engine.moneyDiscrepancy()).toBe(0);
    },
  );
});

describe("KalshiClient against the sim: market data, pagination, history", () => {
  it("getMarkets follows cursors through short pages and batches long ticker lists", async () => {
    const s = await sim({ maxPageSize: 5 });
    const { logger, attempts } = captureLogger();
    const k = await client(s, { logger });
    const all = await k.getMarkets();
    expect(all).toHaveLength(34);
    expect(new Set(all.map((m) => m.ticker)).size).toBe(34);
    expect(attempts.filter((a) => a.path.startsWith("/markets?"))).toHaveLength(7); // 5 × 6 + 4
    expect(await k.getMarkets({ max: 12 })).toHaveLength(12);

    // 34 real tickers hidden among 180 unknown ones: two tickers= requests of ≤ 100, each paged.
    attempts.length = 0;
    const fake = Array.from({ length: 180 }, (_, i) => `NOPE-${i}`);
    const tickers = [...fake.slice(0, 90), ...all.map((m) => m.ticker), ...fake.slice(90)];
    const got = await k.getMarkets({ tickers });
    expect(got.map((m) => m.ticker).sort()).toEqual(all.map((m) => m.ticker).sort());
    const firstPages = attempts.filter((a) => a.path.startsWith("/markets?") && !a.path.includes("cursor="));
    expect(firstPages).toHaveLength(Math.ceil(tickers.length / 100));
    for (const a of firstPages) {
      const sent = new URL(a.path, "http://x").searchParams.get("tickers")!.split(",");
      expect(sent.length).toBeLessThanOrEqual(100);
    }
  });

  it("orders and fills pages are followed to the end", async () => {
    const s = await sim({ maxPageSize: 4 });
    const k = await client(s);
    const [q] = await markets(k, 1);
    for (let i = 0; i < 5; i++)
      await k.createOrder(
        order(q!.ticker, "bid", (q!.bid - 10_000 * (i + 2)) as Micros, c(1), "good_till_canceled"),
      );
    for (let i = 0; i < 4; i++)
      await k.createOrder(order(q!.ticker, "bid", q!.ask, c(1), "immediate_or_cancel"));
    const orders = await k.getOrders();
    expect(orders).toHaveLength(9);
    expect(new Set(orders.map((o) => o.orderId)).size).toBe(9);
    expect(await k.getFills()).toHaveLength(4);
    expect(await k.getOrders({ status: "resting" })).toHaveLength(5);
    const events = await k.getEvents();
    expect(events).toHaveLength(8);
    expect(new Set(events.map((e) => e.eventTicker)).size).toBe(8);
  });

  it("getOrderbooks batches 1–100 tickers a request and matches getOrderbook", async () => {
    const s = await sim();
    const { logger, attempts } = captureLogger();
    const k = await client(s, { logger });
    const open = await k.getMarkets({ status: "open" });
    expect(open.length).toBeGreaterThan(10);
    const fake = Array.from({ length: 130 }, (_, i) => `NONE-${i}`);
    const books = await k.getOrderbooks([...fake, ...open.map((m) => m.ticker), open[0]!.ticker]);
    const obRequests = attempts.filter((a) => a.path.startsWith("/markets/orderbooks?"));
    expect(obRequests).toHaveLength(Math.ceil((130 + open.length) / 100));
    for (const a of obRequests) {
      expect(new URL(a.path, "http://x").searchParams.getAll("tickers").length).toBeLessThanOrEqual(100);
    }
    expect([...books.keys()].sort()).toEqual(open.map((m) => m.ticker).sort());
    for (const m of open.slice(0, 3)) expect(books.get(m.ticker)).toEqual(await k.getOrderbook(m.ticker));
  });

  it("historical cutoff: after 31 days a fill and its order move from /portfolio to /historical", async () => {
    const s = await sim();
    const k = await client(s);
    const [q] = await markets(k, 1);
    const r = await k.createOrder(order(q!.ticker, "bid", q!.ask, c(2), "immediate_or_cancel"));
    const [fill] = await k.getFills();
    expect(fill?.orderId).toBe(r.orderId);
    expect(await k.getHistoricalFills()).toEqual([]);
    const cut0 = await k.getHistoricalCutoff();
    expect(cut0.tradesCreatedTs).toBeLessThan(fill!.createdTime);

    await control(s, "/clock", { advance_ms: 31 * 86_400_000 });
    const cut1 = await k.getHistoricalCutoff();
    expect(cut1.tradesCreatedTs).toBeGreaterThan(fill!.createdTime);
    expect(cut1.ordersUpdatedTs).toBe(cut1.tradesCreatedTs);
    expect(await k.getFills()).toEqual([]);
    expect(await k.getOrders()).toEqual([]);
    const hist = await k.getHistoricalFills({ orderId: r.orderId });
    expect(hist).toEqual([fill]);
    expect(await k.getHistoricalFills({ orderId: "someone-else" })).toEqual([]);
    expect(await k.getHistoricalFills({ minTs: fill!.createdTime, maxTs: fill!.createdTime })).toEqual([
      fill,
    ]);
    expect(await k.getHistoricalFills({ minTs: fill!.createdTime + 1 })).toEqual([]);
    const horders = await k.getHistoricalOrders({ status: "canceled" });
    expect(horders.map((o) => o.orderId)).toEqual([]);
    const exec = await k.getHistoricalOrders({ status: "executed" });
    expect(exec.map((o) => o.orderId)).toEqual([r.orderId]);
  });
});

describe("KalshiClient against the strict sim: routed order writes on shard 1 (crypto)", () => {
  async function cryptoResting(k: KalshiClient, n: number, tag: string) {
    const ms = await k.getMarkets({ seriesTicker: "KXBTCD", status: "open" });
    for (const m of ms) {
      const q = await quote(k, m.ticker).catch(() => null);
      if (!q || q.bid < 30_000) continue;
      const price = (q.bid - 20_000) as Micros;
      const r = await k.createOrder({
        ...order(m.ticker, "bid", price, c(n), "good_till_canceled"),
        clientOrderId: `${tag}-${m.ticker}`,
      });
      return { ticker: m.ticker, price, orderId: r.orderId };
    }
    throw new Error("no crypto market with a bid");
  }

  it("cancel, decrease and amend name the market and reach the order on shard 1", async () => {
    const s = await sim();
    const k = await client(s);
    const a = await cryptoResting(k, 5, "a");
    const dec = await k.decreaseOrder({ orderId: a.orderId, ticker: a.ticker, reduceTo: c(3) });
    expect(dec.remainingCount).toBe(c(3));
    const am = await k.amendOrder({
      orderId: a.orderId,
      ticker: a.ticker,
      side: "bid",
      price: (a.price - 10_000) as Micros,
      count: c(4),
    });
    expect(am.orderId).toBeTruthy();
    expect((await k.getOrder(am.orderId)).remainingCount).toBe(c(4));
    const cx = await k.cancelOrder(am.orderId, a.ticker);
    expect(cx.reducedBy).toBe(c(4));
    expect(s.engine.moneyDiscrepancy()).toBe(0);
  });

  it("batch cancel with market_ticker per item cancels exactly those; cancel-all reaches every shard", async () => {
    const s = await sim();
    const k = await client(s);
    const a = await cryptoResting(k, 2, "b1");
    const [q] = await markets(k, 1);
    const b = await k.createOrder(
      order(q!.ticker, "bid", (q!.bid - 20_000) as Micros, c(2), "good_till_canceled"),
    );
    const keep = await k.createOrder(
      order(q!.ticker, "bid", (q!.bid - 30_000) as Micros, c(1), "good_till_canceled"),
    );
    const res = await k.cancelOrders([
      { orderId: a.orderId, ticker: a.ticker },
      { orderId: b.orderId, ticker: q!.ticker },
    ]);
    expect(res.map((r) => [r.orderId, r.ok])).toEqual([
      [a.orderId, true],
      [b.orderId, true],
    ]);
    expect((await k.getOrders({ status: "resting" })).map((o) => o.orderId)).toEqual([keep.orderId]);
    await cryptoResting(k, 1, "c1");
    await k.cancelAllOrders();
    expect(await k.getOrders({ status: "resting" })).toEqual([]);
  });

  it("reads endpoint costs, the API key's region expiry and cash per shard", async () => {
    const s = await sim();
    const k = await client(s);
    const costs = await k.getEndpointCosts();
    expect(costs.defaultCost).toBe(10);
    const table = new EndpointCostTable(costs);
    expect(table.cost("DELETE /portfolio/events/orders/{order_id}")).toBe(2);
    expect(table.cost("DELETE /portfolio/events/orders/batched", 5)).toBe(10);
    expect(table.cost("POST /portfolio/events/orders/batched", 3)).toBe(30);
    expect(table.cost("POST /portfolio/events/orders")).toBe(10);
    const keys = await k.getApiKeys();
    expect(keys.regionExpiration).toBeGreaterThan(Date.now());
    const bal = await k.getBalance();
    expect(bal.byShard.map((x) => x.exchangeIndex)).toEqual([0, 1]);
    expect(bal.byShard.reduce((sum, x) => sum + x.balance, 0)).toBe(bal.balance);
  });
});
