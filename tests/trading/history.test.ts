import { mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { afterEach, describe, expect, it } from "vitest";
import winston from "winston";
import { contracts } from "../../src/domain/money.js";
import { CSV_COLUMNS, createExportService } from "../../src/trading/export.js";
import { KalshiNetworkError } from "../../src/exchange/errors.js";
import { createOrderExecutor } from "../../src/trading/executor.js";
import { createHistoryService } from "../../src/trading/history.js";
import { createTradeJournal, journalIndexProvider, loadJournalIndex } from "../../src/trading/journal.js";
import type { HistoryRow } from "../../src/trading/types.js";
import { SimExchange } from "../support/simExchange.js";
import { T0, fakeClock, intent, usd, EXECUTOR_CONFIG } from "./helpers.js";

const D = 86_400_000;
const dirs: string[] = [];
afterEach(async () => {
  while (dirs.length) await rm(dirs.pop()!, { recursive: true, force: true });
});

function seeded() {
  // Fills and finished orders older than 14 days are in /historical.
  const fx = new SimExchange({ now: () => T0, historicalCutoffMs: 14 * D });
  fx.addMarket({ ticker: "KXA-1", title: 'Rain in "NYC", Nov 30?' });
  // Historical (before the cutoff), placed by the bot: buy 10 YES @0.40, fee 0.17.
  fx.addFill({
    ticker: "KXA-1",
    side: "bid",
    yesPrice: "0.40",
    count: 10,
    fee: "0.17",
    time: T0 - 30 * D,
    orderId: "bot-1",
    fillId: "F1",
  });
  // Recent, placed elsewhere: sell 4 YES @0.50, fee 0.07 → 2.00 − 1.60 − 0.068 − 0.07 = +0.262.
  fx.addFill({
    ticker: "KXA-1",
    side: "ask",
    yesPrice: "0.50",
    count: 4,
    fee: "0.07",
    time: T0 - 1 * D,
    orderId: "web-7",
    fillId: "F2",
    isTaker: false,
  });
  // Recent, bot: buy 3 NO @0.35 in a market with no title on the exchange any more.
  fx.addFill({
    ticker: "KXGONE-1",
    side: "ask",
    yesPrice: "0.65",
    count: 3,
    fee: "0.05",
    time: T0 - 2 * D,
    orderId: "bot-2",
    fillId: "F3",
  });
  const journalIndex = { orderIds: new Set(["bot-1", "bot-2"]), clientOrderIds: new Set<string>() };
  return { fx, history: createHistoryService({ exchange: fx, journalIndex, now: () => T0 }) };
}

const ROW_F1: HistoryRow = {
  time: T0 - 30 * D,
  ticker: "KXA-1",
  marketTitle: 'Rain in "NYC", Nov 30?',
  outcome: "yes",
  action: "buy",
  count: contracts(10),
  price: usd("0.40"),
  cost: usd("4.00"),
  fee: usd("0.17"),
  realizedPnl: null,
  orderId: "bot-1",
  fillId: "F1",
  isTaker: true,
  source: "bot",
};
const ROW_F3: HistoryRow = {
  time: T0 - 2 * D,
  ticker: "KXGONE-1",
  marketTitle: "KXGONE-1",
  outcome: "no",
  action: "buy",
  count: contracts(3),
  price: usd("0.35"),
  cost: usd("1.05"),
  fee: usd("0.05"),
  realizedPnl: null,
  orderId: "bot-2",
  fillId: "F3",
  isTaker: true,
  source: "bot",
};
const ROW_F2: HistoryRow = {
  time: T0 - 1 * D,
  ticker: "KXA-1",
  marketTitle: 'Rain in "NYC", Nov 30?',
  outcome: "yes",
  action: "sell",
  count: contracts(4),
  price: usd("0.50"),
  cost: usd("2.00"),
  fee: usd("0.07"),
  realizedPnl: usd("0.262"),
  orderId: "web-7",
  fillId: "F2",
  isTaker: false,
  source: "elsewhere",
};

describe("history", () => {
  it("joins recent and historical fills across the cutoff, with source and FIFO P&L", async () => {
    const { fx, history } = seeded();
    expect(await history.between(T0 - 40 * D, T0)).toEqual([ROW_F1, ROW_F3, ROW_F2]);
    expect(fx.calls.getHistoricalFills).toBe(1);
    expect(fx.calls.getFills).toBe(1);
    expect(fx.calls.getMarkets).toBe(1); // titles in one batched request
  });

  it("a range after the cutoff still realizes P&L against lots bought before it", async () => {
    const { history } = seeded();
    expect(await history.between(T0 - 5 * D, T0)).toEqual([ROW_F3, ROW_F2]);
    expect(await history.between(T0 - 40 * D, T0 - 20 * D)).toEqual([ROW_F1]);
    expect(await history.between(T0, T0 - 1)).toEqual([]);
  });

  it("recent trades, newest first", async () => {
    const { history } = seeded();
    expect(await history.recent(2)).toEqual([ROW_F2, ROW_F3]);
  });

  it("reads the journal index through a provider on each call", async () => {
    const fx = new SimExchange({ now: () => T0 });
    fx.addFill({ ticker: "X-1", side: "bid", yesPrice: "0.10", count: 1, time: T0 - D, orderId: "o1" });
    const ids = new Set<string>();
    const history = createHistoryService({
      exchange: fx,
      journalIndex: async () => ({ orderIds: ids, clientOrderIds: new Set() }),
    });
    expect((await history.between(0, T0))[0]!.source).toBe("elsewhere");
    ids.add("o1");
    expect((await history.between(0, T0))[0]!.source).toBe("bot");
  });
});

describe("an order whose create failed ambiguously (journal order_unknown)", () => {
  const TICKER = "KXHIGHNY-26NOV25-B45";
  function market(clock: ReturnType<typeof fakeClock>) {
    const fx = new SimExchange({ now: clock.now });
    fx.addMarket({ ticker: TICKER, closeTime: T0 + D });
    fx.setBook(TICKER, { yes: [["0.55", 100]], no: [["0.40", 100]] });
    return fx;
  }

  it("the exchange took it after all: its fills count as the bot's, looked up once", async () => {
    const clock = fakeClock();
    const fx = market(clock);
    // Someone else's fill in the same market.
    fx.addFill({ ticker: TICKER, side: "bid", yesPrice: "0.60", count: 1, time: T0 - D, orderId: "web-1" });
    // The create reaches the exchange, the answer is lost, and the lookup by client order id fails too.
    const timeout = new KalshiNetworkError(
      "timeout",
      "POST",
      "/trade-api/v2/portfolio/events/orders",
      null,
      true,
    );
    const exchange = Object.assign(Object.create(fx) as SimExchange, {
      async createOrder(req: Parameters<SimExchange["createOrder"]>[0]) {
        await fx.createOrder(req);
        fx.failNext("getOrders", new Error("connection reset"));
        throw timeout;
      },
    });
    const dir = await mkdtemp(join(tmpdir(), "hist-unknown-"));
    dirs.push(dir);
    const journal = createTradeJournal({
      logger: winston.createLogger({ silent: true }),
      environment: "sim",
      timeZone: "UTC",
      now: clock.now,
    });
    const exec = createOrderExecutor({
      exchange,
      journal,
      config: EXECUTOR_CONFIG,
      now: clock.now,
      newId: () => "c-unknown",
    });
    const q = await exec.quote(intent({ limit: "0.60", count: contracts(3) }));
    expect(await exec.place(q)).toEqual({ kind: "unknown", cause: timeout, checked: false });
    expect(journal.recorded.unknownOrders.has("c-unknown")).toBe(true);
    const taken = fx.orders.find((o) => o.clientOrderId === "c-unknown")!;
    expect(taken.fillCount).toBe(contracts(3));

    const history = createHistoryService({
      exchange: fx,
      journalIndex: journalIndexProvider(dir, journal),
      now: clock.now,
    });
    clock.advance(5 * 60_000);
    const bySource = async () =>
      Object.fromEntries((await history.between(0, clock.now())).map((r) => [r.orderId, r.source]));
    expect(await bySource()).toEqual({ "web-1": "elsewhere", [taken.orderId]: "bot" });
    const lookups = fx.calls.getOrders ?? 0;
    expect(await bySource()).toEqual({ "web-1": "elsewhere", [taken.orderId]: "bot" });
    expect(fx.calls.getOrders ?? 0).toBe(lookups);
  });

  it("after a restart, from the journal files; an unknown order that never existed stays out", async () => {
    const clock = fakeClock(T0 - 60 * 60_000);
    const fx = market(clock);
    const o = await fx.createOrder({
      ticker: TICKER,
      side: "ask",
      count: contracts(2),
      price: usd("0.55"),
      timeInForce: "immediate_or_cancel",
      clientOrderId: "c-found",
    });
    clock.set(T0);
    const dir = await mkdtemp(join(tmpdir(), "hist-unknown-"));
    dirs.push(dir);
    const line = (type: string, clientOrderId: string, time: string) =>
      JSON.stringify({ type, time, environment: "sim", ticker: TICKER, clientOrderId, reason: "timeout" });
    await writeFile(
      join(dir, "trades-2026-11-24.log"),
      [
        line("order_submitted", "c-found", "2026-11-24T09:00:00.000-05:00"),
        line("order_unknown", "c-found", "2026-11-24T09:00:01.000-05:00"),
        line("order_unknown", "c-never", "2026-11-24T09:30:00.000-05:00"),
      ].join("\n") + "\n",
    );
    const idx = await loadJournalIndex(dir);
    expect([...(idx.unknownOrders?.keys() ?? [])].sort()).toEqual(["c-found", "c-never"]);
    const rows = await createHistoryService({ exchange: fx, journalIndex: idx, now: clock.now }).between(
      0,
      T0,
    );
    expect(rows.map((r) => [r.orderId, r.source])).toEqual([[o.orderId, "bot"]]);
  });
});

describe("CSV export", () => {
  async function dataDir() {
    const d = await mkdtemp(join(tmpdir(), "export-"));
    dirs.push(d);
    return d;
  }

  it("parses back to the same rows; opens cleanly (BOM, CRLF, plain decimals)", async () => {
    const { history } = seeded();
    const dir = await dataDir();
    const exporter = createExportService({
      history,
      dataDir: dir,
      timeZone: "America/New_York",
      environment: "demo",
      now: () => T0,
    });
    const res = await exporter.exportCsv(T0 - 40 * D, T0);
    expect(res.rows).toBe(3);
    expect(res.files).toHaveLength(1);
    expect(res.files[0]!.startsWith(join(dir, "exports"))).toBe(true);
    expect(res.files[0]).toMatch(/trades-demo-20261015-20261124-\d+\.csv$/);
    const raw = await readFile(res.files[0]!, "utf8");
    expect(raw.charCodeAt(0)).toBe(0xfeff);
    expect(raw.split("\r\n")).toHaveLength(5); // header + 3 rows + trailing empty
    expect(raw.replace(/\r\n/g, "")).not.toContain("\n");
    expect(raw).not.toContain("$");
    const records = parse(raw, { bom: true }) as string[][];
    expect(records[0]).toEqual([...CSV_COLUMNS]);
    expect(records.slice(1)).toEqual([
      [
        "2026-10-25T11:00:00.000-04:00",
        "America/New_York",
        "demo",
        "KXA-1",
        'Rain in "NYC", Nov 30?',
        "YES",
        "buy",
        "10",
        "0.40",
        "4.00",
        "0.17",
        "",
        "bot-1",
        "F1",
        "taker",
        "bot",
        "", // payout: only settlement rows have one
      ],
      [
        "2026-11-22T10:00:00.000-05:00",
        "America/New_York",
        "demo",
        "KXGONE-1",
        "KXGONE-1",
        "NO",
        "buy",
        "3",
        "0.35",
        "1.05",
        "0.05",
        "",
        "bot-2",
        "F3",
        "taker",
        "bot",
        "", // payout: only settlement rows have one
      ],
      [
        "2026-11-23T10:00:00.000-05:00",
        "America/New_York",
        "demo",
        "KXA-1",
        'Rain in "NYC", Nov 30?',
        "YES",
        "sell",
        "4",
        "0.50",
        "2.00",
        "0.07",
        "0.262",
        "web-7",
        "F2",
        "maker",
        "elsewhere",
        "",
      ],
    ]);
  });

  it("splits into numbered parts, each with the header and under the size limit", async () => {
    const rows: HistoryRow[] = Array.from({ length: 500 }, (_, i) => ({
      time: T0 + i * 1000,
      ticker: `KXT-${i}`,
      marketTitle: `Market number ${i}, with a comma`,
      outcome: i % 2 ? "no" : "yes",
      action: "buy",
      count: contracts(i + 1),
      price: usd("0.055"),
      cost: usd("1.10"),
      fee: usd("0.01"),
      realizedPnl: i % 3 ? null : usd("-0.40"),
      orderId: `o-${i}`,
      fillId: `f-${i}`,
      isTaker: true,
      source: "bot",
    }));
    const dir = await dataDir();
    const maxBytes = 8 * 1024;
    const exporter = createExportService({
      history: { report: async () => ({ rows, settlements: [] }) },
      dataDir: dir,
      timeZone: "UTC",
      environment: "sim",
      maxBytes,
      now: () => T0,
    });
    const res = await exporter.exportCsv(T0, T0 + D);
    expect(res.files.length).toBeGreaterThan(3);
    expect(res.files.map((f) => f.match(/part(\d+)\.csv$/)?.[1])).toEqual(
      res.files.map((_, i) => String(i + 1)),
    );
    expect((await readdir(join(dir, "exports"))).sort()).toEqual(
      res.files.map((f) => f.split("/").pop()).sort(),
    );
    const back: string[][] = [];
    for (const f of res.files) {
      expect((await stat(f)).size).toBeLessThanOrEqual(maxBytes);
      const recs = parse(await readFile(f, "utf8"), { bom: true }) as string[][];
      expect(recs[0]).toEqual([...CSV_COLUMNS]);
      back.push(...recs.slice(1));
    }
    expect(back).toHaveLength(500);
    expect(back.map((r) => r[13])).toEqual(rows.map((r) => r.fillId));
    expect(back[0]!.slice(7, 12)).toEqual(["1", "0.055", "1.10", "0.01", "-0.40"]);
  });
});
