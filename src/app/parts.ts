/**
 * What createApp (../app.ts) builds, handed to the pieces that start, stop and check the running bot
 * (./start.ts, ./stop.ts, ./health.ts). `live` is the little state they share while the bot runs: what
 * is listening, what has stopped, and the counters health reads.
 */
import type winston from "winston";
import type { Bot } from "grammy";
import type { AppConfig } from "../config.js";
import type { AppOptions } from "../app.js";
import type { createLogger } from "../logging/index.js";
import type { SimServer } from "../sim/server.js";
import type { KalshiClient } from "../exchange/kalshi/client.js";
import type { KalshiStream } from "../exchange/kalshi/stream.js";
import type { KalshiTickerStream } from "../exchange/kalshi/tickerStream.js";
import type { TradingServices } from "../trading/index.js";
import type { createSellGuard } from "../trading/sellGuard.js";
import type { MyContext } from "../bot/context.js";
import type { UpdatePoller } from "../bot/polling.js";
import type { WebhookServer } from "../bot/webhook.js";
import type { createFillAlerts } from "../alerts/index.js";
import type { OrderOutbox } from "../alerts/outbox.js";
import type { PriceWatch } from "../alerts/price/service.js";
import type { startHealthServer } from "../health.js";
import type { sellShrinkText } from "../bot/views.js";

export interface Live {
  stopped: boolean;
  stopping: Promise<void> | null;
  webhook: WebhookServer | null;
  health: Awaited<ReturnType<typeof startHealthServer>> | null;
  /** When long polling last came back from Telegram. */
  lastPollAt: number | null;
  /** A polling error waiting does not cure (a refused token, a second copy polling). */
  pollingError: unknown;
  /** Bot API calls failing in a row (each attempt counts, retries included). */
  telegramFailures: number;
  stopSellGuard: (() => void) | null;
}

export function newLive(): Live {
  return {
    stopped: false,
    stopping: null,
    webhook: null,
    health: null,
    lastPollAt: null,
    pollingError: null,
    telegramFailures: 0,
    stopSellGuard: null,
  };
}

/** The logger and what every later piece needs to keep secrets out of what it says. */
export interface Base {
  opts: AppOptions;
  config: AppConfig;
  logging: ReturnType<typeof createLogger>;
  logger: winston.Logger;
  /** Every secret known so far; later ones (the sim's key id) are pushed as they appear. */
  secrets: string[];
  /** An error as one line, secrets redacted. */
  says: (e: unknown) => string;
  /** Webhook mode's secret token (undefined: long polling). */
  webhookSecret: string | undefined;
  now: () => number;
  /** Closers of what was opened so far, run in reverse on stop or a failed start. */
  cleanup: (() => Promise<unknown>)[];
  live: Live;
}

export interface Parts extends Base {
  sim: SimServer | null;
  exchange: KalshiClient;
  services: TradingServices;
  outbox: OrderOutbox;
  tickerFeed: KalshiTickerStream;
  priceWatch: PriceWatch;
  bot: Bot<MyContext>;
  poller: UpdatePoller;
  stream: KalshiStream;
  alerts: ReturnType<typeof createFillAlerts>;
  sellGuard: ReturnType<typeof createSellGuard>;
  describeError: (e: unknown) => string;
  /** Tells every allowed chat which resting sells were shrunk to the holding. */
  tellShrinks: (outs: Parameters<typeof sellShrinkText>[0][]) => Promise<void>;
}
