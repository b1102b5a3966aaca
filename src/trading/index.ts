/** The trading core, wired: everything the bot needs, on top of one ExchangePort. */
import type { ExchangePort } from "../exchange/port.js";
import { closeJournalLogger, createJournalLogger } from "../logging/journalFile.js";
import { type AccountService, createAccountService } from "./account.js";
import { type OrderChanges, createOrderChanges } from "./amendOrder.js";
import { type ExecutorConfig, createOrderExecutor } from "./executor.js";
import { createExportService } from "./export.js";
import { createFeeSchedule } from "./feeSchedule.js";
import { createHistoryService } from "./history.js";
import {
  type JournalLogger,
  type TradeJournal,
  createTradeJournal,
  journalIndexProvider,
} from "./journal.js";
import { type Environment, envTagOf } from "../domain/environment.js";
import { createMarketService } from "./markets.js";
import { createSearchService, type SearchLogger, type SearchService } from "./search/service.js";
import { createPortfolioService } from "./portfolio.js";
import { createPnlService, type PnlService } from "./pnl/service.js";
import { createMarketSnapshots } from "./snapshots.js";
import type {
  ExportService,
  HistoryService,
  MarketService,
  OrderExecutor,
  PortfolioService,
} from "./types.js";

export interface TradingServicesDeps {
  exchange: ExchangePort;
  config: ExecutorConfig;
  environment: Environment;
  /** DISPLAY_TIMEZONE. */
  timeZone: string;
  /** Where trades-%DATE%.log files live (LOG_DIR). */
  logDir: string;
  /** DATA_DIR; exports go to DATA_DIR/exports. */
  dataDir: string;
  /** Defaults to a daily-rotating JSON-lines logger in logDir. */
  journalLogger?: JournalLogger;
  /** The app log: journal errors, search and account warnings. */
  errorLogger?: JournalLogger & SearchLogger;
  maxExportBytes?: number;
  now?: () => number;
  newId?: () => string;
}

export interface TradingServices {
  executor: OrderExecutor;
  /** Amend and decrease of resting orders, behind the bot's confirmations. */
  orderChanges: OrderChanges;
  markets: MarketService;
  /** Search and browse over the local index of open events (saved in DATA_DIR). */
  search: SearchService;
  portfolio: PortfolioService;
  /** Cash per shard and the API key's location attestation (/account). */
  account: AccountService;
  history: HistoryService;
  exporter: ExportService;
  /** Realized P&L per day and its chart (/pnl, the digest). */
  pnl: PnlService;
  journal: TradeJournal;
  /** Flushes and closes the journal logger if createTradingServices made it (not one passed in). */
  close(): Promise<void>;
}

export function createTradingServices(deps: TradingServicesDeps): TradingServices {
  const now = deps.now ?? Date.now;
  const ownLogger = deps.journalLogger ? null : createJournalLogger(deps.logDir);
  const journal = createTradeJournal({
    logger: deps.journalLogger ?? ownLogger!,
    ...(deps.errorLogger ? { errorLogger: deps.errorLogger } : {}),
    environment: deps.environment,
    timeZone: deps.timeZone,
    now,
  });
  // Shared so that a quote right after a market card (the bot's /buy) doesn't read the market again.
  const snapshots = createMarketSnapshots({ now });
  const executor = createOrderExecutor({
    exchange: deps.exchange,
    journal,
    config: deps.config,
    now,
    snapshots,
    ...(deps.newId ? { newId: deps.newId } : {}),
  });
  // Fee schedules for the maker fee resting orders hold (/portfolio, /balance); cached like the quoter's.
  const fees = createFeeSchedule({ exchange: deps.exchange, now });
  let closing: Promise<void> | null = null;
  const search = createSearchService({
    exchange: deps.exchange,
    dataDir: deps.dataDir,
    now,
    ...(deps.errorLogger ? { logger: deps.errorLogger } : {}),
  });
  const history = createHistoryService({
    exchange: deps.exchange,
    journalIndex: journalIndexProvider(deps.logDir, journal),
    now,
  });
  return {
    executor,
    orderChanges: createOrderChanges({ exchange: deps.exchange, snapshots }),
    markets: createMarketService({ exchange: deps.exchange, now, snapshots, search }),
    search,
    portfolio: createPortfolioService({ exchange: deps.exchange, now, timeZone: deps.timeZone, fees }),
    account: createAccountService({
      exchange: deps.exchange,
      fees,
      now,
      onKeysError: (e) =>
        deps.errorLogger?.warn("GET /api_keys failed; the key's location expiry is unknown", {
          error: e instanceof Error ? e.message : String(e),
        }),
    }),
    history,
    exporter: createExportService({
      history,
      dataDir: deps.dataDir,
      timeZone: deps.timeZone,
      environment: deps.environment,
      now,
      ...(deps.maxExportBytes ? { maxBytes: deps.maxExportBytes } : {}),
    }),
    pnl: createPnlService({
      exchange: deps.exchange,
      timeZone: deps.timeZone,
      envTag: envTagOf(deps.environment),
      now,
    }),
    journal,
    close() {
      // Idempotent: a second close() must not wait for a "finish" the ended logger already emitted.
      closing ??= closeLogger();
      return closing;
    },
  };

  async function closeLogger(): Promise<void> {
    journal.flush();
    if (ownLogger) await closeJournalLogger(ownLogger);
  }
}

export * from "./types.js";
export { createOrderExecutor, type ExecutorConfig, type OrderExecutorDeps } from "./executor.js";
export {
  ATTESTATION_WARN_MS,
  attestationNeedsAction,
  attestationOf,
  cashByShard,
  createAccountService,
  daysLeft,
  type AccountService,
  type AccountView,
  type Attestation,
} from "./account.js";
export { createExportService, CSV_COLUMNS, DEFAULT_MAX_EXPORT_BYTES, type ExportDeps } from "./export.js";
export { createHistoryService, type HistoryDeps } from "./history.js";
export {
  JOURNAL_EVENTS,
  createTradeJournal,
  fillEvent,
  journalIndexProvider,
  loadJournalIndex,
  readJournal,
  type JournalEntry,
  type JournalEvent,
  type JournalIndex,
  type TradeJournal,
  type TradeJournalDeps,
} from "./journal.js";
export { createMarketService, type MarketServiceDeps } from "./markets.js";
export { createPortfolioService, type PortfolioDeps } from "./portfolio.js";
export { createMarketSnapshots, SNAPSHOT_MAX_AGE_MS, type MarketSnapshots } from "./snapshots.js";
export { runLedger, type LedgerResult, type TradePart } from "./ledger.js";
export { PNL_RANGES, type PnlRange, type PnlSeries } from "./pnl/series.js";
export type { PnlChart, PnlService } from "./pnl/service.js";
export { renderPnlChart } from "./pnl/chart.js";
export { buildDigest, createDigestService, positionKey, type Digest, type DigestService } from "./digest.js";
export {
  createSearchService,
  queryWords,
  type SearchResult,
  type SearchService,
  type SearchServiceDeps,
} from "./search/service.js";
export type { EventHit, IndexedEvent } from "./search/catalogIndex.js";
