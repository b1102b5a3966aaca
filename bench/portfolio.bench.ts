/**
 * Portfolio with 200 positions against the exchange double (tests/support/simExchange.ts) with a per-request latency: the batched
 * portfolio service next to a naive one-request-per-position baseline, measured in the same run.
 * Run: npx tsx bench/portfolio.bench.ts [positions] [latencyMs]
 */
import { pathToFileURL } from "node:url";
import { createPortfolioService } from "../src/trading/portfolio.js";
import { sellPriceOf } from "../src/trading/holdings.js";
import { SimExchange } from "../tests/support/simExchange.js";

export interface PortfolioBenchResult {
  positions: number;
  latencyMs: number;
  batched: { requests: number; ms: number };
  naive: { requests: number; ms: number };
}

/** `positions` priced positions (half YES, half NO) with a fill each, on the exchange double. */
export function world(positions: number, latencyMs: number): SimExchange {
  const now = Date.now();
  const fx = new SimExchange({ latencyMs, now: () => now });
  for (let i = 0; i < positions; i++) {
    const t = `KXBENCH${i}-26DEC31-T${i}`;
    fx.addMarket({ ticker: t, title: `Bench market ${i}` });
    fx.setBook(t, { yes: [["0.40", 10]], no: [["0.55", 10]] });
    fx.addFill({
      ticker: t,
      side: i % 2 ? "bid" : "ask",
      yesPrice: "0.42",
      count: 3,
      fee: "0.06",
      time: now - 86_400_000,
    });
    fx.setPosition(t, i % 2 ? 3 : -3);
  }
  return fx;
}

/** What a first implementation would do: ask for each position's market and book one by one. */
async function naiveView(fx: SimExchange): Promise<number> {
  const positions = await fx.getPositions();
  await fx.getBalance();
  await fx.getOrders({ status: "resting" });
  let total = 0;
  for (const p of positions) {
    const m = await fx.getMarket(p.ticker);
    const book = await fx.getOrderbook(p.ticker);
    total += sellPriceOf(p.position > 0 ? "yes" : "no", m, book) ?? 0;
  }
  return total;
}

export async function run(positions = 200, latencyMs = 2): Promise<PortfolioBenchResult> {
  const a = world(positions, latencyMs);
  const svc = createPortfolioService({ exchange: a, timeZone: "America/New_York" });
  let t = performance.now();
  const view = await svc.view();
  const batched = { requests: a.requests, ms: performance.now() - t };
  if (view.positions.length !== positions) throw new Error("portfolio bench: wrong position count");

  const b = world(positions, latencyMs);
  t = performance.now();
  await naiveView(b);
  const naive = { requests: b.requests, ms: performance.now() - t };

  const result = { positions, latencyMs, batched, naive };
  console.log(`portfolio: ${positions} positions, ${latencyMs} ms per request (exchange double)`);
  console.log(`  batched : ${batched.requests} requests, ${batched.ms.toFixed(1)} ms`);
  console.log(
    `  naive   : ${naive.requests} requests, ${naive.ms.toFixed(1)} ms (one market + one book request per position)`,
  );
  return result;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [n, l] = process.argv.slice(2).map(Number);
  await run(n || 200, l || 2);
}
