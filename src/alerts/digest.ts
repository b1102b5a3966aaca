/**
 * The daily digest: at DIGEST_TIME in the display zone (walked by local days, so DST changes move
 * nothing), the day's figures and the 7-day chart are taken in as two notices (text, then picture)
 * through the intake's chain and the alert state, like a fill: exactly once, also across restarts.
 * A digest time the bot was down at is sent once at start-up, marked late (only the latest one missed).
 * DATA_DIR/digest-state.json keeps the last digest time done and its position values ("change since
 * yesterday's digest").
 */
import { join } from "node:path";
import { displayUsd } from "../domain/money.js";
import { startOfDayInZone, zoneOffsetMinutes } from "../domain/time.js";
import type { StreamLogger } from "../exchange/port.js";
import { type Digest, positionKey } from "../trading/index.js";
import { z } from "zod";
import { bySchema, loadStateFile } from "../shared/stateFile.js";
import { writeJsonAtomic } from "./files.js";
import type { FillIntake } from "./intake.js";
import { errText } from "./timeouts.js";

export const DIGEST_STATE_FILE = "digest-state.json";
const HOUR = 3_600_000;
/** A digest sent this long after its time says it is late. */
const LATE_AFTER_MS = 10 * 60_000;
/** After a failed build, try again this much later. */
const RETRY_MS = 5 * 60_000;

export interface DigestTime {
  hour: number;
  minute: number;
}

export interface DigestDeps {
  collect: (slot: number, previous: Record<string, number> | null) => Promise<Digest>;
  intake: Pick<FillIntake, "run" | "takeNotices">;
  log: StreamLogger;
  now: () => number;
  dataDir: string;
  timeZone: string;
  time: DigestTime;
}

/** Epoch ms of `time` on the local day starting at `dayStart` (DST-correct). */
export function atLocalTime(dayStart: number, time: DigestTime, timeZone: string): number {
  const guess = dayStart + (time.hour * 60 + time.minute) * 60_000;
  return guess + (zoneOffsetMinutes(dayStart, timeZone) - zoneOffsetMinutes(guess, timeZone)) * 60_000;
}

/** The latest digest time at or before `now`. */
export function lastSlot(now: number, time: DigestTime, timeZone: string): number {
  const today = startOfDayInZone(now, timeZone);
  const s = atLocalTime(today, time, timeZone);
  return s <= now ? s : atLocalTime(startOfDayInZone(today - 1, timeZone), time, timeZone);
}

/** The first digest time after `now`. */
export function nextSlot(now: number, time: DigestTime, timeZone: string): number {
  const today = startOfDayInZone(now, timeZone);
  const s = atLocalTime(today, time, timeZone);
  return s > now ? s : atLocalTime(startOfDayInZone(today + 26 * HOUR, timeZone), time, timeZone);
}

interface DigestState {
  version: 1;
  lastSlot: number | null;
  values: Record<string, number> | null;
}

export class DigestScheduler {
  private readonly path: string;
  private state: DigestState = { version: 1, lastSlot: null, values: null };
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly d: DigestDeps) {
    this.path = join(d.dataDir, DIGEST_STATE_FILE);
    // Damaged: moved aside (never overwritten), started fresh, the owner told once (src/shared/stateFile.ts).
    const loaded = loadStateFile(this.path, {
      what: "daily digest",
      parse: bySchema(z.looseObject({ version: z.literal(1), lastSlot: z.number().nullable() })),
      consequence: "The next digest comes at the usual time; a missed one is not sent late this once.",
    });
    if (loaded.kind === "ok") this.state = loaded.value as unknown as DigestState;
  }

  start(): void {
    const now = this.d.now();
    const slot = lastSlot(now, this.d.time, this.d.timeZone);
    if (this.state.lastSlot === null) {
      // First run: no digest was missed; the first one comes at the next digest time.
      this.state.lastSlot = slot;
      this.save();
    }
    this.check();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Sends the digest of the latest digest time not done yet, then waits for the next one. */
  private check(): void {
    if (this.stopped) return;
    const now = this.d.now();
    const slot = lastSlot(now, this.d.time, this.d.timeZone);
    if (this.state.lastSlot === null || slot > this.state.lastSlot) {
      this.d.intake.run(() => this.send(slot, now - slot > LATE_AFTER_MS));
      return;
    }
    // Wake at most an hour ahead: a sleep or clock change is noticed within the hour.
    const wait = Math.min(nextSlot(now, this.d.time, this.d.timeZone) - now, HOUR);
    this.timer = setTimeout(() => this.check(), Math.max(0, wait));
  }

  private async send(slot: number, late: boolean): Promise<void> {
    let digest: Digest;
    try {
      digest = await this.d.collect(slot, this.state.values);
    } catch (e) {
      this.d.log.warn("alerts: building the daily digest failed; will try again", { error: errText(e) });
      if (!this.stopped) this.timer = setTimeout(() => this.check(), RETRY_MS);
      return;
    }
    const s = digest.chart;
    const caption = `P&L, last 7 days: ${displayUsd(s.total, { sign: true })} realized (bars: each day, line: running total)`;
    this.d.intake.takeNotices([
      { kind: "digest", key: `d:${slot}`, digest, late },
      { kind: "chart", key: `g:${slot}`, series: s, caption },
    ]);
    const values: Record<string, number> = {};
    for (const p of digest.positions) if (p.value !== null) values[positionKey(p)] = p.value;
    this.state = { version: 1, lastSlot: slot, values };
    this.save();
    this.check();
  }

  private save(): void {
    try {
      writeJsonAtomic(this.path, this.state);
    } catch (e) {
      this.d.log.error("alerts: could not write the digest state", { error: errText(e) });
    }
  }
}
