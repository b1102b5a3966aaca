/**
 * Composition: config → logger → exchange (sim or Kalshi) → trading services → bot → fill alerts → health.
 * Used by src/main.ts (a real Telegram bot), src/chat.ts (the local terminal chat) and the tests that run
 * the real wiring.
 */
import { join } from "node:path";
import type { KeyObject } from "node:crypto";
import type { BotConfig, Context, Transformer } from "grammy";
import type winston from "winston";
import type { AppConfig } from "./config.js";
import { createLogger, redactString } from "./logging/index.js";
import { startSim, type SimOptions, type SimServer } from "./sim/server.js";
import { loadOrCreateKeys } from "./sim/support.js";
import { KalshiClient } from "./exchange/kalshi/client.js";
import { KalshiStream } from "./exchange/kalshi/stream.js";
import { loadPrivateKey } from "./exchange/kalshi/signer.js";
import { describeExchangeError, KalshiApiError } from "./exchange/errors.js";
import { createDigestService, createTradingServices, type TradingServices } from "./trading/index.js";
import { createBot } from "./bot/createBot.js";
import { connectTelegram } from "./bot/connect.js";
import { UpdatePoller } from "./bot/polling.js";
import { ownCancelsNoted } from "./bot/cancelRequests.js";
import { escapeHtml, pages, tagged } from "./bot/format.js";
import { TELEGRAM_CALL_TIMED_OUT, type TelegramRetryOptions } from "./bot/telegramRetry.js";
import { sellShrinkText } from "./bot/views.js";
import { createSellGuard, watchSellGuard } from "./trading/sellGuard.js";
import type { MyContext } from "./bot/context.js";
import { GrammyError, type Bot } from "grammy";
import { createAlertSettingsStore, createFillAlerts, journalIntentLookup } from "./alerts/index.js";
import { createTelegramAlertSink } from "./bot/alertSink.js";
import { startHealthServer, type HealthReport } from "./health.js";
import { withTimeout } from "./shared/async.js";
import { OrderOutbox, type OrderOutboxOptions } from "./alerts/outbox.js";
import { PriceWatch } from "./alerts/price/service.js";
import { KalshiTickerStream } from "./exchange/kalshi/tickerStream.js";
import { Buttons } from "./bot/buttons.js";
import { startWebhookServer, type WebhookServer } from "./bot/webhook.js";
import { randomBytes } from "node:crypto";
import { describeStorageError, onStorageFailure, StorageWarnings } from "./shared/storageHealth.js";
import { tellStateNotices } from "./bot/stateNotices.js";

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

/** Which part of app.start() failed; the message is one plain sentence naming it (no secrets). */
export type StartStep = "telegram" | "alerts" | "health" | "webhook";

export class AppStartError extends Error {
  constructor(
    readonly step: StartStep,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "AppStartError";
  }
}

/** Health turns degraded when an update has waited longer than this to be handled. */
const UPDATE_LAG_DEGRADED_MS = 5_000;
/** … or when this many Bot API calls in a row failed. */
export const TELEGRAM_FAILURES_DEGRADED = 3;

/**
 * An API transformer telling `onResult` whether each Bot API call worked: an answer that is ok or a
 * plain refusal (4xx other than 429) counts as working; a network error, 5xx, 429 or a call cut at the
 * retry bound's time limit as failing. A call cut short on purpose (stop) counts as neither.
 */
export function telegramCallResults(onResult: (ok: boolean) => void): Transformer {
  return async (prev, method, payload, signal) => {
    try {
      const res = await prev(method, payload, signal);
      onResult(res.ok || (res.error_code < 500 && res.error_code !== 429));
      return res;
    } catch (e) {
      // Cut off by the time limit of telegramRetry: failed; aborted by a stop: neither.
      const reason = (signal as AbortSignal | undefined)?.reason;
      if (!signal?.aborted || reason === TELEGRAM_CALL_TIMED_OUT) onResult(false);
      throw e;
    }
  };
}

/** Everything app.stop() may take, under main's 4.5 s hard stop. */
export const STOP_BUDGET_MS = 3_500;

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

interface ExchangeEndpoint {
  baseUrl: string;
  wsUrl: string;
  keyId: string;
  privateKey: KeyObject;
}

async function resolveExchange(
  config: AppConfig,
  logger: winston.Logger,
  simOverrides: Partial<SimOptions> | undefined,
): Promise<{ endpoint: ExchangeEndpoint; sim: SimServer | null }> {
  const { kalshi } = config;
  if (config.environment === "sim" && !kalshi.baseUrl) {
    const simDir = join(config.dataDir, "sim");
    const sim = await startSim({
      port: config.sim.port,
      dataDir: simDir,
      keyDir: simDir,
      startingBalance: config.sim.startingBalance,
      catalog: config.sim.catalog,
      logger,
      ...simOverrides,
    });
    logger.info("started the simulated exchange", { baseUrl: sim.baseUrl });
    return {
      endpoint: {
        baseUrl: sim.baseUrl,
        wsUrl: sim.wsUrl,
        keyId: sim.keyId,
        privateKey: loadPrivateKey(sim.privateKeyPem),
      },
      sim,
    };
  }
  if (!kalshi.baseUrl) throw new Error("KALSHI_API_BASE_URL is missing");
  const wsUrl =
    kalshi.wsUrl ?? kalshi.baseUrl.replace(/^http/, "ws").replace(/\/trade-api\/v2$/, "/trade-api/ws/v2");
  if (kalshi.keyId && kalshi.privateKey) {
    return {
      endpoint: { baseUrl: kalshi.baseUrl, wsUrl, keyId: kalshi.keyId, privateKey: kalshi.privateKey },
      sim: null,
    };
  }
  // A sim started with `npm run sim` on the same DATA_DIR: use the key it keeps there.
  const keys = loadOrCreateKeys({ keyDir: join(config.dataDir, "sim") });
  return {
    endpoint: {
      baseUrl: kalshi.baseUrl,
      wsUrl,
      keyId: keys.keyId,
      privateKey: loadPrivateKey(keys.privateKeyPem),
    },
    sim: null,
  };
}

/**
 * An API transformer calling `onPoll` whenever getUpdates comes back ok (with updates or none). A
 * failed poll (an error answer, a thrown network error) does not count: health must not call a bot
 * whose every poll fails alive.
 */
export function successfulPolls(onPoll: () => void): Transformer {
  return async (prev, method, payload, signal) => {
    const res = await prev(method, payload, signal);
    if (method === "getUpdates" && res.ok) onPoll();
    return res;
  };
}

export async function createApp(opts: AppOptions): Promise<App> {
  const { config } = opts;
  const now = opts.now ?? Date.now;
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
  const { logger } = logging;
  const cleanup: (() => Promise<unknown>)[] = [];
  const says = (e: unknown) => redactString(e instanceof Error ? e.message : String(e), secrets);
  try {
    const { endpoint, sim } = await resolveExchange(config, logger, opts.sim);
    if (sim) cleanup.push(() => sim.close());
    secrets.push(endpoint.keyId);

    const exchange = await KalshiClient.create({
      baseUrl: endpoint.baseUrl,
      keyId: endpoint.keyId,
      privateKey: endpoint.privateKey,
      logger,
      rateLimit: opts.exchange?.rateLimit ?? "auto",
      ...(opts.exchange?.timeoutMs !== undefined ? { timeoutMs: opts.exchange.timeoutMs } : {}),
      ...(opts.exchange?.retry ? { retry: opts.exchange.retry } : {}),
    });
    cleanup.push(() => exchange.close());

    const services = createTradingServices({
      exchange,
      config: config.risk,
      environment: config.environment,
      timeZone: config.displayTimezone,
      logDir: config.logDir,
      dataDir: config.dataDir,
      journalLogger: logging.tradeLogger,
      errorLogger: logger,
      now,
    });
    cleanup.push(() => services.close());

    const settings = createAlertSettingsStore(config.dataDir);
    const describeError = (e: unknown) =>
      describeStorageError(e) ?? describeExchangeError(e, config.environment);
    // The journal tells the bot and the alerts what the user asked for (e.g. "SELL 5 YES") when the
    // exchange's book side alone cannot.
    const orderIntent = journalIntentLookup(config.logDir);
    const outbox = new OrderOutbox({
      dataDir: config.dataDir,
      exchange,
      timeZone: config.displayTimezone,
      logger,
      now,
      // A card nobody tapped is closed as "expired" shortly after its quote ran out.
      expireAfterMs: config.risk.confirmTimeoutMs + 5_000,
      ...opts.outbox,
    });

    // Watchlists and price alerts: the `ticker` channel on a socket of its own; crossings go through
    // the fill alerts' exactly-once queue (created below, started before this).
    const tickerFeed = new KalshiTickerStream({
      wsUrl: endpoint.wsUrl,
      keyId: endpoint.keyId,
      privateKey: endpoint.privateKey,
      logger,
    });
    const priceWatch = new PriceWatch({
      dataDir: config.dataDir,
      feed: tickerFeed,
      exchange,
      notify: (notice, chatIds) => alerts.notify(notice, chatIds),
      logger,
      now,
      ...opts.priceAlerts,
    });
    // One signer for the bot's buttons and the alerts' (a price alert's Buy/Sell taps verify).
    const buttons = new Buttons();

    // Health: Bot API calls failing in a row (each attempt counts, retries included).
    let telegramFailures = 0;
    const bot = createBot({
      token: opts.token,
      services,
      alertSettings: {
        get: async (chatId) => settings.get(chatId),
        set: async (chatId, mode) => settings.set(chatId, mode),
      },
      config: {
        allowedUserIds: config.telegram.allowedUserIds,
        envTag: config.envTag,
        confirmTimeoutMs: config.risk.confirmTimeoutMs,
        ...(config.pin ? { pin: config.pin } : {}),
        timeZone: config.displayTimezone,
      },
      logger,
      describeError,
      orderIntent,
      orderOutbox: outbox,
      priceWatch,
      buttons,
      now,
      apiTransformers: [telegramCallResults((ok) => (telegramFailures = ok ? 0 : telegramFailures + 1))],
      ...(opts.telegram?.retry ? { autoRetry: opts.telegram.retry } : {}),
      ...(opts.botConfig
        ? { botConfig: opts.botConfig }
        : config.telegram.apiRoot
          ? { botConfig: { client: { apiRoot: config.telegram.apiRoot } } }
          : {}),
    });

    // A folder that stops taking writes while running: the owners hear it, at most once an hour.
    const storageWarnings = new StorageWarnings({
      folders: { DATA_DIR: config.dataDir, LOG_DIR: config.logDir },
      now,
      warn: (text) => {
        logger.warn("storage: a write failed; telling the owners", { text });
        for (const chatId of config.telegram.allowedUserIds) {
          void bot.api
            .sendMessage(chatId, tagged(config.envTag, escapeHtml(text)), { parse_mode: "HTML" })
            .catch((e: unknown) => logger.warn("storage warning not sent", { error: says(e) }));
        }
      },
    });
    const stopStorageWatch = onStorageFailure((f) => storageWarnings.note(f));
    cleanup.push(async () => stopStorageWatch());

    // Health: when did long polling last come back from Telegram?
    let lastPollAt: number | null = null;
    bot.api.config.use(successfulPolls(() => (lastPollAt = Date.now())));

    // One queue per chat, chats side by side (src/bot/polling.ts).
    let pollingError: unknown = null;
    const allowed = new Set(config.telegram.allowedUserIds);
    const poller = new UpdatePoller({
      // grammY types signals with the abort-controller shim; Node's is the same at run time.
      getUpdates: (params, signal) => bot.api.getUpdates(params, signal as never),
      handle: (u) => bot.handleUpdate(u),
      ...(opts.telegram?.maxQueuedPerChat !== undefined
        ? { maxPerChat: opts.telegram.maxQueuedPerChat }
        : {}),
      ...(opts.telegram?.pollTimeoutSeconds !== undefined
        ? { pollTimeoutSeconds: opts.telegram.pollTimeoutSeconds }
        : {}),
      onPollError: (e, failures) => {
        // A refused token or a second copy polling the same token will not go away by waiting.
        if (e instanceof GrammyError && (e.error_code === 401 || e.error_code === 409)) {
          pollingError = e;
          logger.error("Telegram polling stopped with an error", { error: e });
          void poller.stop();
          return;
        }
        logger.warn("Telegram getUpdates failed; retrying", { error: says(e), failuresInARow: failures });
      },
      onHandlerError: (e, u) => logger.error("update failed", { updateId: u.update_id, error: says(e) }),
      onSkipped: (chatId, skipped) => {
        logger.warn("updates skipped: chat queue full", { chatId, skipped });
        if (!allowed.has(chatId)) return;
        const text = `You sent ${skipped} more messages than I could keep up with, so I skipped them. Nothing was done for those; send again what you still need.`;
        void bot.api
          .sendMessage(chatId, tagged(config.envTag, escapeHtml(text)), { parse_mode: "HTML" })
          .catch((e: unknown) => logger.warn("skip notice not sent", { error: says(e) }));
      },
    });

    const stream = new KalshiStream({
      wsUrl: endpoint.wsUrl,
      keyId: endpoint.keyId,
      privateKey: endpoint.privateKey,
      logger,
      pollFallback: { exchange, intervalMs: 5_000, afterFailures: 3 },
      marketLifecycle: true,
    });
    const notices = config.notices ?? { closeNoticeMinutes: 60, digestTime: { hour: 21, minute: 0 } };
    const digests = createDigestService({
      exchange,
      portfolio: services.portfolio,
      timeZone: config.displayTimezone,
      now,
    });
    const alerts = createFillAlerts({
      stream,
      exchange,
      sink: createTelegramAlertSink(bot.api, buttons),
      chatIds: config.telegram.allowedUserIds,
      settings,
      dataDir: config.dataDir,
      envTag: config.environment,
      timeZone: config.displayTimezone,
      journal: services.journal,
      // The journal tells the alerts what the user asked for (e.g. "BUY 10 NO") when a fill alone cannot.
      orderIntent,
      // Cancels of an order go to the chat that placed it.
      owners: outbox,
      logger,
      now,
      lifecycle: { closeNoticeMinutes: notices.closeNoticeMinutes },
      digest: { time: notices.digestTime, collect: (slot, prev) => digests.collect(slot, prev) },
      ...(opts.alerts ?? {}),
    });

    // Resting sells carry no reduce_only (Kalshi allows it only with IOC): when a holding falls below
    // what rests to sell, the guard shrinks the sell and every allowed chat is told.
    const sellGuard = createSellGuard({
      // Its cancels are the bot's own: the owner hears the shrink notice, not "canceled by another user".
      exchange: ownCancelsNoted(exchange, outbox),
      journal: services.journal,
      intentOf: (o) => orderIntent({ orderId: o.orderId, clientOrderId: o.clientOrderId }),
    });
    let stopSellGuard: (() => void) | null = null;
    const tellShrinks = async (outs: Parameters<typeof sellShrinkText>[0][]): Promise<void> => {
      const body = outs.map(sellShrinkText).join("\n");
      for (const chatId of config.telegram.allowedUserIds) {
        for (const page of pages(config.envTag, body)) {
          await bot.api.sendMessage(chatId, page, { parse_mode: "HTML" }).catch((e: unknown) => {
            logger.warn("could not tell a chat about a shrunk resting sell", { error: e });
          });
        }
      }
    };

    let health: Awaited<ReturnType<typeof startHealthServer>> | null = null;
    let webhook: WebhookServer | null = null;
    const healthCheck = async (): Promise<HealthReport> => {
      const t0 = Date.now();
      let exchangeCheck: HealthReport["checks"]["exchange"];
      // Exchange status is public; the balance read is signed, so a wrong key id shows (401) too.
      const signed = withTimeout(exchange.getBalance(), 3_000).then(
        () => null,
        (e: unknown) => e,
      );
      try {
        await withTimeout(exchange.getExchangeStatus(), 3_000);
        exchangeCheck = { ok: true, latencyMs: Date.now() - t0 };
        const signedError = await signed;
        if (signedError instanceof KalshiApiError && signedError.status === 401) {
          exchangeCheck = { ok: false, error: describeError(signedError) };
        }
      } catch (e) {
        exchangeCheck = { ok: false, error: describeError(e) };
      }
      const st = alerts.status();
      const lastSeen = webhookSecret ? (webhook?.lastUpdateAt ?? null) : lastPollAt;
      const pollAgo = lastSeen === null ? undefined : Date.now() - lastSeen;
      const lagMs = poller.lagMs();
      return {
        environment: config.environment,
        checks: {
          // Long polls return at least every ~30 s; allow two missed polls. A webhook waits for
          // Telegram, so there it is ok while it listens (quiet hours bring no requests).
          polling: webhookSecret
            ? {
                ok: webhook !== null && !stopped,
                mode: "webhook",
                ...(pollAgo === undefined ? {} : { lastUpdateAgoMs: pollAgo }),
              }
            : {
                ok: poller.isRunning && pollingError === null && (pollAgo === undefined || pollAgo < 90_000),
                mode: "polling",
                ...(pollAgo === undefined ? {} : { lastUpdateAgoMs: pollAgo }),
              },
          exchange: exchangeCheck,
          alertStream: {
            ok: st.connected,
            connected: st.connected,
            mode: stream.pollingActive ? "polling" : "websocket",
          },
          alertQueue: { ok: st.queueDepth < 100, depth: st.queueDepth },
          updates: {
            ok: lagMs <= (opts.telegram?.lagDegradedMs ?? UPDATE_LAG_DEGRADED_MS),
            lagMs,
            queued: poller.depth,
          },
          telegram: { ok: telegramFailures < TELEGRAM_FAILURES_DEGRADED, failuresInARow: telegramFailures },
        },
      };
    };

    let stopped = false;
    let stopping: Promise<void> | null = null;

    const app: App = {
      config,
      logger,
      bot,
      exchange,
      services,
      sim,
      outbox,
      priceWatch,
      get health() {
        return health ? { url: health.url } : null;
      },
      get webhook() {
        return webhook ? { port: webhook.port } : null;
      },
      checkHealth: healthCheck,
      async start() {
        const hook = config.telegram.webhook;
        if (hook && webhookSecret) {
          try {
            // Listening first: a taken port fails before Telegram is told where to send.
            webhook = await startWebhookServer({
              port: hook.port,
              host: hook.host,
              path: new URL(hook.url).pathname,
              secretToken: webhookSecret,
              accept: (u) => poller.enqueue(u),
              onRefused: () => logger.warn("webhook request refused: missing or wrong secret token"),
              onError: (e) => logger.warn("webhook request failed", { error: says(e) }),
            });
          } catch (e) {
            throw new AppStartError("webhook", says(e), { cause: e });
          }
          logger.info("webhook server listening", { port: webhook.port });
        }
        try {
          await connectTelegram(bot, {
            ...(hook && webhookSecret ? { webhook: { url: hook.url, secretToken: webhookSecret } } : {}),
            timeoutMs: (config.telegram.connectTimeoutSeconds ?? 120) * 1000,
            ...opts.telegram?.connect,
            describe: says,
            onRetry: (line) => {
              logger.warn(line);
              opts.onStartupNotice?.(line);
            },
          });
        } catch (e) {
          const why = e instanceof Error ? e.message : says(e);
          throw new AppStartError(
            "telegram",
            `The bot could not connect to Telegram: ${why}. Check TELEGRAM_BOT_TOKEN and the network.`,
            { cause: e },
          );
        }
        // app.stop() came while starting: start nothing more (it would run after everything was closed).
        if (stopped) return;
        // Results owed from before a restart, and cards a restart cut off, go out before any update.
        await outbox.start();
        if (stopped) return;
        // Updates sent while the bot was down are kept and answered (late commands say so).
        if (webhook) webhook.open();
        else poller.start();
        try {
          await alerts.start();
        } catch (e) {
          throw new AppStartError("alerts", `The fill alerts could not start: ${says(e)}.`, { cause: e });
        }
        if (stopped) return;
        await priceWatch.start();
        // Every state file is loaded by now: tell the owner(s) once what a damaged one cost them.
        await tellStateNotices({
          sendMessage: (chatId, html) => bot.api.sendMessage(chatId, html, { parse_mode: "HTML" }),
          chatIds: config.telegram.allowedUserIds,
          dirs: [config.dataDir, join(config.dataDir, "sim")],
          envTag: config.envTag,
          logger,
        });
        if (stopped) return;
        stopSellGuard = watchSellGuard({
          guard: sellGuard,
          stream,
          onShrunk: (outs) => {
            logger.info("resting sells shrunk to the holding", { changes: outs.length });
            return tellShrinks(outs);
          },
          onError: (e) => logger.warn("resting-sell guard check failed", { error: e }),
        });
        if (config.healthPort !== undefined) {
          try {
            health = await startHealthServer({
              port: config.healthPort,
              check: healthCheck,
              logger,
              environment: config.environment,
              secrets,
            });
          } catch (e) {
            // startHealthServer rejects with one sentence naming the port and what to do.
            const said = says(e);
            throw new AppStartError(
              "health",
              said.startsWith("The health endpoint") ? said : `The health endpoint could not start: ${said}.`,
              { cause: e },
            );
          }
          logger.info("health endpoint listening", { url: health.url });
        }
        logger.info("bot started", { environment: config.environment });
      },
      stop() {
        if (stopped) return stopping ?? Promise.resolve();
        stopped = true;
        stopping = (async () => {
          // One budget for everything; logging (closed last) keeps at least LOG_CLOSE_MS of it.
          const LOG_CLOSE_MS = 700;
          const deadline = Date.now() + STOP_BUDGET_MS;
          const left = (reserve = LOG_CLOSE_MS) => Math.max(0, deadline - reserve - Date.now());
          const step = async (name: string, fn: () => Promise<unknown>, capMs: number) => {
            try {
              // Started even with no time left (closing still begins); only the waiting is cut short.
              await withTimeout(fn(), Math.min(capMs, left()));
            } catch (e) {
              logger.warn(`shutdown step failed: ${name}`, { error: e });
            }
          };
          const inFlight = () => poller.idle();
          if (webhook) await step("webhook server", () => webhook!.close(), 300);
          await step("telegram polling", () => poller.stop(), 1_000);
          // The update being handled (e.g. an order being placed) may finish and tell the user.
          await step("updates in progress", inFlight, 1_000);
          stopSellGuard?.();
          await step("price alerts", () => priceWatch.stop(), 300);
          await step("ticker stream", () => tickerFeed.close(), 300);
          await step("fill alerts", () => alerts.stop(), 800);
          await step("alert stream", () => stream.close(), 300);
          if (health) await step("health endpoint", () => health!.close(), 300);
          for (const fn of cleanup.reverse()) await step("exchange", fn, 500);
          // A handler still waiting on Kalshi got its answer or the closed client's error: let it
          // write the outcome to the journal and the chat before logging closes.
          await step("updates in progress", inFlight, 1_000);
          // Last: the result of an order cut off above is still shown; what cannot go out now stays owed.
          await step("order results", () => outbox.stop(), 300);
          services.journal.flush();
          logger.info("stopped");
          await withTimeout(logging.close(), Math.max(LOG_CLOSE_MS, left(0))).catch(() => undefined);
        })();
        return stopping;
      },
    };
    return app;
  } catch (e) {
    for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
    logger.error("the bot could not start", { error: e });
    await logging.close();
    throw e;
  }
}
