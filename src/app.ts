/**
 * Composition: config → logger → exchange (sim or Kalshi) → trading services → bot → fill alerts → health.
 * Used by src/main.ts (a real Telegram bot), src/chat.ts (the local terminal chat) and the tests that run
 * the real wiring. The parts are built in ./app/assemble.ts, started in ./app/start.ts, stopped in
 * ./app/stop.ts and checked in ./app/health.ts.
 */
import { randomBytes } from "node:crypto";
import type { BotConfig, Context, Bot } from "grammy";
import type winston from "winston";
import type { AppConfig } from "./config.js";
import { createLogger, redactString } from "./logging/index.js";
import type { SimOptions, SimServer } from "./sim/server.js";
import type { KalshiClient } from "./exchange/kalshi/client.js";
import type { TradingServices } from "./trading/index.js";
import type { TelegramRetryOptions } from "./bot/telegramRetry.js";
import type { MyContext } from "./bot/context.js";
import type { HealthReport } from "./health.js";
import type { OrderOutbox, OrderOutboxOptions } from "./alerts/outbox.js";
import type { PriceWatch } from "./alerts/price/service.js";
import { assemble } from "./app/assemble.js";
import { healthCheckOf } from "./app/health.js";
import { newLive, type Base, type Parts } from "./app/parts.js";
import { startApp } from "./app/start.js";
import { stopApp } from "./app/stop.js";

export { AppStartError, type StartStep } from "./app/startError.js";
export { STOP_BUDGET_MS } from "./app/stop.js";
export { TELEGRAM_FAILURES_DEGRADED } from "./app/health.js";
export { successfulPolls, telegramCallResults } from "./app/telegramCounters.js";

export interface AppOptions {
  config: AppConfig;
  /** The Telegram bot token (main: from config; chat: the local Bot API's). */
  token: string;
  /** grammY client options, e.g. the local Bot API's apiRoot. */
  botConfig?: BotConfig<Context>;
  /** Console logging (default "auto"); the terminal chat turns it off. */
  console?: boolean | "auto";
  /** Overrides for the in-process sim (tests). */
  sim?: Partial<SimOptions>;
  /** Shorter timings for tests. */
  alerts?: { settlementPollMs?: number; coalesceWindowMs?: number };
  /** Price alerts' REST polling while the socket is down and market status checks (tests shorten them). */
  priceAlerts?: { pollMs?: number; statusPollMs?: number };
  /**
   * Kalshi client overrides for tests: a short per-attempt timeout so a hung request fails fast, quick
   * retries, and `rateLimit: false` (no client-side budget) against a sim started with rateLimit false.
   */
  exchange?: { timeoutMs?: number; retry?: { baseDelayMs: number; maxDelayMs: number }; rateLimit?: false };
  /**
   * Telegram side: bounds for retrying Bot API calls (src/bot/telegramRetry.ts), per-chat queue size,
   * the first-contact retry pauses and the length of a long poll. Tests shorten them.
   */
  telegram?: {
    retry?: Partial<TelegramRetryOptions>;
    maxQueuedPerChat?: number;
    connect?: { attemptTimeoutMs?: number; firstPauseMs?: number; maxPauseMs?: number };
    pollTimeoutSeconds?: number;
    /** Update lag that turns health degraded (default UPDATE_LAG_DEGRADED_MS). */
    lagDegradedMs?: number;
  };
  /** Start-up progress for a person watching the console (npm start prints these lines). */
  onStartupNotice?: (line: string) => void;
  now?: () => number;
  /** Order outbox overrides for tests (a fake clock for its waits, kill points). */
  outbox?: Pick<OrderOutboxOptions, "sleep" | "checkpoint">;
}

export interface App {
  config: AppConfig;
  logger: winston.Logger;
  bot: Bot<MyContext>;
  exchange: KalshiClient;
  services: TradingServices;
  sim: SimServer | null;
  /** Every quote card's final state, durable in DATA_DIR (delivered first after a restart). */
  outbox: OrderOutbox;
  /** Watchlists and price alerts. */
  priceWatch: PriceWatch;
  health: { url: string } | null;
  /** Webhook mode: the local port it listens on (null: long polling, or not started). */
  webhook: { port: number } | null;
  /** The report GET /health answers (also without the endpoint running). */
  checkHealth(): Promise<HealthReport>;
  /**
   * Starts long polling (returns once polling runs), the alert stream and the health endpoint. Throws
   * an AppStartError naming the step that failed.
   */
  start(): Promise<void>;
  /**
   * Stops polling, lets the update being handled finish (briefly), closes alerts, health and the
   * exchange, then flushes and closes logging last; all within STOP_BUDGET_MS. Idempotent.
   */
  stop(): Promise<void>;
}

export async function createApp(opts: AppOptions): Promise<App> {
  const base = openBase(opts);
  try {
    return appOf(await assemble(base));
  } catch (e) {
    for (const fn of base.cleanup.reverse()) await fn().catch(() => undefined);
    base.logger.error("the bot could not start", { error: e });
    await base.logging.close();
    throw e;
  }
}

/** Logging first (with every secret known so far redacted), and the webhook secret if any. */
function openBase(opts: AppOptions): Base {
  const { config } = opts;
  // Webhook mode: TELEGRAM_WEBHOOK_SECRET, or a random one per start (setWebhook runs at each start).
  const webhookSecret = config.telegram.webhook
    ? (config.telegram.webhook.secret ?? randomBytes(32).toString("base64url"))
    : undefined;
  const secrets = [opts.token, config.telegram.token, config.kalshi.keyId, webhookSecret].filter(
    (s): s is string => !!s,
  );
  const logging = createLogger({
    level: config.logLevel,
    dir: config.logDir,
    console: opts.console ?? "auto",
    secrets,
    timeZone: config.displayTimezone,
    defaultMeta: { env: config.environment },
  });
  return {
    opts,
    config,
    logging,
    logger: logging.logger,
    secrets,
    says: (e) => redactString(e instanceof Error ? e.message : String(e), secrets),
    webhookSecret,
    now: opts.now ?? Date.now,
    cleanup: [],
    live: newLive(),
  };
}

function appOf(p: Parts): App {
  const check = healthCheckOf(p);
  return {
    config: p.config,
    logger: p.logger,
    bot: p.bot,
    exchange: p.exchange,
    services: p.services,
    sim: p.sim,
    outbox: p.outbox,
    priceWatch: p.priceWatch,
    get health() {
      return p.live.health ? { url: p.live.health.url } : null;
    },
    get webhook() {
      return p.live.webhook ? { port: p.live.webhook.port } : null;
    },
    checkHealth: check,
    start: () => startApp(p, check),
    stop: () => stopApp(p),
  };
}
