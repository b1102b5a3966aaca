/**
 * The order change use case (src/trading/amendOrder.ts) on the exchange double: ticks on the
 * market's own grid, and `apply` sending only what the confirmation showed (count semantics of
 * amend and decrease when the order traded in between).
 */
import { describe, expect, it } from "vitest";
import { contracts } from "../../src/domain/money.js";
import { TAPERED_DECI_CENT } from "../../src/sim/fixtures.js";
import {
  type OrderNow,
  createOrderChanges,
  pricePlan,
  reducePlan,
  tickPlan,
} from "../../src/trading/amendOrder.js";
import { SimExchange } from "../support/simExchange.js";
import { T0, usd } from "./helpers.js";

function fx() {
  const f = new SimExchange({ now: () => T0 });
  f.addMarket({
    ticker: "KXT-1",
    priceLevelStructure: "tapered_deci_cent",
    priceRanges: TAPERED_DECI_CENT,
  });
  f.setBook("KXT-1", {});
  const changes = createOrderChanges({ exchange: f, snapshots: { drop: () => undefined } });
  return { f, changes };
}

async function resting(f: SimExchange, yes: string, count: number): Promise<string> {
  const r = await f.createOrder({
    ticker: "KXT-1",
    side: "bid",
    count: contracts(count),
    price: usd(yes),
    timeInForce: "good_till_canceled",
    clientOrderId: crypto.randomUUID(),
  });
  return r.orderId;
}

async function now(changes: ReturnType<typeof fx>["changes"], id: string): Promise<OrderNow> {
  const r = await changes.read(id);
  if (r.kind !== "resting") throw new Error(`not resting: ${r.kind}`);
  return r;
}

const planned = (p: ReturnType<typeof tickPlan>) => {
  if (p.kind !== "plan") throw new Error(`no plan: ${p.kind}`);
  return p.plan;
};

describe("ticks on a tapered grid", () => {
  it("step by the range moved into: $0.10 → $0.099 / $0.11, $0.90 → $0.89 / $0.901", async () => {
    const { f, changes } = fx();
    const low = await now(changes, await resting(f, "0.10", 1));
    expect(planned(tickPlan(low, "yes", "down")).toPrice).toBe(usd("0.099"));
    expect(planned(tickPlan(low, "yes", "up")).toPrice).toBe(usd("0.11"));
    // The same order read as NO $0.90: NO up is YES down.
    expect(planned(tickPlan(low, "no", "up")).toPrice).toBe(usd("0.901"));
    const high = await now(changes, await resting(f, "0.90", 1));
    expect(planned(tickPlan(high, "yes", "down")).toPrice).toBe(usd("0.89"));
    expect(planned(tickPlan(high, "yes", "up")).toPrice).toBe(usd("0.901"));
    const edge = await now(changes, await resting(f, "0.001", 1));
    expect(tickPlan(edge, "yes", "down")).toEqual({ kind: "edge", dir: "down", price: usd("0.001") });
  });

  it("a typed price off the grid names its neighbours in the order's outcome", async () => {
    const { f, changes } = fx();
    const o = await now(changes, await resting(f, "0.45", 1));
    expect(pricePlan(o, "yes", usd("0.455"))).toEqual({
      kind: "offGrid",
      price: usd("0.455"),
      nearest: [usd("0.45"), usd("0.46")],
    });
    expect(pricePlan(o, "no", usd("0.0955"))).toMatchObject({
      kind: "offGrid",
      nearest: [usd("0.095"), usd("0.096")],
    });
  });
});

describe("apply", () => {
  it("sends nothing when the order changed since the plan (another device re-priced it)", async () => {
    const { f, changes } = fx();
    const id = await resting(f, "0.45", 5);
    const plan = planned(tickPlan(await now(changes, id), "yes", "up"));
    await f.amendOrder({
      orderId: id,
      ticker: "KXT-1",
      side: "bid",
      price: usd("0.40"),
      count: contracts(5),
    });
    const amends = f.calls.amendOrder;
    const r = await changes.apply(plan);
    expect(r.kind).toBe("stale");
    expect(f.calls.amendOrder).toBe(amends);
    expect(f.orders[0]!.yesPrice).toBe(usd("0.40"));
  });

  it("a smaller total stays the total when more fills came in between: the rest shrinks to fit", async () => {
    const { f, changes } = fx();
    const id = await resting(f, "0.45", 10);
    f.fillResting(id, contracts(4));
    const plan = reducePlan(await now(changes, id), "yes", contracts(8));
    f.fillResting(id, contracts(2));
    const r = await changes.apply(planned(plan));
    expect(r.kind).toBe("changed");
    expect(f.orders[0]).toMatchObject({
      initialCount: contracts(8),
      fillCount: contracts(6),
      remainingCount: contracts(2),
    });
  });

  it("a price change keeps the total: filled + resting after a partial fill", async () => {
    const { f, changes } = fx();
    const id = await resting(f, "0.45", 10);
    f.fillResting(id, contracts(3));
    const r = await changes.apply(planned(pricePlan(await now(changes, id), "yes", usd("0.44"))));
    expect(r).toMatchObject({ kind: "changed", filledNow: 0 });
    expect(f.orders[0]).toMatchObject({
      yesPrice: usd("0.44"),
      initialCount: contracts(10),
      fillCount: contracts(3),
      remainingCount: contracts(7),
    });
  });
});

describe("the order's total is filled + resting, whatever initial_count says", () => {
  // Kalshi does not say a decrease changes `initial_count`; the sim shrinks it, so this builds an order
  // whose initial count still shows its first size after being reduced elsewhere (10 placed, 5 rest).
  async function reducedElsewhere(): Promise<OrderNow> {
    const { f, changes } = fx();
    const at = await now(changes, await resting(f, "0.40", 5));
    return { ...at, order: { ...at.order, initialCount: contracts(10) } };
  }

  it("a tick keeps the 5 that rest (an amend to 10 would put back what was taken off)", async () => {
    const at = await reducedElsewhere();
    const p = planned(tickPlan(at, "yes", "up"));
    expect(p.fromTotal).toBe(contracts(5));
    expect(p.toTotal).toBe(contracts(5));
  });

  it("Reduce refuses a total that is not smaller than the 5 that rest", async () => {
    const at = await reducedElsewhere();
    expect(reducePlan(at, "yes", contracts(7))).toMatchObject({ kind: "notSmaller", total: contracts(5) });
    expect(planned(reducePlan(at, "yes", contracts(3))).toTotal).toBe(contracts(3));
  });
});
