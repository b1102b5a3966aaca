/**
 * The simulated Kalshi exchange: node:http + ws on 127.0.0.1 speaking Kalshi's REST and WebSocket
 * wire format, with Kalshi-style auth, token-bucket rate limits, fault injection and control
 * endpoints under /sim/. This file only wires the parts together; each part has its own module:
 * persistence.ts, auth.ts, http/ (pipeline, router, one file per route group), control.ts,
 * faults.ts, ws/ and livingMarket.ts.
 */
import { createServer } from "node:http";
import winston from "winston";
import type { Micros } from "../domain/money.js";
import { createAuthenticator, type WallClock } from "./auth.js";
import { LiveCatalog, type LiveCatalogOptions } from "./catalog/live.js";
import type { SimContext } from "./context.js";
import { type SimTradeArgs, type TradeResult, createControl, tradeAsOther } from "./control.js";
import { type ClientOrderIdPolicy, type EngineState, SimEngine } from "./engine.js";
import { FaultInjector, type FaultRequest } from "./faults.js";
import { registerAccountRoutes } from "./http/accountRoutes.js";
import { registerExchangeRoutes, registerMarketRoutes } from "./http/marketRoutes.js";
import { REST_PREFIX, WS_PATH } from "./http/message.js";
import { registerOrderRoutes } from "./http/orderRoutes.js";
import { createRequestHandler } from "./http/pipeline.js";
import { registerPortfolioRoutes } from "./http/portfolioRoutes.js";
import { Router } from "./http/router.js";
import { startLivingMarket } from "./livingMarket.js";
import { loadSavedState, persistEngine } from "./persistence.js";
import { type SimKeys, TokenBucket, loadOrCreateKeys } from "./support.js";
import { attachWebSockets } from "./ws/hub.js";

export { SimEngine, SimError } from "./engine.js";
export { resetPersisted } from "./persistence.js";
export type { SimTradeArgs } from "./control.js";
export type { FaultKind } from "./faults.js";

export interface SimOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: "127.0.0.1";
  /** Persist the account here; undefined = in-memory. */
  dataDir?: string;
  startingBalance?: Micros;
  seed?: number;
  /** Default on (every 2 s). Tests pass false or a fast interval. */
  livingMarket?: boolean | { intervalMs: number };
  /** A registered public key (PEM); then `privateKeyPem` is empty. */
  publicKeyPem?: string;
  /** The key id to accept (default: generated, or the one stored in keyDir). */
  keyId?: string;
  /** Generate/load the key pair here (mode 0600). */
  keyDir?: string;
  /**
   * Basic tier (200 read / 100 write tokens per second, buckets of one second) by default. `clock`
   * (ms) drives the refill; tests freeze it to count tokens exactly.
   */
  rateLimit?: boolean | { read: number; write: number; clock?: () => number };
  now?: () => number;
  logger?: winston.Logger;
  /** Allowed clock skew of KALSHI-ACCESS-TIMESTAMP. Default 30 s. */
  maxSkewMs?: number;
  /** The sim's wall clock runs this far ahead (negative: behind) of the machine's (`Date` header, skew check). */
  wallClockOffsetMs?: number;
  /** WebSocket heartbeat ping interval. Default 10 s. */
  pingIntervalMs?: number;
  /** Age at which fills and finished orders move to /historical/*. Default 30 days. */
  historicalCutoffMs?: number;
  /**
   * Serve at most this many items per list page whatever `limit` asks for (a server may return
   * short pages; clients must follow `cursor`). Default: no cap beyond the spec maxima.
   */
  maxPageSize?: number;
  /**
   * "strict" (default): a create whose client_order_id matches an OPEN (resting) order of the
   * account is refused with 409 `duplicate_client_order_id`; one that matches a finished order
   * (executed, canceled) is a new order. "lenient": the old behaviour, deduplicating against every
   * earlier order (see `duplicateClientOrderId`), kept for comparison.
   */
  clientOrderIds?: ClientOrderIdPolicy;
  /**
   * Lenient mode only — a create with a client_order_id already used: "existing" (default)
   * answers 201 with that order; "conflict" answers 409 `duplicate_client_order_id`. Nothing new
   * is created either way.
   */
  duplicateClientOrderId?: "existing" | "conflict";
  /** Starting cash per exchange shard (default: startingBalance, 80 % shard 0 / 20 % shard 1). */
  shardBalances?: Partial<Record<number, Micros>>;
  /**
   * `api_key_region_expiration_ts` of GET /api_keys (Unix seconds): when the account's location
   * attestation expires; null = never attested (the field is then absent). Default: 60 days
   * after the sim starts. Also settable via `POST /sim/api_keys/region`.
   */
  apiKeyRegionExpirationTs?: number | null;
  /**
   * Which markets the sim lists: the small readable fixtures (default) or a live-sized generated
   * catalog (SIM_CATALOG=live; sizes overridable for tests).
   */
  catalog?: "fixtures" | "live" | Omit<LiveCatalogOptions, "now" | "seed">;
}

export interface SimServer {
  baseUrl: string;
  wsUrl: string;
  controlUrl: string;
  keyId: string;
  privateKeyPem: string;
  privateKeyPath?: string;
  engine: SimEngine;
  /** Trade against the book as another account. */
  trade(args: SimTradeArgs): TradeResult;
  settle(ticker: string, result: "yes" | "no"): void;
  closeMarket(ticker: string): void;
  addFault(f: FaultRequest): void;
  clearFaults(): void;
  dropWebSockets(): void;
  setLatency(ms: number): void;
  /** Moves the sim's wall clock (see SimOptions.wallClockOffsetMs); also `POST /sim/wall_clock`. */
  setWallClockOffset(ms: number): void;
  /** Sets GET /api_keys' `api_key_region_expiration_ts` (Unix seconds; null = never attested). */
  setApiKeyRegionExpiration(ts: number | null): void;
  reset(): void;
  state(): Record<string, unknown>;
  /** Writes the persisted state now (no-op without dataDir). */
  flush(): void;
  close(): Promise<void>;
}

const silentLogger = (): winston.Logger =>
  winston.createLogger({ silent: true, transports: [new winston.transports.Console({ silent: true })] });

/** The live-sized catalog when asked for one, else null (the fixtures). */
function liveCatalog(opts: SimOptions, saved: EngineState | undefined): LiveCatalog | null {
  if (opts.catalog === undefined || opts.catalog === "fixtures") return null;
  return new LiveCatalog({
    ...(opts.catalog === "live" ? {} : opts.catalog),
    seed: opts.seed,
    now: (opts.now ?? Date.now)() + (saved?.clockOffset ?? 0),
  });
}

/** The engine, with the saved account and the chosen catalog, and the shared context around it. */
function buildContext(opts: SimOptions, keys: SimKeys, logger: winston.Logger): SimContext {
  const saved = loadSavedState(opts.dataDir, logger);
  const live = liveCatalog(opts, saved);
  const engine = new SimEngine({
    startingBalance: opts.startingBalance,
    seed: opts.seed,
    now: opts.now,
    historicalCutoffMs: opts.historicalCutoffMs,
    state: saved,
    shardBalances: opts.shardBalances,
    clientOrderIds: opts.clientOrderIds,
    source: live ?? undefined,
  });
  live?.attach(engine);
  const rl = opts.rateLimit ?? true;
  return {
    engine,
    logger,
    keys,
    live,
    pageCap: opts.maxPageSize !== undefined && opts.maxPageSize > 0 ? opts.maxPageSize : Infinity,
    limits: typeof rl === "object" ? rl : { read: 200, write: 100 },
    duplicateClientOrderId: opts.duplicateClientOrderId,
    account: {
      regionExpirationTs:
        opts.apiKeyRegionExpirationTs !== undefined
          ? opts.apiKeyRegionExpirationTs
          : Math.floor(engine.now() / 1000) + 60 * 86_400,
    },
  };
}

/** The REST routes, registered in the order their patterns must be tried. */
function buildRouter(ctx: SimContext): Router {
  const router = new Router();
  registerExchangeRoutes(router, ctx);
  registerAccountRoutes(router, ctx);
  registerPortfolioRoutes(router, ctx);
  registerOrderRoutes(router, ctx);
  registerMarketRoutes(router, ctx);
  return router;
}

/** Basic tier token buckets (one second of capacity), or null when rate limiting is off. */
function buildBuckets(opts: SimOptions, limits: SimContext["limits"]) {
  const rl = opts.rateLimit ?? true;
  if (!rl) return null;
  const clock = typeof rl === "object" ? rl.clock : undefined;
  return {
    read: new TokenBucket(limits.read, limits.read, clock),
    write: new TokenBucket(limits.write, limits.write, clock),
  };
}

export async function startSim(opts: SimOptions = {}): Promise<SimServer> {
  const logger = opts.logger ?? silentLogger();
  const host = opts.host ?? "127.0.0.1";
  const keys = loadOrCreateKeys({ publicKeyPem: opts.publicKeyPem, keyId: opts.keyId, keyDir: opts.keyDir });
  const ctx = buildContext(opts, keys, logger);
  const { engine } = ctx;
  const { flush } = persistEngine(engine, opts.dataDir, logger);
  const wallClock: WallClock = { offsetMs: opts.wallClockOffsetMs ?? 0 };
  const authenticate = createAuthenticator(keys, opts.maxSkewMs ?? 30_000, wallClock);
  const faults = new FaultInjector();
  let closed = false;
  const server = createServer();
  const ws = attachWebSockets(server, engine, authenticate, opts.pingIntervalMs ?? 10_000);
  const control = createControl(ctx, { faults, dropWebSockets: ws.drop, flush, wallClock });
  const handle = createRequestHandler({
    engine,
    logger,
    authenticate,
    wallClock,
    faults,
    control,
    flush,
    router: buildRouter(ctx),
    buckets: buildBuckets(opts, ctx.limits),
    isClosed: () => closed,
  });
  server.on("request", (req, res) => void handle(req, res));
  const stopLiving = startLivingMarket(engine, opts.livingMarket ?? true, logger);
  const port = await listen(server, opts.port ?? 0, host);
  const origin = `http://${host}:${port}`;
  logger.info(`sim: listening on ${origin}${REST_PREFIX}`);

  let closing: Promise<void> | null = null;
  return {
    baseUrl: `${origin}${REST_PREFIX}`,
    wsUrl: `ws://${host}:${port}${WS_PATH}`,
    controlUrl: `${origin}/sim`,
    keyId: keys.keyId,
    privateKeyPem: keys.privateKeyPem,
    privateKeyPath: keys.privateKeyPath,
    engine,
    trade: (a) => tradeAsOther(engine, a),
    settle: (ticker, result) => void engine.settle(ticker, result),
    closeMarket: (ticker) => void engine.close(ticker),
    addFault: (f) => faults.add(f),
    clearFaults: () => faults.table.clear(),
    dropWebSockets: () => void ws.drop(),
    setLatency: (ms) => void (faults.latencyMs = ms),
    setWallClockOffset: (ms) => void (wallClock.offsetMs = ms),
    setApiKeyRegionExpiration: (ts) => void (ctx.account.regionExpirationTs = ts),
    reset: () => {
      engine.reset();
      flush();
    },
    state: () => engine.snapshot(),
    flush,
    close: () =>
      (closing ??= (async () => {
        closed = true;
        stopLiving();
        flush();
        engine.removeAllListeners();
        faults.releaseHung();
        await ws.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })()),
  };
}

/** Listens on `port` (0: any free one) and returns the port actually bound. */
async function listen(server: ReturnType<typeof createServer>, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const addr = server.address();
  return typeof addr === "object" && addr ? addr.port : 0;
}
