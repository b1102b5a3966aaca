/**
 * Links in and out through the bot against the sim (issue 13 item 5): a pasted kalshi.com market link
 * (query string, trailing slash) opens its card, an event link its strike list, a series link its
 * open events; the card's Share line is a t.me deep link that opens the same card; a deep link or a
 * pasted link naming no market here gets a clear sentence; text that is no link goes on as before.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createSearchService } from "../../src/trading/index.js";
import { type Harness, makeHarness, TICKER, USER } from "./harness.js";
import { usd } from "./world.js";

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const EVENT = "KXHIGHNY-26NOV25";
const SHARE = `Share: https://t.me/kalshi_local_bot?start=m_${TICKER}`;

/** Two more strikes in the card market's event. */
function addStrikes(hh: Harness): void {
  hh.world.addMarket({
    ticker: `${EVENT}-B47`,
    title: "Highest temperature in NYC on Nov 25",
    yesSubTitle: "47° to 48°",
    yesBid: usd("0.20"),
    yesAsk: usd("0.22"),
  });
  hh.world.addMarket({
    ticker: `${EVENT}-B43`,
    title: "Highest temperature in NYC on Nov 25",
    yesSubTitle: "43° to 44°",
    yesBid: usd("0.10"),
    yesAsk: usd("0.12"),
  });
}

describe("a pasted kalshi.com link", () => {
  it("a market page with a query string and a trailing slash opens the card, with Share and Copy ticker", async () => {
    h = await makeHarness();
    await h.say(
      "https://kalshi.com/markets/kxhighny/highest-temperature-in-nyc/kxhighny-26nov25-b45/?utm_source=app&ref=abc",
    );
    const card = h.last().text;
    expect(card).toContain(`Highest temperature in NYC on Nov 25\n${TICKER}`);
    expect(card).toContain("YES: buy $0.56 · sell $0.55");
    expect(card).toContain(SHARE);
    expect(h.buttons()).toEqual(["Buy YES", "Buy NO", "📊 Book", "📋 Copy ticker"]);
    const copy = h
      .last()
      .replyMarkup!.inline_keyboard.flat()
      .find((b) => b.text === "📋 Copy ticker");
    expect(copy).toEqual({ text: "📋 Copy ticker", copy_text: { text: TICKER } });
  });

  it("an event page opens its strike list, lowest strike first; a strike opens its card", async () => {
    h = await makeHarness();
    addStrikes(h);
    await h.say("Look: https://www.kalshi.com/markets/kxhighny/highest-temperature-in-nyc/kxhighny-26nov25");
    expect(h.last().text).toContain("Highest temperature in NYC on Nov 25\n3 open");
    expect(h.buttons()).toEqual(["43° to 44° · 12¢", "45° to 46° · 56¢", "47° to 48° · 22¢"]);
    await h.tap("47°");
    expect(h.last().text).toContain(`${EVENT}-B47`);
  });

  it("a link to a market this exchange does not have gets a clear sentence", async () => {
    h = await makeHarness();
    await h.say("http://kalshi.com/markets/kxnope/some-slug/kxnope-26jan01-t5");
    expect(h.last().text).toContain(
      "I found no market or event KXNOPE-26JAN01-T5 here. It may be closed and gone, or be on another Kalshi environment than this bot's.",
    );
    expect(h.world.exchange.calls.createOrder ?? 0).toBe(0);
  });

  it("a kalshi.com page that is no market says so; text that is no link goes on as before", async () => {
    h = await makeHarness();
    await h.say("https://kalshi.com/portfolio?tab=positions");
    expect(h.last().text).toContain("That kalshi.com link is not a market's page.");
    h.world.exchange.resetCalls();
    await h.say("highest temperature nyc");
    expect(h.last().text).toContain("Send /help to see what I can do, or /buy to start an order.");
    expect(h.world.exchange.calls).toEqual({});
  });

  it("a series page lists its open events (with the event index)", async () => {
    h = await makeHarness();
    // The same bot with an event index over the same sim exchange.
    h.world.services.search = createSearchService({ exchange: h.world.exchange, now: h.clock.now });
    h.restartBot();
    addStrikes(h);
    await h.say("https://kalshi.com/markets/kxhighny/highest-temperature-in-nyc");
    expect(h.last().text).toContain("open events, closing soonest first");
    expect(h.buttons()[0]).toMatch(/^1\. /);
  });
});

describe("deep links", () => {
  it("the Share line's link opens the same card (/start m_<ticker>)", async () => {
    h = await makeHarness();
    await h.say(`/market ${TICKER}`);
    const link = /start=(\S+)/.exec(h.last().text)![1]!;
    await h.say(`/start ${link}`);
    expect(h.api.botMessages(USER)).toHaveLength(2);
    expect(h.last().text).toContain(`Highest temperature in NYC on Nov 25\n${TICKER}`);
    expect(h.last().text).toContain(SHARE);
  });

  it("a deep link for an unknown ticker gets a clear sentence, not the help page", async () => {
    h = await makeHarness();
    await h.say("/start m_KXNOPE-26JAN01");
    expect(h.last().text).toContain("I found no market or event KXNOPE-26JAN01 here.");
    expect(h.last().text).not.toContain("Commands:");
    await h.say("/start hello");
    expect(h.last().text).toContain("That link is not one I know. Send /help to see what I can do.");
    await h.say("/start");
    expect(h.last().text).toContain("Commands:");
  });
});
