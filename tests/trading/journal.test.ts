import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import winston from "winston";
import { contracts } from "../../src/domain/money.js";
import { createJournalLogger } from "../../src/logging/journalFile.js";
import {
  JOURNAL_EVENTS,
  type JournalEvent,
  createTradeJournal,
  fillEvent,
  journalIndexProvider,
  loadJournalIndex,
  readJournal,
} from "../../src/trading/journal.js";
import { T0, usd } from "./helpers.js";
import { until } from "../support/until.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function tmp(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "journal-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function streamLogger() {
  const stream = new PassThrough();
  const lines: string[] = [];
  let buf = "";
  stream.on("data", (d: Buffer) => {
    buf += d.toString("utf8");
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      lines.push(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
  });
  const logger = winston.createLogger({
    format: winston.format.json(),
    transports: [new winston.transports.Stream({ stream })],
  });
  cleanups.push(() => void logger.close());
  return { logger, lines };
}

const EVENTS: JournalEvent[] = [
  {
    type: "order_submitted",
    ticker: "KXA-1",
    clientOrderId: "c-1",
    outcome: "no",
    action: "buy",
    kind: "limit",
    count: contracts(10),
    price: usd("0.42"),
    side: "ask",
    yesPrice: usd("0.58"),
    timeInForce: "good_till_canceled",
    reduceOnly: false,
  },
  {
    type: "order_placed",
    ticker: "KXA-1",
    clientOrderId: "c-1",
    orderId: "o-1",
    status: "resting",
    filledCount: contracts(4),
    restingCount: contracts(6),
    averagePrice: usd("0.41"),
    fees: usd("0.07"),
  },
  {
    type: "order_rejected",
    ticker: "KXA-1",
    clientOrderId: "c-2",
    reason: "insufficient balance",
    code: "insufficient_balance",
  },
  {
    type: "order_unknown",
    ticker: "KXA-1",
    clientOrderId: "c-3",
    reason: "POST /trade-api/v2/portfolio/events/orders: no answer from Kalshi in time",
  },
  {
    type: "order_canceled",
    orderId: "o-1",
    ticker: "KXA-1",
    clientOrderId: "c-1",
    canceledCount: contracts(6),
  },
  {
    type: "fill",
    fillId: "f-1",
    orderId: "o-1",
    ticker: "KXA-1",
    outcome: "no",
    side: "ask",
    count: contracts(4),
    yesPrice: usd("0.59"),
    fee: usd("0.07"),
    isTaker: false,
    fillTime: T0 - 1000,
  },
  { type: "error", message: "exchange timed out", context: "cancelAll", orderId: "o-9" },
];

const EXPECTED: Record<string, unknown>[] = [
  {
    ticker: "KXA-1",
    clientOrderId: "c-1",
    outcome: "no",
    action: "buy",
    kind: "limit",
    count: "10.00",
    price: "0.4200",
    side: "ask",
    yesPrice: "0.5800",
    timeInForce: "good_till_canceled",
    reduceOnly: false,
  },
  {
    ticker: "KXA-1",
    clientOrderId: "c-1",
    orderId: "o-1",
    status: "resting",
    filledCount: "4.00",
    restingCount: "6.00",
    averagePrice: "0.4100",
    fees: "0.0700",
  },
  { ticker: "KXA-1", clientOrderId: "c-2", reason: "insufficient balance", code: "insufficient_balance" },
  {
    ticker: "KXA-1",
    clientOrderId: "c-3",
    reason: "POST /trade-api/v2/portfolio/events/orders: no answer from Kalshi in time",
    code: null,
  },
  { ticker: "KXA-1", orderId: "o-1", clientOrderId: "c-1", canceledCount: "6.00" },
  {
    ticker: "KXA-1",
    fillId: "f-1",
    orderId: "o-1",
    clientOrderId: null,
    outcome: "no",
    side: "ask",
    count: "4.00",
    yesPrice: "0.5900",
    fee: "0.0700",
    isTaker: false,
    fillTime: "2026-11-24T09:59:59.000-05:00",
  },
  { ticker: null, orderId: "o-9", clientOrderId: null, message: "exchange timed out", context: "cancelAll" },
];

describe("trade journal", () => {
  it("writes one JSON line per event with time in the display zone", async () => {
    const { logger, lines } = streamLogger();
    const errors = streamLogger();
    const j = createTradeJournal({
      logger,
      errorLogger: errors.logger,
      environment: "demo",
      timeZone: "America/New_York",
      now: () => T0,
    });
    for (const e of EVENTS) j.record(e);
    await new Promise((r) => setImmediate(r));
    expect(lines).toHaveLength(EVENTS.length);
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed.map((p) => p.type)).toEqual([...JOURNAL_EVENTS]);
    parsed.forEach((p, i) => {
      expect(p).toEqual({
        level: JOURNAL_EVENTS[i] === "error" ? "error" : "info",
        message: JOURNAL_EVENTS[i],
        type: JOURNAL_EVENTS[i],
        time: "2026-11-24T10:00:00.000-05:00",
        environment: "demo",
        ...EXPECTED[i],
      });
    });
    expect(errors.lines.map((l) => JSON.parse(l).type)).toEqual(["error"]);
    expect(j.recorded.orderIds.has("o-1")).toBe(true);
    expect(j.recorded.clientOrderIds.has("c-1")).toBe(true);
  });

  it("ignores a fill id it already wrote", async () => {
    const { logger, lines } = streamLogger();
    const j = createTradeJournal({
      logger,
      environment: "sim",
      timeZone: "UTC",
      now: () => T0,
      fillMemory: 2,
    });
    const fill = EVENTS.find((e) => e.type === "fill")!;
    j.record(fill);
    j.record(fill);
    j.record({ ...fill, fillId: "f-2" } as JournalEvent);
    j.record({ ...fill, fillId: "f-3" } as JournalEvent); // f-1 falls out of the bounded memory
    j.record(fill);
    await new Promise((r) => setImmediate(r));
    expect(lines.map((l) => JSON.parse(l).fillId)).toEqual(["f-1", "f-2", "f-3", "f-1"]);
  });

  it("reads plain and gzipped journal files back, skipping junk", async () => {
    const dir = await tmp();
    const line = (o: object) => JSON.stringify(o) + "\n";
    await writeFile(
      join(dir, "trades-2026-11-22.log.gz"),
      gzipSync(
        line({
          type: "order_placed",
          orderId: "o-old",
          clientOrderId: "c-old",
          time: "x",
          environment: "demo",
        }),
      ),
    );
    await writeFile(
      join(dir, "trades-2026-11-23.log"),
      line({ type: "order_submitted", clientOrderId: "c-new", time: "x", environment: "demo" }) +
        "not json\n" +
        line({ type: "something_else", orderId: "o-junk" }) +
        line({
          type: "order_placed",
          orderId: "o-new",
          clientOrderId: "c-new",
          time: "x",
          environment: "demo",
        }),
    );
    await writeFile(join(dir, "app-2026-11-23.log"), line({ type: "order_placed", orderId: "o-app" }));
    const seen: string[] = [];
    for await (const e of readJournal(dir)) seen.push(`${e.type}:${e.orderId ?? e.clientOrderId}`);
    expect(seen).toEqual(["order_placed:o-old", "order_submitted:c-new", "order_placed:o-new"]);
    const idx = await loadJournalIndex(dir);
    expect([...idx.orderIds].sort()).toEqual(["o-new", "o-old"]);
    expect([...idx.clientOrderIds].sort()).toEqual(["c-new", "c-old"]);
    expect((await loadJournalIndex(join(dir, "missing"))).orderIds.size).toBe(0);
  });

  it("a truncated .gz (still being written) keeps its complete lines and the scan goes on", async () => {
    const dir = await tmp();
    const body = Array.from({ length: 2000 }, (_, i) =>
      JSON.stringify({ type: "order_placed", orderId: `o${i}` }),
    ).join("\n");
    const gz = gzipSync(body + "\n");
    await writeFile(join(dir, "trades-2026-11-01.log.gz"), gz.subarray(0, Math.floor(gz.length / 2)));
    await writeFile(
      join(dir, "trades-2026-11-02.log"),
      JSON.stringify({ type: "order_placed", orderId: "last" }) + "\n",
    );
    const idx = await loadJournalIndex(dir);
    expect(idx.orderIds.has("o0")).toBe(true);
    expect(idx.orderIds.has("o1999")).toBe(false);
    expect(idx.orderIds.has("last")).toBe(true);
  });

  it("fillEvent turns an exchange fill into a journal event", () => {
    const e = fillEvent(
      {
        fillId: "f9",
        tradeId: "f9",
        orderId: "o9",
        ticker: "KXA-1",
        outcomeSide: "yes",
        bookSide: "bid",
        count: contracts(3),
        yesPrice: usd("0.25"),
        noPrice: usd("0.75"),
        isTaker: true,
        fee: usd("0.04"),
        createdTime: T0,
      },
      "c9",
    );
    expect(e).toEqual({
      type: "fill",
      fillId: "f9",
      orderId: "o9",
      ticker: "KXA-1",
      clientOrderId: "c9",
      outcome: "yes",
      side: "bid",
      count: contracts(3),
      yesPrice: usd("0.25"),
      fee: usd("0.04"),
      isTaker: true,
      fillTime: T0,
    });
  });

  it("the rotating file logger writes lines the reader finds", async () => {
    const dir = await tmp();
    const logger = createJournalLogger(dir);
    const j = createTradeJournal({ logger, environment: "sim", timeZone: "UTC", now: () => T0 });
    j.record(EVENTS[1]!);
    await new Promise<void>((res) => {
      logger.on("finish", () => res());
      logger.end();
    });
    const provider = journalIndexProvider(dir);
    // The file transport may finish its write just after the logger ends: wait until the reader sees it.
    await until("the journal line on disk", async () => (await provider()).orderIds.size > 0).catch(
      () => undefined,
    );
    expect([...(await provider()).orderIds]).toEqual(["o-1"]);
  });
});

describe("what the journal remembers of this run's orders", () => {
  it("keeps the newest 10,000 order ids, so a long run's memory stays flat", () => {
    const journal = createTradeJournal({
      logger: { log: () => undefined },
      timeZone: "UTC",
      environment: "sim",
    });
    for (let i = 0; i < 10_050; i++)
      journal.record({
        type: "fill",
        fillId: `f${i}`,
        orderId: `o${i}`,
        ticker: "KX-T",
      } as never);
    expect(journal.recorded.orderIds.size).toBe(10_000);
    expect(journal.recorded.orderIds.has("o10049")).toBe(true);
    expect(journal.recorded.orderIds.has("o0")).toBe(false);
  });
});
