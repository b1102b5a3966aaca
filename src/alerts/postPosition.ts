/**
 * The position after a fill, for fills that came without one (REST lists and polled fills carry no
 * `post_position`): pure arithmetic over fills, positions and settlements already read, so every case
 * is unit-tested without a stream or an exchange (tests/alerts/postPosition.test.ts). The reads and the
 * choice between the two derivations live in backfill.ts.
 *
 * - The market settled since the fills: settling zeroes the position, so the market's whole fill history
 *   summed from zero gives each post position, when it adds up to the settlement's net count.
 * - Else from the current position: minus the moves of the known fills after this one that the position
 *   already reflects, plus the moves of this and earlier fills it does not reflect yet (made after the
 *   position's last update). Ties in time keep the exchange's order.
 */
import type { Centis } from "../domain/money.js";
import type { Fill, MarketStatus, Settlement } from "../exchange/port.js";
import { fillDelta } from "./format.js";

/** A fill taken in earlier, as far as position arithmetic needs it. */
export interface KnownFill {
  id: string;
  ticker: string;
  ts: number;
  delta: number;
}

export function knownFill(f: Fill): KnownFill {
  return { id: f.fillId, ticker: f.ticker, ts: f.createdTime, delta: fillDelta(f) };
}

/** Market statuses after which the current position no longer says anything about earlier fills. */
const SETTLED_STATUSES: ReadonlySet<MarketStatus> = new Set([
  "determined",
  "disputed",
  "amended",
  "finalized",
]);

/**
 * Whether a current position of 0 may be used: only when the market is not settled (its status, or,
 * when that could not be read, no settlement listed while the settlements could be read).
 */
export function zeroPositionTrusted(status: MarketStatus | null, settlementsRead: boolean): boolean {
  return status !== null ? !SETTLED_STATUSES.has(status) : settlementsRead;
}

/**
 * Post positions from a settled market's whole fill history (oldest first), summed from zero up to the
 * settlement; null when they do not add up to the settlement's net count (yes_count − no_count).
 */
export function postPositionsFromHistory(history: Fill[], s: Settlement): Map<string, Centis> | null {
  const post = new Map<string, Centis>();
  let position = 0;
  for (const f of history) {
    if (f.ticker !== s.ticker || f.createdTime > s.settledTime) continue;
    position += fillDelta(f);
    post.set(f.fillId, position as Centis);
  }
  const sound = !(s.yesCount > 0 && s.noCount > 0) && position === s.yesCount - s.noCount;
  return sound ? post : null;
}

export interface FromPositionInput {
  ticker: string;
  /** The fills to derive for (all of `ticker`). */
  items: Fill[];
  /** The REST list the items come from, oldest first (ties in exchange order). */
  ordered: Fill[];
  /** Fills taken in earlier, oldest first. */
  earlier: readonly KnownFill[];
  /** The market's current position. */
  current: number;
  /** The position's last update time: fills after it are not reflected yet; null = reflects all. */
  cutoff: number | null;
}

/** Post positions from the current position (see the file comment), by fill id. */
export function postPositionsFromPosition(input: FromPositionInput): Map<string, Centis> {
  const { ticker, items, ordered, earlier, current, cutoff } = input;
  // Known fills of this market in exchange order: taken in earlier, then the REST list, then the items.
  const seq: KnownFill[] = [];
  const ids = new Set<string>();
  const add = (k: KnownFill) => {
    if (ids.has(k.id)) return;
    ids.add(k.id);
    seq.push(k);
  };
  const listed = new Set(ordered.map((f) => f.fillId));
  for (const r of earlier) if (r.ticker === ticker && !listed.has(r.id)) add(r);
  for (const f of ordered) if (f.ticker === ticker) add(knownFill(f));
  for (const f of items) add(knownFill(f));
  const sorted = seq.map((m, k) => ({ m, k })).sort((a, b) => a.m.ts - b.m.ts || a.k - b.k);
  const rank = new Map(sorted.map((x, r) => [x.m.id, r]));
  const reflected = (ts: number) => cutoff === null || ts <= cutoff;
  const out = new Map<string, Centis>();
  for (const f of items) {
    const mine = rank.get(f.fillId)!;
    let post = current;
    for (const [r, { m }] of sorted.entries()) {
      if (r > mine && reflected(m.ts)) post -= m.delta;
      else if (r <= mine && !reflected(m.ts)) post += m.delta;
    }
    out.set(f.fillId, post as Centis);
  }
  return out;
}

/** Oldest first, keeping the given order within a millisecond (the stream emits polled fills oldest first). */
export function byTime(fills: Fill[]): Fill[] {
  return [...fills].sort((a, b) => a.createdTime - b.createdTime);
}

/** `extra` (oldest first) merged into `listed` (oldest first): after the listed fills of the same time. */
export function mergeOldestFirst(listed: Fill[], extra: Fill[]): Fill[] {
  const ids = new Set(listed.map((f) => f.fillId));
  const out = [...listed];
  for (const f of extra) {
    if (ids.has(f.fillId)) continue;
    ids.add(f.fillId);
    let at = out.length;
    while (at > 0 && out[at - 1]!.createdTime > f.createdTime) at--;
    out.splice(at, 0, f);
  }
  return out;
}
