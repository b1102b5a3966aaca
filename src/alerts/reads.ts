/**
 * The exchange reads the alerts wait on, each with a deadline. Reads that only improve a message
 * (positions, settlements, a market's status) answer null when they fail, with a warning logged, so a
 * slow or failing exchange makes a message plainer but never holds an alert back.
 */
import {
  type ExchangePort,
  type Fill,
  type MarketStatus,
  type Position,
  type Settlement,
  sortFillsOldestFirst,
  type StreamLogger,
} from "../exchange/port.js";
import { withTimeout } from "../shared/async.js";
import { errText } from "./timeouts.js";

export class AlertReads {
  constructor(
    private readonly exchange: ExchangePort,
    private readonly log: StreamLogger,
    /** Deadline for each read (the intake waits on them). */
    private readonly timeoutMs: number,
  ) {}

  /** Fills since `minTs` (throws on failure or timeout: the backfill retries). */
  fillsSince(minTs: number): Promise<Fill[]> {
    return withTimeout(this.exchange.getFills({ minTs }), this.timeoutMs, "getFills");
  }

  /** Settlements since `minTs` (throws on failure or timeout). */
  settlementsSince(minTs: number): Promise<Settlement[]> {
    return withTimeout(this.exchange.getSettlements({ minTs }), this.timeoutMs, "getSettlements");
  }

  /** Every open position (or one market's), or null when they cannot be read. */
  async positions(ticker?: string): Promise<Position[] | null> {
    try {
      return await withTimeout(
        this.exchange.getPositions(ticker ? { ticker } : {}),
        this.timeoutMs,
        "getPositions",
      );
    } catch (e) {
      this.log.warn("alerts: could not read positions for fill messages", { ticker, error: errText(e) });
      return null;
    }
  }

  /** Settlements since `minTs`, or null when they cannot be read. */
  async settlementsOrNull(minTs: number): Promise<Settlement[] | null> {
    try {
      return await this.settlementsSince(minTs);
    } catch (e) {
      this.log.warn("alerts: could not read settlements for fill messages", { error: errText(e) });
      return null;
    }
  }

  /** The market's status, or null when it cannot be read. */
  async marketStatus(ticker: string): Promise<MarketStatus | null> {
    try {
      return (await withTimeout(this.exchange.getMarket(ticker), this.timeoutMs, "getMarket")).status;
    } catch (e) {
      this.log.warn("alerts: could not read a market's status for fill messages", {
        ticker,
        error: errText(e),
      });
      return null;
    }
  }

  /** The market's whole fill history (historical, then recent), oldest first, each fill once. */
  marketFills(ticker: string): Promise<Fill[]> {
    return withTimeout(this.readMarketFills(ticker), this.timeoutMs, "fills of the market");
  }

  private async readMarketFills(ticker: string): Promise<Fill[]> {
    const ex = this.exchange;
    const edge = (await ex.getHistoricalCutoff()).tradesCreatedTs;
    const [recent, old] = await Promise.all([
      ex.getFills(edge > 0 ? { ticker, minTs: edge } : { ticker }),
      edge > 0 ? ex.getHistoricalFills({ ticker, maxTs: edge }) : Promise.resolve([] as Fill[]),
    ]);
    const seen = new Set<string>();
    return [...sortFillsOldestFirst(old), ...sortFillsOldestFirst(recent)].filter(
      (f) => !seen.has(f.fillId) && seen.add(f.fillId),
    );
  }
}
