import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import winston from "winston";
import { contracts } from "../../src/domain/money.js";
import { createTradingServices, loadJournalIndex } from "../../src/trading/index.js";
import { createMarketService } from "../../src/trading/markets.js";
import { UserError } from "../../src/trading/types.js";
import { SimExchange } from "../support/simExchange.js";
import { T0, fakeClock, usd, EXECUTOR_CONFIG } from "./helpers.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function world() {
  const clock = fakeClock();
  const fx = new SimExchange({ now: clock.now });
  fx.addMarket({
    ticker: "KXBTC-26NOV30-T100000",
    title: "Bitcoin price on Nov 30",
    yesSubTitle: "Above $100,000",
    volume24h: contracts(50),
  });
  fx.addMarket({
    ticker: "KXBTC-26NOV30-T90000",
    title: "Bitcoin price on Nov 30",
    yesSubTitle: "Above $90,000",
    volume24h: contracts(900),
  });
  fx.addMarket({
    ticker: "KXETH-26NOV30-T4000",
    title: "Ethereum price on Nov 30",
    yesSubTitle: "Above $4,000",
  });
  fx.addMarket({
    ticker: "KXHIGHNY-26NOV25-B45",
    title: "Highest temperature in NYC on Nov 25?",
    closeTime: T0 + 3_600_000,
  });
  fx.addMarket({ ticker: "KXOLD-26NOV01", title: "Bitcoin old market", status: "finalized", result: "yes" });
  fx.addMarket({ ticker: "KXMVECOMBO-26NOV30-X", title: "Bitcoin price on Nov 30 and more" }); // combos can't be traded
  fx.setBook("KXHIGHNY-26NOV25-B45", { yes: [["0.55", 10]], no: [["0.40", 5]] });
  return { fx, clock, svc: createMarketService({ exchange: fx, now: clock.now }) };
}

describe("market service", () => {
  it("info: prices, spread, close time and rules", async () => {
    const { fx, svc } = world();
    fx.markets.get("KXHIGHNY-26NOV25-B45")!.rulesPrimary = "Resolves YES if the high is 45-46°F.";
    const info = await svc.info(" kxhighny-26nov25-b45 ");
    expect(info.bestYesBid).toBe(usd("0.55"));
    expect(info.bestYesAsk).toBe(usd("0.60"));
    expect(info.spread).toBe(usd("0.05"));
    expect(info.market.closeTime).toBe(T0 + 3_600_000);
    expect(info.market.rulesPrimary).toContain("45-46°F");
    await expect(svc.info("KXNOPE")).rejects.toThrow("There is no market with ticker KXNOPE.");
    fx.setBook("KXHIGHNY-26NOV25-B45", { yes: [["0.55", 10]] });
    expect((await svc.info("KXHIGHNY-26NOV25-B45")).spread).toBeNull();
  });

  it("info: YES and NO prices all come from the one order book read, never mixed with the market snapshot", async () => {
    const { fx, svc } = world();
    const t = "KXHIGHNY-26NOV25-B45";
    // A market snapshot that no longer matches the book (Kalshi's market fields lag the book).
    fx.lagMarket(t, {
      yesBid: usd("0.50"),
      yesAsk: usd("0.52"),
      noBid: usd("0.48"),
      noAsk: usd("0.50"),
    });
    // Book: YES bid 0.55, NO bid 0.40 → YES ask 0.60, NO ask 0.45.
    expect(await svc.info(t)).toMatchObject({
      bestYesBid: usd("0.55"),
      bestYesAsk: usd("0.60"),
      bestNoBid: usd("0.40"),
      bestNoAsk: usd("0.45"),
    });
    // No NO bids in the book: nobody sells YES and nobody buys NO; the snapshot does not fill the gap.
    fx.setBook(t, { yes: [["0.55", 10]] });
    fx.lagMarket(t, { yesAsk: usd("0.52"), noBid: usd("0.48") });
    expect(await svc.info(t)).toMatchObject({
      bestYesBid: usd("0.55"),
      bestYesAsk: null,
      bestNoBid: null,
      bestNoAsk: usd("0.45"),
    });
    // The book cannot be read: all four from the snapshot, which is one reading too.
    fx.lagMarket(t, {
      yesBid: usd("0.50"),
      yesAsk: usd("0.52"),
      noBid: usd("0.48"),
      noAsk: usd("0.50"),
    });
    fx.failNext("getOrderbook", new Error("down"));
    expect(await svc.info(t)).toMatchObject({
      bestYesBid: usd("0.50"),
      bestYesAsk: usd("0.52"),
      bestNoBid: usd("0.48"),
      bestNoAsk: usd("0.50"),
    });
  });

  it("search finds markets through the event index: words, strike words, no combos, no closed markets", async () => {
    const { fx, svc } = world();
    const hits = await svc.search("bitcoin nov");
    expect(hits.map((h) => h.ticker)).toEqual(["KXBTC-26NOV30-T100000", "KXBTC-26NOV30-T90000"]);
    expect((await svc.search("bitcoin 90,000")).map((h) => h.ticker)).toEqual(["KXBTC-26NOV30-T90000"]);
    expect((await svc.search("temperature NYC")).map((h) => h.ticker)).toEqual(["KXHIGHNY-26NOV25-B45"]);
    expect((await svc.search("ethereum bitcoin")).length).toBe(0);
    expect((await svc.search("price", 1)).length).toBe(1);
    expect((await svc.search("temp"))[0]!.ticker).toBe("KXHIGHNY-26NOV25-B45");
    const bitcoin = (await svc.search("bitcoin")).map((h) => h.ticker);
    expect(bitcoin.some((t) => t.startsWith("KXMVE") || t === "KXOLD-26NOV01")).toBe(false);
    await expect(svc.search("  ")).rejects.toThrow(UserError);
    // Never the whole market list: events a page at a time.
    expect(fx.calls.getMarkets ?? 0).toBe(0);
    expect(fx.calls.getEventsPage).toBe(1);
  });

  it("reuses the index for a minute, then asks only for what changed", async () => {
    const { fx, svc, clock } = world();
    await svc.search("bitcoin");
    clock.advance(30_000);
    await svc.search("ethereum");
    expect(fx.calls.getEventsPage).toBe(1);
    // A new event (its last_updated_ts is now, when its market was added).
    fx.addMarket({ ticker: "KXBTC-26DEC31-T1", title: "Bitcoin year end" });
    expect((await svc.search("year end")).length).toBe(0);
    clock.advance(31_000);
    expect((await svc.search("year end")).map((h) => h.ticker)).toEqual(["KXBTC-26DEC31-T1"]);
    expect(fx.calls.getEventsPage).toBe(2);
    expect(fx.calls.getMarkets ?? 0).toBe(0);
  });
});

describe("createTradingServices", () => {
  it("writes its own journal file in logDir and closes it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "svc-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const fx = new SimExchange({ now: () => T0 });
    fx.addMarket({ ticker: "KXA-1", title: "A" });
    const s = createTradingServices({
      exchange: fx,
      config: EXECUTOR_CONFIG,
      environment: "demo",
      timeZone: "UTC",
      logDir: join(dir, "logs"),
      dataDir: dir,
      now: () => T0,
    });
    const q = await s.executor.quote({
      ticker: "KXA-1",
      outcome: "yes",
      action: "buy",
      count: contracts(1),
      kind: "limit",
      limitPrice: usd("0.10"),
    });
    await s.executor.place(q);
    await s.close();
    const idx = await loadJournalIndex(join(dir, "logs"));
    expect(idx.clientOrderIds.has(q.clientOrderId)).toBe(true);
    expect(idx.orderIds.size).toBe(1);
  });

  it("wires a journal whose orders show up as 'bot' in history", async () => {
    const clock = fakeClock();
    const fx = new SimExchange({ now: clock.now });
    fx.addMarket({ ticker: "KXA-1", title: "A" });
    fx.setBook("KXA-1", { yes: [["0.45", 10]], no: [["0.50", 10]] });
    fx.addFill({
      ticker: "KXA-1",
      side: "bid",
      yesPrice: "0.30",
      count: 1,
      time: T0 - 1000,
      orderId: "web-1",
    });
    fx.setPosition("KXA-1", 1);
    const dir = await mkdtemp(join(tmpdir(), "svc-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const stream = new PassThrough();
    stream.resume();
    const journalLogger = winston.createLogger({ transports: [new winston.transports.Stream({ stream })] });
    cleanups.push(async () => void journalLogger.close());
    const s = createTradingServices({
      exchange: fx,
      config: EXECUTOR_CONFIG,
      environment: "sim",
      timeZone: "America/New_York",
      logDir: join(dir, "logs"),
      dataDir: dir,
      journalLogger,
      now: clock.now,
    });
    const out = await s.executor.place(
      await s.executor.quote({
        ticker: "KXA-1",
        outcome: "yes",
        action: "buy",
        count: contracts(2),
        kind: "market",
      }),
    );
    expect(out.kind).toBe("placed");
    const rows = await s.history.recent(5);
    const ours = fx.orders[0]!.orderId; // the one order placed on the exchange
    expect(rows.map((r) => [r.orderId === ours ? "ours" : r.orderId, r.source])).toEqual([
      ["ours", "bot"],
      ["web-1", "elsewhere"],
    ]);
    const exp = await s.exporter.exportCsv(0, clock.now());
    expect(exp.rows).toBe(2);
    await s.close(); // a no-op: the logger was passed in
    const view = await s.portfolio.view();
    expect(view.positions[0]).toMatchObject({
      ticker: "KXA-1",
      count: contracts(3),
      side: "yes",
      averageEntry: usd("0.433333"), // (0.30 + 2 × 0.50) / 3
    });
  });
});
