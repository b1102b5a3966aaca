/**
 * The order change flows through the bot against the sim (issue 13 item 2): −1/+1 tick on a tapered
 * market, a typed price off the grid, Reduce below what filled, forged and stale taps, and a double
 * Confirm. The /orders cards that draw these buttons are another feature's; each test sends the card
 * itself with the same payloads (src/bot/orderButtons.ts), signed with the bot's button secret.
 */
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { Buttons } from "../../src/bot/buttons.js";
import type { OrderIntentInfo } from "../../src/bot/intents.js";
import { type OrderChange, orderChangePayload } from "../../src/bot/orderButtons.js";
import { type Micros, contracts, parseDollars } from "../../src/domain/money.js";
import type { BookSide, Order } from "../../src/exchange/port.js";
import { TAPERED_DECI_CENT } from "../../src/sim/fixtures.js";
import { SimExchange } from "../support/simExchange.js";
import { type Harness, makeHarness, STRANGER, TICKER, USER } from "./harness.js";

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const TAPERED = "KXTAPER-26NOV25-T5";
const EXPIRED = "This button has expired.";
const LABELS: Record<OrderChange, string> = {
  down: "−1 tick",
  up: "+1 tick",
  price: "New price",
  reduce: "Reduce",
};
const signer = new Buttons("test-secret");
const $ = (s: string): Micros => parseDollars(s);

/** What each test's orders were meant as (the bot's intent lookup), by client order id. */
const intents = new Map<string, OrderIntentInfo>();

async function setup(pin?: string): Promise<void> {
  intents.clear();
  const config = {
    allowedUserIds: [USER],
    envTag: "SIM" as const,
    confirmTimeoutMs: 60_000,
    timeZone: "America/New_York",
    ...(pin ? { pin: { pin, above: $("1"), ttlMs: 15 * 60_000 } } : {}),
  };
  h = await makeHarness({
    deps: { config, orderIntent: async (ref) => intents.get(ref.clientOrderId ?? "") ?? null },
  });
  h.world.exchange.addMarket({
    ticker: TAPERED,
    title: "Tapered market",
    priceLevelStructure: "tapered_deci_cent",
    priceRanges: TAPERED_DECI_CENT,
    yesBid: "0.05",
    yesAsk: "0.98",
  });
}

/** A resting order of the user, placed on the exchange directly: "buy YES" or "buy NO" at `price`. */
async function rest(ticker: string, outcome: "yes" | "no", price: string, count: number): Promise<string> {
  const clientOrderId = randomUUID();
  intents.set(clientOrderId, { action: "buy", outcome });
  const side: BookSide = outcome === "yes" ? "bid" : "ask";
  const yes = outcome === "yes" ? $(price) : ((1_000_000 - $(price)) as Micros);
  const r = await h.world.exchange.createOrder({
    ticker,
    side,
    count: contracts(count),
    price: yes,
    timeInForce: "good_till_canceled",
    clientOrderId,
  });
  return r.orderId;
}

/** The order card's change buttons, as /orders draws them. */
async function card(orderId: string): Promise<void> {
  const ref = signer.ref(orderId);
  const kb = (["down", "up", "price", "reduce"] as const).map((ch) => ({
    text: LABELS[ch],
    callback_data: signer.data(orderChangePayload(ch, ref)),
  }));
  await h.bot.api.sendMessage(USER, "order card", { reply_markup: { inline_keyboard: [kb] } });
}

const order = (id: string): Order => h.world.exchange.orders.find((o) => o.orderId === id)!;
const calls = (m: string) => h.world.exchange.calls[m] ?? 0;
const answerOf = (u: { callback_query?: { id: string } }) =>
  h.api.callbackAnswers.get(u.callback_query!.id)?.text;

/** Taps a change button on a fresh card and returns the bot's answer. */
async function change(orderId: string, ch: OrderChange): Promise<string> {
  await card(orderId);
  await h.tap(LABELS[ch]);
  return h.last().text;
}

describe("−1 / +1 tick", () => {
  it("snaps to the tapered grid's step on each side of $0.90; Confirm amends with the same total", async () => {
    await setup();
    const id = await rest(TAPERED, "yes", "0.90", 10);

    const up = await change(id, "up");
    expect(up).toContain("Change Buy 10 YES @ $0.90 KXTAPER-26NOV25-T5 to YES @ $0.901?");
    expect(up).toContain("It loses its place in the queue.");
    expect(calls("amendOrder")).toBe(0);
    await h.tap("Confirm");
    expect(order(id)).toMatchObject({ yesPrice: $("0.901"), initialCount: contracts(10), status: "resting" });
    expect(h.last().text).toContain("✅ Changed to YES @ $0.901; it is at the back of the queue.");

    expect(await change(id, "down")).toContain("to YES @ $0.90?");
    await h.tap("Confirm");
    // Below $0.90 the step is a cent: one tick down from $0.90 is $0.89, not $0.899.
    expect(await change(id, "down")).toContain("to YES @ $0.89?");
    await h.tap("Confirm");
    expect(order(id).yesPrice).toBe($("0.89"));
    expect(calls("amendOrder")).toBe(3);
    // Every amend named the order's market (routed by it).
    expect(
      h.world.exchange.orderWrites.filter((w) => w.method === "amendOrder").map((w) => w.ticker),
    ).toEqual([TAPERED, TAPERED, TAPERED]);
  });

  it("a NO order steps in NO prices ($0.10 → $0.099 down, $0.11 up); after a partial fill the total stays", async () => {
    await setup();
    const id = await rest(TAPERED, "no", "0.10", 10);
    h.world.exchange.fillResting(id, contracts(4));

    expect(await change(id, "down")).toContain("Change Buy 10 NO @ $0.10 KXTAPER-26NOV25-T5 to NO @ $0.099?");
    await h.tap("Cancel");
    expect(h.last().text).toContain("Canceled; nothing was changed.");
    expect(await change(id, "up")).toContain("to NO @ $0.11?");
    await h.tap("Confirm");
    expect(calls("amendOrder")).toBe(1);
    // Sent as the YES price of the ask; count is the new total: 4 filled + 6 still resting.
    expect(order(id)).toMatchObject({
      bookSide: "ask",
      yesPrice: $("0.89"),
      noPrice: $("0.11"),
      initialCount: contracts(10),
      fillCount: contracts(4),
      remainingCount: contracts(6),
    });
  });

  it("at the grid's edges it says the price cannot go further and sends nothing", async () => {
    await setup();
    h.world.exchange.setBook(TAPERED, {}); // an empty book: nothing to trade at the edges
    const top = await rest(TAPERED, "yes", "0.999", 1);
    expect(await change(top, "up")).toContain(
      "YES @ $0.999 is already the highest price this market takes; it cannot go up further. Nothing was changed.",
    );
    const bottom = await rest(TICKER, "yes", "0.01", 1);
    expect(order(top).status).toBe("resting");
    expect(await change(bottom, "down")).toContain(
      "lowest price this market takes; it cannot go down further",
    );
    expect(h.buttons()).not.toContain("✅ Confirm");
    expect(calls("amendOrder")).toBe(0);
  });
});

describe("New price (typed)", () => {
  it("a price off the tick grid is refused with the nearest valid prices; one of them is a tap away", async () => {
    await setup();
    const id = await rest(TAPERED, "yes", "0.45", 5);
    expect(await change(id, "price")).toContain("send the YES price, for example 0.42 or 42c.");

    await h.say("abc");
    expect(h.last().text).toContain("“abc” is not a price.");
    expect(h.last().text).toContain("Nothing was changed");
    await h.say("0.455");
    expect(h.last().text).toContain("$0.455 is not on this market's $0.01 steps: $0.45 or $0.46?");
    expect(h.buttons()).toEqual(["$0.45", "$0.46"]);
    await h.say("0.45");
    expect(h.last().text).toContain("The order is already at $0.45.");
    expect(calls("amendOrder")).toBe(0);
    expect(order(id).yesPrice).toBe($("0.45"));

    await h.tap("$0.46");
    expect(h.last().text).toContain("to YES @ $0.46? It loses its place in the queue.");
    await h.tap("Confirm");
    expect(order(id).yesPrice).toBe($("0.46"));
    expect(calls("amendOrder")).toBe(1);
  });

  it("a price through the book says it trades at once, and the result says what traded", async () => {
    await setup();
    const id = await rest(TICKER, "yes", "0.45", 5);
    await change(id, "price");
    await h.say("0.57");
    expect(h.last().text).toContain(
      "to YES @ $0.57? It loses its place in the queue, and at that price it trades at once (the book offers YES @ $0.56).",
    );
    await h.tap("Confirm");
    expect(h.last().text).toContain("✅ Changed to YES @ $0.57: 5 traded at once, nothing rests.");
    expect(h.last().text).toContain("Order executed");
    expect(order(id)).toMatchObject({ status: "executed", fillCount: contracts(5) });
  });

  it("a price that meets a thin book trades what it can; the rest rests at the back of the queue", async () => {
    await setup();
    h.world.exchange.setBook(TICKER, { yes: [["0.55", 1000]], no: [["0.44", 2]] }); // 2 offered at $0.56
    const id = await rest(TICKER, "yes", "0.45", 5);
    await change(id, "price");
    await h.say("56c");
    await h.tap("Confirm");
    expect(h.last().text).toContain(
      "✅ Changed to YES @ $0.56: 2 traded at once; the rest is at the back of the queue.",
    );
    expect(order(id)).toMatchObject({
      status: "resting",
      initialCount: contracts(5),
      fillCount: contracts(2),
      remainingCount: contracts(3),
    });
  });

  it("a command closes the question: /cancel stops it, and a later number is not taken as a price", async () => {
    await setup();
    const id = await rest(TAPERED, "yes", "0.45", 5);
    await change(id, "price");
    await h.say("/cancel");
    expect(h.last().text).toContain("Stopped. Nothing was changed.");
    await h.say("0.47");
    expect(h.last().text).not.toContain("to YES @ $0.47");
    // Only the tap read the order: the typed number after /cancel was nobody's answer.
    expect(h.world.callsTo("orderChanges", "read")).toHaveLength(1);
    expect(h.world.callsTo("orderChanges", "apply")).toHaveLength(0);
  });
});

describe("Reduce (typed total)", () => {
  it("a /buy started from a button after the Reduce question gets the typed count; the question closes", async () => {
    await setup();
    const id = await rest(TICKER, "yes", "0.45", 10);
    await h.say(`/market ${TICKER}`);
    const buyYes = h.api.findButton(USER, "Buy YES")!;
    expect(await change(id, "reduce")).toContain("Send the new total");
    // Back on the market card (sent before the question): Buy YES asks how many.
    await h.api.tap(USER, USER, buyYes.messageId, buyYes.data);
    expect(h.last().text).toContain("How many YES contracts?");
    await h.say("3");
    expect(h.last().text).toContain("Market order or limit order?");
    expect(h.botTexts().join("\n")).not.toContain("from 10 to 3 contracts");
    expect(calls("decreaseOrder")).toBe(0);
  });

  it("below the filled count is refused in a sentence; a smaller total decreases, keeping the queue place", async () => {
    await setup();
    const id = await rest(TICKER, "yes", "0.45", 10);
    h.world.exchange.fillResting(id, contracts(4));

    expect(await change(id, "reduce")).toContain(
      "4 filled and 6 resting, 10 in total. Send the new TOTAL (filled + resting): more than 4 and less than 10.",
    );
    await h.say("3");
    expect(h.last().text).toContain(
      "4 of this order already filled, so its total cannot be 3: send a number more than 4. Nothing was changed.",
    );
    await h.say("4");
    expect(h.last().text).toContain("A total of 4 leaves nothing resting");
    await h.say("12");
    expect(h.last().text).toContain("Reduce only makes an order smaller: it is 10 in total now");
    expect(calls("decreaseOrder")).toBe(0);

    await h.say("8");
    expect(h.last().text).toContain(
      "from 10 to 8 contracts in total (4 filled, 4 resting)? It keeps its place in the queue.",
    );
    await h.tap("Confirm");
    expect(calls("decreaseOrder")).toBe(1);
    expect(order(id)).toMatchObject({
      yesPrice: $("0.45"),
      initialCount: contracts(8),
      fillCount: contracts(4),
      remainingCount: contracts(4),
    });
    expect(h.last().text).toContain("✅ Reduced to 8 contracts in total.");
    expect(h.world.exchange.orderWrites.at(-1)).toMatchObject({ method: "decreaseOrder", ticker: TICKER });
  });
});

describe("forged, stale and repeated taps", () => {
  it("an outsider's tap and forged data call no exchange and change nothing", async () => {
    await setup();
    const id = await rest(TAPERED, "yes", "0.45", 5);
    await card(id);
    const up = h.api.findButton(USER, LABELS.up)!;
    h.world.exchange.resetCalls();

    await h.api.tap(STRANGER, STRANGER, up.messageId, up.data);
    const forged = await h.api.tap(USER, USER, up.messageId, `${up.data.split(".")[0]}.AAAAAAAA`);
    expect(answerOf(forged)).toBe(EXPIRED);
    // A well-signed Confirm the bot never asked.
    const never = await h.api.tap(USER, USER, up.messageId, signer.data("omy:deadbeef"));
    expect(answerOf(never)).toBe(EXPIRED);

    expect(h.world.exchange.calls).toEqual({});
    expect(h.world.callsTo("orderChanges")).toHaveLength(0);
    expect(order(id).yesPrice).toBe($("0.45"));
  });

  it("a stale button says the order filled or was canceled and shows it as it is now", async () => {
    await setup();
    const canceled = await rest(TAPERED, "yes", "0.45", 5);
    await h.world.exchange.cancelOrder(canceled, TAPERED);
    const up = await change(canceled, "up");
    expect(up).toContain("That order was already canceled");
    expect(up).toContain("there is nothing to change. Here it is now:");
    expect(up).toContain("Order canceled");

    const filled = await rest(TAPERED, "yes", "0.46", 3);
    h.world.exchange.fillResting(filled);
    expect(await change(filled, "reduce")).toContain("That order already filled");

    // Filled between the confirmation and Confirm: nothing is sent.
    const late = await rest(TAPERED, "yes", "0.44", 2);
    await change(late, "up");
    h.world.exchange.fillResting(late);
    await h.tap("Confirm");
    expect(h.last().text).toContain("That order already filled");
    expect(h.last().text).toContain("nothing was changed");
    expect(calls("amendOrder")).toBe(0);
  });

  it("a double Confirm amends once; a Confirm after its time changes nothing", async () => {
    await setup();
    const id = await rest(TAPERED, "yes", "0.45", 5);
    await change(id, "up");
    const confirm = h.api.findButton(USER, "Confirm")!;
    const cancel = h.api.findButton(USER, "Cancel")!;
    await h.api.tap(USER, USER, confirm.messageId, confirm.data);
    const again = await h.api.tap(USER, USER, confirm.messageId, confirm.data);
    expect(answerOf(again)).toBe(EXPIRED);
    expect(calls("amendOrder")).toBe(1);
    expect(order(id).yesPrice).toBe($("0.46"));
    // A Cancel an old client still draws under the used confirmation leaves its result alone.
    expect(answerOf(await h.api.tap(USER, USER, cancel.messageId, cancel.data))).toBe(EXPIRED);
    const result = h.api.messages(USER).find((m) => m.messageId === confirm.messageId)!;
    expect(result.text).toContain("✅ Changed to YES @ $0.46");

    await change(id, "up");
    h.clock.t += 61_000;
    await h.tap("Confirm");
    expect(h.last().text).toContain("This confirmation expired; nothing was changed.");
    expect(calls("amendOrder")).toBe(1);
    expect(order(id).yesPrice).toBe($("0.46"));
  });

  it("a paused market: no tick is offered; paused after the confirmation, the exchange's refusal is said", async () => {
    await setup();
    const id = await rest(TAPERED, "yes", "0.45", 5);
    const market = h.world.exchange.markets.get(TAPERED)!;
    market.status = "inactive";
    expect(await change(id, "up")).toContain(
      "KXTAPER-26NOV25-T5 is not open for trading now (inactive), so the order's price cannot change.",
    );
    expect(await change(id, "price")).toContain("is not open for trading now");
    expect(calls("amendOrder")).toBe(0);

    market.status = "active";
    await change(id, "up");
    market.status = "inactive";
    await h.tap("Confirm");
    // The sim refuses an amend in a market that is not open (409 market_closed), as Kalshi does.
    expect(calls("amendOrder")).toBe(1);
    expect(h.last().text).toContain("The market is not open for trading right now. Nothing was changed.");
    expect(h.last().text).toContain("Order resting");
    expect(order(id).yesPrice).toBe($("0.45"));
  });

  it("an amend whose answer is lost says it could not confirm, and shows the order as it is now", async () => {
    await setup();
    const id = await rest(TAPERED, "yes", "0.45", 5);
    await change(id, "up");
    h.world.exchange.failNext(
      "amendOrder",
      SimExchange.timeout("POST", "/portfolio/events/orders/x/amend"),
      "after",
    );
    await h.tap("Confirm");
    expect(calls("amendOrder")).toBe(1);
    expect(h.last().text).toContain("I could not confirm the change: it may or may not have been made.");
    // It was made: the card read afterwards shows the new price.
    expect(h.last().text).toContain("Buy 5 YES @ $0.46");
  });

  it("with a TRADE_PIN a new price waits for it; a smaller size never does", async () => {
    await setup("731946");
    const id = await rest(TICKER, "yes", "0.45", 10);
    await change(id, "up"); // 10 × $0.46 = $4.60, above the PIN's $1
    await h.tap("Confirm");
    expect(h.last().text).toContain("Send your trading PIN to change the order's price.");
    expect(calls("amendOrder")).toBe(0);
    await h.say("731946");
    expect(calls("amendOrder")).toBe(1);
    expect(order(id).yesPrice).toBe($("0.46"));
    expect(h.botTexts().join("\n")).toContain("✅ Changed to YES @ $0.46");

    h.clock.t += 16 * 60_000; // the unlock is over
    await change(id, "reduce");
    await h.say("6");
    await h.tap("Confirm");
    expect(calls("decreaseOrder")).toBe(1);
    expect(h.last().text).toContain("✅ Reduced to 6 contracts in total.");
  });
});
