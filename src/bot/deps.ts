import type { BotConfig, Context, Transformer } from "grammy";
import type { TelegramRetryOptions } from "./telegramRetry.js";
import type winston from "winston";
import type { OrderIntentLookup } from "./intents.js";
import type { AccountService } from "../trading/account.js";
import type { OrderOutbox } from "../alerts/outbox.js";
import type { PriceWatch } from "../alerts/price/service.js";
import type { Buttons } from "./buttons.js";
import type {
  ExportService,
  HistoryService,
  MarketService,
  OrderExecutor,
  PortfolioService,
} from "../trading/types.js";
import type { SearchService } from "../trading/search/service.js";
import type { OrderChanges } from "../trading/amendOrder.js";
import type { PnlService } from "../trading/pnl/service.js";
import type { AlertMode } from "../domain/alertMode.js";
import type { EnvTag } from "../domain/environment.js";
import type { PinSettings } from "./pin.js";

/** Per-chat fill-alert preference (src/alerts/settings.ts). */
export interface AlertSettingsStore {
  get(chatId: number): Promise<AlertMode>;
  set(chatId: number, mode: AlertMode): Promise<void>;
}

export interface BotServices {
  executor: OrderExecutor;
  /** −1 tick, +1 tick, a new price or a smaller size for a resting order (src/trading/amendOrder.ts). */
  orderChanges: OrderChanges;
  markets: MarketService;
  portfolio: PortfolioService;
  account: AccountService;
  history: HistoryService;
  exporter: ExportService;
  /** The local index of open events behind /search and /browse (absent: /search lists nothing). */
  search?: SearchService;
  /** Realized P&L charts behind /pnl (absent: /pnl says charts are not available). */
  pnl?: PnlService;
}

export interface BotSettings {
  /** Telegram user ids allowed to use the bot (private chats only). */
  allowedUserIds: number[];
  envTag: EnvTag;
  /** How long a quote card's Confirm button stays valid. */
  confirmTimeoutMs: number;
  /** IANA zone for dates shown and typed (e.g. "America/New_York"). */
  timeZone: string;
  /** TRADE_PIN and its limits (src/bot/pin.ts); absent: no PIN is asked. */
  pin?: PinSettings;
}

export interface BotDeps {
  token: string;
  services: BotServices;
  alertSettings: AlertSettingsStore;
  config: BotSettings;
  logger: winston.Logger;
  /** Turns a thrown error into one plain sentence for the phone. */
  describeError?: (e: unknown) => string;
  /** grammY client options (client.fetch / apiRoot, botInfo) for tests and the local chat. */
  botConfig?: BotConfig<Context>;
  /** Clock (epoch ms); tests fake it. */
  now?: () => number;
  /** Key for signing button data; random per process when omitted (old buttons then expire on restart). */
  buttonSecret?: string;
  /**
   * Bounds for retrying Bot API calls (src/bot/telegramRetry.ts: 3 retries, retry_after up to 30 s,
   * 45 s per call in all); tests shorten them.
   */
  autoRetry?: Partial<TelegramRetryOptions>;
  /**
   * Extra API transformers (e.g. the app's health counters), installed on bot.api and on the API of
   * every conversation context, inside the retries (they see each attempt).
   */
  apiTransformers?: Transformer[];
  /**
   * What the user meant by an order the bot did not send in this run (the app wires the trade
   * journal). Without it such resting orders show both readings ("Buy NO @ $0.10 = Sell YES @ $0.90").
   */
  orderIntent?: OrderIntentLookup;
  /**
   * The durable order outbox (the app passes one on DATA_DIR and calls its start() before polling);
   * without it the bot keeps one in memory.
   */
  orderOutbox?: OrderOutbox;
  /** How often a stranger is told "This bot is private." (default 10 minutes). */
  strangerReplyIntervalMs?: number;
  /** Watchlists and price alerts (absent: /watch, /alert say they are not available). */
  priceWatch?: PriceWatch;
  /** The button signer, shared with the alert sink so alert buttons verify (default: a new one). */
  buttons?: Buttons;
}
