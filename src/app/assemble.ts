/**
 * The parts of a running bot, built in dependency order: the exchange and trading services, the order
 * outbox, the bot (with price alerts and its Bot API counters), the update poller, the fill alerts and
 * the resting-sell guard. Nothing here starts anything that talks to Telegram: ./start.ts does.
 * Everything opened is registered in `cleanup`, so a failure half-way closes what was opened.
 */
import { GrammyError } from "grammy";
import { KalshiClient } from "../exchange/kalshi/client.js";
import { KalshiStream } from "../exchange/kalshi/stream.js";
import { KalshiTickerStream } from "../exchange/kalshi/tickerStream.js";
import { describeExchangeError } from "../exchange/errors.js";
import { createDigestService, createTradingServices } from "../trading/index.js";
import { createSellGuard } from "../trading/sellGuard.js";
import { createBot } from "../bot/createBot.js";
import { UpdatePoller } from "../bot/polling.js";
import { ownCancelsNoted } from "../bot/cancelRequests.js";
import { escapeHtml, pages, tagged } from "../bot/format.js";
import { sellShrinkText } from "../bot/views.js";
import { createTelegramAlertSink } from "../bot/alertSink.js";
import { Buttons } from "../bot/buttons.js";
import { createAlertSettingsStore, createFillAlerts, journalIntentLookup } from "../alerts/index.js";
import { OrderOutbox } from "../alerts/outbox.js";
import { PriceWatch } from "../alerts/price/service.js";
import { describeStorageError, onStorageFailure, StorageWarnings } from "../shared/storageHealth.js";
import { successfulPolls, telegramCallResults } from "./telegramCounters.js";
import { resolveExchange, type ExchangeEndpoint } from "./exchange.js";
import type { Base, Parts } from "./parts.js";

export async function assemble(base: Base): Promise<Parts> {
  const { opts, config, logger, cleanup, now } = base;
  const { endpoint, sim } = await resolveExchange(config, logger, opts.sim);
  if (sim) cleanup.push(() => sim.close());
  base.secrets.push(endpoint.keyId);
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
    journalLogger: base.logging.tradeLogger,
    errorLogger: logger,
    now,
  });
  cleanup.push(() => services.close());
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
  const describeError = (e: unknown) =>
    describeStorageError(e) ?? describeExchangeError(e, config.environment);
  return assembleBot(base, { sim, endpoint, exchange, services, outbox, describeError });
}

type Trading = Pick<Parts, "sim" | "exchange" | "services" | "outbox" | "describeError"> & {
  endpoint: ExchangeEndpoint;
};

/** The bot and what hangs on it: price alerts, fill alerts, the poller, storage warnings. */
function assembleBot(base: Base, t: Trading): Parts {
  const { opts, config, logger, now, live } = base;
  const { exchange, services, outbox, endpoint } = t;
  const settings = createAlertSettingsStore(config.dataDir);
  // The journal tells the bot and the alerts what the user asked for (e.g. "SELL 5 YES") when the
  // exchange's book side alone cannot.
  const orderIntent = journalIntentLookup(config.logDir);
  // Watchlists and price alerts: the `ticker` channel on a socket of its own; crossings go through
  // the fill alerts' exactly-once queue (created below, started before this).
  const tickerFeed = new KalshiTickerStream({ ...socketOf(endpoint), logger });
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
    describeError: t.describeError,
    orderIntent,
    orderOutbox: outbox,
    priceWatch,
    buttons,
    now,
    apiTransformers: [
      telegramCallResults((ok) => (live.telegramFailures = ok ? 0 : live.telegramFailures + 1)),
    ],
    ...(opts.telegram?.retry ? { autoRetry: opts.telegram.retry } : {}),
    ...(opts.botConfig
      ? { botConfig: opts.botConfig }
      : config.telegram.apiRoot
        ? { botConfig: { client: { apiRoot: config.telegram.apiRoot } } }
        : {}),
  });
  const tell = tellOwners(base, bot);
  watchStorage(base, tell);
  // Health: when did long polling last come back from Telegram?
  bot.api.config.use(successfulPolls(() => (live.lastPollAt = Date.now())));
  const poller = createPoller(base, bot);
  const stream = new KalshiStream({
    ...socketOf(endpoint),
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
  const tellShrinks = (outs: Parameters<typeof sellShrinkText>[0][]) =>
    tell(outs.map(sellShrinkText).join("\n"), "could not tell a chat about a shrunk resting sell");
  return { ...base, ...t, tickerFeed, priceWatch, bot, poller, stream, alerts, sellGuard, tellShrinks };
}

function socketOf(e: ExchangeEndpoint) {
  return { wsUrl: e.wsUrl, keyId: e.keyId, privateKey: e.privateKey };
}

/** Sends HTML to every allowed chat (tagged, split in pages); a failure is logged with `failed`. */
function tellOwners(base: Base, bot: Parts["bot"]) {
  const { config, logger } = base;
  return async (html: string, failed: string): Promise<void> => {
    for (const chatId of config.telegram.allowedUserIds) {
      for (const page of pages(config.envTag, html)) {
        await bot.api.sendMessage(chatId, page, { parse_mode: "HTML" }).catch((e: unknown) => {
          logger.warn(failed, { error: base.says(e) });
        });
      }
    }
  };
}

/** A folder that stops taking writes while running: the owners hear it, at most once an hour. */
function watchStorage(base: Base, tell: ReturnType<typeof tellOwners>): void {
  const storageWarnings = new StorageWarnings({
    folders: { DATA_DIR: base.config.dataDir, LOG_DIR: base.config.logDir },
    now: base.now,
    warn: (text) => {
      base.logger.warn("storage: a write failed; telling the owners", { text });
      void tell(escapeHtml(text), "storage warning not sent");
    },
  });
  const stop = onStorageFailure((f) => storageWarnings.note(f));
  base.cleanup.push(async () => stop());
}

/** One queue per chat, chats side by side (src/bot/polling.ts). */
function createPoller(base: Base, bot: Parts["bot"]): UpdatePoller {
  const { opts, config, logger, live } = base;
  const allowed = new Set(config.telegram.allowedUserIds);
  const poller: UpdatePoller = new UpdatePoller({
    // grammY types signals with the abort-controller shim; Node's is the same at run time.
    getUpdates: (params, signal) => bot.api.getUpdates(params, signal as never),
    handle: (u) => bot.handleUpdate(u),
    ...(opts.telegram?.maxQueuedPerChat !== undefined ? { maxPerChat: opts.telegram.maxQueuedPerChat } : {}),
    ...(opts.telegram?.pollTimeoutSeconds !== undefined
      ? { pollTimeoutSeconds: opts.telegram.pollTimeoutSeconds }
      : {}),
    onPollError: (e, failures) => {
      // A refused token or a second copy polling the same token will not go away by waiting.
      if (e instanceof GrammyError && (e.error_code === 401 || e.error_code === 409)) {
        live.pollingError = e;
        logger.error("Telegram polling stopped with an error", { error: e });
        void poller.stop();
        return;
      }
      logger.warn("Telegram getUpdates failed; retrying", { error: base.says(e), failuresInARow: failures });
    },
    onHandlerError: (e, u) => logger.error("update failed", { updateId: u.update_id, error: base.says(e) }),
    onSkipped: (chatId, skipped) => {
      logger.warn("updates skipped: chat queue full", { chatId, skipped });
      if (!allowed.has(chatId)) return;
      const text = `You sent ${skipped} more messages than I could keep up with, so I skipped them. Nothing was done for those; send again what you still need.`;
      void bot.api
        .sendMessage(chatId, tagged(config.envTag, escapeHtml(text)), { parse_mode: "HTML" })
        .catch((e: unknown) => logger.warn("skip notice not sent", { error: base.says(e) }));
    },
  });
  return poller;
}
