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
 *
 * `startSimStack({ countRequests: true })` puts a pass-through HTTP proxy (127.0.0.1, port 0) between
 * the client and the sim that logs every REST request as "GET /markets" (below /trade-api/v2, without
 * the query) in `stack.requests`, so a test can assert how many requests a use case costs.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
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
  /** Log every REST request the client sends in `requests` (through a counting proxy). */
  countRequests?: boolean;
}

export interface SimStack {
  sim: SimServer;
  client: KalshiClient;
  services: TradingServices;
  /** Tmp dir holding logDir and dataDir. */
  dir: string;
  logDir: string;
  dataDir: string;
  /** With countRequests: every REST request so far, as "GET /markets"; clear it with `requests.length = 0`. */
  requests: string[];
  /** Idempotent; closes services, client and sim, then removes the tmp dir. */
  close(): Promise<void>;
}

export async function startSimStack(opts: SimStackOptions = {}): Promise<SimStack> {
  const dir = await mkdtemp(join(tmpdir(), "simstack-"));
  const logDir = join(dir, "logs");
  const dataDir = join(dir, "data");
  const sim = await startSim({ livingMarket: false, rateLimit: false, ...opts.sim });
  const requests: string[] = [];
  const proxy = opts.countRequests ? await startCountingProxy(new URL(sim.baseUrl), requests) : null;
  const client = await KalshiClient.create({
    baseUrl: proxy ? `${proxy.url}${new URL(sim.baseUrl).pathname}` : sim.baseUrl,
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
    requests,
    close() {
      closing ??= (async () => {
        await Promise.allSettled([services.close(), client.close()]);
        await proxy?.close();
        await sim.close();
        await rm(dir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}

/** A pass-through proxy to the sim that logs "METHOD /path" (below /trade-api/v2, no query) per request. */
export async function startCountingProxy(
  target: URL,
  log: string[],
): Promise<{ url: string; close(): Promise<void> }> {
  const agent = new http.Agent({ keepAlive: true });
  const prefix = target.pathname.replace(/\/$/, "");
  const server = http.createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0]!;
    log.push(`${req.method} ${path.startsWith(prefix) ? path.slice(prefix.length) : path}`);
    const up = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
        agent,
      },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      agent.destroy();
    },
  };
}
