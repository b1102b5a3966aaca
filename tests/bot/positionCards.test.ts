/**
 * Position cards on /portfolio (issue 13 item 1), through the bot against the sim: the sell buttons
 * open the normal quote (never an order without Confirm), a stale button shows the position as it is
 * now, long portfolios page with each page's own buttons, and every button does nothing for anyone
 * else.
 */
import { afterEach, describe, expect, it } from "vitest";
import { KalshiApiError, describeExchangeError } from "../../src/exchange/errors.js";
import type { SimOrder } from "../../src/sim/engine/types.js";
import { USER as SIM_USER } from "../../src/sim/engine.js";
import { type Harness, makeHarness, STRANGER, TICKER, USER } from "./harness.js";
import { c, usd } from "./world.js";

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const RAIN = "KXRAIN-26NOV25";
const placeCalls = () => h.world.callsTo("executor", "place").length;
/** The user's orders as the sim holds them (with their time in force and reduce_only). */
const simOrders = (): SimOrder[] =>
  Object.values(h.world.exchange.engine.state.orders).filter((o) => o.accountId === SIM_USER);
const held = (ticker: string) => h.world.exchange.engine.position(SIM_USER, ticker).position;
const msg = (id: number) => h.api.messages(USER).find((m) => m.messageId === id)!;

describe("sell buttons on /portfolio", () => {
  it("Sell 50% of an odd count: the quote says the rounding, Confirm sells 3 of 7 with IOC reduce_only", async () => {
    h = await makeHarness();
    h.world.exchange.setPosition(TICKER, 7);
    await h.say("/portfolio");
    expect(h.last().text).toContain("1. Highest temperature in NYC on Nov 25");
    expect(h.buttons()).toEqual([
      "🔄 Refresh",
      "1 · 25%",
      "1 · 50%",
      "1 · All",
      "1 · Count",
      "Close all (1)…",
    ]);
    await h.tap("1 · 50%");
    const card = h.last().text;
    expect(card).toContain("Please confirm");
    expect(card).toContain("Sell 3 contracts YES at market");
    expect(card).toContain("50% of 7 is 3.5: selling 3 (orders here are in whole contracts; rounded down).");
    expect(h.buttons()).toEqual(["✅ Confirm", "◀ Back", "Cancel"]);
    expect(placeCalls()).toBe(0);
    await h.tap("Confirm");
    expect(h.last().text).toContain("Sold 3 contracts YES");
    expect(held(TICKER)).toBe(c(4));
    const [o] = simOrders();
    expect(o).toMatchObject({ tif: "immediate_or_cancel", reduceOnly: true, initial: c(3), side: "ask" });
  });

  it("Sell All → Confirm sells the whole position in two taps", async () => {
    h = await makeHarness();
    h.world.exchange.setPosition(RAIN, -4);
    await h.say("/portfolio");
    await h.tap("1 · All");
    // Tap 1 opened the quote itself: no question in between.
    expect(h.last().text).toContain("Sell 4 contracts NO at market");
    expect(h.buttons()).toEqual(["✅ Confirm", "◀ Back", "Cancel"]);
    await h.tap("Confirm"); // tap 2
    expect(h.last().text).toContain("Sold 4 contracts NO");
    expect(h.world.positions.size).toBe(0);
  });

  it("Sell All of a fractional holding sells the whole contracts and says so on the quote", async () => {
    h = await makeHarness();
    h.world.exchange.setPosition(RAIN, "-4.50");
    await h.say("/portfolio");
    await h.tap("1 · All");
    expect(h.last().text).toContain("Sell 4 contracts NO at market");
    expect(h.last().text).toContain(
      "You hold 4.5: selling 4 (orders here are in whole contracts; rounded down).",
    );
    await h.tap("Confirm");
    expect(h.last().text).toContain("Sold 4 contracts NO");
  });

  it("Count asks how many, then Market or Limit; small positions offer no percentage that sells nothing", async () => {
    h = await makeHarness();
    h.world.exchange.setPosition(TICKER, 3);
    await h.say("/portfolio");
    // 25% of 3 is under one contract: no such button; 50% of 3 sells 1.
    expect(h.buttons()).toEqual(["🔄 Refresh", "1 · 50%", "1 · All", "1 · Count", "Close all (1)…"]);
    await h.tap("1 · Count");
    expect(h.last().text).toContain("How many YES contracts do you want to sell? You hold 3.");
    await h.say("2");
    await h.tap("Market");
    expect(h.last().text).toContain("Sell 2 contracts YES at market");
    expect(placeCalls()).toBe(0);
  });
});

describe("a stale card", () => {
  it("after the position closed, its buttons sell nothing and say so", async () => {
    h = await makeHarness();
    h.world.exchange.setPosition(TICKER, 7);
    await h.say("/portfolio");
    await h.world.exchange.closePosition(TICKER);
    const before = h.world.createdOrders.length;
    for (const b of ["1 · 50%", "1 · All", "1 · Count"]) {
      await h.tap(b);
      expect(h.last().text).toContain("This position has changed: you no longer hold any YES in");
      expect(h.last().text).toContain("Nothing was sold.");
    }
    expect(h.world.createdOrders.length).toBe(before);
    expect(placeCalls()).toBe(0);
    expect(h.world.callsTo("executor", "quote")).toHaveLength(0);
  });

  it("after the count changed: 'this position has changed; here is the current one' with fresh buttons", async () => {
    h = await makeHarness();
    h.world.exchange.setPosition(TICKER, 7);
    await h.say("/portfolio");
    h.world.exchange.setPosition(TICKER, 5);
    await h.tap("1 · All");
    const now = h.last();
    expect(now.text).toContain("This position has changed; here is the current one:");
    expect(now.text).toContain(`${TICKER} · 5 contracts YES`);
    expect(h.buttons()).toEqual(["Sell 25%", "Sell 50%", "Sell all", "Count"]);
    expect(h.world.callsTo("executor", "quote")).toHaveLength(0);
    await h.tap("Sell all");
    expect(h.last().text).toContain("Sell 5 contracts YES at market");
  });
});

/** Three positions: YES in the NYC market, NO in rain, YES in snow; exchange errors described as the app does. */
/** A harness whose bot asks the trading PIN 2468 for bulk actions. */
function pinHarness(): Promise<Harness> {
  return makeHarness({
    deps: {
      config: {
        allowedUserIds: [USER],
        envTag: "SIM",
        confirmTimeoutMs: 60_000,
        timeZone: "America/New_York",
        pin: { pin: "2468", above: usd("1000"), ttlMs: 600_000 },
      },
    },
  });
}

async function threePositions(): Promise<void> {
  h = await makeHarness({ deps: { describeError: (e) => describeExchangeError(e, "sim") } });
  h.world.addMarket({
    ticker: "KXSNOW-26NOV25",
    title: "Snow in Denver",
    yesBid: usd("0.20"),
    yesAsk: usd("0.22"),
  });
  h.world.exchange.setPosition(TICKER, 7);
  h.world.exchange.setPosition(RAIN, -4);
  h.world.exchange.setPosition("KXSNOW-26NOV25", 2);
}

describe("Close all", () => {
  it("three positions: one confirmation, three IOC reduce_only orders on Confirm, one result message", async () => {
    await threePositions();
    await h.say("/portfolio");
    await h.tap("Close all (3)…");
    const card = h.last();
    expect(card.text).toContain("Close all: sell 3 positions at market?");
    for (const t of [
      `7 contracts YES of ${TICKER}`,
      `4 contracts NO of ${RAIN}`,
      "2 contracts YES of KXSNOW",
    ])
      expect(card.text).toContain(t);
    expect(card.text).toMatch(/Est\. proceeds: \$\d+\.\d\d after ≈ \$[\d.]+ in fees/);
    expect(h.buttons()).toEqual(["✅ Confirm", "Cancel"]);
    // Selling everything is confirmed with a red button.
    const styles = (card.replyMarkup?.inline_keyboard ?? []).flat().map((b) => [b.text, b.style]);
    expect(styles).toEqual([
      ["✅ Confirm", "danger"],
      ["Cancel", undefined],
    ]);
    expect(placeCalls()).toBe(0);
    expect(h.world.createdOrders).toHaveLength(0);

    const sentBefore = h.api.callsOf("sendMessage").length;
    const confirm = h.api.findButton(USER, "Confirm")!;
    await h.tap("Confirm");
    expect(simOrders()).toHaveLength(3);
    for (const o of simOrders()) expect(o).toMatchObject({ tif: "immediate_or_cancel", reduceOnly: true });
    expect(h.world.positions.size).toBe(0);
    // The card itself became the one result message; nothing else was sent.
    expect(h.api.callsOf("sendMessage").length).toBe(sentBefore);
    const result = msg(card.messageId);
    expect(result.replyMarkup).toBeUndefined();
    expect(result.text).toContain("Close all: sold 3 of 3 positions.");
    expect(result.text.match(/✅ Sold/g)).toHaveLength(3);
    expect(result.text).toContain("Proceeds ≈");

    // A second tap on the same Confirm (a double tap, a resent update) places nothing more.
    const u = await h.api.tap(USER, USER, confirm.messageId, confirm.data);
    expect(h.api.callbackAnswers.get(u.callback_query!.id)?.text).toBe("This button has expired.");
    expect(placeCalls()).toBe(3);
  });

  it("two Confirm taps at the same moment place each sell once", async () => {
    await threePositions();
    await h.say("/portfolio");
    await h.tap("Close all (3)…");
    const b = h.api.findButton(USER, "Confirm")!;
    await Promise.all([
      h.api.tap(USER, USER, b.messageId, b.data),
      h.api.tap(USER, USER, b.messageId, b.data),
    ]);
    expect(placeCalls()).toBe(3);
    expect(simOrders()).toHaveLength(3);
    expect(h.botTexts().filter((t) => t.includes("Close all: sold"))).toHaveLength(1);
  });

  it("a partial failure is told per position in the one result; what cannot be sold is listed first", async () => {
    await threePositions();
    h.world.setPrices("KXSNOW-26NOV25", null, usd("0.22")); // nobody buys YES there
    await h.say("/portfolio");
    await h.tap("Close all (3)…");
    const card = h.last();
    expect(card.text).toContain("Close all: sell 2 positions at market?");
    expect(card.text).toContain("Can't be sold now");
    expect(card.text).toContain("Nobody is buying YES right now");
    h.world.placeError = new KalshiApiError(400, "invalid_order", "market paused", null, false, "POST", "/x");
    await h.tap("Confirm");
    const t = msg(card.messageId).text;
    expect(t).toContain("Close all: sold 1 of 3 positions.");
    expect(t.match(/✅ Sold/g)).toHaveLength(1);
    expect(t).toMatch(
      /❌ Not sold: \d contracts (YES|NO) of \S+: Kalshi rejected the request \(market paused\)/,
    );
    expect(t).toMatch(/❌ Not sold: 2 contracts YES of KXSNOW-26NOV25: Nobody is buying YES right now/);
    expect(simOrders().filter((o) => o.filled > 0)).toHaveLength(1);
    expect(held("KXSNOW-26NOV25")).toBe(c(2));
  });

  it("Cancel sells nothing; a Confirm after the prices expired sells nothing and shows fresh prices", async () => {
    await threePositions();
    await h.say("/portfolio");
    await h.tap("Close all (3)…");
    await h.tap("Cancel");
    expect(h.last().text).toContain("→ Canceled. Nothing was sold.");
    await h.tap("Close all (3)…");
    const card = h.last();
    h.clock.t += 61_000;
    await h.tap("Confirm");
    expect(msg(card.messageId).text).toContain("These prices expired; nothing was sold.");
    expect(h.last().messageId).not.toBe(card.messageId);
    expect(h.last().text).toContain("Close all: sell 3 positions at market?");
    expect(placeCalls()).toBe(0);
    expect(h.world.createdOrders).toHaveLength(0);
  });

  it("with a trading PIN, Confirm asks for it and sells only after it", async () => {
    h = await pinHarness();
    h.world.exchange.setPosition(TICKER, 2);
    await h.say("/portfolio");
    await h.tap("Close all (1)…");
    await h.tap("Confirm");
    expect(h.last().text).toContain("Send your trading PIN to close all positions");
    expect(placeCalls()).toBe(0);
    await h.say("2468");
    expect(placeCalls()).toBe(1);
    expect(h.world.positions.size).toBe(0);
  });

  it("with a trading PIN, /cancel instead of the PIN sells nothing and the card says so", async () => {
    h = await pinHarness();
    h.world.exchange.setPosition(TICKER, 2);
    await h.say("/portfolio");
    await h.tap("Close all (1)…");
    const card = h.last();
    await h.tap("Confirm");
    await h.say("/cancel");
    expect(placeCalls()).toBe(0);
    const now = h.api.messages(USER).find((m) => m.messageId === card.messageId)!;
    expect(now.text).toContain(
      "Not done: the trading PIN was not given (or trading is locked). Nothing was sold.",
    );
    expect(now.text).not.toContain("Confirmed");
  });
});

describe("paging", () => {
  it("25 positions page under 4096 characters; each page has the buttons of the positions it shows", async () => {
    h = await makeHarness();
    const long = "A market with a rather long name to fill the page quickly, about the weather in a far city";
    for (let i = 1; i <= 25; i++) {
      const t = `KXPAGE-26NOV25-T${String(i).padStart(2, "0")}`;
      h.world.addMarket({
        ticker: t,
        title: `${long} ${i}`,
        yesSubTitle: `strike ${i}`,
        yesBid: usd("0.40"),
        yesAsk: usd("0.42"),
      });
      h.world.exchange.setPosition(t, 100 - i); // sorted by value: T01 first
    }
    await h.say("/portfolio");
    const first = h.last();
    const sent = h.api.callsOf("sendMessage").filter((x) => x.ok);
    expect(String(sent.at(-1)!.params.text).length).toBeLessThanOrEqual(4096);
    expect(first.text).toMatch(/page 1 of \d/);
    const sells = (n: number) => [`${n} · 25%`, `${n} · 50%`, `${n} · All`, `${n} · Count`];
    const shownOn = (text: string) => [...text.matchAll(/^(\d+)\. /gm)].map((m) => Number(m[1]));
    const page1 = shownOn(first.text);
    expect(page1[0]).toBe(1);
    expect(h.buttons()).toEqual(["🔄 Refresh", ...page1.flatMap(sells), "Page 2 ▶", "Close all (25)…"]);

    const requests = h.world.exchange.requests;
    await h.tap("Page 2 ▶");
    const second = msg(first.messageId);
    expect(h.world.exchange.requests).toBe(requests); // the same reading, no new requests
    const page2 = shownOn(second.text);
    expect(page2[0]).toBe(page1.at(-1)! + 1);
    expect(h.buttons()).toEqual([
      "🔄 Refresh",
      ...page2.flatMap(sells),
      "◀ Page 1",
      "Page 3 ▶",
      "Close all (25)…",
    ]);
    const n = page2.at(-1)!;
    await h.tap(`${n} · All`);
    expect(h.last().text).toContain(`Sell ${100 - n} contracts YES at market`);
    expect(h.last().text).toContain(`KXPAGE-26NOV25-T${String(n).padStart(2, "0")}`);

    // Every position is on some page, each page within Telegram's limit.
    let all = "";
    await h.tap("◀ Page 1");
    for (let p = 1; ; p++) {
      all += msg(first.messageId).text;
      if (!h.api.findButton(USER, `Page ${p + 1} ▶`)) break;
      await h.tap(`Page ${p + 1} ▶`);
      const edit = h.api.callsOf("editMessageText").at(-1)!;
      expect(String(edit.params.text).length).toBeLessThanOrEqual(4096);
    }
    for (let i = 1; i <= 25; i++) expect(all).toContain(`KXPAGE-26NOV25-T${String(i).padStart(2, "0")}`);
  });
});

describe("taps from anyone else", () => {
  it("an outsider's tap on each new button, and a forged one, calls no exchange and sells nothing", async () => {
    await threePositions();
    for (let i = 0; i < 12; i++) {
      const t = `KXMORE-26NOV25-T${i}`;
      h.world.addMarket({
        ticker: t,
        title: `Filler ${i} ${"x".repeat(300)}`,
        yesBid: usd("0.40"),
        yesAsk: usd("0.42"),
      });
      h.world.exchange.setPosition(t, 1);
    }
    await h.say("/portfolio");
    const labels = ["1 · 25%", "1 · 50%", "1 · All", "1 · Count", "Page 2 ▶", "🔄 Refresh", "Close all"];
    const taps = labels.map((l) => h.api.findButton(USER, l)!);
    await h.tap("Close all");
    taps.push(h.api.findButton(USER, "Confirm")!, h.api.findButton(USER, "Cancel")!);
    const calls = h.world.calls.length;
    const requests = h.world.exchange.requests;
    const messages = h.api.botMessages(USER).length;
    for (const b of taps) {
      await h.api.tap(STRANGER, USER, b.messageId, b.data);
      await h.api.tap(STRANGER, STRANGER, b.messageId, b.data);
      const forged = await h.api.tap(USER, USER, b.messageId, b.data.replace(/\.[^.]+$/, ".AAAAAAAA"));
      expect(h.api.callbackAnswers.get(forged.callback_query!.id)?.text).toMatch(/expired/);
    }
    expect(h.world.calls.length).toBe(calls);
    expect(h.world.exchange.requests).toBe(requests);
    expect(h.api.botMessages(USER).length).toBe(messages);
    expect(h.world.createdOrders).toHaveLength(0);
  });
});
