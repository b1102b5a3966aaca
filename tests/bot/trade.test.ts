import { afterEach, describe, expect, it } from "vitest";
import { c, usd } from "./world.js";
import { KalshiApiError } from "../../src/exchange/errors.js";
import { UserError } from "../../src/trading/types.js";
import { type Harness, makeHarness, TICKER, USER } from "./harness.js";

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const placeCalls = () => h.world.callsTo("executor", "place").length;

describe("/buy", () => {
  it("a full shortcut with a limit price goes straight to the quote card and places one order", async () => {
    h = await makeHarness();
    await h.say(`/buy ${TICKER} no 5 @0.42`);
    const card = h.last();
    expect(card.text).toContain("Please confirm");
    expect(card.text).toContain("Buy 5 contracts NO limit $0.42");
    expect(card.text).toContain("Est. cost: $2.10");
    expect(card.text).toContain("Max payout: $5.00");
    expect(card.text).toContain("Expires in 60 s");
    expect(h.buttons()).toEqual(["✅ Confirm", "◀ Back", "Cancel"]);
    expect(placeCalls()).toBe(0);

    await h.tap("Confirm");
    const result = h.api.messages(USER).find((m) => m.messageId === card.messageId)!;
    expect(result.replyMarkup).toBeUndefined();
    // NO ask is 1 - 0.55 = 0.45 > 0.42: the limit order rests.
    expect(result.text).toContain("Order placed");
    expect(result.text).toContain("Resting: 5 contracts at $0.42");
    expect(result.text).toContain(`Order id: ${h.orderId(1)}`);
    expect(h.world.createdOrders).toHaveLength(1);
    expect(h.world.createdOrders[0]!.clientOrderId).toBe(
      (h.world.callsTo("executor", "place")[0]!.args[0] as { clientOrderId: string }).clientOrderId,
    );
  });

  it.each(["0.42", "42c", "@42¢"])("accepts the price written as %s", async (p) => {
    h = await makeHarness();
    await h.say(`/buy ${TICKER} yes 3 ${p}`);
    expect(h.last().text).toContain("Buy 3 contracts YES limit $0.42");
  });

  it("asks step by step: search, pick, side with prices, count, market/limit, price", async () => {
    h = await makeHarness();
    await h.say("/buy");
    expect(h.last().text).toContain("Which market?");
    await h.say("temperature nyc");
    expect(h.world.callsTo("markets", "search")).toHaveLength(1);
    expect(h.last().text).toContain(TICKER);
    await h.tap(/^1\./);
    expect(h.last().text).toContain("Buy YES or NO?");
    expect(h.buttons()).toEqual(["YES $0.56", "NO $0.45", "◀ Back", "Cancel"]);
    await h.tap("NO");
    expect(h.buttons()).toEqual(["1", "5", "10", "25", "$ amount", "Limit…", "◀ Back", "Cancel"]);
    await h.say("7");
    await h.tap("Limit");
    expect(h.last().text).toContain("Send the limit price for NO");
    await h.say("40c");
    expect(h.last().text).toContain("Buy 7 contracts NO limit $0.40");
    await h.tap("Confirm");
    expect(h.world.createdOrders).toHaveLength(1);
    expect(h.world.createdOrders[0]!.initialCount).toBe(c(7));
  });

  it("a market buy fills and the card becomes the result with average price and fee", async () => {
    h = await makeHarness();
    await h.say(`/buy ${TICKER} yes 10`);
    await h.tap("Market");
    await h.tap("Confirm");
    const t = h.last().text;
    expect(t).toContain("Bought 10 contracts YES at avg $0.56");
    expect(t).toContain("Fee: $0.18");
    expect(t).toContain("Status: executed");
    // Confirm, Back and Cancel are gone; the filled result offers Again (issue 13).
    expect(h.buttons()).toEqual(["🔁 Again"]);
  });

  it("a double tap on Confirm places exactly one order", async () => {
    h = await makeHarness();
    await h.say(`/buy ${TICKER} yes 10 @0.60`);
    const card = h.last();
    const data = h.api.findButton(USER, "Confirm")!.data;
    await h.api.tap(USER, USER, card.messageId, data);
    const second = await h.api.tap(USER, USER, card.messageId, data);
    expect(h.world.createdOrders).toHaveLength(1);
    expect(h.api.callbackAnswers.get(second.callback_query!.id)?.text).toBe("This button has expired.");
  });

  it("two taps processed concurrently still create one order (same clientOrderId)", async () => {
    h = await makeHarness();
    await h.say(`/buy ${TICKER} yes 10 @0.60`);
    const card = h.last();
    const data = h.api.findButton(USER, "Confirm")!.data;
    await Promise.all([
      h.api.tap(USER, USER, card.messageId, data),
      h.api.tap(USER, USER, card.messageId, data),
    ]);
    expect(h.world.createdOrders).toHaveLength(1);
  });

  it("a resent update (same update) after placing places nothing more", async () => {
    h = await makeHarness();
    await h.say(`/buy ${TICKER} yes 10 @0.60`);
    const u = await h.tap("Confirm");
    await h.bot.handleUpdate(u);
    expect(h.world.createdOrders).toHaveLength(1);
  });

  it("a tap after the confirmation timeout places nothing and shows a fresh quote", async () => {
    h = await makeHarness({ confirmTimeoutMs: 30_000 });
    await h.say(`/buy ${TICKER} yes 10 @0.60`);
    const first = h.last();
    expect(first.text).toContain("Expires in 30 s");
    h.clock.t += 31_000;
    await h.tap("Confirm");
    expect(placeCalls()).toBe(0);
    const old = h.api.messages(USER).find((m) => m.messageId === first.messageId)!;
    expect(old.text).toContain("This quote expired; nothing was placed");
    expect(old.replyMarkup).toBeUndefined();
    const fresh = h.last();
    expect(fresh.messageId).not.toBe(first.messageId);
    expect(fresh.text).toContain("Please confirm");
    await h.tap("Confirm");
    expect(h.world.createdOrders).toHaveLength(1);
  });

  it("a moved price re-quotes instead of placing", async () => {
    h = await makeHarness();
    await h.say(`/buy ${TICKER} yes 10`);
    await h.tap("Market");
    h.world.setPrices(TICKER, usd("0.70"), usd("0.72"));
    await h.tap("Confirm");
    expect(h.world.createdOrders).toHaveLength(0);
    expect(h.botTexts().join("\n")).toContain("The price moved; nothing was placed");
    expect(h.last().text).toContain("worst price $0.74");
    await h.tap("Confirm");
    expect(h.world.createdOrders).toHaveLength(1);
  });

  it("Cancel on the card places nothing", async () => {
    h = await makeHarness();
    await h.say(`/buy ${TICKER} yes 10 @0.60`);
    await h.tap("Cancel");
    expect(h.last().text).toContain("Canceled. Nothing was placed.");
    expect(placeCalls()).toBe(0);
  });

  it("/cancel leaves the conversation and takes the card's buttons away; an old Confirm has expired", async () => {
    h = await makeHarness();
    await h.say(`/buy ${TICKER} yes 10 @0.60`);
    const card = h.last();
    const data = h.api.findButton(USER, "Confirm")!.data;
    await h.say("/cancel");
    expect(h.last().text).toContain("Stopped. Nothing was placed.");
    // The card no longer draws Confirm (issue 16); a tap from an old client still places nothing.
    expect(h.api.messages(USER).find((m) => m.messageId === card.messageId)!.replyMarkup).toBeUndefined();
    const u = await h.api.tap(USER, USER, card.messageId, data);
    expect(h.api.callbackAnswers.get(u.callback_query!.id)?.text).toBe("This button has expired.");
    expect(placeCalls()).toBe(0);
  });

  it("another command mid-conversation runs, and the question stays open", async () => {
    h = await makeHarness();
    await h.say("/buy");
    await h.say("/balance");
    expect(h.last().text).toContain("Cash: $100.00");
    await h.say("temperature");
    // Still the answer to "Which market?" (issue 16: a command in between does not end the order).
    expect(h.world.callsTo("markets", "search")).toHaveLength(1);
    expect(h.last().text).toContain(TICKER);
  });

  it("bad count, bad price and unknown ticker each get a clear message and the step asks again", async () => {
    h = await makeHarness();
    await h.say(`/buy ${TICKER} yes ten`);
    expect(h.botTexts().join("\n")).toContain("“ten” is not a number of contracts");
    expect(h.buttons()).toContain("25");
    await h.say("-3");
    expect(h.last().text).toContain("“-3” is not a number of contracts");
    await h.say("0");
    expect(h.last().text).toContain("“0” is not a number of contracts");
    await h.say("4");
    await h.tap("Limit");
    await h.say("1.50");
    expect(h.last().text).toContain("between $0.01 and $0.99");
    await h.say("$5");
    expect(h.last().text).toContain("“$5” is $5.00, but a price is between $0.01 and $0.99");
    expect(h.last().text).toContain("For 5¢ send 5c.");
    await h.say("abc");
    expect(h.last().text).toContain("“abc” is not a price");
    await h.say("0.5");
    expect(h.last().text).toContain("Buy 4 contracts YES limit $0.50");
    expect(placeCalls()).toBe(0);

    await h.say("/buy KXNOPE-99 yes 1 @0.5");
    expect(h.botTexts().join("\n")).toContain(
      "There is no market with ticker KXNOPE-99. Find one with /search <words>.",
    );
    expect(h.last().text).toContain("Which market?");
    await h.say("/cancel");
    expect(placeCalls()).toBe(0);
  });

  it("a quote the executor refuses says its sentence, places nothing and asks the count again", async () => {
    h = await makeHarness();
    h.world.balance = usd("1");
    await h.say(`/buy ${TICKER} yes 100 @0.60`);
    // The executor's own sentence: what the order would cost against what there is (issue 16: the
    // order does not end there; the count is asked again).
    expect(h.last().text).toContain(
      "That order would cost $61.68 including fees, but your balance is $1.00.",
    );
    expect(h.last().text).toContain("How many YES contracts?");
    expect(placeCalls()).toBe(0);
  });

  it("an order POST with an unknown outcome says so, checks the resting orders and points to /orders", async () => {
    h = await makeHarness();
    await h.say(`/buy ${TICKER} yes 1 @0.60`);
    h.world.placeError = new Error("socket hang up");
    await h.tap("Confirm");
    expect(h.last().text).toContain("I couldn't confirm whether the order was placed.");
    expect(h.last().text).toContain("I checked: it is not among your resting orders right now");
    expect(h.last().text).toContain("/orders");
    expect(h.last().text).not.toContain("socket hang up");
  });

  it("an unknown outcome where the order did get in: the card says it is resting, with its id", async () => {
    h = await makeHarness();
    await h.say(`/buy ${TICKER} no 5 @0.42`);
    // The exchange takes the order (it rests), then its answer is lost; the executor's one read of
    // the resting orders finds it.
    h.world.exchange.failNext("createOrder", new Error("socket hang up"), "after");
    await h.tap("Confirm");
    const t = h.last().text;
    expect(t).toContain(`Kalshi did take the order: ${h.orderId(1)} is resting with 5 of 5 contracts left.`);
    expect(t).toContain("/orders");
    expect(t).not.toContain("couldn't confirm");
    expect(h.world.createdOrders).toHaveLength(1);
  });

  it("a place() that throws (a bug, not an outcome) is told as an open outcome, never as 'nothing was placed'", async () => {
    h = await makeHarness();
    await h.say(`/buy ${TICKER} yes 1 @0.60`);
    h.world.failing.set("executor.place", new UserError("This sentence must not be shown as a refusal."));
    await h.tap("Confirm");
    const t = h.last().text;
    expect(t).toContain("I couldn't confirm whether the order was placed.");
    expect(t).toContain("I couldn't check your orders just now.");
    expect(t).not.toMatch(/nothing was placed/i);
  });

  it("a refusal that proves nothing was placed is said as such, without the unknown-outcome text", async () => {
    h = await makeHarness({
      deps: { describeError: () => "Kalshi rejected the request (bad thing); nothing was changed." },
    });
    await h.say(`/buy ${TICKER} yes 1 @0.60`);
    h.world.placeError = new KalshiApiError(400, "invalid_order", "bad thing", null, false, "POST", "/x");
    await h.tap("Confirm");
    expect(h.last().text).toBe("🧪 SIM\nKalshi rejected the request (bad thing); nothing was changed.");
    expect(h.world.createdOrders).toHaveLength(0);
  });

  it("a UserError from placing keeps its own sentence even with an exchange describeError", async () => {
    h = await makeHarness({ deps: { describeError: () => "Something went wrong while talking to Kalshi." } });
    await h.say(`/buy ${TICKER} yes 1 @0.60`);
    h.world.placeError = new UserError("That market just closed.", "market_closed");
    await h.tap("Confirm");
    expect(h.last().text).toBe("🧪 SIM\nThat market just closed. Nothing was placed.");
  });

  it("forged callback data answers 'expired' and does nothing", async () => {
    h = await makeHarness();
    await h.say(`/buy ${TICKER} yes 10 @0.60`);
    const card = h.last();
    const real = h.api.findButton(USER, "Confirm")!.data;
    const forged = [
      real.replace(/\.[^.]+$/, ".AAAAAAAA"),
      "t:abcd:ok1",
      "oca",
      "mb:yes:" + TICKER,
      "x".repeat(64),
    ];
    for (const data of forged) {
      const u = await h.api.tap(USER, USER, card.messageId, data);
      expect(h.api.callbackAnswers.get(u.callback_query!.id)?.text).toBe("This button has expired.");
    }
    expect(placeCalls()).toBe(0);
    expect(h.world.callsTo("executor", "cancelAll")).toHaveLength(0);
  });

  it("Buy YES on a market card enters /buy with ticker and side preset", async () => {
    h = await makeHarness();
    await h.say(`/market ${TICKER}`);
    expect(h.last().text).toContain("Highest temperature in NYC");
    await h.tap("Buy YES");
    expect(h.last().text).toContain("How many YES contracts?");
    // Issue 13: a tapped count buys at market, straight to the quote (no Market/Limit question).
    await h.tap("5");
    expect(h.last().text).toContain("Buy 5 contracts YES at market");
  });
});

describe("/sell", () => {
  it("offers open positions as buttons and sells the whole position with All", async () => {
    h = await makeHarness();
    await h.say(`/buy ${TICKER} yes 10 @0.60`);
    await h.tap("Confirm");
    await h.say("/sell");
    expect(h.buttons()).toEqual(["45° to 46° · YES ×10 · Highest…", "Cancel"]);
    await h.tap(/YES ×10/);
    // Issue 16: the position button asks how many, All first.
    await h.tap("All 10");
    await h.tap("Market");
    const card = h.last().text;
    expect(card).toContain("Sell 10 contracts YES at market, worst price $0.53");
    expect(card).toContain("Est. proceeds");
    await h.tap("Confirm");
    expect(h.last().text).toContain("Sold 10 contracts YES at avg $0.55");
    expect(h.world.positions.size).toBe(0);
  });

  it("with nothing held says so and places nothing", async () => {
    h = await makeHarness();
    await h.say("/sell");
    expect(h.last().text).toContain("You have no open positions to sell.");
    await h.say(`/sell ${TICKER} yes 3`);
    expect(h.botTexts().join("\n")).toContain(`You hold no YES position in ${TICKER}`);
    expect(h.world.callsTo("executor", "quote")).toHaveLength(0);
  });
});
