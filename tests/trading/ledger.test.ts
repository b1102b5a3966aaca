import { describe, expect, it } from "vitest";
import { contracts } from "../../src/domain/money.js";
import { runLedger } from "../../src/trading/ledger.js";
import { SimExchange } from "../support/simExchange.js";
import { T0, usd } from "./helpers.js";

const H = 3_600_000;

describe("ledger: settlement fee_cost", () => {
  // Kalshi's settlement fee_cost is the total of the trading fees paid in the market; settling itself is free.
  it("is not charged a second time when the fills explain the position", () => {
    const fx = new SimExchange({ now: () => T0 });
    // buy 10 YES @0.40 (fee 0.17), sell 4 @0.50 (fee 0.07), 6 settle YES.
    fx.addFill({ ticker: "KXA-1", side: "bid", yesPrice: "0.40", count: 10, fee: "0.17", time: T0 - 3 * H });
    fx.addFill({ ticker: "KXA-1", side: "ask", yesPrice: "0.50", count: 4, fee: "0.07", time: T0 - 2 * H });
    fx.addSettlement({
      ticker: "KXA-1",
      marketResult: "yes",
      yesCount: contracts(6),
      yesTotalCost: usd("2.40"),
      revenue: usd("6"),
      fee: usd("0.24"),
      settledTime: T0 - H,
    });
    const { realized } = runLedger(fx.fills, fx.settlements);
    // sell: 2.00 − 1.60 − 0.068 − 0.07 = 0.262; settlement: 6.00 − 2.40 − 0.102 = 3.498
    expect(realized.map((r) => r.pnl)).toEqual([usd("0.262"), usd("3.498")]);
    // Cash: paid 4.00 + 0.17 + 0.07, received 2.00 + 6.00 → +3.76
    expect(realized[0]!.pnl + realized[1]!.pnl).toBe(usd("3.76"));
  });

  it("stands in for the unknown entry fees when no fills explain the position", () => {
    const fx = new SimExchange({ now: () => T0 });
    fx.addSettlement({
      ticker: "KXB-1",
      marketResult: "no",
      noCount: contracts(5),
      noTotalCost: usd("3.00"),
      revenue: usd("5"),
      fee: usd("0.09"),
      settledTime: T0 - H,
    });
    expect(runLedger([], fx.settlements).realized.map((r) => r.pnl)).toEqual([usd("1.91")]);
  });
});
