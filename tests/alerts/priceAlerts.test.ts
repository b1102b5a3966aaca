/**
 * Price alerts end to end on the real wiring (createApp, in-process sim over HTTP and WebSocket, the
 * local Bot API): the sim's control moves a market's price (POST /sim/price), the bot's `ticker`
 * subscription sees it, and the alert reaches the chat through the fill alerts' exactly-once queue.
 *
 * "Nothing more came" is shown with a sentinel: a second alert that fires after the moves under test;
 * alerts of one chat are delivered in order, so once the sentinel is there, anything earlier would be too.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { movePrice } from "../../src/sim/control.js";
import { type AppHarness, startAppHarness, until } from "../support/appHarness.js";

let h: AppHarness | undefined;
let h2: AppHarness | undefined;
afterEach(async () => {
  await h?.stop();
  await h2?.stop();
  h = h2 = undefined;
});

/** Open markets priced in whole cents, ask between 20¢ and 80¢ (room to move either way). */
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

/** Moves the market so that the best YES ask is `cents` (the maker quotes one tick either side of fair). */
async function setAsk(app: AppHarness, ticker: string, cents: number): Promise<void> {
  // The bot's ticker subscription has taken in every market added so far.
  await until("the ticker subscription settled", () => feedOf(app).settled);
  const r = await fetch(`${app.sim.controlUrl}/price`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ticker, fair: ((cents - 1) / 100).toFixed(2) }),
  });
  expect(r.status).toBe(200);
  expect(app.sim.engine.top(ticker).ask).toBe(cents * 10_000);
}

const alertsIn = (app: AppHarness, since = 0) =>
  app.outputsSince(since).filter((o) => o.method === "sendMessage" && o.text.includes("Price alert:"));

async function started(opts: Parameters<typeof startAppHarness>[0] = {}): Promise<AppHarness> {
  const app = await startAppHarness({ priceAlerts: { pollMs: 60_000, statusPollMs: 0 }, ...opts });
  await until("the ticker socket", () => app.app.priceWatch.monitor && tickerConnected(app));
  return app;
}

const feedOf = (app: AppHarness) =>
  (app.app.priceWatch as unknown as { o: { feed: { connected: boolean; settled: boolean } } }).o.feed;
const tickerConnected = (app: AppHarness) => feedOf(app).connected;

describe("price alerts", () => {
  it("fires once when the YES price rises to the level (an exact touch counts), and again only after re-arming", async () => {
    h = await started();
    const [t, sentinel] = centMarkets(h);
    await setAsk(h, t!, 30);
    await h.ask(`/alert ${t} yes >= 0.40`, "Price alert set");
    await setAsk(h, t!, 40);
    const first = await h.waitForText("Price alert:");
    expect(first).toContain("YES ≥ $0.40 reached: YES $0.40");
    expect(first).toMatch(/YES bid \$0\.38 · ask \$0\.40/);
    // Back to 39¢ (inside the 2¢ band) and up again: no second alert.
    await setAsk(h, t!, 39);
    await setAsk(h, t!, 45);
    // Down past the band (below 38¢) re-arms it; the next touch fires again.
    const m = h.mark();
    await setAsk(h, sentinel!, 30);
    await h.ask(`/alert ${sentinel} yes >= 0.35`, "Price alert set");
    await setAsk(h, sentinel!, 35);
    await h.waitForText(sentinel!, m);
    expect(alertsIn(h).filter((o) => o.text.includes(t!))).toHaveLength(1);
    await setAsk(h, t!, 37);
    await setAsk(h, t!, 41);
    await until("the second crossing", () => alertsIn(h!).filter((o) => o.text.includes(t!)).length === 2);
  });

  it("fires on a falling NO price and offers Buy YES / Buy NO that open a quote, never an order", async () => {
    h = await started();
    const [t] = centMarkets(h);
    await setAsk(h, t!, 50); // YES bid 48¢ → NO costs 52¢
    await h.ask(`/alert ${t} no <= 0.30`, "Price alert set");
    await setAsk(h, t!, 72); // YES bid 70¢ → NO 30¢: exact touch
    const text = await h.waitForText("Price alert:");
    expect(text).toContain("NO ≤ $0.30 reached: NO $0.30");
    const orders = Object.keys(h.sim.engine.state.orders).length;
    await h.tapAndWait("Buy NO", /contracts|How many/i);
    expect(h.api.findButton(h.userId, "Sell")).toBeUndefined();
    expect(Object.keys(h.sim.engine.state.orders)).toHaveLength(orders);
  });

  it("a crossing while the socket is down alerts once after the reconnect", async () => {
    h = await started();
    const [t, sentinel] = centMarkets(h);
    await setAsk(h, t!, 30);
    await h.ask(`/alert ${t} yes >= 0.40`, "Price alert set");
    const dropped = await fetch(`${h.sim.controlUrl}/ws/drop`, { method: "POST" });
    expect(dropped.status).toBe(200);
    await until("the ticker socket gone", () => !tickerConnected(h!));
    movePrice(h.sim.engine, { ticker: t, fair: "0.43" }); // ask 44¢: no socket hears this
    await h.waitForText("Price alert:", 0, 10_000);
    await until("the ticker socket back", () => tickerConnected(h!));
    const m = h.mark();
    await h.ask(`/alert ${sentinel} yes <= 0.10`, "Price alert set");
    await setAsk(h, sentinel!, 9);
    await h.waitForText(sentinel!, m);
    expect(alertsIn(h).filter((o) => o.text.includes(t!))).toHaveLength(1);
  });

  it("a crossing taken in before a restart is delivered once after it", async () => {
    h = await started();
    const dir = h.dir;
    const [t] = centMarkets(h);
    await setAsk(h, t!, 30);
    await h.ask(`/alert ${t} yes >= 0.40`, "Price alert set");
    h.api.failNext("sendMessage", 1000, { code: 500 }, { chatId: h.userId });
    await setAsk(h, t!, 41);
    const stateFile = join(h.config.dataDir, "alerts-state.json");
    await until("the crossing persisted", () => readFileSync(stateFile, "utf8").includes('"kind":"price"'));
    // Stopped while Telegram fails: the alert stays owed (the harness keeps the directory).
    const owned = h;
    h = undefined;
    await owned.app.stop();
    await owned.api.close();
    h2 = await started({ dir });
    await h2.waitForText("Price alert:");
    const m = h2.mark();
    await h2.ask("/alerts", "Price alerts");
    expect(h2.outputsSince(m).at(-1)!.text).toContain("waiting to re-arm");
    expect(alertsIn(h2)).toHaveLength(1);
  });
});

describe("price alerts: bad input", () => {
  it("answers each bad /alert in a sentence and stores nothing", async () => {
    h = await started();
    const [t] = centMarkets(h);
    const file = join(h.config.dataDir, "watch.json");
    const cases: [string, RegExp][] = [
      [`/alert ${t} yes >= 1.5`, /between \$0\.01 and \$0\.99/],
      [`/alert NOSUCH-26JAN01-X yes >= 0.40`, /no market with ticker/],
      [`/alert ${t} >= 0.40`, /Say which side/],
      [`/alert ${t} yes 0.40`, /Say >= or <=/],
      [`/alert ${t} moves 80c`, /not a move/],
      [`/alert`, /Send \/alert TICKER/],
    ];
    for (const [cmd, want] of cases) {
      const m = h.mark();
      await h.say(cmd);
      const reply = await h.waitForText(want, m);
      expect(reply.split("\n").length).toBeLessThanOrEqual(2);
    }
    expect(h.app.priceWatch.alerts(h.userId)).toHaveLength(0);
    expect(() => readFileSync(file, "utf8")).toThrow();
  });
});
