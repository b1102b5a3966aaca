/**
 * Lifecycle notices for the markets the user holds or has resting orders in: closing soon (a set time
 * before the close), trading paused and resumed, closed, result determined. Settlement is told by
 * settlements.ts (with the realized P&L), which this nudges when the channel says a market settled.
 *
 * Sources: market_lifecycle_v2 events from the stream (at once), and a poll of the watched markets
 * (every `pollMs`, and at the closing-soon and close instants) that also catches what the socket missed.
 * What was told per market is kept in DATA_DIR/lifecycle-state.json; each notice has a key that names
 * its step (and close time, or pause number), goes through the intake's chain and the alert state like a
 * fill, and so is told once, also across restarts.
 */
import { join } from "node:path";
import { type Centis, centis } from "../domain/money.js";
import type {
  ExchangePort,
  Market,
  MarketLifecycleEvent,
  StreamEvent,
  StreamLogger,
} from "../exchange/port.js";
import { z } from "zod";
import { bySchema, loadStateFile } from "../shared/stateFile.js";
import { writeJsonAtomic } from "./files.js";
import type { FillIntake } from "./intake.js";
import type { LifecycleFact, LifecycleStep } from "./noticeTypes.js";
import type { Notice } from "./state.js";
import { errText } from "./timeouts.js";

export const LIFECYCLE_STATE_FILE = "lifecycle-state.json";
/** A market out of the user's interest this long is forgotten. */
const FORGET_AFTER_MS = 3 * 86_400_000;

/** What was told about one market. */
interface Told {
  closingFor?: number;
  paused?: boolean;
  pauses?: number;
  closed?: boolean;
  determined?: boolean;
  /** Last time the user held it or had orders in it. */
  seenAt: number;
}

interface Snapshot {
  status: Market["status"];
  closeTime: number | null;
  result: string | null;
}

export interface LifecycleDeps {
  exchange: Pick<ExchangePort, "getPositions" | "getOrders" | "getMarkets">;
  intake: Pick<FillIntake, "run" | "takeNotices">;
  log: StreamLogger;
  now: () => number;
  dataDir: string;
  /** "Closing soon" this long before the close (0 = never). */
  closeNoticeMs: number;
  pollMs: number;
  /** The channel said a market settled: poll settlements now. */
  onSettled: () => void;
}

export class LifecycleWatcher {
  private readonly path: string;
  private told: Record<string, Told> = {};
  private readonly last = new Map<string, Snapshot>();
  private interest = new Map<string, { position: Centis; resting: number }>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly d: LifecycleDeps) {
    this.path = join(d.dataDir, LIFECYCLE_STATE_FILE);
    // Damaged: moved aside (never overwritten), started fresh, the owner told once (src/shared/stateFile.ts).
    const loaded = loadStateFile(this.path, {
      what: "market notices",
      parse: bySchema(z.object({ version: z.literal(1), markets: z.record(z.string(), z.looseObject({})) })),
      consequence: "A closing-soon or paused notice already sent may come once more.",
    });
    if (loaded.kind === "ok") this.told = loaded.value.markets as unknown as Record<string, Told>;
  }

  start(): void {
    this.pollSoon(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  onStreamEvent(e: StreamEvent): void {
    if (this.stopped) return;
    if (e.type === "lifecycle") this.onLifecycle(e.event);
    // A fill or an order change can start or end the user's interest in a market.
    else if (e.type === "fill" || e.type === "order") this.pollSoon(1_000);
  }

  private onLifecycle(e: MarketLifecycleEvent): void {
    if (e.kind === "settled") this.d.onSettled();
    if (!this.told[e.ticker]) return; // not a market the user is in
    const before = this.last.get(e.ticker) ?? { status: "active", closeTime: null, result: null };
    const now = this.d.now();
    const next: Snapshot = { ...before };
    if (e.kind === "deactivated") next.status = "inactive";
    if (e.kind === "activated") next.status = "active";
    if (e.kind === "determined") Object.assign(next, { status: "determined", result: e.result });
    if (e.kind === "settled") next.status = "finalized";
    if (e.kind === "close_date_updated" && e.closeTime !== null) {
      next.closeTime = e.closeTime;
      if (e.closeTime <= now && (next.status === "active" || next.status === "inactive"))
        next.status = "closed";
    }
    this.d.intake.run(async () => this.observe(new Map([[e.ticker, next]])));
    this.pollSoon(0);
  }

  /** The next poll in `delayMs` (an earlier one already scheduled stays). */
  private pollSoon(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.d.intake.run(() => this.poll());
    }, delayMs);
  }

  private async poll(): Promise<void> {
    try {
      await this.refreshInterest();
      const tickers = Object.keys(this.told);
      const markets = tickers.length ? await this.d.exchange.getMarkets({ tickers }) : [];
      // Whole seconds, as the channel gives close_ts: one close time, one key, from either source.
      const closeOf = (m: Market) => (m.closeTime === null ? null : Math.floor(m.closeTime / 1000) * 1000);
      this.observe(
        new Map(
          markets.map((m) => [
            m.ticker,
            { status: m.status, closeTime: closeOf(m), result: m.result || null },
          ]),
        ),
      );
    } catch (e) {
      this.d.log.warn("alerts: checking the markets you are in failed", { error: errText(e) });
    }
    if (!this.stopped && !this.timer) this.pollSoon(this.nextWakeMs());
  }

  private async refreshInterest(): Promise<void> {
    const [positions, orders] = await Promise.all([
      this.d.exchange.getPositions(),
      this.d.exchange.getOrders({ status: "resting" }),
    ]);
    const now = this.d.now();
    const interest = new Map<string, { position: Centis; resting: number }>();
    for (const p of positions)
      if (p.position !== 0) interest.set(p.ticker, { position: p.position, resting: 0 });
    for (const o of orders) {
      const i = interest.get(o.ticker) ?? { position: centis(0), resting: 0 };
      interest.set(o.ticker, { ...i, resting: i.resting + 1 });
    }
    this.interest = interest;
    for (const t of interest.keys()) this.told[t] = { ...this.told[t], seenAt: now };
    for (const [t, told] of Object.entries(this.told))
      if (now - told.seenAt > FORGET_AFTER_MS) delete this.told[t];
  }

  /** Compares what is seen with what was told; takes in the new notices, then records them as told. */
  private observe(seen: Map<string, Snapshot>): void {
    const now = this.d.now();
    const notices: Notice[] = [];
    for (const [ticker, snap] of seen) {
      const told = this.told[ticker];
      if (!told) continue;
      this.last.set(ticker, snap);
      for (const step of stepsToTell(snap, told, now, this.d.closeNoticeMs)) {
        const key = stepKey(ticker, step, snap, told);
        const held = this.interest.get(ticker) ?? { position: centis(0), resting: 0 };
        const fact: LifecycleFact = {
          ticker,
          step,
          at: now,
          closeTime: snap.closeTime,
          result: snap.result,
          ...held,
        };
        notices.push({ kind: "lifecycle", key, fact });
        markTold(told, step, snap);
      }
      if (snap.status === "finalized") Object.assign(told, { closed: true, determined: true });
    }
    if (notices.length === 0) return this.save();
    this.d.intake.takeNotices(notices);
    this.save();
  }

  /** The next closing-soon or close instant of a watched market, at most `pollMs` away. */
  private nextWakeMs(): number {
    const now = this.d.now();
    let wake = now + this.d.pollMs;
    for (const [ticker, snap] of this.last) {
      const told = this.told[ticker];
      if (!told || snap.closeTime === null || told.closed) continue;
      const soon = snap.closeTime - this.d.closeNoticeMs;
      if (this.d.closeNoticeMs > 0 && soon > now && told.closingFor !== snap.closeTime)
        wake = Math.min(wake, soon);
      if (snap.closeTime > now) wake = Math.min(wake, snap.closeTime + 2_000);
    }
    return Math.max(0, wake - now);
  }

  private save(): void {
    try {
      writeJsonAtomic(this.path, { version: 1, markets: this.told });
    } catch (e) {
      this.d.log.error("alerts: could not write the lifecycle state", { error: errText(e) });
    }
  }
}

const OPEN = new Set(["active", "inactive", "initialized"]);

/** The steps `snap` shows that were not told yet, in the order they happen. */
export function stepsToTell(snap: Snapshot, told: Told, now: number, closeNoticeMs: number): LifecycleStep[] {
  const steps: LifecycleStep[] = [];
  const open = OPEN.has(snap.status);
  const ct = snap.closeTime;
  if (
    open &&
    closeNoticeMs > 0 &&
    ct !== null &&
    now >= ct - closeNoticeMs &&
    now < ct &&
    told.closingFor !== ct
  )
    steps.push("closing");
  if (snap.status === "inactive" && !told.paused) steps.push("paused");
  if (snap.status === "active" && told.paused) steps.push("resumed");
  if (snap.status === "closed" && !told.closed) steps.push("closed");
  if ((snap.status === "determined" || snap.status === "amended") && !told.determined)
    steps.push("determined");
  return steps;
}

function stepKey(ticker: string, step: LifecycleStep, snap: Snapshot, told: Told): string {
  if (step === "closing") return `l:${ticker}:closing@${snap.closeTime}`;
  if (step === "paused") return `l:${ticker}:paused#${(told.pauses ?? 0) + 1}`;
  if (step === "resumed") return `l:${ticker}:resumed#${told.pauses ?? 0}`;
  return `l:${ticker}:${step}`;
}

function markTold(told: Told, step: LifecycleStep, snap: Snapshot): void {
  if (step === "closing") told.closingFor = snap.closeTime ?? undefined;
  if (step === "paused") Object.assign(told, { paused: true, pauses: (told.pauses ?? 0) + 1 });
  if (step === "resumed") told.paused = false;
  if (step === "closed") told.closed = true;
  if (step === "determined") Object.assign(told, { closed: true, determined: true });
}
