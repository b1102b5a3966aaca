/**
 * Every order's outcome reaches the phone (issue 17). The real wiring (createApp: bot, trading services,
 * Kalshi client over HTTP, order outbox on DATA_DIR) against a sim and a LocalBotApi, in process.
 *
 * - Telegram answers 429 retry_after 90 to the calls that show the result: the outbox waits as asked
 *   (a fake clock records the waits, nothing sleeps) and every card ends in its result.
 * - kill -9 at 10 points of the order path: the app is abandoned there (a checkpoint that never returns,
 *   then its resources are closed without any graceful step of the outbox), and a new app starts on the
 *   same DATA_DIR against the same sim. Then: at most one order per Confirm, and the card (or a message
 *   after it) says what happened — placed with its order id, or nothing placed.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, createApp } from "../../src/app.js";
import type { OutboxStep } from "../../src/alerts/outbox.js";
import { loadConfig } from "../../src/config.js";
import { LocalBotApi } from "../../src/devtools/localBotApi.js";
import { centis, formatDollars, type Micros } from "../../src/domain/money.js";
import { startSim, type SimServer } from "../../src/sim/server.js";
import { until } from "../support/until.js";
import { figure, printFiguresAfterAll } from "./figures.js";

printFiguresAfterAll("outcomes");

const OWNER = 616161;
let dir: string;
let sim: SimServer;
let api: LocalBotApi;
const apps = new Set<App>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "reliability-outcomes-"));
  sim = await startSim({ keyDir: join(dir, "simkeys"), livingMarket: false, rateLimit: false });
  api = new LocalBotApi();
});
afterAll(async () => {
  for (const a of apps) await a.stop().catch(() => undefined);
  await api?.close();
  await sim?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Waits the outbox asked for (a fake clock: they return at once). */
const waits: number[] = [];

async function boot(dataDir: string, checkpoint?: (step: OutboxStep, id: string) => Promise<void> | void) {
  const config = loadConfig(
    {
      TELEGRAM_ALLOWED_USER_IDS: String(OWNER),
      KALSHI_ENVIRONMENT: "sim",
      KALSHI_API_BASE_URL: sim.baseUrl,
      KALSHI_WS_URL: sim.wsUrl,
      KALSHI_API_KEY: sim.keyId,
      KALSHI_PRIVATE_KEY_PATH: sim.privateKeyPath!,
      LOG_DIR: join(dataDir, "logs"),
      DATA_DIR: dataDir,
      DISPLAY_TIMEZONE: "America/New_York",
      LOG_LEVEL: "info",
    },
    { cwd: dir },
  );
  const app = await createApp({
    config,
    token: api.token,
    botConfig: { botInfo: api.botInfo, client: { fetch: api.clientFetch } },
    console: false,
    exchange: { timeoutMs: 2_000, retry: { baseDelayMs: 5, maxDelayMs: 20 }, rateLimit: false },
    outbox: { sleep: async (ms) => void waits.push(ms), ...(checkpoint ? { checkpoint } : {}) },
  });
  apps.add(app);
  api.setHandler((u) => app.bot.handleUpdate(u));
  // What app.start() does first, before polling (in process there is no polling).
  await app.outbox.start();
  return app;
}

async function stopApp(app: App): Promise<void> {
  apps.delete(app);
  await app.stop();
}

/** A resting bid: the market's best bid, so it never trades with the market maker. */
function spot(i: number): { ticker: string; price: Micros } {
  const open = sim.engine
    .markets()
    .filter((m) => m.status === "active" && sim.engine.top(m.ticker).bid !== null);
  const m = open[i % open.length]!;
  return { ticker: m.ticker, price: sim.engine.top(m.ticker).bid! as Micros };
}

async function ordersWith(app: App, ticker: string, clientOrderId: string) {
  return (await app.exchange.getOrders({ ticker })).filter((o) => o.clientOrderId === clientOrderId);
}

/** The card as the phone shows it now, and every bot message after it. */
function story(cardId: number): { card: string; after: string[] } {
  const msgs = api.messages(OWNER).filter((m) => m.from === "bot" && !m.deleted);
  const card = api.messages(OWNER).find((m) => m.messageId === cardId)!;
  return {
    card: card.deleted ? "" : card.text,
    after: msgs.filter((m) => m.messageId > cardId).map((m) => m.text),
  };
}

describe("order results", () => {
  it("429 retry_after 90 on every call that shows a result → every result delivered, 0 cards left 'Please confirm'", async () => {
    const N = 8;
    const app = await boot(join(dir, "data-429"));
    try {
      const cards: number[] = [];
      waits.length = 0;
      for (let i = 0; i < N; i++) {
        const s = spot(i);
        await api.sendText(OWNER, OWNER, `/buy ${s.ticker} yes 2 @${formatDollars(s.price, 2)}`);
        const confirm = api.findButton(OWNER, "Confirm")!;
        expect(confirm, `quote card ${i}`).toBeDefined();
        cards.push(confirm.messageId);
        // Telegram refuses the result twice, asking for 90 s each time.
        api.failNext("editMessageText", 2, { code: 429, retryAfter: 90 });
        await api.tap(OWNER, OWNER, confirm.messageId, confirm.data);
      }
      await app.outbox.idle();
      const finals = cards.map((id) => story(id).card);
      const stillConfirm = finals.filter((t) => /Please confirm/.test(t)).length;
      const delivered = finals.filter((t) => /Order id: \S+/.test(t)).length;
      expect(stillConfirm).toBe(0);
      expect(delivered).toBe(N);
      expect(waits).toEqual(Array.from({ length: 2 * N }, () => 90_000));
      expect(app.outbox.pendingCount()).toBe(0);
      figure(
        `429: ${N} orders, Telegram answered 429 retry_after 90 twice on each result → ${delivered} results delivered, ${stillConfirm} cards left "Please confirm", ${waits.length} waits of 90 s as asked (fake clock), 0 given up`,
      );
    } finally {
      await stopApp(app);
    }
  }, 60_000);

  it("kill -9 at 10 points of the order path → 0 duplicate orders, 0 silent outcomes", async () => {
    type Point = { name: string; step: OutboxStep; placeAtKill?: boolean; cardGone?: boolean; tap: boolean };
    const points: Point[] = [
      { name: "card shown, before any tap", step: "quoted", tap: false },
      { name: "Confirm tapped, before the POST", step: "tapped", tap: true },
      { name: "POST sent, the tap's 'confirmed' write beside it done", step: "confirmed", tap: true },
      {
        // The tap's "confirmed" write runs beside the POST: the card may still read "quoted" on disk.
        name: "after the POST reached Kalshi, before its answer (the card still 'quoted' on disk)",
        step: "tapped",
        placeAtKill: true,
        tap: true,
      },
      { name: "after Kalshi's answer, before the result is written", step: "answered", tap: true },
      { name: "result written, before the edit", step: "settled", tap: true },
      { name: "edit marked as sending, before Telegram is called", step: "marked", tap: true },
      { name: "edit accepted by Telegram, before it is recorded", step: "accepted", tap: true },
      {
        name: "card gone: fallback message accepted, before it is recorded",
        step: "accepted",
        cardGone: true,
        tap: true,
      },
      { name: "everything recorded", step: "delivered", tap: true },
    ];
    let duplicates = 0;
    let silent = 0;
    let placed = 0;
    const notes: string[] = [];
    for (const [i, p] of points.entries()) {
      const dataDir = join(dir, `data-kill-${i}`);
      const s = spot(i);
      let id = "";
      let reached!: () => void;
      const killed = new Promise<void>((r) => (reached = r));
      const first = await boot(dataDir, (step, cid) => {
        id = cid;
        if (step !== p.step) return;
        if (p.placeAtKill) {
          // The create reached Kalshi; the process dies before reading the answer.
          sim.engine.placeOrder("user", {
            ticker: s.ticker,
            side: "bid",
            price: s.price,
            count: centis(300),
            tif: "good_till_canceled",
            clientOrderId: cid,
          });
        }
        reached();
        return new Promise<void>(() => undefined); // kill -9: this instance never goes on
      });
      let second: App | null = null;
      try {
        void api.sendText(OWNER, OWNER, `/buy ${s.ticker} yes 3 @${formatDollars(s.price, 2)}`);
        let cardId = -1;
        if (p.tap) {
          const confirm = await until("the quote card", () => api.findButton(OWNER, "Confirm"));
          cardId = confirm.messageId;
          if (p.cardGone) await first.bot.api.deleteMessage(OWNER, cardId);
          void api.tap(OWNER, OWNER, confirm.messageId, confirm.data);
        }
        await killed;
        if (!p.tap) cardId = api.findButton(OWNER, "Confirm")!.messageId;
        await stopApp(first);

        second = await boot(dataDir);
        await second.outbox.idle();
        const orders = await ordersWith(second, s.ticker, id);
        if (orders.length > 1) duplicates++;
        placed += orders.length;
        const { card, after } = story(cardId);
        const said = [card, ...after].join("\n");
        const told =
          orders.length === 1
            ? said.includes(orders[0]!.orderId) && !/nothing was placed|not placed/i.test(said)
            : /nothing was placed/i.test(said) && !/Order id/.test(said);
        if (!told || /Please confirm/.test(card)) {
          silent++;
          notes.push(`${p.name}: ${JSON.stringify(said)}`);
        }
        expect(second.outbox.pendingCount(), p.name).toBe(0);
      } finally {
        if (apps.has(first)) await stopApp(first);
        if (second) await stopApp(second);
      }
    }
    expect(notes).toEqual([]);
    expect(duplicates).toBe(0);
    expect(silent).toBe(0);
    figure(
      `kill -9 after Confirm at ${points.length} points of the order path (card shown … result recorded), restart on the same DATA_DIR → ${duplicates} duplicate orders, ${silent} silent outcomes (${placed} orders placed, each told with its id; the rest told "nothing was placed")`,
    );
  }, 120_000);
});
