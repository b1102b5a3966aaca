/**
 * The holding guard for resting sells.
 *
 * Kalshi refuses reduce_only on a resting (good_till_canceled) order, so a resting sell is a plain
 * ask (sell YES) or bid (sell NO): when the holding falls below what rests to sell (sold elsewhere,
 * partly settled), its unfilled rest would open the OPPOSITE position when it fills. The executor caps
 * a sell at the holding when it is placed; this guard keeps it capped afterwards: given the positions
 * and the resting sells it plans, per market and outcome, which sells to shrink (oldest keep their
 * size and queue place first) and applies the plan through the port (decrease, or cancel when nothing
 * is held), routed by market. Each change comes back as a value the caller tells the user about.
 *
 * Orders whose intent is unknown (placed outside the bot, or before its journal) are left alone:
 * a bid or ask alone does not say whether it was meant as a sell.
 */
import type { Centis } from "../domain/money.js";
import type { ExchangePort, ExchangeStream, Order, OutcomeSide, Position } from "../exchange/port.js";
import type { TradeJournal } from "./journal.js";

/** A resting order the user placed as a sell of `outcome`. */
export interface RestingSell {
  order: Order;
  outcome: OutcomeSide;
}

/** One resting sell to shrink: from `resting` to `keep` contracts (0 = cancel it). */
export interface SellShrink {
  orderId: string;
  ticker: string;
  outcome: OutcomeSide;
  /** Resting before. */
  resting: Centis;
  /** Resting after; 0 means cancel. */
  keep: Centis;
  /** What is held of `outcome` now. */
  held: Centis;
}

export interface SellShrinkOutcome extends SellShrink {
  /** "decreased"/"canceled" when done; "failed" with the exchange's reason otherwise. */
  done: "decreased" | "canceled" | "failed";
  error?: string;
}

/** What the user holds of `outcome` given a signed YES position. */
export function heldOf(position: number, outcome: OutcomeSide): Centis {
  return (outcome === "yes" ? Math.max(position, 0) : Math.max(-position, 0)) as Centis;
}

/** The book side a sell of `outcome` rests on: selling YES is an ask, selling NO a bid. */
function sellSide(outcome: OutcomeSide): "ask" | "bid" {
  return outcome === "yes" ? "ask" : "bid";
}

/**
 * Pure: which resting sells exceed the holding. Per market and outcome, the oldest sells keep their
 * contracts up to the holding; every later one is decreased to what is left, or canceled at 0.
 */
export function planSellShrinks(positions: readonly Position[], sells: readonly RestingSell[]): SellShrink[] {
  const pos = new Map(positions.map((p) => [p.ticker.toUpperCase(), p.position as number]));
  const groups = new Map<string, RestingSell[]>();
  for (const s of sells) {
    if (s.order.status !== "resting" || s.order.remainingCount <= 0) continue;
    if (s.order.bookSide !== sellSide(s.outcome)) continue; // not a sell of that outcome after all
    const k = `${s.order.ticker.toUpperCase()} ${s.outcome}`;
    groups.set(k, [...(groups.get(k) ?? []), s]);
  }
  const out: SellShrink[] = [];
  for (const group of groups.values()) {
    const first = group[0]!;
    const held = heldOf(pos.get(first.order.ticker.toUpperCase()) ?? 0, first.outcome);
    let left: number = held;
    const oldestFirst = [...group].sort(
      (a, b) =>
        (a.order.createdTime ?? 0) - (b.order.createdTime ?? 0) ||
        (a.order.orderId < b.order.orderId ? -1 : 1),
    );
    for (const s of oldestFirst) {
      const keep = Math.min(s.order.remainingCount, left);
      left -= keep;
      if (keep < s.order.remainingCount) {
        out.push({
          orderId: s.order.orderId,
          ticker: s.order.ticker,
          outcome: s.outcome,
          resting: s.order.remainingCount,
          keep: keep as Centis,
          held,
        });
      }
    }
  }
  return out;
}

/** The user's intent for an order (from the trade journal), or null when unknown. */
export type IntentOf = (o: Order) => Promise<{ action: "buy" | "sell"; outcome: OutcomeSide } | null>;

export interface SellGuardDeps {
  exchange: ExchangePort;
  intentOf: IntentOf;
  journal?: Pick<TradeJournal, "record">;
}

export interface SellGuard {
  /**
   * Reads the resting orders (of `tickers`, or all) and the positions, shrinks the sells that exceed
   * the holding and returns what it changed. Calls are serialized (one check at a time).
   */
  check(tickers?: readonly string[]): Promise<SellShrinkOutcome[]>;
}

export function createSellGuard(deps: SellGuardDeps): SellGuard {
  const { exchange } = deps;
  let chain: Promise<unknown> = Promise.resolve();

  /** Whether the order no longer rests more than `keep` (it filled or was canceled since it was listed). */
  async function goneMeanwhile(s: SellShrink): Promise<boolean> {
    try {
      const o = await exchange.getOrder(s.orderId);
      return o.status !== "resting" || o.remainingCount <= s.keep;
    } catch {
      return false;
    }
  }

  /** The change made, or null when there was nothing left to change (the sell filled meanwhile). */
  async function apply(s: SellShrink): Promise<SellShrinkOutcome | null> {
    try {
      if (s.keep === 0) {
        const r = await exchange.cancelOrder(s.orderId, s.ticker);
        // Nothing rested any more: it filled (the user sold) or was canceled since it was listed.
        if (r.reducedBy <= 0) return null;
        deps.journal?.record({
          type: "order_canceled",
          orderId: s.orderId,
          ticker: s.ticker,
          clientOrderId: r.clientOrderId,
          canceledCount: r.reducedBy,
        });
        return { ...s, done: "canceled" };
      }
      await exchange.decreaseOrder({ orderId: s.orderId, ticker: s.ticker, reduceTo: s.keep });
      return { ...s, done: "decreased" };
    } catch (e) {
      // Refused because the order filled or was canceled meanwhile: nothing to shrink, nothing to tell.
      if (await goneMeanwhile(s)) return null;
      return { ...s, done: "failed", error: e instanceof Error ? e.message : String(e) };
    }
  }

  async function run(tickers?: readonly string[]): Promise<SellShrinkOutcome[]> {
    const want = tickers ? new Set(tickers.map((t) => t.toUpperCase())) : null;
    const resting = (await exchange.getOrders({ status: "resting" })).filter(
      (o) => !want || want.has(o.ticker.toUpperCase()),
    );
    if (resting.length === 0) return [];
    const sells: RestingSell[] = [];
    for (const o of resting) {
      const intent = await deps.intentOf(o);
      if (intent?.action === "sell") sells.push({ order: o, outcome: intent.outcome });
    }
    if (sells.length === 0) return [];
    const draft = planSellShrinks(await exchange.getPositions(), sells);
    if (draft.length === 0) return [];
    // Act only on what a fresh read of that market confirms with a row of its own: a listing that
    // comes back empty or partial (an outage, a dropped page) must not cancel every resting sell.
    const confirmed: Position[] = [];
    for (const ticker of new Set(draft.map((s) => s.ticker))) {
      const rows = await exchange.getPositions({ ticker, all: true });
      const row = rows.find((p) => p.ticker.toUpperCase() === ticker.toUpperCase());
      if (row) confirmed.push(row);
    }
    const known = new Set(confirmed.map((p) => p.ticker.toUpperCase()));
    const plan = planSellShrinks(
      confirmed,
      sells.filter((s) => known.has(s.order.ticker.toUpperCase())),
    );
    const out: SellShrinkOutcome[] = [];
    for (const s of plan) {
      const done = await apply(s);
      if (done) out.push(done);
    }
    return out;
  }

  return {
    check(tickers) {
      const p = chain.then(() => run(tickers));
      chain = p.catch(() => undefined);
      return p;
    },
  };
}

export interface SellGuardWatchOptions {
  guard: SellGuard;
  stream: Pick<ExchangeStream, "on">;
  /** Told about every change (and failure) the guard made. */
  onShrunk: (outcomes: SellShrinkOutcome[]) => void | Promise<void>;
  onError?: (e: unknown) => void;
  /**
   * A full check this often (ms), which also catches settlements and trades made elsewhere that no
   * fill of ours announces; 0 turns it off. Default 60 000.
   */
  intervalMs?: number;
  /** Wait this long after start-up or a fill before checking (fills come in bursts). Default 2 000. */
  delayMs?: number;
}

/**
 * Runs the guard shortly after start-up, after fills (coalesced per `delayMs`, for the markets that
 * filled) and every `intervalMs`. Returns a stop function; timers never keep the process alive.
 */
export function watchSellGuard(opts: SellGuardWatchOptions): () => void {
  let stopped = false;
  const report = (p: Promise<SellShrinkOutcome[]>): void => {
    p.then(async (outs) => {
      if (outs.length > 0 && !stopped) await opts.onShrunk(outs);
    }).catch((e: unknown) => {
      if (!stopped) opts.onError?.(e);
    });
  };
  const delay = opts.delayMs ?? 2_000;
  /** Markets with a fill since the last check; null = check everything. */
  let pending: Set<string> | null = null;
  let timer: NodeJS.Timeout | null = null;
  const schedule = (ticker: string | null): void => {
    if (stopped) return;
    if (ticker === null) pending = null;
    else if (pending !== null || timer === null) (pending ??= new Set()).add(ticker);
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      const tickers = pending;
      pending = new Set();
      if (!stopped) report(opts.guard.check(tickers === null ? undefined : [...tickers]));
    }, delay);
    timer.unref();
  };
  schedule(null);
  const off = opts.stream.on((e) => {
    if (e.type === "fill") schedule(e.fill.ticker);
  });
  const every = opts.intervalMs ?? 60_000;
  const interval = every > 0 ? setInterval(() => schedule(null), every) : null;
  interval?.unref();
  return () => {
    stopped = true;
    off();
    if (timer) clearTimeout(timer);
    if (interval) clearInterval(interval);
  };
}
