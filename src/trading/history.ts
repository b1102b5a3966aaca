/**
 * Trade history from the exchange's fills (recent and historical), joined with the journal to tell the
 * bot's own orders from orders placed elsewhere, with FIFO realized P&L on closing fills.
 */
import type { ExchangePort, Market } from "../exchange/port.js";
import type { JournalIndex } from "./journal.js";
import { runLedger } from "./ledger.js";
import { allFills } from "./portfolio.js";
import type { HistoryRow, HistoryService } from "./types.js";

export interface HistoryDeps {
  exchange: ExchangePort;
  /** The journal's order ids (a fixed index, or a provider called on each request). */
  journalIndex: JournalIndex | (() => Promise<JournalIndex>);
  now?: () => number;
}

export function createHistoryService(deps: HistoryDeps): HistoryService {
  const { exchange } = deps;
  const now = deps.now ?? Date.now;

  async function index(): Promise<JournalIndex> {
    const j = deps.journalIndex;
    return typeof j === "function" ? j() : j;
  }

  async function titles(tickers: string[]): Promise<Map<string, string>> {
    if (tickers.length === 0) return new Map();
    let markets: Market[] = [];
    try {
      markets = await exchange.getMarkets({ tickers });
    } catch {
      // Titles are cosmetic: fall back to tickers.
    }
    return new Map(markets.map((m) => [m.ticker, m.title]));
  }

  /**
   * Rows with time in [fromMs, toMs]. FIFO needs the lots opened before fromMs, so the ledger runs over
   * every fill up to toMs (and settlements, which close lots).
   */
  async function between(fromMs: number, toMs: number): Promise<HistoryRow[]> {
    if (!(toMs >= fromMs)) return [];
    const [fills, settlements, idx] = await Promise.all([
      allFills(exchange, { maxTs: toMs }),
      exchange.getSettlements({ maxTs: toMs }),
      index(),
    ]);
    const ledger = runLedger(fills, settlements);
    const parts = ledger.parts.filter((p) => p.fill.createdTime >= fromMs && p.fill.createdTime <= toMs);
    const names = await titles([...new Set(parts.map((p) => p.fill.ticker))]);
    return parts.map((p) => ({
      time: p.fill.createdTime,
      ticker: p.fill.ticker,
      marketTitle: names.get(p.fill.ticker) ?? p.fill.ticker,
      outcome: p.outcome,
      action: p.action,
      count: p.count,
      price: p.price,
      cost: p.cost,
      fee: p.fee,
      realizedPnl: p.realizedPnl,
      orderId: p.fill.orderId,
      fillId: p.fill.fillId,
      isTaker: p.fill.isTaker,
      source: idx.orderIds.has(p.fill.orderId) ? "bot" : "elsewhere",
    }));
  }

  return {
    between,
    /** The latest `limit` trades, newest first. */
    async recent(limit = 10) {
      const rows = await between(0, now());
      return rows.slice(-Math.max(1, limit)).reverse();
    },
  };
}
