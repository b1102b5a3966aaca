import { readFile } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import { c, usd } from "./world.js";
import { type Harness, makeHarness, STRANGER, TICKER, USER } from "./harness.js";

let h: Harness;
afterEach(async () => {
  await h?.close();
});

async function buyResting(count = 5, price = "0.40") {
  await h.say(`/buy ${TICKER} yes ${count} @${price}`);
  await h.tap("Confirm");
}

describe("menu commands", () => {
  it("/start and /help list every command with an example", async () => {
    h = await makeHarness();
    await h.say("/start");
    const t = h.last().text;
    for (const cmd of [
      "buy",
      "sell",
      "portfolio",
      "orders",
      "cancel",
      "status",
      "market",
      "search",
      "balance",
      "account",
      "history",
      "export",
      "alerts",
      "help",
    ]) {
      expect(t).toContain(`/${cmd} —`);
    }
    // No search index in this harness: a placeholder, never a ticker that may not exist (issue 16).
    expect(t).toContain("e.g. /buy <ticker> yes 10 @0.42");
    expect(t).toContain("Find a market's ticker with /search <words> or /browse.");
  });

  it("/portfolio shows positions and Refresh edits the same message", async () => {
    h = await makeHarness();
    await h.say(`/buy ${TICKER} yes 10 @0.60`);
    await h.tap("Confirm");
    await h.say("/portfolio");
    const card = h.last();
    expect(card.text).toContain(`${TICKER} · 10 contracts YES`);
    expect(card.text).toContain("entry $0.56");
    h.world.setPrices(TICKER, usd("0.70"), usd("0.72"));
    await h.tap("Refresh");
    const after = h.api.messages(USER).find((m) => m.messageId === card.messageId)!;
    expect(after.text).toContain("now $0.70"); // valued at the 0.70 YES bid it could sell at
    expect(after.replyMarkup?.inline_keyboard[0]![0]!.text).toContain("Refresh");
    // Refresh again with nothing changed: "message is not modified" is not an error to the user.
    const before = h.botTexts().length;
    await h.tap("Refresh");
    expect(h.botTexts().length).toBe(before);
    expect(h.logs.filter((l) => l.level === "error")).toHaveLength(0);
  });

  it("/orders lists resting orders with one Cancel button each; a tap cancels that order", async () => {
    h = await makeHarness();
    await buyResting(5, "0.40");
    await buyResting(3, "0.41");
    await h.say("/orders");
    expect(h.last().text).toContain("Resting orders (2)");
    // Each order's card has its change buttons, its Cancel and a copy button for its id.
    expect(h.buttons()).toEqual([
      "1: −1 tick",
      "+1 tick",
      "New price",
      "Reduce",
      `Cancel 1: ${TICKER}`,
      "Copy id 1",
      "2: −1 tick",
      "+1 tick",
      "New price",
      "Reduce",
      `Cancel 2: ${TICKER}`,
      "Copy id 2",
      "Cancel all",
    ]);
    // Listed newest first, as Kalshi lists them: 1 is the 3 @ 0.41.
    await h.tap("Cancel 1");
    // Routed: the button's cancel names the order's market.
    expect(h.world.callsTo("executor", "cancel")[0]!.args).toEqual([h.orderId(2), TICKER]);
    expect(h.last().text).toContain(`Canceled order ${h.orderId(2)} (3 contracts were resting)`);
    expect(h.last().text).toContain("Resting orders (1)");
  });

  it("Cancel all asks for confirmation first", async () => {
    h = await makeHarness();
    await buyResting(5, "0.40");
    await buyResting(3, "0.41");
    await h.say("/orders");
    await h.tap("Cancel all");
    expect(h.last().text).toContain("Cancel all 2 resting orders?");
    expect(h.world.callsTo("executor", "cancelAll")).toHaveLength(0);
    await h.tap("No");
    expect(h.world.callsTo("executor", "cancelAll")).toHaveLength(0);
    expect(h.last().text).toContain("Nothing was canceled.");
    await h.tap("Cancel all");
    await h.tap("Yes, cancel all");
    expect(h.world.callsTo("executor", "cancelAll")).toHaveLength(1);
    expect(h.last().text).toContain("Canceled 2 orders.");
  });

  it("Cancel all is Kalshi's cancel-all: the question warns, and an order placed meanwhile is canceled and named", async () => {
    h = await makeHarness();
    await buyResting(5, "0.40");
    await buyResting(3, "0.41");
    await h.say("/orders");
    await h.tap("Cancel all");
    expect(h.last().text).toContain("Cancel all 2 resting orders?");
    expect(h.last().text).toContain(
      "Kalshi's cancel-all may also cancel orders placed in the minute after it",
    );
    // Another user (or device) places an order while the question is open.
    await buyResting(2, "0.39");
    await h.tap("Yes, cancel all");
    const [call] = h.world.callsTo("executor", "cancelAll");
    expect(call!.args).toEqual([
      [
        { orderId: h.orderId(2), ticker: TICKER },
        { orderId: h.orderId(1), ticker: TICKER },
      ],
    ]);
    // One cancel-all request; no order is canceled by id.
    expect(h.world.exchange.calls.cancelAllOrders).toBe(1);
    expect(h.world.exchange.calls.cancelOrders ?? 0).toBe(0);
    const text = h.botTexts().find((t) => t.includes("Canceled 3 orders."));
    expect(text).toBeDefined();
    expect(text).toContain("Buy 2 YES @ $0.39");
    expect(text).toContain("1 of them was placed after the list was shown");
    expect(await h.world.services.executor.openOrders()).toEqual([]);
  });

  it("/cancel <id> and /status <id>", async () => {
    h = await makeHarness();
    await buyResting(5, "0.40");
    await h.say(`/status ${h.orderId(1)}`);
    expect(h.last().text).toContain("Order resting");
    expect(h.last().text).toContain("Filled 0 of 5");
    await h.say(`/cancel ${h.orderId(1)}`);
    expect(h.last().text).toContain(`Canceled order ${h.orderId(1)}`);
    // Kalshi refuses a cancel of an order that no longer rests (404); the bot reads the order and
    // says what became of it, in the display time zone (New York).
    h.clock.t = Date.UTC(2026, 10, 24, 19, 2); // 14:02 in New York
    await h.say(`/cancel ${h.orderId(1)}`);
    expect(h.last().text).toBe("🧪 SIM\nThat order was already canceled at Nov 24, 10:00 EST.");
    expect(await h.world.services.executor.openOrders()).toEqual([]);
    await h.say("/status");
    expect(h.last().text).toContain("Send /status <order id>");
    await h.say("/cancel");
    expect(h.last().text).toContain("Nothing to stop");
  });

  it("/cancel of an order that filled, or of no order, says so plainly and changes nothing", async () => {
    h = await makeHarness();
    await buyResting(5, "0.40");
    await buyResting(3, "0.41");
    h.clock.t = Date.UTC(2026, 10, 24, 19, 2); // 14:02 in New York
    h.world.exchange.fillResting(h.orderId(2)); // the best bid ($0.41) fills
    const balance = h.world.balance;
    await h.say(`/cancel ${h.orderId(2)}`);
    expect(h.last().text).toBe(
      "🧪 SIM\nThat order already filled at Nov 24, 14:02 EST; there was nothing left to cancel.",
    );
    await h.say("/cancel NOPE-123");
    expect(h.last().text).toBe("🧪 SIM\nThere is no order NOPE-123.");
    expect(h.botTexts().join("\n")).not.toContain("Something went wrong");
    expect(h.world.balance).toBe(balance);
    expect((await h.world.services.executor.openOrders()).map((o) => o.orderId)).toEqual([h.orderId(1)]);
  });

  it("/market shows a card; /market with an unknown ticker says so", async () => {
    h = await makeHarness();
    await h.say(`/market ${TICKER}`);
    expect(h.last().text).toContain("YES: buy $0.56 · sell $0.55");
    expect(h.last().text).toContain("NO: buy $0.45 · sell $0.44");
    expect(h.buttons()).toEqual(["Buy YES", "Buy NO", "📊 Book", "📋 Copy ticker"]);
    await h.say("/market KXNOPE-1");
    expect(h.last().text).toContain("There is no market with ticker KXNOPE-1.");
    await h.say("/market");
    expect(h.last().text).toContain("Send /market <ticker>");
  });

  it("/search lists matches whose buttons open the market card", async () => {
    h = await makeHarness();
    await h.say("/search rain seattle");
    expect(h.last().text).toContain("KXRAIN-26NOV25");
    await h.tap(/^1\./);
    expect(h.last().text).toContain("Rain in Seattle on Nov 25");
    expect(h.buttons()).toEqual(["Buy YES", "Buy NO", "📊 Book", "📋 Copy ticker"]);
    await h.say("/search zebra");
    expect(h.last().text).toContain("No open markets match “zebra”");
  });

  it("/balance", async () => {
    h = await makeHarness();
    h.world.balance = usd("1234.5");
    await h.say("/balance");
    expect(h.last().text).toContain("Cash: $1,234.50");
  });

  it("/account: cash per shard and a never-confirmed location check, said plainly", async () => {
    h = await makeHarness();
    h.world.setShards({ 0: usd("70"), 1: usd("30") });
    h.world.regionExpiration = null;
    await h.say("/account");
    const t = h.last().text;
    expect(t).toContain("Cash: $100.00");
    expect(t).toContain("shard 0: $70.00");
    expect(t).toContain("shard 1: $30.00");
    expect(t).toContain("⚠️ Your Kalshi account has never confirmed its location for API trading");
    await h.say("/balance");
    expect(h.last().text).toContain("never confirmed its location");
  });

  it("/history defaults to 7 days, takes 30d and two dates in the display zone", async () => {
    h = await makeHarness();
    const day = 86_400_000;
    h.world.addPastFill({ time: h.clock.t - 2 * day, ticker: "KXOLD-A" });
    h.world.addPastFill({ time: h.clock.t - 20 * day, ticker: "KXOLD-B" });
    await h.say("/history");
    expect(h.last().text).toContain("KXOLD-A");
    expect(h.last().text).not.toContain("KXOLD-B");
    await h.say("/history 30d");
    expect(h.last().text).toContain("KXOLD-B");
    // 2026-11-04 is "20 days ago" in New York: 2026-11-04T10:00-05:00.
    await h.say("/history 2026-11-04 2026-11-04");
    expect(h.last().text).toContain("KXOLD-B");
    expect(h.last().text).toContain("2026-11-04 to 2026-11-04 (America/New_York)");
    const [from, to] = h.world.callsTo("history", "report").at(-1)!.args as number[];
    expect(new Date(from!).toISOString()).toBe("2026-11-04T05:00:00.000Z");
    expect(new Date(to!).toISOString()).toBe("2026-11-05T04:59:59.999Z");
    await h.say("/history 2026-13-01 2026-11-04");
    expect(h.last().text).toContain("has a date I can't read");
    await h.say("/history lots");
    expect(h.last().text).toContain("I can't read the range");
  });

  it("/export sends the CSV as a document with rows, range and zone in the caption; parts become several documents", async () => {
    h = await makeHarness();
    for (let i = 0; i < 5; i++)
      h.world.addPastFill({ time: h.clock.t - (i + 1) * 3_600_000, ticker: `KXT-${i}` });
    await h.say("/export");
    const doc = h.last();
    // The export service's own name: environment, range in the display zone, time of the export.
    const name = `trades-sim-20261117-20261124-${h.clock.t}.csv`;
    expect(doc.document?.fileName).toBe(name);
    expect(doc.document!.bytes.toString()).toContain("KXT-3");
    expect(doc.text).toContain("🧪 SIM");
    expect(doc.text).toContain("5 rows");
    expect(doc.text).toContain("last 7 days");
    expect(doc.text).toContain("America/New_York");
    const onDisk = await readFile(
      h.world.callsTo("exporter").length ? `${h.world.exportDir}/${name}` : "",
      "utf8",
    );
    expect(doc.document!.bytes.toString()).toBe(onDisk);

    h.world.maxExportBytes = 410; // the header (141 bytes, with payout) and two rows (132 each) a file
    await h.say("/export 30d");
    const docs = h.api
      .botMessages(USER)
      .filter((m) => m.document)
      .slice(-3);
    const base = `trades-sim-20261025-20261124-${h.clock.t}`;
    expect(docs.map((d) => d.document!.fileName)).toEqual([
      `${base}-part1.csv`,
      `${base}-part2.csv`,
      `${base}-part3.csv`,
    ]);
    expect(docs[1]!.text).toContain("part 2 of 3");
  });

  it("/alerts shows the mode with buttons and changes it", async () => {
    h = await makeHarness();
    await h.say("/alerts");
    expect(h.last().text).toContain("Fill alerts are on.");
    await h.tap("silent");
    expect(await h.alerts.get(USER)).toBe("silent");
    expect(h.last().text).toContain("Fill alerts are silent.");
    await h.say("/alerts off");
    expect(await h.alerts.get(USER)).toBe("off");
    await h.say("/alerts loud");
    expect(h.last().text).toContain("“loud” is not a mode");
    expect(await h.alerts.get(USER)).toBe("off");
  });

  it("unknown commands and stray text get a pointer to /help", async () => {
    h = await makeHarness();
    await h.say("/frobnicate");
    expect(h.last().text).toContain("I don't know that command");
    await h.say("hello");
    expect(h.last().text).toContain("/help");
  });
});

describe("access", () => {
  it("a stranger in a private chat causes no service call and is told once per 10 minutes", async () => {
    h = await makeHarness();
    for (const t of ["/portfolio", "/balance", `/buy ${TICKER} yes 1 @0.5`, "/orders"]) {
      await h.api.sendText(STRANGER, STRANGER, t);
    }
    expect(h.world.calls).toHaveLength(0);
    const msgs = h.api.botMessages(STRANGER);
    expect(msgs.map((m) => m.text)).toEqual(["This bot is private."]);
    h.clock.t += 11 * 60_000;
    await h.api.sendText(STRANGER, STRANGER, "/balance");
    expect(h.api.botMessages(STRANGER)).toHaveLength(2);
    expect(
      h.logs.some((l) => l.message === "access denied" && l.userId === STRANGER && l.chatType === "private"),
    ).toBe(true);
  });

  it("in a group, even the allowed user gets nothing and nothing is called", async () => {
    h = await makeHarness();
    await h.api.sendText(USER, -500, "/balance", { chatType: "group" });
    await h.api.sendText(STRANGER, -500, "/portfolio", { chatType: "supergroup" });
    expect(h.world.calls).toHaveLength(0);
    expect(h.api.botMessages(-500)).toHaveLength(0);
  });

  it("a stranger tapping a genuine button gets nothing done", async () => {
    h = await makeHarness();
    await buyResting(5, "0.40");
    await h.say("/orders");
    const before = h.world.calls.length;
    for (const label of ["Cancel all", "Cancel 1", "−1 tick", "Reduce"]) {
      const b = h.api.findButton(USER, label)!;
      await h.api.tap(STRANGER, USER, b.messageId, b.data);
    }
    expect(h.world.calls.length).toBe(before);
    expect(h.world.callsTo("executor", "restingOrders")).toHaveLength(1);
  });
});

describe("presentation", () => {
  it.each(["SIM", "DEMO", "LIVE"] as const)("every message and edit carries the %s tag", async (env) => {
    h = await makeHarness({ env });
    const badge = env === "LIVE" ? "🔴 LIVE" : `🧪 ${env}`;
    await h.say("/help");
    await h.say(`/buy ${TICKER} yes 10`);
    await h.tap("Market");
    await h.tap("Confirm");
    await h.say("/portfolio");
    await h.tap("Refresh");
    await h.say("/orders");
    await h.say("/nonsense");
    await h.say("/sell");
    await h.tap("Cancel");
    const sent = h.api.calls.filter((x) => x.method === "sendMessage" || x.method === "editMessageText");
    expect(sent.length).toBeGreaterThan(8);
    for (const m of sent) expect(String(m.params.text).split("\n")[0]).toContain(badge);
  });

  it("text over 4096 characters is paged on line boundaries", async () => {
    h = await makeHarness();
    for (let i = 0; i < 200; i++) {
      h.world.addPastFill({
        time: h.clock.t - (i + 1) * 60_000,
        ticker: `KXLONG-TICKER-NUMBER-${i}`,
        count: c(3),
      });
    }
    await h.say("/history");
    const pages = h.api.calls
      .filter((x) => x.method === "sendMessage" && x.ok)
      .map((x) => String(x.params.text));
    expect(pages.length).toBeGreaterThan(1);
    for (const [i, p] of pages.entries()) {
      expect(p.length).toBeLessThanOrEqual(4096);
      expect(p.split("\n")[0]).toContain(`page ${i + 1}/${pages.length}`);
    }
    const all = h.botTexts().join("\n");
    for (let i = 0; i < 200; i++) expect(all).toContain(`KXLONG-TICKER-NUMBER-${i} @`);
  });

  it("names with < > & are escaped", async () => {
    h = await makeHarness();
    h.world.addMarket({
      ticker: "KXODD-1",
      title: "Will <b>A & B</b> > C?",
      yesBid: usd("0.1"),
      yesAsk: usd("0.2"),
    });
    await h.say("/market KXODD-1");
    expect(h.last().text).toContain("Will <b>A & B</b> > C?");
  });

  it("a failing service gets one plain sentence, is logged, and the bot keeps working", async () => {
    h = await makeHarness();
    h.world.failing.set("portfolio.view", new Error("ECONNRESET at /trade-api/v2/portfolio/balance"));
    await h.say("/portfolio");
    expect(h.last().text).toBe("🧪 SIM\nSomething went wrong; nothing was changed.");
    expect(h.logs.some((l) => l.level === "error" && l.handler === "portfolio")).toBe(true);
    h.world.failing.clear();
    await h.say("/balance");
    expect(h.last().text).toContain("Cash: $100.00");
  });

  it("uses the injected describeError for exchange errors", async () => {
    h = await makeHarness({
      deps: { describeError: () => "Kalshi is busy right now; try again in a minute." },
    });
    h.world.failing.set("executor.restingOrders", new Error("429"));
    await h.say("/orders");
    expect(h.last().text).toContain("Kalshi is busy right now");
  });

  it("a typing indicator is shown on slow work", async () => {
    h = await makeHarness();
    await h.say("/portfolio");
    expect(h.api.callsOf("sendChatAction")[0]?.params.action).toBe("typing");
  });
});
