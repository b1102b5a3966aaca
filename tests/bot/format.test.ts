import { describe, expect, it } from "vitest";
import { Buttons } from "../../src/bot/buttons.js";
import { entitiesToHtml, envHeader, escapeHtml, pages } from "../../src/bot/format.js";
import {
  parseCountInput,
  parseDollarAmount,
  parsePriceInput,
  parseRange,
  parseTradeArgs,
} from "../../src/bot/parse.js";
import { parseTelegramHtml, parseTelegramHtmlEntities } from "../../src/devtools/localBotApi.js";

describe("format", () => {
  it("escapes HTML", () => {
    expect(escapeHtml("a<b>&c")).toBe("a&lt;b&gt;&amp;c");
  });

  it("pages long bodies on line boundaries, each page tagged and within 4096", () => {
    const lines = Array.from({ length: 400 }, (_, i) => `<b>line ${i}</b> ${"x".repeat(20)} &amp; y`);
    const ps = pages("LIVE", lines.join("\n"));
    expect(ps.length).toBeGreaterThan(2);
    const seen: string[] = [];
    ps.forEach((p, i) => {
      expect(p.length).toBeLessThanOrEqual(4096);
      expect(p.split("\n")[0]).toBe(envHeader("LIVE", { n: i + 1, of: ps.length }));
      parseTelegramHtml(p); // every page is valid HTML on its own
      seen.push(...p.split("\n").slice(1));
    });
    expect(seen).toEqual(lines);
  });

  it("cuts a single over-long line outside tags and entities", () => {
    const body = "word &amp; <i>it</i> ".repeat(600);
    for (const p of pages("SIM", body)) {
      expect(p.length).toBeLessThanOrEqual(4096);
      expect(() => parseTelegramHtml(p.replace(/<\/?i>/g, ""))).not.toThrow();
    }
  });

  it("a short body is one page with a plain header", () => {
    expect(pages("DEMO", "hi")).toEqual(["<b>🧪 DEMO</b>\nhi"]);
  });
});

describe("parse", () => {
  it.each([
    ["0.42", 420_000],
    ["@0.42", 420_000],
    ["$0.42", 420_000],
    [".42", 420_000],
    ["42c", 420_000],
    ["@42¢", 420_000],
    ["42", 420_000],
    ["4.5c", 45_000],
    ["0.055", 55_000],
  ])("price %s", (s, v) => {
    expect(parsePriceInput(s)).toEqual({ ok: true, value: v });
  });

  it.each(["1.5", "0", "100c", "abc", "-0.4", "0.4.2", "1e-1"])("rejects price %s", (s) => {
    expect(parsePriceInput(s).ok).toBe(false);
  });

  it.each([
    ["$1", "$1.00"],
    ["$5", "$5.00"],
    ["$1.00", "$1.00"],
    ["@$1", "$1.00"],
    ["$42", "$42.00"],
    ["1.00", "$1.00"],
    ["1.5", "$1.50"],
  ])(
    "refuses a dollar amount of one dollar or more (%s) with a sentence, never reads it as cents",
    (s, shown) => {
      const r = parsePriceInput(s);
      expect(r.ok).toBe(false);
      const message = r.ok ? "" : r.message;
      expect(message).toContain("a price is between $0.01 and $0.99");
      expect(message).toContain(`“${s}” is ${shown}`);
    },
  );

  it("suggests the cents spelling only when it is a price ('$5' → 5c, never '$100' → 100c)", () => {
    const said = (s: string) => {
      const r = parsePriceInput(s);
      return r.ok ? "" : r.message;
    };
    expect(said("$5")).toContain("For 5¢ send 5c.");
    expect(said("$99")).toContain("For 99¢ send 99c.");
    for (const s of ["$100", "100", "150", "$250"]) {
      expect(said(s)).toContain("a price is between $0.01 and $0.99");
      expect(said(s)).not.toMatch(/send \d+c/);
    }
  });

  it("a bare whole number stays cents in the price step ('1' = 1¢, '5' = 5¢)", () => {
    expect(parsePriceInput("1")).toEqual({ ok: true, value: 10_000 });
    expect(parsePriceInput("5")).toEqual({ ok: true, value: 50_000 });
    expect(parsePriceInput("$.5")).toEqual({ ok: true, value: 500_000 });
    expect(parsePriceInput("42¢")).toEqual({ ok: true, value: 420_000 });
  });

  it("/buy with a $5 price reports it and does not take 5¢", () => {
    const r = parseTradeArgs("KX-1 yes 5 $5");
    expect(r.price).toBeUndefined();
    expect(r.problems[0]).toContain("a price is between $0.01 and $0.99");
  });

  it("a $ amount where the count goes is dollars to size a buy by; after a count it is a price", () => {
    expect(parseTradeArgs("KX-1 yes $25")).toMatchObject({
      outcome: "yes",
      dollars: 25_000_000,
      problems: [],
    });
    expect(parseTradeArgs("KX-1 yes $0.50")).toMatchObject({ dollars: 500_000, problems: [] });
    expect(parseTradeArgs("KX-1 yes $10 @0.50")).toMatchObject({ dollars: 10_000_000, price: 500_000 });
    expect(parseTradeArgs("KX-1 yes 5 $0.42")).toMatchObject({ count: 500, price: 420_000 });
    expect(parseTradeArgs("KX-1 yes $2.505").problems[0]).toContain("is not a dollar amount");
    expect(parseDollarAmount("12.50", { bare: true })).toEqual({ ok: true, value: 12_500_000 });
    expect(parseDollarAmount("12.50").ok).toBe(false);
    expect(parseDollarAmount("$0").ok).toBe(false);
  });

  it.each(["0", "-3", "ten", "1.234", "1e3", "2000000"])("rejects count %s", (s) => {
    expect(parseCountInput(s).ok).toBe(false);
  });

  it("parses trade shortcuts and reports bad parts", () => {
    expect(parseTradeArgs("kxhighny-26nov25-b45 no 5 @0.42")).toEqual({
      ticker: "KXHIGHNY-26NOV25-B45",
      outcome: "no",
      count: 500,
      price: 420_000,
      problems: [],
    });
    expect(parseTradeArgs("")).toEqual({ problems: [] });
    const bad = parseTradeArgs("KX-1 maybe 5");
    expect(bad.outcome).toBeUndefined();
    expect(bad.problems[0]).toContain("not a side");
    expect(parseTradeArgs("KX-1 yes 5 @1.5").problems[0]).toContain("between $0.01 and $0.99");
  });

  it("ranges are in the display zone and inclusive", () => {
    const now = Date.UTC(2026, 10, 24, 12);
    const r = parseRange("2026-03-08 2026-03-08", now, "America/New_York");
    expect(r.ok && r.value.toMs - r.value.fromMs + 1).toBe(23 * 3_600_000); // DST day
    expect(parseRange("", now, "UTC")).toMatchObject({
      ok: true,
      value: { fromMs: now - 7 * 86_400_000, toMs: now },
    });
    expect(parseRange("400d", now, "UTC").ok).toBe(false);
    expect(parseRange("2026-11-05 2026-11-01", now, "UTC").ok).toBe(false);
  });
});

describe("buttons", () => {
  it("verifies its own data and rejects anything else", () => {
    const b = new Buttons("k");
    const d = b.data("oc:ord-1");
    expect(d.length).toBeLessThanOrEqual(64);
    expect(b.verify(d)).toBe("oc:ord-1");
    expect(b.verify(d.replace("ord-1", "ord-2"))).toBeNull();
    expect(new Buttons("other").verify(d)).toBeNull();
    expect(b.verify("oc:ord-1")).toBeNull();
    expect(b.verify(undefined)).toBeNull();
  });

  it("long values go through a reference that fits in 64 bytes", () => {
    const b = new Buttons("k");
    const long = "KXMVESPORTSMULTIGAMEEXTENDED-S2026ABCDEF0123456789-0123456789ABCDEF";
    const ref = b.ref(long);
    const d = b.data(`mb:yes:${ref}`);
    expect(Buffer.byteLength(d)).toBeLessThanOrEqual(64);
    expect(b.deref(b.verify(d)!.slice(7))).toBe(long);
  });
});

describe("entitiesToHtml (rebuilding a tapped message's HTML)", () => {
  it("round-trips the bot's own HTML through Telegram's text and entities", () => {
    const html = [
      "<b>🧪 SIM</b>",
      "<b>Rain &amp; snow &lt;NYC&gt;</b>",
      "<code>KXRAIN-26NOV25</code> · 🌧 <i>it <b>pours</b></i>",
      '<a href="https://kalshi.com/?a=1&amp;b=&quot;2&quot;">link</a> done',
    ].join("\n");
    const { text, entities } = parseTelegramHtmlEntities(html);
    expect(entitiesToHtml(text, entities)).toBe(html);
  });

  it("escapes plain text and nests partly overlapping entities", () => {
    expect(entitiesToHtml("a<b & c", [])).toBe("a&lt;b &amp; c");
    const out = entitiesToHtml("abcdef", [
      { type: "bold", offset: 0, length: 4 },
      { type: "italic", offset: 2, length: 4 },
      { type: "mention", offset: 0, length: 6 },
    ]);
    expect(out).toBe("<b>ab<i>cd</i></b><i>ef</i>");
    expect(parseTelegramHtml(out)).toBe("abcdef");
  });
});
