import { type Micros, contracts, parseDollars } from "../../src/domain/money.js";
import type { JournalEvent } from "../../src/trading/journal.js";
import type { OrderIntent } from "../../src/trading/types.js";

export const T0 = Date.UTC(2026, 10, 24, 15, 0, 0); // 10:00 in New York

export function fakeClock(start = T0) {
  let t = start;
  return {
    now: () => t,
    advance(ms: number) {
      t += ms;
    },
    set(ms: number) {
      t = ms;
    },
  };
}

export function idSeq(prefix = "coid") {
  let i = 0;
  return () => `${prefix}-${++i}`;
}

export function memoryJournal() {
  const events: JournalEvent[] = [];
  return { events, record: (e: JournalEvent) => void events.push(e) };
}

export const usd = (s: string): Micros => parseDollars(s);

/** The executor limits most tests use: 100 contracts, $100 an order, 30 s quotes, 2¢ market-order slippage. */
export const EXECUTOR_CONFIG = {
  maxOrderContracts: 100,
  maxOrderCost: usd("100"),
  confirmTimeoutMs: 30_000,
  marketOrderSlippage: usd("0.02"),
};

export function intent(p: Partial<OrderIntent> & { limit?: string } = {}): OrderIntent {
  const { limit, ...rest } = p;
  return {
    ticker: "KXHIGHNY-26NOV25-B45",
    outcome: "yes",
    action: "buy",
    count: contracts(10),
    kind: limit === undefined ? "market" : "limit",
    ...(limit === undefined ? {} : { limitPrice: parseDollars(limit) }),
    ...rest,
  };
}
