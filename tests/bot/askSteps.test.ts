/**
 * Every step of /buy and /sell is one ask() (src/bot/conversations/ask.ts): an answer a step cannot
 * read gets that step's own sentence and the same question stays open; a tapped prompt keeps its
 * question and shows the choice. The other tests cover Cancel, expired buttons and commands.
 */
import type { Update } from "grammy/types";
import { afterEach, describe, expect, it } from "vitest";
import { type Harness, makeHarness, TICKER, USER } from "./harness.js";

let h: Harness;
afterEach(async () => {
  await h?.close();
});

/** The user sends something that is not text (a location). */
async function sendLocation(): Promise<void> {
  const user = { id: USER, is_bot: false, first_name: "Owner" };
  await h.bot.handleUpdate({
    update_id: 9_000_001,
    message: {
      message_id: 9_000_001,
      date: Math.floor(h.clock.t / 1000),
      chat: { id: USER, type: "private", first_name: "Owner" },
      from: user,
      location: { latitude: 40.7, longitude: -74 },
    },
  } as Update);
}

describe("the questions of /buy", () => {
  it("each step answers what it cannot read with its own sentence and asks on", async () => {
    h = await makeHarness();
    await h.say("/buy");
    expect(h.last().text).toContain("Which market? Send its ticker, or a few words to search for.");
    await h.say("x");
    expect(h.last().text).toContain("Send a ticker or at least one search word, or /cancel.");
    await sendLocation();
    expect(h.last().text).toContain("Please answer with text or a button, or send /cancel.");

    await h.say(TICKER);
    expect(h.last().text).toContain("Buy YES or NO?");
    await h.say("maybe");
    expect(h.last().text).toContain("Please tap YES or NO (or type yes / no), or /cancel.");
    await h.say(" YES ");
    expect(h.last().text).toContain("How many YES contracts? Tap a number or type one.");

    await h.tap("5");
    const countPrompt = h.api.messages(USER).find((m) => m.text.includes("How many YES contracts?"))!;
    expect(countPrompt.text).toContain("How many YES contracts? → 5");
    expect(countPrompt.replyMarkup).toBeUndefined();
    // Issue 13: a tapped count buys at market; Back on the quote asks the count again, and a typed
    // count leaves the Market/Limit question.
    expect(h.last().text).toContain("Buy 5 contracts YES at market");
    await h.tap("Back");
    expect(h.last().text).toContain("How many YES contracts?");
    await h.say("5");

    expect(h.last().text).toContain("Market order or limit order?");
    await h.say("soon");
    expect(h.last().text).toContain("Please tap Market or Limit, or /cancel.");
    // A typed price answers this step too: a limit order at that price.
    await h.say("0.40");
    expect(h.last().text).toContain("Buy 5 contracts YES limit $0.40");

    await h.say("ok");
    expect(h.last().text).toContain("Tap Confirm or Cancel on the card above, or send /cancel.");
    expect(h.world.createdOrders).toHaveLength(0);
    await h.tap("Confirm");
    expect(h.world.createdOrders).toHaveLength(1);
  });

  it("typed 'market' / 'limit' answer the order-kind question like the buttons", async () => {
    h = await makeHarness();
    await h.say(`/buy ${TICKER} no 2`);
    await h.say("Limit");
    expect(h.last().text).toContain("Send the limit price for NO, for example 0.42 or 42c.");
    await h.say("0.30");
    expect(h.last().text).toContain("Buy 2 contracts NO limit $0.30");
  });
});

describe("the position question of /sell", () => {
  it("a typed ticker that is not held is answered and the question stays open", async () => {
    h = await makeHarness();
    await h.say(`/buy ${TICKER} yes 10 @0.60`);
    await h.tap("Confirm");
    await h.say("/sell");
    expect(h.last().text).toContain("Which position do you want to sell?");
    await h.say("KXNOPE-1");
    expect(h.last().text).toContain(
      "You hold no position in “KXNOPE-1”. Tap one of the positions above, or /cancel.",
    );
    await h.say(TICKER.toLowerCase());
    expect(h.last().text).toContain("How many YES contracts do you want to sell?");
  });
});
