/**
 * Reads what the post-position maths (postPosition.ts) needs for a batch of REST fills and applies its
 * answers; fills it cannot answer for are told as the user placed the order (the journal's intent) or in
 * YES terms. Which derivation applies, per market:
 * - the market has settled since the first of the fills (getSettlements lists it): from its whole fill
 *   history (left null when that does not add up to the settlement);
 * - else from the current position, whose 0 is used only when the market is not settled (its status,
 *   or, when that cannot be read, no settlement listed). Left null when the position cannot be read.
 */
import type { Centis } from "../domain/money.js";
import type { Fill, Position, Settlement, StreamLogger } from "../exchange/port.js";
import { intentFits, type OrderIntent } from "./intent.js";
import type { AlertLookups } from "./lookups.js";
import {
  type KnownFill,
  postPositionsFromHistory,
  postPositionsFromPosition,
  zeroPositionTrusted,
} from "./postPosition.js";
import type { AlertReads } from "./reads.js";
import { errText } from "./timeouts.js";

/** A fill being taken in; `postPosition` null when the exchange gave none and it could not be derived. */
export interface FillItem {
  fill: Fill;
  postPosition: Centis | null;
  clientOrderId: string | null;
  intent?: OrderIntent | null;
}

export interface DeriveDeps {
  reads: AlertReads;
  lookups: AlertLookups;
  log: StreamLogger;
  /** Fills taken in earlier, oldest first. */
  earlier: () => readonly KnownFill[];
}

/**
 * Fills in the post positions of `items` that have none, for a whole batch at once.
 * `ordered`: the REST list the items come from, oldest first (ties in exchange order).
 * `positions`: a snapshot read before `ordered` was listed (rows without a last update time are read
 * again now).
 */
export async function derivePostPositions(
  deps: DeriveDeps,
  items: FillItem[],
  ordered: Fill[],
  positions: Position[] | null,
): Promise<void> {
  const open = items.filter((i) => i.postPosition === null);
  const tickers = [...new Set(open.map((i) => i.fill.ticker))];
  if (tickers.length > 0) {
    const since = open.reduce((m, i) => Math.min(m, i.fill.createdTime), Infinity);
    const settlements = await deps.reads.settlementsOrNull(since);
    for (const ticker of tickers) {
      const mine = open.filter((i) => i.fill.ticker === ticker);
      const first = mine.reduce((m, i) => Math.min(m, i.fill.createdTime), Infinity);
      const settled = settlements?.find((s) => s.ticker === ticker && s.settledTime >= first);
      if (settled) await fromSettlement(deps, mine, settled);
      else await fromPosition(deps, ticker, mine, ordered, positions, settlements !== null);
    }
  }
  await addIntents(deps.lookups, items);
}

async function fromSettlement(deps: DeriveDeps, items: FillItem[], s: Settlement): Promise<void> {
  let history: Fill[];
  try {
    history = await deps.reads.marketFills(s.ticker);
  } catch (e) {
    deps.log.warn("alerts: could not read the fills of a settled market; fills told as placed", {
      ticker: s.ticker,
      error: errText(e),
    });
    return;
  }
  const post = postPositionsFromHistory(history, s);
  if (!post) {
    deps.log.warn(
      "alerts: the fills of a settled market do not add up to its settlement; fills told as placed",
      {
        ticker: s.ticker,
      },
    );
    return;
  }
  for (const i of items) {
    const p = post.get(i.fill.fillId);
    if (p !== undefined) i.postPosition = p;
  }
}

async function fromPosition(
  deps: DeriveDeps,
  ticker: string,
  items: FillItem[],
  ordered: Fill[],
  positions: Position[] | null,
  settlementsRead: boolean,
): Promise<void> {
  // The snapshot is usable only with its last update time; otherwise read the position now, after the
  // fills were listed, and take it as reflecting all of them.
  let row = positions?.find((r) => r.ticker === ticker && r.lastUpdatedTs !== null);
  let cutoff: number | null = row?.lastUpdatedTs ?? null;
  if (!row) {
    const rows = await deps.reads.positions(ticker);
    if (rows === null) return;
    row = rows.find((r) => r.ticker === ticker);
    cutoff = null;
  }
  const current = row?.position ?? 0;
  if (current === 0) {
    // Settling zeroes the position: a 0 then says nothing about the fills before it.
    const status = await deps.reads.marketStatus(ticker);
    if (!zeroPositionTrusted(status, settlementsRead)) {
      deps.log.info("alerts: market settled or settling; fills told as placed", { ticker, status });
      return;
    }
  }
  const post = postPositionsFromPosition({
    ticker,
    items: items.map((i) => i.fill),
    ordered,
    earlier: deps.earlier(),
    current,
    cutoff,
  });
  for (const i of items) i.postPosition = post.get(i.fill.fillId)!;
}

/** For fills whose post position is unknown: the user's intent for the order, from the journal. */
export async function addIntents(lookups: AlertLookups, items: FillItem[]): Promise<void> {
  for (const i of items) {
    if (i.postPosition !== null) continue;
    const intent = await lookups.intentFor(i.fill.orderId, i.clientOrderId);
    if (intentFits(i.fill.bookSide, intent)) i.intent = intent;
  }
}
