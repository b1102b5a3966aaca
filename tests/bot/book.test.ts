/**
 * /book through the bot against the sim (issue 13 item 3): the best five levels of each side for YES
 * and NO from a hand-built book, YES asks read from the NO bids (and NO asks from the YES bids), the
 * spread, a Refresh that edits the card with the book as it is now, the market card's Book button,
 * clear sentences for a bad or unknown ticker, and taps that are forged or from a stranger doing
 * nothing and reading nothing.
 */
import { afterEach, describe, expect, it } from "vitest";
import { type Harness, makeHarness, STRANGER, TICKER, USER } from "./harness.js";

let h: Harness;
afterEach(async () => {
  await h?.close();
});

/** The card's text with runs of spaces as one (the table pads its columns). */
const flat = (s: string) => s.replace(/ +/g, " ");

/** YES bids at six prices (the sixth must not show), NO bids at two: thin on the YES ask side. */
function handBuiltBook(hh: Harness): void {
  hh.world.exchange.setBook(TICKER, {
    yes: [
      ["0.55", 4],
      ["0.53", 10],
      ["0.50", 1],
      ["0.48", "2.50"],
      ["0.45", 1200],
      ["0.40", 7],
    ],
    no: [
      ["0.40", 3],
      ["0.38", 5],
    ],
  });
}

describe("/book", () => {
  it("shows the best five levels a side for YES and NO with sizes, asks from the other side's bids, and the spread", async () => {
    h = await makeHarness();
    handBuiltBook(h);
    await h.say(`/book ${TICKER}`);
    const t = flat(h.last().text);
    expect(t).toContain("Highest temperature in NYC on Nov 25\nKXHIGHNY-26NOV25-B45");
    expect(t).toContain("Order book at 10:00:00 EST, best 5 levels a side");
    // YES: bids best first on the left; asks = $1 − NO bids (0.40 → 0.60, 0.38 → 0.62) on the right.
    expect(t).toContain(
      [
        "YES",
        " bid size │ ask size",
        "$0.55 4 │ $0.60 3",
        "$0.53 10 │ $0.62 5",
        "$0.50 1 │",
        "$0.48 2.5 │",
        "$0.45 1200 │",
      ].join("\n"),
    );
    // NO: its own bids left; asks = $1 − YES bids, the best five only (the 0.40 YES bid is the sixth).
    expect(t).toContain(
      [
        "NO",
        " bid size │ ask size",
        "$0.40 3 │ $0.45 4",
        "$0.38 5 │ $0.47 10",
        " │ $0.50 1",
        " │ $0.52 2.5",
        " │ $0.55 1200",
      ].join("\n"),
    );
    expect(t).not.toContain("$0.60 7");
    expect(t).toContain("Spread: $0.05");
    expect(h.buttons()).toEqual(["↻ Refresh", "📋 Copy ticker"]);
    const copy = h.last().replyMarkup!.inline_keyboard.flat()[1]!;
    expect(copy).toEqual({ text: "📋 Copy ticker", copy_text: { text: TICKER } });
  });

  it("an empty side says so instead of a spread", async () => {
    h = await makeHarness();
    h.world.exchange.setBook(TICKER, { yes: [["0.55", 4]], no: [] });
    await h.say(`/book ${TICKER}`);
    expect(h.last().text).toContain("Spread: – (no NO bids, so no YES asks)");
  });

  it("Refresh edits the card in place with the book as it is now", async () => {
    h = await makeHarness();
    handBuiltBook(h);
    await h.say(`/book ${TICKER}`);
    const card = h.last();
    h.world.exchange.setBook(TICKER, { yes: [["0.57", 9]], no: [["0.41", 6]] });
    h.clock.t += 5_000;
    await h.tap("Refresh");
    const now = h.api.botMessages(USER).find((m) => m.messageId === card.messageId)!;
    expect(now.edits).toBe(1);
    expect(flat(now.text)).toContain("$0.57 9 │ $0.59 6");
    expect(flat(now.text)).toContain("Spread: $0.02");
    expect(now.text).toContain("Order book at 10:00:05 EST");
    expect(h.api.botMessages(USER)).toHaveLength(1);
  });

  it("the market card's Book button opens the book as a new message", async () => {
    h = await makeHarness();
    handBuiltBook(h);
    await h.say(`/market ${TICKER}`);
    expect(h.buttons()).toContain("📊 Book");
    await h.tap("Book");
    expect(h.api.botMessages(USER)).toHaveLength(2);
    expect(flat(h.last().text)).toContain("$0.55 4 │ $0.60 3");
  });

  it("no ticker, a bad ticker and an unknown ticker each get one clear sentence", async () => {
    h = await makeHarness();
    await h.say("/book");
    expect(h.last().text).toContain("Send /book <ticker>, for example /book KXHIGHNY-26NOV25-B45.");
    await h.say("/book what?");
    expect(h.last().text).toContain("“what?” is not a market ticker");
    await h.say("/book KXNOPE-99");
    expect(h.last().text).toContain(
      "There is no market with ticker KXNOPE-99. Find one with /search <words>.",
    );
    expect(h.world.exchange.calls.getOrderbook ?? 0).toBe(0);
  });

  it("a Refresh from before a restart, for a ticker too long to ride in the button, says it expired", async () => {
    h = await makeHarness();
    const long = "KXLONGSERIESNAME-26NOV25-T1234567.89-EXTRA";
    h.world.addMarket({ ticker: long, title: "A long one", yesBid: null, yesAsk: null });
    await h.say(`/book ${long}`);
    expect(h.last().text).toContain("(no orders on either side)");
    h.restartBot();
    h.world.exchange.resetCalls();
    await h.tap("Refresh");
    expect(h.last().text).toContain("This button has expired. Send /book <ticker> for a fresh book.");
    expect(h.world.exchange.calls).toEqual({});
  });

  it("a forged Refresh or Book tap, and a stranger's tap of a real one, read nothing", async () => {
    h = await makeHarness();
    await h.say(`/book ${TICKER}`);
    const card = h.last();
    const real = h.api.findButton(USER, "Refresh")!.data;
    h.world.exchange.resetCalls();
    for (const data of [real.replace(/\.[^.]+$/, ".AAAAAAAA"), `dr:${TICKER}`, `dp:${TICKER}.xxxxxxxx`]) {
      const u = await h.api.tap(USER, USER, card.messageId, data);
      expect(h.api.callbackAnswers.get(u.callback_query!.id)?.text).toBe("This button has expired.");
    }
    await h.api.tap(STRANGER, STRANGER, card.messageId, real);
    expect(h.world.exchange.calls).toEqual({});
    expect(
      h.api
        .botMessages(STRANGER)
        .map((m) => m.text)
        .join("\n"),
    ).not.toContain("YES");
  });
});
