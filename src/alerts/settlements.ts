/**
 * Settlement alerts: a market the user held that settled is told once, with its realized P&L. Kalshi
 * pushes no settlement event, so the settlements are polled (through the intake's serialized chain, so
 * a settlement and the fills before it are taken in in order), reaching back an overlap before the last
 * one seen; the alert state's keys keep each one to a single alert across restarts.
 */
import type { Settlement, StreamLogger } from "../exchange/port.js";
import { type SettlementPnl, settlementPnlFromFills, wasHeld } from "./format.js";
import type { FillIntake } from "./intake.js";
import type { AlertReads } from "./reads.js";
import { type AlertState, settlementKey } from "./state.js";
import { errText } from "./timeouts.js";

export interface SettlementDeps {
  state: AlertState;
  reads: AlertReads;
  intake: Pick<FillIntake, "run" | "takeNotices">;
  log: StreamLogger;
  /** With no saved cursor, polls reach back from here. */
  startedAt: number;
  /** Polling interval (0 = off). */
  pollMs: number;
  /** How far back each poll reaches before the last settlement seen. */
  overlapMs: number;
}

export class SettlementPoller {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly d: SettlementDeps) {}

  /** The next poll in `delayMs`, then every `pollMs`. */
  pollSoon(delayMs: number): void {
    if (this.d.pollMs <= 0 || this.stopped) return;
    // One schedule at a time: a nudge and a poll in the chain must not start two loops.
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.d.intake.run(async () => {
        await this.poll();
        this.pollSoon(this.d.pollMs);
      });
    }, delayMs);
  }

  /** Polls now instead of at the next tick (a market just settled), then every `pollMs` again. */
  nudge(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pollSoon(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private async poll(): Promise<void> {
    const state = this.d.state;
    try {
      const minTs = (state.settlementCursorTs ?? this.d.startedAt) - this.d.overlapMs;
      const list = await this.d.reads.settlementsSince(minTs);
      list.sort((a, b) => a.settledTime - b.settledTime);
      for (const s of list) {
        if (wasHeld(s) && !state.has(settlementKey(s))) {
          const pnl = await this.pnl(s);
          this.d.intake.takeNotices([{ kind: "settlement", key: settlementKey(s), settlement: s, pnl }]);
        }
        if (state.settlementCursorTs === null || s.settledTime > state.settlementCursorTs) {
          state.settlementCursorTs = s.settledTime;
          state.save();
        }
      }
    } catch (e) {
      this.d.log.warn("alerts: polling settlements failed", { error: errText(e) });
    }
  }

  /**
   * The settlement's realized P&L from the market's fills (recent and historical), as /portfolio
   * computes it; null when the fills cannot be read (the message then shows Kalshi's approximation).
   */
  private async pnl(s: Settlement): Promise<SettlementPnl | null> {
    try {
      return settlementPnlFromFills(s, await this.d.reads.marketFills(s.ticker));
    } catch (e) {
      this.d.log.warn("alerts: could not read the fills of a settled market; P&L approximated", {
        ticker: s.ticker,
        error: errText(e),
      });
      return null;
    }
  }
}
