/**
 * What the watch notices carry (kept in the alert state while owed, so one is sent as it was taken
 * in, also after a restart): a market's lifecycle step, the daily digest, and a chart picture.
 */
import type { Centis } from "../domain/money.js";
import type { Digest, PnlSeries } from "../trading/index.js";

export type LifecycleStep = "closing" | "paused" | "resumed" | "closed" | "determined";

/** One step in the life of a market the user holds or has resting orders in. */
export interface LifecycleFact {
  ticker: string;
  step: LifecycleStep;
  /** When it was seen (epoch ms). */
  at: number;
  closeTime: number | null;
  /** "yes" / "no" / "scalar" once determined. */
  result: string | null;
  /** Signed position when seen (YES > 0, NO < 0). */
  position: Centis;
  /** Resting orders in the market when seen. */
  resting: number;
}

export interface DigestNotice {
  digest: Digest;
  /** Sent at start-up for a digest time the bot was down at. */
  late: boolean;
}

export interface ChartNotice {
  series: PnlSeries;
  /** Plain text under the picture. */
  caption: string;
}
