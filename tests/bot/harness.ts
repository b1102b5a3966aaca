/** Builds a bot wired to LocalBotApi (in process) and the real trading services over SimExchange. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import winston from "winston";
import { Writable } from "node:stream";
import { OrderOutbox } from "../../src/alerts/outbox.js";
import { createBot } from "../../src/bot/createBot.js";
import type { BotDeps } from "../../src/bot/deps.js";
import type { EnvTag } from "../../src/domain/environment.js";
import { LocalBotApi } from "../support/fakeTelegram.js";
import { MemoryAlertSettings } from "../support/memoryAlertSettings.js";
import type { ExecutorConfig } from "../../src/trading/index.js";
import { SimWorld, usd } from "./world.js";

export const USER = 1001;
export const STRANGER = 2002;
export const TICKER = "KXHIGHNY-26NOV25-B45";

function memoryTransport() {
  const entries: Record<string, unknown>[] = [];
  const stream = new Writable({
    objectMode: true,
    write(info: Record<string, unknown>, _enc, cb) {
      entries.push(info);
      cb();
    },
  });
  return { entries, transport: new winston.transports.Stream({ stream }) };
}

export interface HarnessOptions {
  env?: EnvTag;
  confirmTimeoutMs?: number;
  http?: boolean;
  deps?: Partial<BotDeps>;
  /** The executor's caps (MAX_ORDER_CONTRACTS, MAX_ORDER_COST_DOLLARS), when not the world's defaults. */
  limits?: Partial<ExecutorConfig>;
}

export async function makeHarness(opts: HarnessOptions = {}) {
  const dir = await mkdtemp(join(tmpdir(), "bot-test-"));
  const clock = { t: Date.UTC(2026, 10, 24, 15, 0, 0), now: () => clock.t };
  const api = new LocalBotApi();
  const world = new SimWorld(clock, join(dir, "data"), opts.limits ? { limits: opts.limits } : {});
  world.addMarket({
    ticker: TICKER,
    title: "Highest temperature in NYC on Nov 25",
    yesSubTitle: "45° to 46°",
    yesBid: usd("0.55"),
    yesAsk: usd("0.56"),
  });
  world.addMarket({
    ticker: "KXRAIN-26NOV25",
    title: "Rain in Seattle on Nov 25",
    yesSubTitle: "Above 0.1 in",
    yesBid: usd("0.30"),
    yesAsk: usd("0.33"),
  });
  const alerts = new MemoryAlertSettings();
  const logs = memoryTransport();
  const logger = winston.createLogger({ level: "debug", transports: [logs.transport] });
  const apiRoot = opts.http ? await api.listen() : undefined;
  /** Waits the order outbox asked for between attempts; a fake clock: they return at once. */
  const waits: number[] = [];
  const outbox =
    opts.deps?.orderOutbox ??
    new OrderOutbox({
      timeZone: "America/New_York",
      now: clock.now,
      sleep: async (ms) => void waits.push(ms),
    });
  const build = () =>
    createBot({
      token: api.token,
      services: world.services,
      alertSettings: alerts,
      config: {
        allowedUserIds: [USER],
        envTag: opts.env ?? "SIM",
        confirmTimeoutMs: opts.confirmTimeoutMs ?? 60_000,
        timeZone: "America/New_York",
      },
      logger,
      now: clock.now,
      botConfig: apiRoot
        ? { client: { apiRoot } }
        : { botInfo: api.botInfo, client: { fetch: api.clientFetch } },
      buttonSecret: "test-secret",
      autoRetry: { maxDelaySeconds: 5 },
      orderOutbox: outbox,
      ...opts.deps,
    });
  let bot = build();
  if (!opts.http) api.setHandler((u) => bot.handleUpdate(u));

  const h = {
    api,
    world,
    get bot() {
      return bot;
    },
    /**
     * A new bot process on the same chat, exchange and outbox: conversations (kept in memory) are gone,
     * so a card shown before still draws its buttons while nobody waits for them.
     */
    restartBot() {
      bot = build();
      if (!opts.http) api.setHandler((u) => bot.handleUpdate(u));
    },
    clock,
    alerts,
    logs: logs.entries,
    dir,
    outbox,
    waits,
    /** Resolves once the order outbox has no delivery under way (its retries are done). */
    delivered: () => outbox.idle(),
    /** The id of the n-th order on the exchange (1 = the oldest). */
    orderId: (n: number) => world.createdOrders[n - 1]!.orderId,
    /** The user types in their private chat. */
    say: (text: string) => api.sendText(USER, USER, text),
    tap: (label: string | RegExp) => api.tapButton(USER, USER, label),
    last: () => api.lastBotMessage(USER)!,
    botTexts: () => api.botMessages(USER).map((m) => m.text),
    buttons: () => (api.lastBotMessage(USER)?.replyMarkup?.inline_keyboard ?? []).flat().map((b) => b.text),
    async close() {
      await outbox.stop();
      await world.services.close();
      if (bot.isRunning()) await bot.stop();
      await api.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return h;
}

export type Harness = Awaited<ReturnType<typeof makeHarness>>;
