/**
 * The real stack against the sim, for integration tests: an in-process sim on 127.0.0.1 (port 0),
 * the project's KalshiClient signed with the sim's key, and createTradingServices over that client
 * with its journal (LOG_DIR) and exports (DATA_DIR) in a fresh tmp dir.
 *
 *   const stack = await startSimStack();           // livingMarket off, rateLimit off
 *   afterEach(() => stack.close());                 // closes services, client, sim; removes the tmp dir
 *   await stack.services.executor.quote(...);
 *   stack.sim.trade(...) / stack.sim.settle(...) / stack.sim.engine.advanceClock(ms)
 *
 * The services' clock follows the sim's clock (`sim.engine.now()`), so advancing the sim clock moves
 * "now" for quotes, history and the portfolio too. Request signing keeps the wall clock, as the sim
 * checks signatures against it.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDollars } from "../../src/domain/money.js";
import { KalshiClient } from "../../src/exchange/kalshi/client.js";
import { loadPrivateKey } from "../../src/exchange/kalshi/signer.js";
import { type SimOptions, type SimServer, startSim } from "../../src/sim/server.js";
import {
  type TradingServices,
  type TradingServicesDeps,
  createTradingServices,
} from "../../src/trading/index.js";

export interface SimStackOptions {
  /** Passed to startSim; defaults: livingMarket false, rateLimit false. */
  sim?: SimOptions;
  /** Overrides of the executor config (defaults: 100 contracts, $100, 30 s, $0.02 slippage). */
  config?: Partial<TradingServicesDeps["config"]>;
  /** Other createTradingServices deps (environment "sim", time zone America/New_York by default). */
  services?: Partial<Omit<TradingServicesDeps, "exchange" | "config">>;
  /** Client retry backoff; small by default so fault tests stay fast. */
  retry?: { baseDelayMs: number; maxDelayMs: number };
}

export interface SimStack {
  sim: SimServer;
  client: KalshiClient;
  services: TradingServices;
  /** Tmp dir holding logDir and dataDir. */
  dir: string;
  logDir: string;
  dataDir: string;
  /** Idempotent; closes services, client and sim, then removes the tmp dir. */
  close(): Promise<void>;
}

export async function startSimStack(opts: SimStackOptions = {}): Promise<SimStack> {
  const dir = await mkdtemp(join(tmpdir(), "simstack-"));
  const logDir = join(dir, "logs");
  const dataDir = join(dir, "data");
  const sim = await startSim({ livingMarket: false, rateLimit: false, ...opts.sim });
  const client = await KalshiClient.create({
    baseUrl: sim.baseUrl,
    keyId: sim.keyId,
    privateKey: loadPrivateKey(sim.privateKeyPem),
    rateLimit: false,
    retry: opts.retry ?? { baseDelayMs: 5, maxDelayMs: 20 },
    timeoutMs: 5_000,
  });
  const services = createTradingServices({
    exchange: client,
    config: {
      maxOrderContracts: 100,
      maxOrderCost: parseDollars("100"),
      confirmTimeoutMs: 30_000,
      marketOrderSlippage: parseDollars("0.02"),
      ...opts.config,
    },
    environment: "sim",
    timeZone: "America/New_York",
    logDir,
    dataDir,
    now: () => sim.engine.now(),
    ...opts.services,
  });
  let closing: Promise<void> | null = null;
  return {
    sim,
    client,
    services,
    dir,
    logDir,
    dataDir,
    close() {
      closing ??= (async () => {
        await Promise.allSettled([services.close(), client.close()]);
        await sim.close();
        await rm(dir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}
