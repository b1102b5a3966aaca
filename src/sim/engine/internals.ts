/**
 * What the engine's behaviour modules (lifecycle, matching, amend) need of SimEngine beyond its
 * public API: its private indexes and the internal steps they share. SimEngine builds one per
 * call (internals()), so a module always sees the current state and rng (reset() replaces them).
 * Each module takes only the part it uses (a Pick of this), which keeps its dependencies visible.
 */
import type { Centis, Micros } from "../../domain/money.js";
import type { Rng } from "../rng.js";
import type { SimEngine } from "../engine.js";
import type { OrderBooks } from "./orderBook.js";
import type { Account, BookSide, SimFill, SimOrder, UpdateReason } from "./types.js";

export interface EngineInternals {
  engine: SimEngine;
  books: OrderBooks;
  rng: Rng;
  /** `${accountId}\u0000${clientOrderId}` → orderId. */
  clientIds: Map<string, string>;
  /** Moves `delta` into (or out of) the account's cash on the shard of `ticker`. */
  credit: (acct: Account, ticker: string, delta: number) => void;
  /** Cancels a resting order without the per-request events; returns what it reduced. */
  cancel: (o: SimOrder, reason: UpdateReason) => Centis;
  /** Reduces a resting order to `to` (0 < to < remaining), releasing the spare reservation. */
  shrink: (o: SimOrder, to: Centis, reason: UpdateReason) => void;
  /** Drops a synthetic account's finished order. */
  forget: (o: SimOrder) => void;
  /** The fee model's fee for one fill, rounded up to `roundTo` micros (whole cents by default). */
  feeFor: (ticker: string, price: Micros, count: Centis, role: "taker" | "maker", roundTo?: number) => Micros;
  /** Contracts of this direction that would close the account's existing position. */
  closable: (accountId: string, ticker: string, side: BookSide) => Centis;
  /** The next time-priority sequence number. */
  nextSeq: () => number;
  /** Trades a recorded order against the book, then rests or cancels the rest (matching.ts). */
  match: (order: SimOrder, now: number) => SimFill[];
  /** The account's order with this client_order_id (the latest one), if any. */
  orderByClientId: (accountId: string, clientOrderId: string | undefined) => SimOrder | undefined;
}
