/**
 * Trade history from the exchange's fills (recent and historical), joined with the journal to tell the
 * bot's own orders from orders placed elsewhere, with FIFO realized P&L on closing fills and on
 * settlements (the same ledger and events as /portfolio's realized P&L).
 */
import { marketName } from "../domain/marketName.js";
import type { ExchangePort, Market, Settlement } from "../exchange/port.js";
import type { JournalIndex, UnknownOrder } from "./journal.js";
import { type RealizedEvent, runLedger } from "./ledger.js";
import { allFills } from "./portfolio.js";
import type { HistoryReport, HistoryRow, HistoryService } from "./types.js";

export interface HistoryDeps {
  exchange: ExchangePort;
  /** The journal's order ids (a fixed index, or a provider called on each request). */
  journalIndex: JournalIndex | (() => Promise<JournalIndex>);
  now?: () => number;
}

/** An order created by a create call that failed ambiguously shows up within this of the journal entry. */
const UNKNOWN_WINDOW_MS = 2 * 60_000;

export function createHistoryService(deps: HistoryDeps): HistoryService {
  const { exchange } = deps;
  const now = deps.now ?? Date.now;
  /** clientOrderId of an `order_unknown` → the order id found for it, or null when there is none. */
  const unknownLookups = new Map<string, string | null>();

  /**
   * Order ids of orders the bot sent whose create failed ambiguously (journal `order_unknown`) and
   * that the exchange did take: looked up by ticker and time around the entry (REST fills carry no
   * client order id). Each entry is looked up once per process once its window has passed.
   */
  async function foundUnknownOrders(unknown: Iterable<UnknownOrder>): Promise<Set<string>> {
    const found = new Set<string>();
    const pending: UnknownOrder[] = [];
    for (const u of unknown) {
      const known = unknownLookups.get(u.clientOrderId);
      if (known) found.add(known);
      else if (known === undefined && u.ticker) pending.push(u);
    }
    await Promise.all(
      pending.map(async (u) => {
        const filter = { ticker: u.ticker, minTs: u.at - UNKNOWN_WINDOW_MS, maxTs: u.at + UNKNOWN_WINDOW_MS };
        try {
          const [recent, old] = await Promise.all([
            exchange.getOrders(filter),
            exchange.getHistoricalOrders(filter),
          ]);
          const o = [...recent, ...old].find((x) => x.clientOrderId === u.clientOrderId);
          if (o) found.add(o.orderId);
          // "None" is final only once no order can still appear for it.
          if (o || now() > u.at + UNKNOWN_WINDOW_MS) unknownLookups.set(u.clientOrderId, o?.orderId ?? null);
        } catch {
          // Asked again next time.
        }
      }),
    );
    return found;
  }

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
    return new Map(markets.map((m) => [m.ticker, marketName(m)]));
  }

  /**
   * Fills and settlements with time in [fromMs, toMs]. FIFO needs the lots opened before fromMs, so
   * the ledger runs over every fill up to toMs and every settlement (which closes lots); the realized
   * P&L of the range is then the same as /portfolio's (sells and settlements).
   */
  async function report(fromMs: number, toMs: number): Promise<HistoryReport> {
    if (!(toMs >= fromMs)) return { rows: [], settlements: [] };
    const [fills, settlements, idx] = await Promise.all([
      allFills(exchange, { maxTs: toMs }),
      exchange.getSettlements({ maxTs: toMs }),
      index(),
    ]);
    const ledger = runLedger(fills, settlements);
    const inRange = (t: number) => t >= fromMs && t <= toMs;
    const parts = ledger.parts.filter((p) => inRange(p.fill.createdTime));
    const settled = ledger.realized
      .filter((e) => e.kind === "settlement" && inRange(e.time))
      .map((e) => ({ e, s: settlements.find((s) => s.ticker === e.ticker && s.settledTime === e.time) }))
      .filter((x): x is { e: RealizedEvent; s: Settlement } => x.s !== undefined);
    const unmatched = parts.some((p) => !idx.orderIds.has(p.fill.orderId));
    const [names, fromUnknown] = await Promise.all([
      titles([...new Set([...parts.map((p) => p.fill.ticker), ...settled.map((x) => x.e.ticker)])]),
      unmatched && idx.unknownOrders?.size
        ? foundUnknownOrders(idx.unknownOrders.values())
        : new Set<string>(),
    ]);
    const isBot = (orderId: string) => idx.orderIds.has(orderId) || fromUnknown.has(orderId);
    const rows: HistoryRow[] = parts.map((p) => ({
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
      source: isBot(p.fill.orderId) ? "bot" : "elsewhere",
    }));
    return {
      rows,
      settlements: settled.map(({ e, s }) => ({
        time: e.time,
        ticker: e.ticker,
        marketTitle: names.get(e.ticker) ?? e.ticker,
        result: s.marketResult,
        yesCount: s.yesCount,
        noCount: s.noCount,
        revenue: s.revenue,
        realizedPnl: e.pnl,
      })),
    };
  }

  async function between(fromMs: number, toMs: number): Promise<HistoryRow[]> {
    return (await report(fromMs, toMs)).rows;
  }

  return {
    between,
    report,
    /** The latest `limit` trades, newest first. */
    async recent(limit = 10) {
      const rows = await between(0, now());
      return rows.slice(-Math.max(1, limit)).reverse();
    },
  };
}
