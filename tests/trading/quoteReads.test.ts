/**
 * Exchange reads per quote. Every read costs a token of the client's read budget (Kalshi Basic: 200/s),
 * and back-to-back quotes wait behind it; a quote reads only what its intent needs.
 */
import { describe, expect, it } from "vitest";
import { contracts } from "../../src/domain/money.js";
import { createOrderExecutor } from "../../src/trading/executor.js";
import { createMarketService } from "../../src/trading/markets.js";
import { createMarketSnapshots } from "../../src/trading/snapshots.js";
import { SimExchange } from "../support/simExchange.js";
import { T0, fakeClock, idSeq, intent, memoryJournal, usd, EXECUTOR_CONFIG } from "./helpers.js";

const TICKER = "KXHIGHNY-26NOV25-B45";
const EVENT = "KXHIGHNY-26NOV25";

function setup(opts: { position?: number } = {}) {
  const clock = fakeClock();
  const fx = new SimExchange({ now: clock.now });
  fx.addMarket({
    ticker: TICKER,
    title: "Highest temperature in NYC on Nov 25?",
    closeTime: T0 + 86_400_000,
  });
  fx.addMarket({ ticker: "KXHIGHNY-26NOV26-B45", closeTime: T0 + 2 * 86_400_000 });
  fx.setSeries(EVENT, { ticker: "KXHIGHNY", feeType: "quadratic_with_maker_fees" });
  fx.setSeries("KXHIGHNY-26NOV26", { ticker: "KXHIGHNY", feeType: "quadratic_with_maker_fees" });
  // YES bids 0.55, NO bids 0.40 → YES ask 0.60, NO ask 0.45.
  fx.setBook(TICKER, { yes: [["0.55", 100]], no: [["0.40", 100]] });
  if (opts.position !== undefined) fx.setPosition(TICKER, opts.position);
  const snapshots = createMarketSnapshots({ now: clock.now });
  const exec = createOrderExecutor({
    exchange: fx,
    journal: memoryJournal(),
    config: EXECUTOR_CONFIG,
    now: clock.now,
    newId: idSeq(),
    snapshots,
  });
  const markets = createMarketService({ exchange: fx, now: clock.now, snapshots });
  return { fx, exec, markets, clock };
}

/** Reads made by `f`, by method (writes excluded). */
async function reads(fx: SimExchange, f: () => Promise<unknown>): Promise<Record<string, number>> {
  fx.resetCalls();
  await f();
  const out = { ...fx.calls };
  delete out.createOrder;
  delete out.cancelOrder;
  return out;
}

describe("exchange reads per quote", () => {
  it("limit buy: market, position and balance (no book); the series fee schedule once", async () => {
    const { fx, exec } = setup();
    expect(await reads(fx, () => exec.quote(intent({ limit: "0.50" })))).toEqual({
      getMarkets: 1,
      getPositions: 1,
      getBalance: 1,
      getEvent: 1,
      getSeries: 1,
    });
    expect(await reads(fx, () => exec.quote(intent({ limit: "0.50" })))).toEqual({
      getMarkets: 1,
      getPositions: 1,
      getBalance: 1,
    });
    // Another event of the same series: only the event is read.
    expect(
      await reads(fx, () => exec.quote(intent({ ticker: "KXHIGHNY-26NOV26-B45", limit: "0.50" }))),
    ).toEqual({ getMarkets: 1, getPositions: 1, getBalance: 1, getEvent: 1 });
  });

  it("the limit buy still tells maker from taker without the book", async () => {
    const { exec } = setup();
    // Resting at 0.50 (ask 0.60): maker fee on a maker-fee series, 0.0175 × 100 × 0.25 → $0.44.
    const maker = await exec.quote(intent({ limit: "0.50", count: contracts(100) }));
    expect(maker.estimatedFee).toBe(usd("0.44"));
    // Crossing at 0.60: taker fee, 0.07 × 100 × 0.6 × 0.4 = 1.68.
    const taker = await exec.quote(intent({ limit: "0.60", count: contracts(100) }));
    expect(taker.estimatedFee).toBe(usd("1.68"));
    // NO at 0.45 crosses the NO ask 0.45.
    const no = await exec.quote(intent({ outcome: "no", limit: "0.45", count: contracts(100) }));
    expect(no.estimatedFee).toBe(usd("1.74")); // 0.07 × 100 × 0.55 × 0.45 = 1.7325 → $1.74
  });

  it("market buy: market, book, position and balance", async () => {
    const { fx, exec } = setup();
    await exec.quote(intent({ limit: "0.50" })); // warms the fee schedule
    expect(await reads(fx, () => exec.quote(intent()))).toEqual({
      getMarkets: 1,
      getOrderbook: 1,
      getPositions: 1,
      getBalance: 1,
    });
  });

  it("sells: the same reads; the book only for a market sell", async () => {
    const { fx, exec } = setup({ position: 10 });
    await exec.quote(intent({ limit: "0.50" }));
    expect(await reads(fx, () => exec.quote(intent({ action: "sell", limit: "0.62" })))).toEqual({
      getMarkets: 1,
      getPositions: 1,
      getBalance: 1,
    });
    expect(await reads(fx, () => exec.quote(intent({ action: "sell" })))).toEqual({
      getMarkets: 1,
      getOrderbook: 1,
      getPositions: 1,
      getBalance: 1,
    });
  });

  it("a quote right after the market card reuses the card's market and book, once", async () => {
    const { fx, exec, markets, clock } = setup();
    await exec.quote(intent({ limit: "0.50" }));
    // The bot's /buy: market card (market + book), then the quote (position and balance).
    expect(
      await reads(fx, async () => {
        await markets.info(TICKER);
        await exec.quote(intent());
      }),
    ).toEqual({ getMarkets: 1, getOrderbook: 1, getPositions: 1, getBalance: 1 });
    // Handed over once: the next quote reads the exchange again, and so would one 2 s after the card.
    expect(await reads(fx, () => exec.quote(intent()))).toEqual({
      getMarkets: 1,
      getOrderbook: 1,
      getPositions: 1,
      getBalance: 1,
    });
    await markets.info(TICKER);
    clock.advance(2_001);
    expect(await reads(fx, () => exec.quote(intent()))).toEqual({
      getMarkets: 1,
      getOrderbook: 1,
      getPositions: 1,
      getBalance: 1,
    });
  });

  it("a market paused after the card is still refused by the next quote", async () => {
    const { fx, exec, markets } = setup();
    await markets.info(TICKER);
    await exec.quote(intent()); // takes the card's snapshot
    fx.markets.get(TICKER)!.status = "inactive";
    await expect(exec.quote(intent())).rejects.toThrow("paused");
  });

  it("placing a market order re-reads the book, and a re-quote after a move reuses that book", async () => {
    const { fx, exec } = setup();
    const q = await exec.quote(intent());
    fx.setBook(TICKER, { yes: [["0.55", 100]], no: [["0.30", 100]] }); // ask 0.70, past the worst 0.62
    let out: Awaited<ReturnType<typeof exec.place>> | undefined;
    expect(
      await reads(fx, async () => {
        out = await exec.place(q);
      }),
    ).toEqual({ getOrderbook: 1, getMarkets: 1, getPositions: 1, getBalance: 1 });
    expect(out).toMatchObject({ kind: "requote", reason: "price_moved", quote: { price: usd("0.72") } });
    expect(fx.calls.createOrder ?? 0).toBe(0);
    // A limit order is placed without any read before the create (one read after a fill, for the exact fee).
    const lq = await exec.quote(intent({ limit: "0.40" }));
    expect(await reads(fx, () => exec.place(lq))).toEqual({});
  });
});
