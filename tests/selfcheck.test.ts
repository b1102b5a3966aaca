/**
 * `npm run selfcheck` against the sim, in process (selfcheckMain, the function the CLI calls): every
 * step passes on shard 0 and on the crypto series on shard 1; a step that fails mid-way (an injected
 * 500 on amend) and Ctrl-C still leave no order resting and exit non-zero.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Centis, Micros } from "../src/domain/money.js";
import { KalshiClient } from "../src/exchange/kalshi/client.js";
import { loadPrivateKey } from "../src/exchange/kalshi/signer.js";
import { OrderGuard } from "../src/selfcheck/guard.js";
import { USER as SIM_USER } from "../src/sim/engine.js";
import { startSim, type SimServer } from "../src/sim/server.js";
import { parseArgs, REAL_MONEY_FLAG, selfcheckMain, type SelfcheckHooks } from "../src/selfcheck/main.js";
import type { StepResult } from "../src/selfcheck/report.js";

const QUICK: SelfcheckHooks["client"] = { retry: { baseDelayMs: 1, maxDelayMs: 5 } };

async function run(hooks: SelfcheckHooks = {}) {
  const lines: string[] = [];
  let sim: SimServer | null = null;
  const result = await selfcheckMain([], {
    client: QUICK,
    ...hooks,
    out: (l) => lines.push(l),
    onStep: (r, s) => {
      sim = s;
      hooks.onStep?.(r, s);
    },
  });
  // The sim is closed by now; its engine still holds the account's orders.
  const orders = Object.values(sim!.engine.state.orders).filter((o) => o.accountId === SIM_USER);
  return { ...result, lines, sim: sim!, orders, resting: orders.filter((o) => o.status === "resting") };
}

const row = (steps: StepResult[], name: string) => steps.find((s) => s.step === name);

describe("npm run selfcheck against the sim", () => {
  it("passes every step on shard 0 and on the crypto series (shard 1), and leaves nothing resting", async () => {
    const r = await run();
    const steps = r.report!.steps;
    expect(steps.filter((s) => s.status !== "PASS")).toEqual([]);
    expect(r.code).toBe(0);
    for (const name of [
      "exchange status",
      "account limits",
      "endpoint costs",
      "API key location check",
      "balance per shard",
      "positions",
      "WebSocket fill + user_orders",
    ]) {
      expect(row(steps, name)?.status).toBe("PASS");
    }
    for (const round of ["market (shard 0)", "crypto (shard 1)"]) {
      for (const step of [
        "pick market",
        "place 1 YES bid",
        "user_orders shows it",
        "amend +1 tick (routed)",
        "decrease by 1 (routed)",
        "cancel (routed)",
        "user_orders shows cancel",
      ]) {
        expect(row(steps, `${round}: ${step}`)?.status, `${round}: ${step}`).toBe("PASS");
      }
    }
    expect(row(steps, "crypto (shard 1): pick market")!.said).toMatch(/^KXBTCD-/);
    expect(row(steps, "balance per shard")!.said).toContain("shard 0 $800.00, shard 1 $200.00");
    expect(row(steps, "API key location check")!.said).toMatch(
      /api_key_region_expiration_ts \d{4}-\d\d-\d\d/,
    );
    expect(steps.at(-1)).toMatchObject({ step: "nothing left resting", status: "PASS" });
    // Two orders were placed (one per round), both canceled; no secret in the output.
    expect(r.orders.map((o) => o.status)).toEqual(["canceled", "canceled"]);
    expect(r.resting).toEqual([]);
    expect(r.lines.join("\n")).not.toContain(r.sim.keyId);
    expect(r.lines.at(-1)).toMatch(/^All \d+ steps passed in \d+ ms\.$/);
  });

  it("a location check expiring in 1.5 days is a warning that reads 'in 1 day', not 'in 1 days'", async () => {
    const r = await run({
      sim: { apiKeyRegionExpirationTs: Math.floor(Date.now() / 1000) + 36 * 3600 },
    });
    const said = row(r.report!.steps, "API key location check")!.said;
    expect(said).toContain("WARNING: expires");
    expect(said).toContain("(in 1 day)");
    expect(r.code).toBe(0);
  });

  it("a failing amend (500 from the exchange) still cancels the order and exits non-zero", async () => {
    const r = await run({
      onStep: (s, sim) => {
        // From the first user_orders update on, every POST on an existing order answers 500.
        if (s.step === "market (shard 0): user_orders shows it") {
          sim!.addFault({ path: "/portfolio/events/orders/", method: "POST", kind: "500", count: 1000 });
        }
      },
    });
    const steps = r.report!.steps;
    expect(r.code).toBe(1);
    expect(r.report!.ok).toBe(false);
    const amend = row(steps, "market (shard 0): amend +1 tick (routed)")!;
    expect(amend.status).toBe("FAIL");
    expect(amend.said).toContain("HTTP 500");
    // The round stopped at the failure: no decrease was attempted on a half-amended order.
    expect(row(steps, "market (shard 0): decrease by 1 (routed)")).toBeUndefined();
    const cleanups = steps.filter((s) => s.step.startsWith("clean-up: cancel"));
    expect(cleanups.length).toBe(2);
    expect(cleanups.every((s) => s.status === "PASS" && s.said.includes("canceled"))).toBe(true);
    expect(row(steps, "nothing left resting")?.status).toBe("PASS");
    expect(r.orders.length).toBe(2);
    expect(r.resting).toEqual([]);
    expect(r.lines.at(-1)).toMatch(/FAILED/);
  });

  it("Ctrl-C right after the order is placed: it is canceled by id, nothing else runs, exit 130", async () => {
    const ac = new AbortController();
    const r = await run({
      signal: ac.signal,
      onStep: (s) => {
        if (s.step === "market (shard 0): place 1 YES bid" && s.status === "PASS") ac.abort();
      },
    });
    const steps = r.report!.steps;
    expect(r.code).toBe(130);
    expect(steps.some((s) => s.step.startsWith("crypto"))).toBe(false);
    expect(row(steps, "market (shard 0): amend +1 tick (routed)")).toBeUndefined();
    expect(row(steps, "clean-up: cancel " + r.orders[0]!.ticker)?.status).toBe("PASS");
    expect(row(steps, "nothing left resting")?.status).toBe("PASS");
    expect(steps.at(-1)).toMatchObject({ step: "interrupted", status: "FAIL" });
    expect(r.orders.map((o) => o.status)).toEqual(["canceled"]);
  });
});

describe("selfcheck options", () => {
  it("runs on the sim by default; demo by name; production only with the real-money flag", () => {
    expect(parseArgs([])).toEqual({ env: "sim" });
    expect(parseArgs(["--env", "demo"])).toEqual({ env: "demo" });
    const refused = parseArgs(["--env", "production"]);
    expect("error" in refused && refused.error).toContain(REAL_MONEY_FLAG);
    expect(parseArgs(["--env", "production", REAL_MONEY_FLAG])).toEqual({ env: "production" });
    expect("error" in parseArgs(["--env", "demo", REAL_MONEY_FLAG])).toBe(true);
    expect("error" in parseArgs(["--env", "live"])).toBe(true);
  });

  it("demo without keys says which settings are missing and places nothing", async () => {
    const lines: string[] = [];
    const r = await selfcheckMain(["--env", "demo"], {
      env: { KALSHI_API_KEY: "", KALSHI_PRIVATE_KEY_PATH: "" },
      out: (l) => lines.push(l),
    });
    expect(r.code).toBe(2);
    expect(r.report).toBeNull();
    expect(lines.join("\n")).toContain("KALSHI_API_KEY");
  });
});

describe("OrderGuard", () => {
  it("an order whose create answer never came is found by client_order_id and canceled, routed (shard 1)", async () => {
    const sim = await startSim({ livingMarket: false, rateLimit: false });
    const client = new KalshiClient({
      baseUrl: sim.baseUrl,
      keyId: sim.keyId,
      privateKey: loadPrivateKey(sim.privateKeyPem),
      rateLimit: false,
    });
    try {
      const ticker = (await client.getMarkets({ status: "open", seriesTicker: "KXBTCD" }))[0]!.ticker;
      const guard = new OrderGuard(client);
      const clientOrderId = randomUUID();
      guard.creating(clientOrderId, ticker);
      // The create went through, but the self-check never learned the order id.
      await client.createOrder({
        ticker,
        side: "bid",
        count: 100 as Centis,
        price: 1_000 as Micros,
        timeInForce: "good_till_canceled",
        clientOrderId,
        postOnly: true,
      });
      expect(guard.open).toBe(1);
      const out = await guard.cleanup();
      expect(out).toHaveLength(1);
      expect(out[0]).toMatchObject({ ticker, leftBehind: false });
      expect(out[0]!.said).toContain("canceled");
      expect(guard.open).toBe(0);
      const resting = Object.values(sim.engine.state.orders).filter(
        (o) => o.accountId === SIM_USER && o.status === "resting",
      );
      expect(resting).toEqual([]);
      // A second clean-up has nothing left to do.
      expect(await guard.cleanup()).toEqual([]);
    } finally {
      await client.close();
      await sim.close();
    }
  });
});
