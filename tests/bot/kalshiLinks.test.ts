/**
 * Reading pasted kalshi.com links (issue 13 item 5) and the bot's own t.me deep links: every URL shape
 * the site and others use, with the noise a phone adds (query string, trailing slash, case, www,
 * http), and a start parameter within Telegram's alphabet (A-Z a-z 0-9 _ -, at most 64 characters).
 */
import { describe, expect, it } from "vitest";
import { findKalshiLink, marketDeepLink, startParam, tickerOfStartParam } from "../../src/bot/kalshiLinks.js";

const page = (ticker: string | null, series: string | null) => ({ kind: "page", ticker, series });

describe("findKalshiLink", () => {
  it("the site's market page: series / slug / ticker, with query string and trailing slash", () => {
    expect(
      findKalshiLink(
        "https://kalshi.com/markets/kxhighny/highest-temperature-in-nyc/kxhighny-26nov25-b45/?utm_source=share&ref=x",
      ),
    ).toEqual(page("KXHIGHNY-26NOV25-B45", "KXHIGHNY"));
  });

  it("an event page (the site links events the same way)", () => {
    expect(
      findKalshiLink("https://kalshi.com/markets/kxhighny/highest-temperature-in-nyc/kxhighny-26nov25"),
    ).toEqual(page("KXHIGHNY-26NOV25", "KXHIGHNY"));
  });

  it("http, www, upper case, no scheme at all, a #fragment, and text around the link", () => {
    const want = page("KXHIGHNY-26NOV25", "KXHIGHNY");
    expect(findKalshiLink("HTTP://WWW.KALSHI.COM/MARKETS/KXHIGHNY/NYC/KXHIGHNY-26NOV25")).toEqual(want);
    expect(findKalshiLink("kalshi.com/markets/kxhighny/nyc/kxhighny-26nov25#rules")).toEqual(want);
    expect(
      findKalshiLink("look at this (https://kalshi.com/markets/kxhighny/nyc/kxhighny-26nov25)."),
    ).toEqual(want);
    expect(findKalshiLink("www.kalshi.com/markets/kxhighny/nyc/kxhighny-26nov25//")).toEqual(want);
  });

  it("older and third-party shapes: /markets/<ticker>, /events/<ticker>, /events/<series>/<ticker>, no slug", () => {
    expect(findKalshiLink("https://kalshi.com/markets/KXHIGHNY-26NOV25-B45")).toEqual(
      page("KXHIGHNY-26NOV25-B45", null),
    );
    expect(findKalshiLink("https://kalshi.com/events/kxelonmars-99")).toEqual(page("KXELONMARS-99", null));
    expect(findKalshiLink("https://kalshi.com/events/KXNBA/KXNBA-26")).toEqual(page("KXNBA-26", "KXNBA"));
    expect(findKalshiLink("https://kalshi.com/markets/kxnflgame/kxnflgame-26nov27dalkc")).toEqual(
      page("KXNFLGAME-26NOV27DALKC", "KXNFLGAME"),
    );
  });

  it("a series page names only its series (the slug is no ticker)", () => {
    expect(findKalshiLink("https://kalshi.com/markets/kxhighny/highest-temperature-in-nyc")).toEqual(
      page(null, "KXHIGHNY"),
    );
    expect(findKalshiLink("https://kalshi.com/markets/kxhighny")).toEqual(page("KXHIGHNY", "KXHIGHNY"));
  });

  it("tickers with dots decode from %-escapes", () => {
    expect(findKalshiLink("https://kalshi.com/markets/kxbtc/bitcoin/kxbtc-26nov25-t99999%2E99")).toEqual(
      page("KXBTC-26NOV25-T99999.99", "KXBTC"),
    );
  });

  it("kalshi.com pages that are no market get a sentence; other sites and plain words are no link", () => {
    for (const url of ["https://kalshi.com/", "https://kalshi.com/portfolio", "https://kalshi.com/markets"]) {
      const r = findKalshiLink(url);
      expect(r?.kind, url).toBe("other");
      expect(r?.kind === "other" && r.message).toMatch(/market/);
    }
    expect(findKalshiLink("https://kalshi.com/markets/kxhighny/nyc/not%20a%20ticker!")).toMatchObject({
      kind: "page",
      ticker: null,
      series: "KXHIGHNY",
    });
    for (const text of [
      "temperature nyc",
      "https://polymarket.com/event/x",
      "https://evilkalshi.com/markets/kxhighny",
      "https://kalshi.company.com/markets/x",
      "I like kalshi.com.",
    ])
      expect(findKalshiLink(text), text).toBeNull();
  });
});

describe("deep links", () => {
  it("a plain ticker passes as it is; the link opens t.me with start=m_<ticker>", () => {
    expect(startParam("KXHIGHNY-26NOV25-B45")).toBe("m_KXHIGHNY-26NOV25-B45");
    expect(marketDeepLink("kalshi_local_bot", "kxhighny-26nov25-b45")).toBe(
      "https://t.me/kalshi_local_bot?start=m_KXHIGHNY-26NOV25-B45",
    );
  });

  it("characters Telegram refuses are escaped and come back; every parameter stays in A-Z a-z 0-9 _ -", () => {
    for (const t of ["KXBTC-26NOV25-T99999.99", "KX_A.B-1", "KXHIGHNY-26NOV25-B45"]) {
      const p = startParam(t)!;
      expect(p).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
      expect(tickerOfStartParam(p)).toBe(t);
    }
    expect(startParam("KXBTC-26NOV25-T99999.99")).toBe("m_KXBTC-26NOV25-T99999_2e99");
  });

  it("a ticker too long for 64 characters gets no link; payloads that are no market read as null", () => {
    expect(startParam("KX" + "A".repeat(62))).toBeNull();
    expect(startParam("KX" + "A".repeat(60))).toHaveLength(64);
    for (const p of ["", "m_", "hello", "m_bad_zz", "m_KX!X", "x_KXHIGHNY-26NOV25"])
      expect(tickerOfStartParam(p), p).toBeNull();
    expect(tickerOfStartParam("m_kxhighny-26nov25-b45")).toBe("KXHIGHNY-26NOV25-B45");
  });
});
