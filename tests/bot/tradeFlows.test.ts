/**
 * Flows that forgive (issue 16): a bad value re-asks the same question with the reason and never ends
 * the order; a command while a quote is open leaves it usable; /cancel and a new order take the old
 * buttons away; every step after the first has Back; /sell asks how many with All preselected;
 * `/buy bitcoin 100k` searches.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { PriceWatch } from "../../src/alerts/price/service.js";
import { Buttons } from "../../src/bot/buttons.js";
import { TAPERED_DECI_CENT } from "../../src/sim/fixtures.js";
import { c, usd } from "./world.js";
import { type Harness, makeHarness, TICKER, USER } from "./harness.js";

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const TAPERED = "KXTAPER-26NOV25-T1";
const placeCalls = () => h.world.callsTo("executor", "place").length;
const message = (id: number) => h.api.messages(USER).find((m) => m.messageId === id)!;
const keyboardOf = (id: number) => (message(id).replyMarkup?.inline_keyboard ?? []).flat().map((b) => b.text);

function addTapered(): void {
  h.world.exchange.addMarket({
    ticker: TAPERED,
    title: "Tapered test market",
    priceRanges: TAPERED_DECI_CENT,
    priceLevelStructure: "tapered_deci_cent",
  });
  h.world.setPrices(TAPERED, usd("0.30"), usd("0.33"));
}

describe("a bad value re-asks the same question", () => {
  it("a typed limit off the $0.01 grid names the nearest prices as buttons and goes on", async () => {
    h = await makeHarness();
    await h.say(`/buy ${TICKER} yes 4`);
    await h.tap("Limit");
    await h.say("0.905");
    expect(h.last().text).toContain("$0.905 is not on this market's $0.01 steps: $0.90 or $0.91?");
    expect(h.buttons()).toEqual(["$0.90", "$0.91", "◀ Back", "Cancel"]);
    await h.tap("$0.91");
    expect(h.last().text).toContain("Buy 4 contracts YES limit $0.91");
    expect(h.world.callsTo("executor", "quote")).toHaveLength(1);
  });

  it("an off-grid price in the shortcut re-asks the price instead of ending the order", async () => {
    h = await makeHarness();
    await h.say(`/buy ${TICKER} no 3 @0.275`);
    const texts = h.botTexts().join("\n");
    expect(texts).toContain("$0.275 is not on this market's $0.01 steps: $0.27 or $0.28?");
    expect(texts).not.toContain("Nothing was placed");
    await h.say("0.27");
    expect(h.last().text).toContain("Buy 3 contracts NO limit $0.27");
  });

  it("a tapered market's steps are its own: fine steps near the ends, cents in the middle", async () => {
    h = await makeHarness();
    addTapered();
    await h.say(`/buy ${TAPERED} yes 2 @0.155`);
    expect(h.last().text).toContain("$0.155 is not on this market's $0.01 steps: $0.15 or $0.16?");
    await h.say("0.055");
    expect(h.last().text).toContain("Buy 2 contracts YES limit $0.055");
    // NO at $0.845 is YES at $0.155: the same gap, named in NO prices.
    await h.say(`/buy ${TAPERED} no 2 @0.845`);
    expect(h.last().text).toContain("$0.845 is not on this market's $0.01 steps: $0.84 or $0.85?");
  });

  it("the contract and cost caps are checked when the count is typed, before Market/Limit", async () => {
    h = await makeHarness({ limits: { maxOrderContracts: 50, maxOrderCost: usd("10") } });
    await h.say(`/buy ${TICKER} yes`);
    await h.say("60");
    expect(h.last().text).toContain(
      "60 contracts is above your limit of 50 per order (MAX_ORDER_CONTRACTS).",
    );
    expect(h.botTexts().join("\n")).not.toContain("Market order or limit order?");
    await h.say("30");
    expect(h.last().text).toContain(
      "30 YES at $0.56 would cost $16.80, above your limit of $10.00 per order (MAX_ORDER_COST_DOLLARS)",
    );
    expect(h.last().text).toContain("17 is the most");
    expect(h.botTexts().join("\n")).not.toContain("Market order or limit order?");
    await h.say("10");
    expect(h.last().text).toContain("Market order or limit order?");
  });

  it("a quote refused for the balance re-asks the count with the reason; nothing ends", async () => {
    h = await makeHarness();
    h.world.balance = usd("1");
    await h.say(`/buy ${TICKER} yes 100 @0.60`);
    const t = h.last().text;
    expect(t).toContain("That order would cost $61.68 including fees, but your balance is $1.00.");
    expect(t).toContain("How many YES contracts?");
    await h.say("1");
    expect(h.last().text).toContain("Buy 1 contract YES limit $0.60");
    await h.tap("Confirm");
    expect(h.world.createdOrders).toHaveLength(1);
  });
});

describe("a command while a quote is open", () => {
  it("/balance answers and the quote's Confirm still places", async () => {
    h = await makeHarness();
    await h.say(`/buy ${TICKER} yes 10 @0.60`);
    const card = h.last();
    await h.say("/balance");
    expect(h.last().text).toContain("Cash: $100.00");
    expect(keyboardOf(card.messageId)).toEqual(["✅ Confirm", "◀ Back", "Cancel"]);
    await h.tap("Confirm");
    expect(h.world.createdOrders).toHaveLength(1);
    expect(message(card.messageId).text).toContain("Bought 10 contracts YES");
  });

  it("a price alert's Sell tapped over an open card drops that card; its old Confirm places nothing", async () => {
    // The alert buttons answer only where price alerts run; their Sell opens /sell and reads nothing of them.
    h = await makeHarness({ deps: { priceWatch: {} as unknown as PriceWatch } });
    h.world.exchange.setPosition(TICKER, 5);
    await h.say(`/buy ${TICKER} yes 10 @0.60`);
    const card = h.last();
    const oldConfirm = h.api.findButton(USER, "Confirm")!;
    // The Sell button a price alert carries (src/bot/alertSink.ts), signed like the bot's own.
    const sell = new Buttons("test-secret").data(`ps:y:${TICKER}`);
    await h.bot.api.sendMessage(USER, "price alert", {
      reply_markup: { inline_keyboard: [[{ text: "Sell YES", callback_data: sell }]] },
    });
    await h.tap("Sell YES");
    expect(message(card.messageId).text).toContain("Dropped: you started another order. Nothing was placed.");
    expect(message(card.messageId).replyMarkup).toBeUndefined();
    await h.api.tap(USER, USER, oldConfirm.messageId, oldConfirm.data);
    expect(h.world.createdOrders).toHaveLength(0);
  });

  it("a new /buy edits the open card to say it was dropped, without buttons", async () => {
    h = await makeHarness();
    await h.say(`/buy ${TICKER} yes 10 @0.60`);
    const card = h.last();
    await h.say(`/buy ${TICKER} no 2 @0.40`);
    expect(message(card.messageId).text).toContain("Dropped: you started another order. Nothing was placed.");
    // The dropped card still says which order it was.
    expect(message(card.messageId).text).toContain("Order to buy 10 contracts YES");
    expect(message(card.messageId).replyMarkup).toBeUndefined();
    expect(h.last().text).toContain("Buy 2 contracts NO limit $0.40");
    await h.tap("Confirm");
    expect(h.world.createdOrders).toHaveLength(1);
    expect(h.world.createdOrders[0]!.initialCount).toBe(c(2));
  });

  it("/cancel removes the buttons of the card and of an open question", async () => {
    h = await makeHarness();
    await h.say(`/buy ${TICKER} yes 10 @0.60`);
    const card = h.last();
    await h.say("/cancel");
    expect(message(card.messageId).replyMarkup).toBeUndefined();
    expect(message(card.messageId).text).toContain("Nothing was placed");
    await h.say(`/buy ${TICKER} yes`);
    const question = h.last();
    expect(question.text).toContain("How many YES contracts?");
    await h.say("/cancel");
    expect(message(question.messageId).replyMarkup).toBeUndefined();
    expect(message(question.messageId).text).toContain("How many YES contracts?");
    expect(h.last().text).toContain("Stopped. Nothing was placed.");
    expect(placeCalls()).toBe(0);
  });
});

describe("Back and the /sell count", () => {
  it("every step after the first has Back, which asks the step before again", async () => {
    h = await makeHarness();
    await h.say("/buy");
    expect(h.buttons()).toEqual(["Cancel"]);
    await h.say(TICKER);
    expect(h.buttons()).toEqual(["YES $0.56", "NO $0.45", "◀ Back", "Cancel"]);
    await h.tap("YES");
    expect(h.buttons()).toEqual(["1", "5", "10", "25", "$ amount", "Limit…", "◀ Back", "Cancel"]);
    await h.tap("Back");
    expect(h.last().text).toContain("Buy YES or NO?");
    await h.tap("NO");
    expect(h.last().text).toContain("How many NO contracts?");
    // A typed count leaves the kind open (a tapped one buys at market: tests/bot/oneTap.test.ts).
    await h.say("5");
    expect(h.buttons()).toEqual(["Market", "Limit", "◀ Back", "Cancel"]);
    await h.tap("Limit");
    expect(h.buttons()).toEqual(["◀ Back", "Cancel"]);
    await h.tap("Back");
    expect(h.last().text).toContain("Market order or limit order?");
    await h.tap("Market");
    expect(h.last().text).toContain("Buy 5 contracts NO at market");
  });

  it("Back on the quote card asks the last question again", async () => {
    h = await makeHarness();
    await h.say(`/buy ${TICKER} yes 10 @0.60`);
    const card = h.last();
    await h.tap("Back");
    expect(message(card.messageId).replyMarkup).toBeUndefined();
    expect(h.last().text).toContain("Send the limit price for YES");
    await h.say("0.58");
    expect(h.last().text).toContain("Buy 10 contracts YES limit $0.58");
    await h.tap("Confirm");
    expect(h.world.createdOrders).toHaveLength(1);
  });

  it("after Back, the old card's Confirm places nothing; the new card's Confirm places one order", async () => {
    h = await makeHarness();
    await h.say(`/buy ${TICKER} yes 10 @0.60`);
    const old = h.api.findButton(USER, "Confirm")!;
    await h.tap("Back");
    await h.say("0.58");
    const tapOld = await h.api.tap(USER, USER, old.messageId, old.data);
    expect(h.api.callbackAnswers.get(tapOld.callback_query!.id)?.text).toBe("This button has expired.");
    expect(h.world.createdOrders).toHaveLength(0);
    await h.tap("Confirm");
    expect(h.world.createdOrders).toHaveLength(1);
    expect(h.last().text).toContain("10 contracts YES");
  });

  it("/sell from the position button asks how many, All preselected; a typed part sells that many", async () => {
    h = await makeHarness();
    await h.say(`/buy ${TICKER} yes 10 @0.60`);
    await h.tap("Confirm");
    await h.say("/sell");
    await h.tap(/YES ×10/);
    expect(h.last().text).toContain("How many YES contracts do you want to sell? You hold 10.");
    expect(h.buttons()).toEqual(["✅ All 10", "1", "5", "◀ Back", "Cancel"]);
    await h.say("12");
    expect(h.last().text).toContain("You hold 10 YES; send 10 or fewer, or tap All.");
    await h.say("4");
    await h.tap("Market");
    expect(h.last().text).toContain("Sell 4 contracts YES at market");
  });
});

describe("/buy with words", () => {
  it("`/buy bitcoin 100k` searches instead of reading 100k as a count", async () => {
    h = await makeHarness();
    h.world.addMarket({
      ticker: "KXBTCD-26NOV25-T100000",
      title: "Bitcoin price on Nov 25",
      yesSubTitle: "$100,000 or above",
      yesBid: usd("0.40"),
      yesAsk: usd("0.42"),
    });
    await h.say("/buy bitcoin 100k");
    const texts = h.botTexts().join("\n");
    expect(texts).not.toContain("is not a number of contracts");
    expect(texts).not.toContain("I couldn't find the market");
    expect(h.world.callsTo("markets", "search")[0]!.args[0]).toBe("bitcoin 100k");
    // "100k" finds the strike written $100,000.
    expect(h.last().text).toContain("KXBTCD-26NOV25-T100000");
    await h.tap(/^1\./);
    expect(h.last().text).toContain("Buy YES or NO?");
  });

  it("words then side, count and price: searches, and the picked market keeps the rest", async () => {
    h = await makeHarness();
    await h.say("/buy temperature nyc yes 3 @0.50");
    expect(h.world.callsTo("markets", "search")[0]!.args[0]).toBe("temperature nyc");
    await h.tap(/^1\./);
    expect(h.last().text).toContain("Buy 3 contracts YES limit $0.50");
  });
});
