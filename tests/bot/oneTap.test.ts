/**
 * Acting in few taps (issue 13, items 4, 6, 7 and the tap measure), through the bot against the sim:
 * a market card to a confirmed market buy in 3 taps, Limit… one tap away, dollar sizing at its edges
 * and with a cap hit after the conversion, Again after a fill (stale and forged taps too), and the
 * Confirm buttons' colours as the fake Bot API received them.
 */
import { afterEach, describe, expect, it } from "vitest";
import { GrammyError } from "grammy";
import { c, usd } from "./world.js";
import { type Harness, makeHarness, STRANGER, TICKER, USER } from "./harness.js";

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const placeCalls = () => h.world.callsTo("executor", "place").length;
const quoteCalls = () => h.world.callsTo("executor", "quote").length;
const EXPIRED = "This button has expired.";

/** Taps counted: every tap of the flow goes through here. */
function counter() {
  let taps = 0;
  return {
    tap: async (label: string | RegExp) => {
      taps++;
      await h.tap(label);
    },
    get taps() {
      return taps;
    },
  };
}

/** The buttons of the newest sendMessage the bot made with `label` on it, as the fake Bot API got them. */
function sentButtons(label: string) {
  const calls = h.api.callsOf("sendMessage").filter((x) => JSON.stringify(x.params).includes(label));
  const markup = calls.at(-1)!.params.reply_markup as {
    inline_keyboard: { text: string; style?: string }[][];
  };
  return markup.inline_keyboard.flat();
}

describe("taps from a market card", () => {
  it("Buy YES → 10 → Confirm: a filled market buy in 3 taps, nothing typed", async () => {
    h = await makeHarness();
    await h.say(`/market ${TICKER}`);
    const typedBefore = h.api.messages(USER).filter((m) => m.from === "user").length;
    const t = counter();
    await t.tap("Buy YES");
    expect(h.buttons()).toEqual(["1", "5", "10", "25", "$ amount", "Limit…", "◀ Back", "Cancel"]);
    expect(h.last().text).toContain("A tapped number buys at market.");
    await t.tap(/^10$/);
    expect(h.last().text).toContain("Buy 10 contracts YES at market, worst price $0.58");
    await t.tap("Confirm");
    expect(t.taps).toBe(3);
    expect(h.api.messages(USER).filter((m) => m.from === "user")).toHaveLength(typedBefore);
    expect(h.world.createdOrders).toHaveLength(1);
    expect(h.world.createdOrders[0]).toMatchObject({ initialCount: c(10), status: "executed" });
    expect(h.last().text).toContain("Bought 10 contracts YES at avg $0.56");
  });

  it("Limit… is one tap away: it asks the count, then the price; Back returns to the first count question", async () => {
    h = await makeHarness();
    await h.say(`/market ${TICKER}`);
    await h.tap("Buy NO");
    await h.tap("Limit…");
    expect(h.last().text).toContain(
      "How many NO contracts? Tap a number or type one.\nLimit order: the price comes next.",
    );
    expect(h.buttons()).toEqual(["1", "5", "10", "25", "$ amount", "◀ Back", "Cancel"]);
    await h.tap("Back");
    expect(h.buttons()).toContain("Limit…");
    await h.tap("Limit…");
    await h.tap(/^5$/);
    expect(h.last().text).toContain("Send the limit price for NO");
    await h.say("0.40");
    expect(h.last().text).toContain("Buy 5 contracts NO limit $0.40");
    // Back on the quote asks the price again, not the kind.
    await h.tap("Back");
    expect(h.last().text).toContain("Send the limit price for NO");
    await h.say("0.41");
    await h.tap("Confirm");
    expect(h.world.createdOrders).toHaveLength(1);
    expect(h.world.createdOrders[0]).toMatchObject({ initialCount: c(5), yesPrice: usd("0.59") });
  });

  it("a count refused after a tap (a cap) asks the count again with the reason, then goes on at market", async () => {
    h = await makeHarness({ limits: { maxOrderContracts: 5 } });
    await h.say(`/buy ${TICKER} yes`);
    await h.tap(/^10$/);
    expect(h.last().text).toContain("10 contracts is above your limit of 5 per order (MAX_ORDER_CONTRACTS).");
    expect(h.buttons()).toContain("Limit…");
    await h.tap(/^5$/);
    expect(h.last().text).toContain("Buy 5 contracts YES at market");
  });

  it("a tapped count with nobody selling asks the count again with the reason; Limit… then goes on", async () => {
    h = await makeHarness();
    h.world.setPrices(TICKER, usd("0.55"), null);
    await h.say(`/buy ${TICKER} yes`);
    await h.tap(/^10$/);
    expect(h.last().text).toContain(
      "Nobody is selling YES right now, so a market order can't fill; try a limit order.",
    );
    expect(h.last().text).toContain("How many YES contracts?");
    await h.tap("Limit…");
    await h.tap(/^10$/);
    await h.say("0.50");
    expect(h.last().text).toContain("Buy 10 contracts YES limit $0.50");
    expect(placeCalls()).toBe(0);
  });
});

describe("dollar sizing", () => {
  it("/buy TICKER yes $25 at market: the largest count whose worst cost + fee fits, shown on the quote", async () => {
    h = await makeHarness();
    await h.say(`/buy ${TICKER} yes $25`);
    // A typed amount leaves the kind open.
    await h.tap("Market");
    // Worst price $0.58 (ask $0.56 + $0.02): 41 cost $23.78 + fee $0.70 = $24.48; 42 would be $25.08.
    const card = h.last().text;
    expect(card).toContain("Buy 41 contracts YES at market, worst price $0.58");
    expect(card).toContain("$25.00 buys 41 YES contracts at worst $0.58 + fee $0.70");
    expect(card).toContain("Max loss: $24.48");
    await h.tap("Confirm");
    expect(h.world.createdOrders[0]).toMatchObject({ initialCount: c(41) });
  });

  it("$0.50 when one contract costs more: a clear sentence, the count asked again, nothing placed", async () => {
    h = await makeHarness();
    await h.say(`/buy ${TICKER} yes $0.50`);
    await h.tap("Market");
    const t = h.last().text;
    expect(t).toContain(
      "$0.50 does not buy one YES contract: one costs $0.58 at worst + fee $0.02 ($0.60). Nothing was placed; send a larger amount or a count.",
    );
    expect(t).toContain("How many YES contracts?");
    expect(placeCalls()).toBe(0);
    expect(h.world.createdOrders).toHaveLength(0);
    // The kind chosen stays: the new amount goes straight to the quote.
    await h.say("$0.60");
    expect(h.last().text).toContain("$0.60 buys 1 YES contract at worst $0.58 + fee $0.02");
  });

  it("a cap hit after the conversion asks the count again with what the amount bought and the cap", async () => {
    h = await makeHarness({ limits: { maxOrderCost: usd("10") } });
    await h.say(`/market ${TICKER}`);
    await h.tap("Buy YES");
    await h.tap("$ amount");
    expect(h.buttons()).toEqual(["$10", "$25", "$50", "$100", "◀ Back", "Cancel"]);
    await h.tap("Back");
    expect(h.last().text).toContain("How many YES contracts?");
    await h.tap("$ amount");
    await h.tap("$25");
    const t = h.last().text;
    expect(t).toContain(
      "$25.00 buys 41 YES contracts at worst $0.58 + fee $0.70. That order would cost $23.78, above your limit of $10.00 (MAX_ORDER_COST_DOLLARS).",
    );
    expect(t).toContain("How many YES contracts?");
    expect(placeCalls()).toBe(0);
    // $10 at market (tapped): 16 cost $9.28 + fee $0.28 = $9.56; 17 would be $10.15.
    await h.tap("$ amount");
    await h.tap("$10");
    expect(h.last().text).toContain("$10.00 buys 16 YES contracts at worst $0.58 + fee $0.28");
    await h.tap("Confirm");
    expect(h.world.createdOrders[0]).toMatchObject({ initialCount: c(16) });
  });

  it("a dollar amount with a limit is sized at the limit; a typed amount in the count step works too", async () => {
    h = await makeHarness();
    await h.say(`/buy ${TICKER} yes $10 @0.50`);
    // $0.50 rests below the $0.56 ask, but is sized with the taker fee it would pay if the ask came
    // down to it first: 20 × $0.50 would fit only without a fee; 19 + $0.34 fit.
    expect(h.last().text).toContain("$10.00 buys 19 YES contracts at worst $0.50 + fee $0.34");
    await h.say(`/buy ${TICKER} no`);
    await h.say("$5");
    expect(h.last().text).toContain("Market order or limit order?");
    await h.say("0.40");
    // 12 × $0.40 = $4.80 + the taker fee $0.21 is over $5; 11 fit.
    expect(h.last().text).toContain("Buy 11 contracts NO limit $0.40");
  });

  it("an unreadable amount or one for a sell is said, and nothing is quoted", async () => {
    h = await makeHarness();
    await h.say(`/buy ${TICKER} yes`);
    await h.tap("$ amount");
    await h.say("lots");
    expect(h.last().text).toContain("“lots” is not a dollar amount. Send one like $25 or $12.50.");
    await h.say(`/sell ${TICKER} yes $10`);
    expect(h.botTexts().join("\n")).toContain(
      "A dollar amount sizes buys only; say how many contracts to sell.",
    );
    expect(quoteCalls()).toBe(0);
  });
});

describe("Again", () => {
  it("a filled buy's result card offers Again: the same order, freshly quoted, placed only on Confirm", async () => {
    h = await makeHarness();
    await h.say(`/buy ${TICKER} yes 10 @0.60`);
    await h.tap("Confirm");
    const result = h.last();
    expect(result.text).toContain("Bought 10 contracts YES");
    expect(h.buttons()).toEqual(["🔁 Again"]);
    h.world.setPrices(TICKER, usd("0.57"), usd("0.58"));
    await h.tap("Again");
    // The card keeps its result, shows the choice and loses the button.
    const after = h.api.messages(USER).find((m) => m.messageId === result.messageId)!;
    expect(after.text).toContain("Bought 10 contracts YES");
    expect(after.text).toContain("→ Again");
    expect(after.replyMarkup).toBeUndefined();
    const card = h.last().text;
    expect(card).toContain("Again: the same order as before, freshly quoted.");
    expect(card).toContain("Buy 10 contracts YES limit $0.60");
    expect(quoteCalls()).toBe(2);
    expect(h.world.createdOrders).toHaveLength(1);
    await h.tap("Confirm");
    expect(h.world.createdOrders).toHaveLength(2);
    expect(h.world.createdOrders[1]).toMatchObject({ initialCount: c(10), yesPrice: usd("0.60") });
  });

  it("a market buy and a sell repeat as market orders of the same count and side", async () => {
    h = await makeHarness();
    await h.say(`/buy ${TICKER} no 6`);
    await h.tap("Market");
    await h.tap("Confirm");
    await h.tap("Again");
    expect(h.last().text).toContain("Buy 6 contracts NO at market");
    await h.tap("Cancel");
    await h.say(`/sell ${TICKER} no 2`);
    await h.tap("Market");
    await h.tap("Confirm");
    expect(h.last().text).toContain("Sold 2 contracts NO");
    await h.tap("Again");
    expect(h.last().text).toContain("Sell 2 contracts NO at market");
  });

  it("no Again on an order that filled nothing", async () => {
    h = await makeHarness();
    await h.say(`/buy ${TICKER} yes 10 @0.40`);
    await h.tap("Confirm");
    expect(h.last().text).toContain("Order placed");
    expect(h.last().replyMarkup).toBeUndefined();
  });

  it("a second tap on a used Again, a forged one and an outsider's open nothing and call no exchange", async () => {
    h = await makeHarness();
    await h.say(`/buy ${TICKER} yes 2 @0.60`);
    await h.tap("Confirm");
    const again = h.api.findButton(USER, "Again")!;
    await h.tap("Again");
    await h.tap("Cancel");
    const calls = h.world.calls.length;
    const texts = h.botTexts().length;

    const stale = await h.api.tap(USER, USER, again.messageId, again.data);
    expect(h.api.callbackAnswers.get(stale.callback_query!.id)?.text).toBe(EXPIRED);
    const forged = await h.api.tap(USER, USER, again.messageId, again.data.replace(/_2\d\d_/, "_900_"));
    expect(h.api.callbackAnswers.get(forged.callback_query!.id)?.text).toBe(EXPIRED);
    await h.api.tap(STRANGER, STRANGER, again.messageId, again.data);

    expect(h.world.calls.length).toBe(calls);
    expect(h.botTexts()).toHaveLength(texts);
    expect(h.world.createdOrders).toHaveLength(1);
  });
});

describe("button styles", () => {
  it("Confirm is green on a buy and red on a sell as sent; Back and Cancel stay plain", async () => {
    h = await makeHarness();
    await h.say(`/buy ${TICKER} yes 3 @0.60`);
    expect(sentButtons("Confirm").map((b) => [b.text, b.style])).toEqual([
      ["✅ Confirm", "success"],
      ["◀ Back", undefined],
      ["Cancel", undefined],
    ]);
    await h.tap("Confirm");
    await h.say(`/sell ${TICKER} yes 3`);
    await h.tap("Market");
    expect(sentButtons("Sell 3").find((b) => b.text === "✅ Confirm")?.style).toBe("danger");
    // The count step and the result card's Again are plain.
    await h.say(`/buy ${TICKER} yes`);
    expect(sentButtons("How many").every((b) => b.style === undefined)).toBe(true);
  });

  it("the fake Bot API keeps a style and refuses one Telegram does not know", async () => {
    h = await makeHarness();
    const sent = await h.bot.api.sendMessage(USER, "styled", {
      reply_markup: { inline_keyboard: [[{ text: "Go", callback_data: "x", style: "primary" }]] },
    });
    const kept = h.api.messages(USER).find((m) => m.messageId === sent.message_id)!;
    expect(kept.replyMarkup?.inline_keyboard[0]![0]).toMatchObject({ style: "primary" });
    const bad = { text: "Go", callback_data: "x", style: "purple" } as unknown as {
      text: string;
      callback_data: string;
    };
    const refused = await h.bot.api
      .sendMessage(USER, "styled", { reply_markup: { inline_keyboard: [[bad]] } })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(GrammyError);
    expect((refused as GrammyError).error_code).toBe(400);
  });
});
