/**
 * A sell the exchange canceled for reduce-only reasons (Kalshi's last_update_reason ReduceOnlyCancel:
 * "reduce_only capped the order at placement") is told in plain words, with the count the user placed.
 */
import { afterEach, describe, expect, it } from "vitest";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Harness } from "./harness.js";
import { endJournalLogger } from "./journalFlush.js";
import { waitFor, wireOrder } from "../support/wsKalshiStub.js";
import type { Centis, Micros } from "../../src/domain/money.js";
import { createJournalLogger } from "../../src/logging/journalFile.js";
import { createTradeJournal } from "../../src/trading/journal.js";

let h: Harness | null = null;
const dirs: string[] = [];
afterEach(async () => {
  await h?.close();
  h = null;
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** The bot's own "sell 8 YES at market" (IOC, reduce-only), journaled as the executor does. */
async function journalSell(logDir: string, count: number): Promise<void> {
  const logger = createJournalLogger(logDir);
  const journal = createTradeJournal({ logger, environment: "sim", timeZone: "America/New_York" });
  journal.record({
    type: "order_submitted",
    ticker: "KXT-9",
    clientOrderId: "cid-sell",
    outcome: "yes",
    action: "sell",
    kind: "market",
    count: (count * 100) as Centis,
    price: 550_000 as Micros,
    side: "ask",
    yesPrice: 550_000 as Micros,
    timeInForce: "immediate_or_cancel",
    reduceOnly: true,
  });
  await endJournalLogger(logger);
}

const reduceOnly = { ticker: "KXT-9", status: "canceled", last_update_reason: "ReduceOnlyCancel" };

describe("reduce-only cancel notices", () => {
  it("nothing held: says nothing was sold, the count asked for, and why, without jargon", async () => {
    const t = (h = await Harness.create());
    const logDir = await mkdtemp(join(tmpdir(), "alerts-journal-"));
    dirs.push(logDir);
    await journalSell(logDir, 8);
    await t.service({ journalDir: logDir }).start();
    t.flat("KXT-9");
    t.stub.sendUserOrder(
      wireOrder({
        ...reduceOnly,
        order_id: "s1",
        client_order_id: "cid-sell",
        book_side: "ask",
        outcome_side: "no",
        yes_price_dollars: "0.5500",
        initial_count_fp: "8.00",
        remaining_count_fp: "0.00",
      }),
    );
    await waitFor(() => t.sink.messages.length === 1, "cancel alert");
    const text = t.sink.finalTexts()[0]!;
    expect(text).toContain(
      "<b>Nothing sold</b>: Kalshi canceled your sell of 8 YES at $0.55 or better because you held no YES when it arrived.",
    );
    expect(text).toContain("A sell at market only closes what you hold; it never opens the other side.");
    expect(text).toContain("Title KXT-9");
    expect(text).not.toContain("reduce-only");
  });

  it("part held: the count sold, the count canceled, and what was held", async () => {
    const t = (h = await Harness.create());
    const logDir = await mkdtemp(join(tmpdir(), "alerts-journal-"));
    dirs.push(logDir);
    await journalSell(logDir, 8);
    await t.service({ journalDir: logDir }).start();
    t.flat("KXT-9");
    // Kalshi capped the order at the 3 held: it shows 3 placed, 3 filled; the user asked for 8.
    t.stub.sendUserOrder(
      wireOrder({
        ...reduceOnly,
        order_id: "s2",
        client_order_id: "cid-sell",
        book_side: "ask",
        outcome_side: "no",
        yes_price_dollars: "0.5500",
        initial_count_fp: "3.00",
        fill_count_fp: "3.00",
        remaining_count_fp: "0.00",
      }),
    );
    await waitFor(() => t.sink.messages.length === 1, "cancel alert");
    expect(t.sink.finalTexts()[0]).toContain(
      "<b>Sold 3 of 8 YES</b>: Kalshi canceled the other 5 because you held only 3 YES when it arrived.",
    );
  });

  it("without the journal: the exchange's count, read as a sell (reduce-only can only close)", async () => {
    const t = (h = await Harness.create());
    await t.service().start();
    t.flat("KXT-9");
    t.stub.sendUserOrder(
      wireOrder({ ...reduceOnly, order_id: "s3", book_side: "bid", yes_price_dollars: "0.3000" }),
    );
    await waitFor(() => t.sink.messages.length === 1, "cancel alert");
    expect(t.sink.finalTexts()[0]).toContain(
      "<b>Nothing sold</b>: Kalshi canceled your sell of 10 NO at $0.70 or better because you held no NO when it arrived.",
    );
  });
});
