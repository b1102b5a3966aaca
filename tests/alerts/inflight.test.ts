/**
 * Crash safety of delivery: an alert is written as "sending" before the call to Telegram, so a process
 * that dies after Telegram accepted it (before "delivered" was written) re-sends it after the restart
 * with a visible note, never silently. The death is simulated by restoring the state file exactly as it
 * was on disk at the instant Telegram accepted the message.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GrammyError, HttpError } from "grammy";
import { afterEach, describe, expect, it, vi } from "vitest";
import { RESENT_AFTER_ERROR_NOTE, RESENT_AFTER_RESTART_NOTE } from "../../src/alerts/format.js";
import type * as Files from "../../src/alerts/files.js";
import { ALERTS_STATE_FILE } from "../../src/alerts/state.js";
import { createPortfolioService } from "../../src/trading/portfolio.js";
import { waitFor } from "../support/wsKalshiStub.js";
import { SimExchange } from "../support/simExchange.js";
import { Harness } from "./harness.js";

const writes = vi.hoisted(() => ({ state: 0 }));
vi.mock("../../src/alerts/files.js", async (importOriginal) => {
  const orig = await importOriginal<typeof Files>();
  return {
    ...orig,
    writeJsonAtomic: (path: string, value: unknown) => {
      if (path.endsWith("alerts-state.json")) writes.state++;
      orig.writeJsonAtomic(path, value);
    },
  };
});

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const RESTART_NOTE = `<i>${RESENT_AFTER_RESTART_NOTE}</i>`;
const ERROR_NOTE = `<i>${RESENT_AFTER_ERROR_NOTE}</i>`;
const tickerOf = (text: string) => /Title (KXT-\d+)/.exec(text)?.[1];

function tgError(code: number, description: string): GrammyError {
  return new GrammyError(
    `Call to 'sendMessage' failed! (${code}: ${description})`,
    { ok: false, error_code: code, description },
    "sendMessage",
    {},
  );
}

interface StateFile {
  pending: Array<{ notice: { key: string }; chats: number[]; sending?: number[] }>;
}

describe("kill -9 between Telegram accepting an alert and the app recording it", () => {
  it("the alert is re-sent once after the restart, with the note; nothing lost, nothing else repeated", async () => {
    const t = (h = await Harness.create());
    const statePath = join(t.dataDir, ALERTS_STATE_FILE);
    // The state file as it was on disk when Telegram accepted the alert for KXT-2.
    let atAccept: string | null = null;
    const send = t.sink.send.bind(t.sink);
    t.sink.send = async (chatId, html, opts) => {
      const r = await send(chatId, html, opts);
      if (tickerOf(html) === "KXT-2") atAccept = readFileSync(statePath, "utf8");
      return r;
    };
    const first = t.service();
    await first.start();
    t.push();
    await waitFor(() => t.sink.messages.length === 1, "first alert");
    t.push();
    await waitFor(() => atAccept !== null, "second alert accepted");
    await first.stop();

    // Written before the send: KXT-2 was pending with a send under way to chat 42.
    const snap = JSON.parse(atAccept!) as StateFile;
    expect(snap.pending).toEqual([expect.objectContaining({ chats: [42], sending: [42] })]);
    expect(snap.pending[0]!.notice.key).toBe("f:fill-2");

    // "kill -9": the delivered mark never reached the disk.
    writeFileSync(statePath, atAccept!);
    t.happen(); // a fill while the bot is down
    const second = t.service();
    await second.start();
    t.push();
    // KXT-4 was pushed after the restart, so the intake took it after the start-up backfill (or in it):
    // anything that backfill repeated was queued before KXT-4 and sent before (or with) it. Once KXT-4 is
    // out and nothing is owed, nothing else can follow.
    await waitFor(() => t.sink.tickers().includes("KXT-4"), "all alerts after the restart");
    await waitFor(() => second.status().queueDepth === 0, "nothing owed");
    await second.stop();

    const texts = t.sink.finalTexts();
    expect(t.sink.tickers()).toEqual(["KXT-1", "KXT-2", "KXT-2", "KXT-3", "KXT-4"]);
    expect(texts.map(tickerOf)).toEqual(["KXT-1", "KXT-2", "KXT-2", "KXT-3", "KXT-4"]);
    expect(texts.map((x) => x.includes(RESTART_NOTE))).toEqual([false, false, true, false, false]);
    // The repeat is the same alert, with the note as its last line.
    expect(texts[2]).toBe(`${texts[1]}\n${RESTART_NOTE}`);
    // Journaled once each (the repeat is only a message).
    expect(t.journal.map((j) => j.fillId)).toEqual(["fill-1", "fill-2", "fill-3", "fill-4"]);

    // A third run owes nothing and repeats nothing.
    const after = JSON.parse(readFileSync(statePath, "utf8")) as StateFile;
    expect(after.pending).toEqual([]);
    await t.service().start();
    // A new fill after the start: its alert is out only after the start-up backfill (and whatever it
    // might repeat) went through the intake before it.
    t.push();
    await waitFor(() => t.sink.tickers().includes("KXT-5"), "the new fill's alert");
    expect(t.sink.messages).toHaveLength(6);
    expect(t.sink.tickers()).toEqual(["KXT-1", "KXT-2", "KXT-2", "KXT-3", "KXT-4", "KXT-5"]);
  });

  it("killed before the send began: sent after the restart without a note (it never reached the chat)", async () => {
    const t = (h = await Harness.create());
    const statePath = join(t.dataDir, ALERTS_STATE_FILE);
    t.sink.down = tgError(502, "Bad Gateway"); // Telegram answered: certainly not delivered
    const first = t.service();
    await first.start();
    t.push();
    await waitFor(() => t.sink.attempts.length >= 2, "a few refused attempts");
    await first.stop();
    expect((JSON.parse(readFileSync(statePath, "utf8")) as StateFile).pending).toEqual([
      expect.objectContaining({ chats: [42] }),
    ]);
    expect((JSON.parse(readFileSync(statePath, "utf8")) as StateFile).pending[0]!.sending).toBeUndefined();
    t.sink.down = null;
    await t.service().start();
    await waitFor(() => t.sink.messages.length === 1, "the owed alert");
    // A new fill after the restart is taken in after the start-up backfill: a repeat of the owed alert
    // would be sent before (or with) it.
    t.push();
    await waitFor(() => t.sink.tickers().includes("KXT-2"), "the new fill's alert");
    expect(t.sink.tickers()).toEqual(["KXT-1", "KXT-2"]);
    expect(t.sink.messages).toHaveLength(2);
    expect(t.sink.finalTexts()[0]).not.toContain("sent again");
  });

  it("a send whose answer was lost (network error) is retried with a note; a refused one without", async () => {
    const t = (h = await Harness.create());
    await t.service().start();
    t.sink.failures.push(new HttpError("Network request for 'sendMessage' failed!", new Error("ECONNRESET")));
    t.push();
    await waitFor(() => t.sink.messages.length === 1, "first alert");
    t.sink.failures.push(tgError(500, "Internal Server Error"));
    t.push();
    await waitFor(() => t.sink.messages.length === 2, "second alert");
    const texts = t.sink.finalTexts();
    expect(texts[0]!.endsWith(`\n${ERROR_NOTE}`)).toBe(true);
    expect(texts[1]).not.toContain("sent again");
  });

  it("costs about one state write per alert sent on top of taking the fill in (measured)", async () => {
    const t = (h = await Harness.create());
    const svc = t.service();
    await svc.start();
    await waitFor(() => t.count("connected") === 1, "subscribed");
    await svc.idle(); // start-up writes and the first backfill are done
    writes.state = 0;
    const N = 40;
    for (let i = 0; i < N; i++) {
      t.push();
      // in bursts of four: the next burst once the socket has brought these
      if (i % 4 === 3) await waitFor(() => t.count("fill") === i + 1, "the burst received");
    }
    await waitFor(() => t.sink.messages.length === N, "all alerts");
    await waitFor(() => svc.status().queueDepth === 0, "all delivered");
    await svc.idle(); // includes the last deferred "delivered" write
    const perAlert = writes.state / N;
    console.log(
      `ALERTS state writes: ${writes.state} for ${N} fills taken in and alerted (${perAlert} per alert)`,
    );
    // 1 write to take a fill in + 1 "sending" mark per Telegram call; "delivered" rides along with the
    // next write (a separate "delivered" write each would make it 3 per alert).
    expect(writes.state).toBeLessThanOrEqual(2.25 * N);
    const state = JSON.parse(readFileSync(join(t.dataDir, ALERTS_STATE_FILE), "utf8")) as StateFile;
    expect(state.pending).toEqual([]);
  });
});

describe("kill -9 during an edit of a burst's message", () => {
  it("the same message is edited again after the restart: the fills shown add up to the order's 100, not 110", async () => {
    const t = (h = await Harness.create());
    const statePath = join(t.dataDir, ALERTS_STATE_FILE);
    const burst = (i: number) => ({
      order_id: "order-100",
      market_ticker: "KXT-100",
      count_fp: "10.00",
      post_position_fp: `${10 * i}.00`,
    });
    let atAccept: string | null = null;
    const edit = t.sink.edit.bind(t.sink);
    t.sink.edit = async (chatId, messageId, html) => {
      await edit(chatId, messageId, html);
      if (/BUY 50 YES/.test(html)) atAccept = readFileSync(statePath, "utf8");
    };
    const first = t.service({ coalesceWindowMs: 10_000 });
    await first.start();
    for (let i = 1; i <= 5; i++) {
      t.push(burst(i));
      await waitFor(
        () =>
          first.status().queueDepth === 0 &&
          t.sink
            .finalTexts()
            .join()
            .includes(`BUY ${10 * i} YES`),
        `fill ${i}`,
      );
    }
    await waitFor(() => atAccept !== null, "the edit showing fill 5 accepted");
    await first.stop();
    // "kill -9": Telegram shows fills 1-5, but the disk still has fill 5 as being edited in.
    writeFileSync(statePath, atAccept!);
    expect(t.sink.messages).toHaveLength(1);

    const second = t.service({ coalesceWindowMs: 10_000 });
    await second.start();
    for (let i = 6; i <= 10; i++) t.push(burst(i));
    // Journaled at intake, in the same step as they become owed: then nothing owed means all were shown.
    await waitFor(() => t.journal.length === 10, "all 10 fills taken in");
    await waitFor(() => second.status().queueDepth === 0, "nothing owed");
    await second.stop();

    const shown = t.sink.finalTexts().map((x) => Number(/BUY (\d+) YES/.exec(x)?.[1] ?? 0));
    expect(shown.reduce((a, b) => a + b, 0)).toBe(100);
    expect(t.sink.messages).toHaveLength(1);
    expect(t.journal.map((j) => j.fillId)).toHaveLength(10);
  });
});

describe("settlement P&L", () => {
  // Hand-computed (FIFO, fees in micro-dollars):
  //   buy 10 YES @ $0.40, fee $0.20 · buy 10 YES @ $0.60, fee $0.17 · sell 5 YES @ $0.70, fee $0.11
  //   the sale closes 5 of the first lot: 3.50 − 2.00 − 0.10 (half its entry fee) − 0.11 = +$1.29
  //   held 15 YES; settled YES: revenue 15.00 − (2.00 + 0.10 + 6.00 + 0.17) = +$6.73
  //   market total: 1.29 + 6.73 = +$8.02
  //   Kalshi's own figures: yes_total_cost 7.50 (average cost), fee_cost 0.48 (every fee in the market):
  //   15.00 − 7.50 − 0.48 = +$7.02 (the fees of the sale are counted twice; shown only as "approx.")
  const T = "KXT-77";
  function seed(ex: SimExchange, settledTime: number) {
    ex.addMarket({ ticker: T, title: "Settles", status: "finalized", result: "yes" });
    const t0 = settledTime - 60_000;
    ex.addFill({ ticker: T, side: "bid", yesPrice: "0.40", count: 10, fee: "0.20", time: t0 });
    ex.addFill({ ticker: T, side: "bid", yesPrice: "0.60", count: 10, fee: "0.17", time: t0 + 1000 });
    ex.addFill({ ticker: T, side: "ask", yesPrice: "0.70", count: 5, fee: "0.11", time: t0 + 2000 });
    ex.addSettlement({
      ticker: T,
      marketResult: "yes",
      yesCount: 1500 as never,
      yesTotalCost: 7_500_000 as never,
      revenue: 15_000_000 as never,
      fee: 480_000 as never,
      settledTime,
    });
  }

  it("after a partial sale: the ledger's figure, the market total, and /portfolio agree", async () => {
    const t = (h = await Harness.create());
    const ex = new SimExchange();
    seed(ex, Date.now() - 600_000); // older than the fill backfill reaches
    await t.service({ exchange: ex, settlementPollMs: 20 }).start();
    await waitFor(() => t.sink.messages.length === 1, "settlement alert");
    const text = t.sink.finalTexts()[0]!;
    expect(text).toContain(
      "<b>Settled</b>: Title KXT-77 · result YES · you held 15 YES · payout $15.00 credited to your cash · P&amp;L +$6.73 · market total +$8.02",
    );
    expect(text).not.toContain("approx.");
    const view = await createPortfolioService({ exchange: ex, timeZone: "UTC" }).view();
    expect(view.realized.byMarket.find((m) => m.ticker === T)?.pnl).toBe(8_020_000);
  });

  it("fills unavailable: Kalshi's approximation, labelled approx.", async () => {
    const t = (h = await Harness.create());
    const ex = new SimExchange();
    seed(ex, Date.now() - 600_000);
    ex.failNext("getHistoricalCutoff", new Error("fills are down"));
    await t.service({ exchange: ex, settlementPollMs: 20 }).start();
    await waitFor(() => t.sink.messages.length === 1, "settlement alert");
    expect(t.sink.finalTexts()[0]).toContain(
      "payout $15.00 credited to your cash · P&amp;L +$7.02 (approx.)",
    );
  });
});
