/**
 * Price alerts on the real wiring, continued: Telegram's 429 during a burst, a market that settles,
 * /alerts off and silent, the cap, deleting from /alerts, and taps that are not the owner's.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MAX_ALERTS_PER_CHAT } from "../../src/alerts/price/store.js";
import { type AppHarness, startAppHarness, until } from "../support/appHarness.js";

let h: AppHarness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

function centMarkets(app: AppHarness): string[] {
  return app.sim.engine
    .markets()
    .filter((m) => m.status === "active" && m.priceLevelStructure === "linear_cent")
    .filter((m) => {
      const a = app.sim.engine.top(m.ticker).ask;
      return a !== null && a >= 200_000 && a <= 800_000;
    })
    .map((m) => m.ticker);
}

async function setAsk(app: AppHarness, ticker: string, cents: number): Promise<void> {
  // The bot's ticker subscription has taken in every market added so far.
  await until("the ticker subscription settled", () => feedOf(app).settled);
  const r = await fetch(`${app.sim.controlUrl}/price`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ticker, fair: ((cents - 1) / 100).toFixed(2) }),
  });
  expect(r.status).toBe(200);
}

const feedOf = (app: AppHarness) =>
  (app.app.priceWatch as unknown as { o: { feed: { connected: boolean; settled: boolean } } }).o.feed;
const tickerConnected = (app: AppHarness) => feedOf(app).connected;

async function started(opts: Parameters<typeof startAppHarness>[0] = {}): Promise<AppHarness> {
  const app = await startAppHarness({ priceAlerts: { pollMs: 60_000, statusPollMs: 0 }, ...opts });
  await until("the ticker socket", () => tickerConnected(app));
  return app;
}

const priceAlerts = (app: AppHarness) =>
  app.api.callsOf("sendMessage").filter((c) => c.ok && String(c.params.text).includes("Price alert</b>:"));

describe("price alerts: delivery", () => {
  it("a burst of crossings meets Telegram's 429 and every alert arrives exactly once", async () => {
    h = await started();
    const markets = centMarkets(h).slice(0, 5);
    for (const t of markets) {
      await setAsk(h, t, 30);
      await h.ask(`/alert ${t} yes >= 0.40`, "Price alert set");
    }
    h.api.failNext("sendMessage", 2, { code: 429, retryAfter: 1 }, { chatId: h.userId });
    for (const t of markets) await setAsk(h, t, 42);
    await until("five alerts", () => priceAlerts(h!).length === 5, 15_000);
    expect(h.api.pendingFailures("sendMessage")).toBe(0);
    const shown = priceAlerts(h).map((c) => markets.find((t) => String(c.params.text).includes(t)));
    expect(new Set(shown).size).toBe(5);
  });

  it("silent arrives without sound; off sends nothing", async () => {
    h = await started();
    const [a, b, sentinel] = centMarkets(h);
    for (const t of [a, b, sentinel]) await setAsk(h, t!, 30);
    await h.ask(`/alert ${a} yes >= 0.40`, "Price alert set");
    await h.ask(`/alert ${b} yes >= 0.40`, "Price alert set");
    await h.ask(`/alert ${sentinel} yes >= 0.40`, "Price alert set");
    await h.ask("/alerts silent", "now");
    await setAsk(h, a!, 40);
    await until("the silent alert", () => priceAlerts(h!).length === 1);
    expect(priceAlerts(h)[0]!.params.disable_notification).toBe(true);
    await h.ask("/alerts off", "now");
    await setAsk(h, b!, 40);
    // b's crossing taken in and settled by the queue (not sent: off) before alerts go back on.
    const bKey = `p:${h.app.priceWatch.alerts(h.userId).find((x) => x.ticker === b)!.id}:1`;
    await until("b's crossing handled", () => {
      const st = JSON.parse(readFileSync(join(h!.config.dataDir, "alerts-state.json"), "utf8")) as {
        known: [string, number][];
        pending: unknown[];
      };
      return st.known.some(([k]) => k === bKey) && st.pending.length === 0;
    });
    await h.ask("/alerts on", "now");
    await setAsk(h, sentinel!, 40);
    await until("the sentinel", () => priceAlerts(h!).some((c) => String(c.params.text).includes(sentinel!)));
    expect(priceAlerts(h).some((c) => String(c.params.text).includes(b!))).toBe(false);
  });

  it("alerts on a market that settles are removed with a note", async () => {
    h = await started({ priceAlerts: { pollMs: 60_000, statusPollMs: 100 } });
    const [t] = centMarkets(h);
    await setAsk(h, t!, 30);
    await h.ask(`/alert ${t} yes >= 0.40`, "Price alert set");
    await h.ask(`/alert ${t} no <= 0.20`, "Price alert set");
    const r = await fetch(`${h.sim.controlUrl}/settle`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ticker: t, result: "no" }),
    });
    expect(r.status).toBe(200);
    const note = await h.waitForText("Price alerts removed");
    expect(note).toContain("settled");
    expect(note).toContain("YES ≥ $0.40, NO ≤ $0.20");
    expect(h.app.priceWatch.alerts(h.userId)).toHaveLength(0);
    await h.app.priceWatch.monitor.idle();
    expect(h.outputsSince(0).filter((o) => o.text.includes("Price alerts removed"))).toHaveLength(1);
  });
});

describe("price alerts: managing them", () => {
  it(`refuses alert ${MAX_ALERTS_PER_CHAT + 1} with a sentence and keeps ${MAX_ALERTS_PER_CHAT}`, async () => {
    h = await started();
    const [t] = centMarkets(h);
    for (let i = 1; i <= MAX_ALERTS_PER_CHAT; i++) {
      const r = await h.app.priceWatch.addAlert(h.userId, t!, {
        kind: "level",
        side: "yes",
        op: ">=",
        level: (i * 10_000) as never,
      });
      expect(r.kind).toBe("added");
    }
    const reply = await h.ask(`/alert ${t} no <= 0.05`, /most allowed/);
    expect(reply).toContain(`${MAX_ALERTS_PER_CHAT} price alerts`);
    const file = JSON.parse(readFileSync(join(h.config.dataDir, "watch.json"), "utf8")) as {
      alerts: unknown[];
    };
    expect(file.alerts).toHaveLength(MAX_ALERTS_PER_CHAT);
  });

  it("/alerts lists price alerts beside the mode and deletes one with a tap; an outsider's tap does nothing", async () => {
    h = await started();
    const [t] = centMarkets(h);
    await setAsk(h, t!, 30);
    await h.ask(`/alert ${t} yes >= 0.40`, "Price alert set");
    await h.ask(`/alert ${t} moves 5c`, "Price alert set");
    const list = await h.ask("/alerts", "Price alerts");
    expect(list).toContain("Fill alerts are");
    expect(list).toContain("YES ≥ $0.40");
    expect(list).toContain("YES moves 5¢");
    const del = h.api.findButton(h.userId, /🗑 1\./)!;
    // Someone else taps it (copied data), and the owner taps a forged one: nothing changes.
    await h.api.tap(777_001, 777_001, del.messageId, del.data);
    await h.api.tap(h.userId, h.userId, del.messageId, del.data.replace(/\.[^.]+$/, ".AAAAAAAA"));
    expect(h.app.priceWatch.alerts(h.userId)).toHaveLength(2);
    await h.tapAndWait(/🗑 1\./, "Deleted");
    expect(h.app.priceWatch.alerts(h.userId).map((a) => a.rule.kind)).toEqual(["move"]);
  });

  it("/watch, the card's ☆ Watch toggle and /watchlist with Refresh and a tap to the card", async () => {
    h = await started();
    const [a, b] = centMarkets(h);
    await setAsk(h, a!, 30);
    expect(await h.ask(`/watch ${a}`, "Watching")).toContain(a!);
    expect(await h.ask(`/watch ${a}`, "already watching")).toContain(a!);
    expect(await h.ask("/watch NOSUCH-26JAN01-X", "no market")).toContain("Nothing was added");
    await h.ask(`/market ${b}`, b!);
    // An outsider's tap on the card's ☆ Watch and 🔔 Alert (copied data) changes and sends nothing.
    const outsider = 777_002;
    const before = h.mark();
    for (const label of ["☆ Watch", "🔔 Alert"]) {
      const btn = h.api.findButton(h.userId, label)!;
      await h.api.tap(outsider, outsider, btn.messageId, btn.data);
    }
    expect(h.app.priceWatch.isWatching(h.userId, b!)).toBe(false);
    expect(h.app.priceWatch.isWatching(outsider, b!)).toBe(false);
    expect(h.outputsSince(before)).toEqual([]);
    await h.tap("☆ Watch");
    await until("the card shows ★ Watching", () => h!.api.findButton(h!.userId, "★ Watching") !== undefined);
    expect(h.app.priceWatch.isWatching(h.userId, b!)).toBe(true);
    await setAsk(h, a!, 35);
    const wl = await h.ask("/watchlist", "Watchlist");
    expect(wl).toContain(a!);
    expect(wl).toContain(b!);
    expect(wl).toMatch(/▲ \$0\.05 since/);
    expect(wl).toMatch(/closes/);
    await setAsk(h, a!, 37);
    await h.tapAndWait("Refresh", "▲ $0.07");
    await h.tapAndWait(b!, "YES: buy");
    expect(await h.ask(`/unwatch ${b}`, "Stopped watching")).toContain(b!);
    expect(await h.ask(`/unwatch ${b}`, "not on your watchlist")).toContain(b!);
  });

  it("the card's 🔔 Alert button sets an alert through side and level taps", async () => {
    h = await started();
    const [t] = centMarkets(h);
    await setAsk(h, t!, 30);
    await h.ask(`/market ${t}`, t!);
    await h.tapAndWait("🔔 Alert", "which price");
    await h.tapAndWait("YES price", "costs 30¢ now");
    const set = await h.tapAndWait("≥ 35¢", "Price alert set");
    expect(set).toContain("YES ≥ $0.35");
    expect(h.app.priceWatch.alerts(h.userId)).toHaveLength(1);
  });
});
