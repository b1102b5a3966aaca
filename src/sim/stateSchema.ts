/**
 * The shape of the saved paper account (DATA_DIR/sim/sim-state.json), checked at start so that a
 * damaged file is moved aside and the last good copy (.bak) used instead of an engine built on
 * garbage. It checks what the engine relies on; fields added later pass through untouched. Money
 * and counts are plain integers on disk (their brands are compile-time only).
 */
import { z } from "zod";

const int = z.number().int();

const position = z.looseObject({ ticker: z.string(), position: int, cost: int });

const account = z.looseObject({
  id: z.string(),
  unlimited: z.boolean(),
  history: z.boolean(),
  balance: int,
  shardBalances: z.record(z.string(), int).optional(),
  positions: z.record(z.string(), position),
});

const order = z.looseObject({
  orderId: z.string(),
  accountId: z.string(),
  ticker: z.string(),
  side: z.enum(["bid", "ask"]),
  price: int,
  initial: int,
  filled: int,
  remaining: int,
  status: z.enum(["resting", "canceled", "executed"]),
  reserved: int,
});

const fill = z.looseObject({
  tradeId: z.string(),
  orderId: z.string(),
  accountId: z.string(),
  ticker: z.string(),
  price: int,
  count: int,
  ts: z.number(),
});

export const engineStateSchema = z.looseObject({
  version: z.literal(1),
  createdAt: z.number(),
  clockOffset: z.number(),
  rngState: z.number(),
  seq: z.number(),
  moneyIssued: int,
  feesCollected: int,
  series: z.array(z.looseObject({ ticker: z.string() })),
  events: z.array(z.looseObject({ eventTicker: z.string(), seriesTicker: z.string() })),
  markets: z.array(z.looseObject({ ticker: z.string(), eventTicker: z.string(), status: z.string() })),
  accounts: z.record(z.string(), account),
  orders: z.record(z.string(), order),
  fills: z.array(fill),
  settlements: z.array(z.looseObject({ accountId: z.string(), ticker: z.string() })),
});
