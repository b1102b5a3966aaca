/**
 * Measures the sim's order throughput: signed HTTP order creates (GTC resting and IOC crossing),
 * and raw in-process engine placements. Run: npx tsx bench/sim-orders.ts [N]
 * (bench/run.ts calls run()).
 */
import { pathToFileURL } from "node:url";
import { loadPrivateKey, signRequest } from "../src/exchange/kalshi/signer.js";
import { centis, micros } from "../src/domain/money.js";
import { USER } from "../src/sim/engine.js";
import { startSim } from "../src/sim/server.js";

const CONCURRENCY = 8;

export interface SimOrdersResult {
  httpOrders: number;
  httpSeconds: number;
  httpOrdersPerSec: number;
  engineOrders: number;
  engineSeconds: number;
  engineOrdersPerSec: number;
  concurrency: number;
  moneyDiscrepancy: number;
}

export async function run(N = 2000, opts: { quiet?: boolean } = {}): Promise<SimOrdersResult> {
  const log = opts.quiet ? () => undefined : (s: string) => console.log(s);
  const sim = await startSim({ livingMarket: false, rateLimit: false, startingBalance: micros(1e12) });
  try {
    const key = loadPrivateKey(sim.privateKeyPem);
    const markets = sim.engine
      .markets()
      .filter((m) => m.status === "active" && m.priceLevelStructure === "linear_cent");
    const url = `${sim.baseUrl}/portfolio/events/orders`;
    let i = 0;
    const one = async (k: number): Promise<void> => {
      const m = markets[k % markets.length]!;
      const top = sim.engine.top(m.ticker);
      const crossing = k % 2 === 1 && top.ask !== null;
      const price = crossing ? (top.ask! / 1e6).toFixed(2) : "0.01";
      const res = await fetch(url, {
        method: "POST",
        headers: { ...signRequest(key, sim.keyId, "POST", url), "content-type": "application/json" },
        body: JSON.stringify({
          ticker: m.ticker,
          side: "bid",
          price,
          count: "1",
          time_in_force: crossing ? "immediate_or_cancel" : "good_till_canceled",
          self_trade_prevention_type: "taker_at_cross",
          client_order_id: crypto.randomUUID(),
        }),
      });
      if (res.status !== 201) throw new Error(`order failed: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    };
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (i < N) await one(i++);
      }),
    );
    const httpSecs = (performance.now() - t0) / 1000;
    log(
      `HTTP (signed, ${CONCURRENCY} in flight): ${N} orders in ${httpSecs.toFixed(2)} s = ${Math.round(N / httpSecs)} orders/s`,
    );

    const M = N * 10;
    const t1 = performance.now();
    for (let k = 0; k < M; k++) {
      const m = markets[k % markets.length]!;
      const top = sim.engine.top(m.ticker);
      const crossing = k % 2 === 1 && top.ask !== null;
      sim.engine.placeOrder(USER, {
        ticker: m.ticker,
        side: "bid",
        price: crossing ? top.ask! : micros(10_000),
        count: centis(100),
        tif: crossing ? "immediate_or_cancel" : "good_till_canceled",
      });
    }
    const engSecs = (performance.now() - t1) / 1000;
    log(`Engine (in-process): ${M} orders in ${engSecs.toFixed(2)} s = ${Math.round(M / engSecs)} orders/s`);
    const moneyDiscrepancy = sim.engine.moneyDiscrepancy();
    log(`money discrepancy: ${moneyDiscrepancy} micros`);
    return {
      httpOrders: N,
      httpSeconds: httpSecs,
      httpOrdersPerSec: N / httpSecs,
      engineOrders: M,
      engineSeconds: engSecs,
      engineOrdersPerSec: M / engSecs,
      concurrency: CONCURRENCY,
      moneyDiscrepancy,
    };
  } finally {
    await sim.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run(Number(process.argv[2] ?? 2000)).catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
