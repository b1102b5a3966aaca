/**
 * The self-check against one exchange (the sim, Kalshi's demo, or production): the account reads
 * (status, limits, endpoint costs, API keys with the location attestation, balance per shard,
 * positions), the private WebSocket, then one order round per RoundSpec. Every response is read
 * through the client's schemas, so drift fails the step that met it. Clean-up runs whatever
 * happened (failed step, Ctrl-C through `signal`) and the last row proves nothing was left resting.
 */
import { displayUsd } from "../domain/money.js";
import type { EndpointCost, ExchangePort, ExchangeStream } from "../exchange/port.js";
import { type Attestation, attestationOf, daysLeft } from "../trading/account.js";
import { OrderEvents } from "./events.js";
import { OrderGuard } from "./guard.js";
import { CheckFailed, Interrupted, type Said, said, type StepResult, StepRunner } from "./report.js";
import { type RoundSpec, runRound } from "./round.js";

export interface SelfcheckOptions {
  exchange: ExchangePort;
  stream: ExchangeStream;
  rounds: RoundSpec[];
  /** Strings never printed (the API key id). */
  secrets: string[];
  /** Ctrl-C: the remaining steps do not start; clean-up still runs. */
  signal?: AbortSignal;
  /** Told of each row as it is decided (the CLI prints it at once). */
  onStep?: (r: StepResult) => void;
  /** Why the WebSocket last failed to connect (the stream's own warning), for the FAIL row. */
  streamProblem?: () => string | null;
  /** How long to wait for a user_orders update (default 10 s). */
  wsTimeoutMs?: number;
  now?: () => number;
}

export interface SelfcheckReport {
  steps: StepResult[];
  /** Every step passed (or was skipped) and nothing was left resting. */
  ok: boolean;
}

/** Exit status of the `npm run selfcheck` process for a report. */
export function exitCodeOf(r: SelfcheckReport): number {
  return r.ok ? 0 : 1;
}

function shortPath(p: string): string {
  return p.replace(/^\/trade-api\/v2/, "");
}

/** The default and the order endpoints' costs (the ones the bot uses); the rest only counted. */
function costsText(defaultCost: number, endpoints: EndpointCost[]): string {
  const orders = endpoints.filter((e) => shortPath(e.path).startsWith("/portfolio/"));
  const list = orders.map((e) => `${e.method} ${shortPath(e.path)} ${e.cost}`).join(", ");
  const others = endpoints.length - orders.length;
  return `default ${defaultCost} tokens${list ? `; ${list}` : ""}${others ? `; ${others} other endpoint${others === 1 ? "" : "s"} differ` : ""}`;
}

async function accountReads(exchange: ExchangePort, steps: StepRunner, now: () => number): Promise<void> {
  await steps.run("exchange status", async () => {
    const s = await exchange.getExchangeStatus();
    if (!s.exchangeActive || !s.tradingActive) {
      throw new CheckFailed(`exchange active: ${s.exchangeActive}, trading active: ${s.tradingActive}`);
    }
    return said(s, "exchange active, trading active");
  });
  await steps.run("account limits", async () => {
    const l = await exchange.getAccountLimits();
    return said(
      l,
      `tier ${l.usageTier}: read ${l.read.refillRate}/s (bucket ${l.read.bucketCapacity}), write ${l.write.refillRate}/s (bucket ${l.write.bucketCapacity})`,
    );
  });
  await steps.run("endpoint costs", async () => {
    const c = await exchange.getEndpointCosts();
    return said(c, costsText(c.defaultCost, c.endpoints));
  });
  await steps.run("API key location check", async (): Promise<Said<Attestation>> => {
    const k = await exchange.getApiKeys();
    const a = attestationOf(k.regionExpiration, now());
    const keys = `${k.keys.length} API key${k.keys.length === 1 ? "" : "s"}`;
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const inDays = (ms: number) => {
      const n = daysLeft(ms);
      return n === 0 ? "in less than a day" : `in ${n} day${n === 1 ? "" : "s"}`;
    };
    switch (a.kind) {
      case "lapsed":
        throw new CheckFailed(
          `${keys}; api_key_region_expiration_ts ${day(a.expiredAt)} has passed: Kalshi refuses orders until it is renewed`,
        );
      case "never":
        return said(a, `${keys}; no api_key_region_expiration_ts: the account never attested its location`);
      case "expiring":
        return said(
          a,
          `${keys}; WARNING: expires ${day(a.expiresAt)} (${inDays(a.msLeft)}), renew it on kalshi.com`,
        );
      default:
        return said(
          a,
          `${keys}; api_key_region_expiration_ts ${day(k.regionExpiration!)} (${inDays(k.regionExpiration! - now())})`,
        );
    }
  });
  await steps.run("balance per shard", async () => {
    const b = await exchange.getBalance();
    const shards = b.byShard.map((s) => `shard ${s.exchangeIndex} ${displayUsd(s.balance)}`).join(", ");
    return said(
      b,
      `cash ${displayUsd(b.balance)} (${shards || "no balance_breakdown"}); portfolio value ${displayUsd(b.portfolioValue)}`,
    );
  });
  await steps.run("positions", async () => {
    const p = await exchange.getPositions();
    return said(p, `${p.length} open position${p.length === 1 ? "" : "s"}`);
  });
}

export async function runSelfcheck(o: SelfcheckOptions): Promise<SelfcheckReport> {
  const now = o.now ?? Date.now;
  const steps = new StepRunner({
    secrets: o.secrets,
    now,
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.onStep ? { onStep: o.onStep } : {}),
  });
  const guard = new OrderGuard(o.exchange);
  const events = new OrderEvents(o.stream, o.signal);
  try {
    await accountReads(o.exchange, steps, now);
    await steps.run("WebSocket fill + user_orders", async () => {
      await o.stream.start();
      if (!o.stream.connected) {
        const why = o.streamProblem?.();
        throw new CheckFailed(`could not connect and subscribe${why ? `: ${why}` : ""}`);
      }
      return said(true, "connected, both channels subscribed");
    });
    for (const spec of o.rounds) {
      if (o.signal?.aborted) break;
      await runRound(
        { exchange: o.exchange, steps, guard, events, wsTimeoutMs: o.wsTimeoutMs ?? 10_000 },
        spec,
      );
    }
  } catch (e) {
    if (!(e instanceof Interrupted)) throw e;
  } finally {
    events.close();
    await cleanUp(o.exchange, steps, guard);
  }
  if (o.signal?.aborted) {
    steps.record({ step: "interrupted", status: "FAIL", ms: 0, said: "stopped by Ctrl-C after cleaning up" });
  }
  return { steps: steps.results, ok: !steps.failed };
}

async function cleanUp(exchange: ExchangePort, steps: StepRunner, guard: OrderGuard): Promise<void> {
  for (const c of await guard.cleanup()) {
    steps.record({
      step: `clean-up: cancel ${c.ticker}`,
      status: c.leftBehind ? "FAIL" : "PASS",
      ms: 0,
      said: `${c.ref}: ${c.said}`,
    });
  }
  await steps.run(
    "nothing left resting",
    async () => {
      const ids = guard.clientOrderIds();
      const left = (await exchange.getOrders({ status: "resting" })).filter(
        (x) => x.clientOrderId !== null && ids.has(x.clientOrderId),
      );
      if (left.length) {
        throw new CheckFailed(
          `still resting: ${left.map((x) => `${x.orderId} (${x.ticker})`).join(", ")} — cancel them on kalshi.com`,
        );
      }
      return said(true, `none of the self-check's ${ids.size === 0 ? "(no) " : ""}orders rests`);
    },
    { always: true },
  );
}
