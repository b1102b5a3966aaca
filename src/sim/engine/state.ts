/**
 * A fresh exchange: the day's markets from the fixture (or the live catalog's source) and four
 * accounts, the paper account with its starting cash per shard and the synthetic traders with
 * unlimited cash. Money issued starts at the paper account's balance, so the audit can prove
 * nothing is created or lost afterwards.
 */
import { type Micros, micros } from "../../domain/money.js";
import { randomUUID } from "node:crypto";
import { type Fixture, SHARDS } from "../fixtures.js";
import { type Account, type EngineState, MARKET_MAKER, NOISE_TRADER, OTHER_TRADER, USER } from "./types.js";

export function freshEngineState(
  fx: Fixture,
  now: number,
  seed: number,
  startingBalance: Micros,
  startingShardBalances: Record<number, Micros>,
): EngineState {
  const mkAccount = (
    id: string,
    unlimited: boolean,
    history: boolean,
    shards: Record<number, Micros> = {},
  ): Account => {
    const shardBalances: Record<string, Micros> = {};
    for (const shard of SHARDS) shardBalances[shard] = shards[shard] ?? micros(0);
    const balance = micros(Object.values(shardBalances).reduce((a, b) => a + b, 0));
    return {
      id,
      userId: randomUUID(),
      unlimited,
      history,
      balance,
      shardBalances,
      updatedTs: now,
      positions: {},
    };
  };
  return {
    version: 1,
    createdAt: now,
    clockOffset: 0,
    rngState: seed >>> 0,
    seq: 0,
    moneyIssued: startingBalance,
    feesCollected: micros(0),
    series: fx.series,
    events: fx.events,
    markets: fx.markets,
    accounts: {
      [USER]: mkAccount(USER, false, true, startingShardBalances),
      [MARKET_MAKER]: mkAccount(MARKET_MAKER, true, false),
      [NOISE_TRADER]: mkAccount(NOISE_TRADER, true, false),
      [OTHER_TRADER]: mkAccount(OTHER_TRADER, true, false),
    },
    orders: {},
    fills: [],
    settlements: [],
  };
}
