/**
 * Resting orders are shown as the user placed them: a "Sell 5 YES @ $0.90" rests on Kalshi's book as
 * an ask (NO at $0.10) and must not show up as a NO order. When the bot cannot know (an order placed
 * elsewhere, no journal), both readings are shown.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { journalIntentLookup } from "../../src/alerts/intent.js";
import { contracts } from "../../src/domain/money.js";
import { type Harness, makeHarness, TICKER } from "./harness.js";
import { usd } from "./world.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** A resting ask (sell YES = buy NO) of 5 at YES $0.90, placed outside this run of the bot; its id. */
function restingAsk(clientOrderId: string | null): string {
  return h!.world.restElsewhere({
    ticker: TICKER,
    side: "ask",
    yesPrice: usd("0.90"),
    count: contracts(5),
    clientOrderId,
  });
}

describe("resting orders show what the user asked for", () => {
  it("a resting Sell 5 YES @ $0.90 is listed and looked up as a sell of YES, not as NO at $0.10", async () => {
    h = await makeHarness();
    await h.say(`/buy ${TICKER} yes 10`);
    await h.tap("Market");
    await h.tap("Confirm");
    await h.say(`/sell ${TICKER} yes 5 @0.90`);
    await h.tap("Confirm");
    expect(h.last().text).toContain("Resting: 5 contracts at $0.90");
    const id = h.world.createdOrders[1]!.orderId;
    expect(h.world.createdOrders[1]!.bookSide).toBe("ask");

    await h.say("/orders");
    const list = h.last().text;
    expect(list).toContain(`1. Sell 5 YES @ $0.90 ${TICKER}`);
    expect(list).toContain("5 of 5 left");
    expect(list).not.toMatch(/\bNO\b|\$0\.10/);

    await h.say(`/status ${id}`);
    expect(h.last().text).toContain(`Sell 5 YES @ $0.90 ${TICKER} (limit)`);
    expect(h.last().text).not.toMatch(/\bNO\b|\$0\.10/);
  });

  it("an order the bot knows nothing about shows both readings of the book side", async () => {
    h = await makeHarness();
    const web1 = restingAsk(null);
    await h.say("/orders");
    expect(h.last().text).toContain(`1. Buy NO @ $0.10 = Sell YES @ $0.90 ${TICKER}`);
    await h.say(`/status ${web1}`);
    expect(h.last().text).toContain("Buy NO @ $0.10 = Sell YES @ $0.90");
  });

  it("an order of an earlier run is read from the journal (BotDeps.orderIntent); a contradicting entry is ignored", async () => {
    const logDir = join((h = await makeHarness()).dir, "logs");
    await h.close();
    await mkdir(logDir, { recursive: true });
    const line = (cid: string, action: string, outcome: string) =>
      JSON.stringify({
        type: "order_submitted",
        time: "2026-11-24 09:00:00",
        environment: "sim",
        ticker: TICKER,
        clientOrderId: cid,
        action,
        outcome,
      });
    // cid-2 claims "buy YES" for an ask: impossible, so it is not believed.
    await writeFile(
      join(logDir, "trades-2026-11-24.log"),
      `${line("cid-1", "sell", "yes")}\n${line("cid-2", "buy", "yes")}\n`,
    );

    h = await makeHarness({ deps: { orderIntent: journalIntentLookup(logDir) } });
    restingAsk("cid-1");
    restingAsk("cid-2");
    await h.say("/orders");
    const list = h.last().text;
    // Newest first: cid-2 (not believed, both readings), then cid-1.
    expect(list).toContain(`1. Buy NO @ $0.10 = Sell YES @ $0.90 ${TICKER}`);
    expect(list).toContain(`2. Sell 5 YES @ $0.90 ${TICKER}`);
  });

  it("a failing intent lookup still lists the orders (both readings)", async () => {
    h = await makeHarness({
      deps: {
        orderIntent: () => Promise.reject(new Error("journal unreadable")),
      },
    });
    restingAsk("cid-1");
    await h.say("/orders");
    expect(h.last().text).toContain("Buy NO @ $0.10 = Sell YES @ $0.90");
    expect(h.logs.some((l) => l.message === "order intent lookup failed")).toBe(true);
  });
});
