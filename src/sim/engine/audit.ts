/**
 * The engine's books checked and shown: the conservation audit every sim test can assert (no money
 * created or lost, to the micro-dollar), and the paper account's summary GET /sim/state returns.
 */
import { MICROS_PER_DOLLAR } from "../../domain/money.js";
import { type EngineState, SimError, USER } from "./types.js";

/** Σ balances + Σ reserved + fees + $1 × open interest − money issued. Always 0. */
export function moneyDiscrepancy(state: EngineState): number {
  let total = 0;
  for (const a of Object.values(state.accounts)) total += a.balance;
  for (const o of Object.values(state.orders)) if (o.status === "resting") total += o.reserved;
  total += state.feesCollected;
  let oi = 0;
  for (const a of Object.values(state.accounts)) {
    for (const p of Object.values(a.positions)) if (p.position > 0) oi += p.position;
  }
  total += oi * (MICROS_PER_DOLLAR / 100);
  return total - state.moneyIssued;
}

/** The user's view: what the control endpoint GET /sim/state returns. */
export function userSnapshot(state: EngineState, now: number): Record<string, unknown> {
  const u = state.accounts[USER];
  if (!u) throw new SimError(404, "not_found", "account not found");
  return {
    now,
    clock_offset_ms: state.clockOffset,
    balance_micros: u.balance,
    balance_by_shard_micros: { ...u.shardBalances },
    positions: Object.values(u.positions).filter((p) => p.position !== 0),
    resting_orders: Object.values(state.orders).filter((o) => o.accountId === USER && o.status === "resting")
      .length,
    orders: Object.values(state.orders).filter((o) => o.accountId === USER).length,
    fills: state.fills.length,
    settlements: state.settlements.length,
    markets: state.markets.map((m) => ({ ticker: m.ticker, status: m.status, result: m.result })),
    money_discrepancy_micros: moneyDiscrepancy(state),
  };
}
