/**
 * The simulated Kalshi exchange: node:http + ws on 127.0.0.1 speaking Kalshi's REST and WebSocket
 * wire format, with Kalshi-style auth, token-bucket rate limits, fault injection and control
 * endpoints under /sim/.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import winston from "winston";
import { WebSocketServer, type WebSocket, type RawData } from "ws";
import {
  type Centis,
  type Micros,
  formatCount,
  formatDollars,
  micros,
  tryParseCount,
  tryParseDollars,
} from "../domain/money.js";
import {
  HEADER_KEY,
  HEADER_SIGNATURE,
  HEADER_TIMESTAMP,
  REST_PREFIX,
  WS_PATH,
  verifyKalshiSignature,
} from "../exchange/kalshi/signer.js";
import {
  type BookSide,
  type ClientOrderIdPolicy,
  type EngineState,
  type SimOrder,
  type TimeInForce,
  SimEngine,
  SimError,
  USER,
} from "./engine.js";
import { endpointCostsToWire, tokenCost } from "./endpointCosts.js";
import { SHARDS } from "./fixtures.js";
import {
  type Route as OrderRoute,
  bad,
  findRoutedOrder,
  intParam,
  parseAmend,
  parseCreateOrder,
  parseDecrease,
  parseRoute,
  subaccountField,
} from "./orderRequests.js";
import { LiveCatalog, type LiveCatalogOptions } from "./catalog/live.js";
import { fixtureMarketData, liveMarketData } from "./catalog/marketData.js";
import { marketDataRoutes } from "./catalog/routes.js";
import {
  type Fault,
  type FaultKind,
  FAULT_KINDS,
  FaultTable,
  type SimKeys,
  TokenBucket,
  loadOrCreateKeys,
  writeAtomic,
} from "./support.js";
import {
  amendResponseToWire,
  createResponseToWire,
  eventPositionsToWire,
  fillToWire,
  iso,
  marketToWire,
  orderToWire,
  orderbookToWire,
  positionToWire,
  settlementToWire,
  wsFill,
  wsMarketPosition,
  wsTicker,
  wsUserOrder,
} from "./wire.js";

export { SimEngine, SimError } from "./engine.js";

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

export interface SimTradeArgs {
  ticker: string;
  side: BookSide;
  /** YES price, dollars string ("0.56") or Micros number. */
  price: string | number;
  /** Contracts, string ("10") or whole number. */
  count: string | number;
  time_in_force?: TimeInForce;
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
  trade(args: SimTradeArgs): ReturnType<SimEngine["trade"]>;
  settle(ticker: string, result: "yes" | "no"): void;
  closeMarket(ticker: string): void;
  addFault(f: { path: string; method?: string; kind: FaultKind; count?: number }): void;
  clearFaults(): void;
  dropWebSockets(): void;
  setLatency(ms: number): void;
  /** Sets GET /api_keys' `api_key_region_expiration_ts` (Unix seconds; null = never attested). */
  setApiKeyRegionExpiration(ts: number | null): void;
  reset(): void;
  state(): Record<string, unknown>;
  /** Writes the persisted state now (no-op without dataDir). */
  flush(): void;
  close(): Promise<void>;
}

const STATE_FILE = "sim-state.json";
const silentLogger = (): winston.Logger =>
  winston.createLogger({ silent: true, transports: [new winston.transports.Console({ silent: true })] });

type Json = Record<string, unknown>;
type Query = URLSearchParams;

interface Reply {
  status: number;
  body?: unknown;
  raw?: string;
}

function errorBody(e: SimError): Json {
  const inner: Json = { code: e.code, message: e.message };
  if (e.details !== undefined) inner.details = e.details;
  return { error: inner };
}

function paginate<T>(
  items: T[],
  q: Query,
  defLimit = 100,
  maxLimit = 1000,
  pageCap = Infinity,
): { page: T[]; cursor: string } {
  let limit = intParam(q, "limit", 0, maxLimit) ?? defLimit;
  if (limit === 0) limit = defLimit;
  limit = Math.min(limit, pageCap);
  const c = q.get("cursor");
  let offset = 0;
  if (c) {
    const decoded = Buffer.from(c, "base64url").toString();
    if (!/^o:\d+$/.test(decoded)) throw bad("cursor is not valid");
    offset = Number(decoded.slice(2));
  }
  const page = items.slice(offset, offset + limit);
  const next = offset + limit < items.length ? Buffer.from(`o:${offset + limit}`).toString("base64url") : "";
  return { page, cursor: next };
}

function marketId(ticker: string): string {
  const h = createHash("sha256").update(ticker).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function isLoopback(addr: string | undefined): boolean {
  return addr === "127.0.0.1" || addr === "::1" || addr === "::ffff:127.0.0.1";
}

// ---------------------------------------------------------------- WebSocket sessions

const CHANNELS = ["fill", "user_orders", "market_positions", "ticker", "orderbook_delta"] as const;
type Channel = (typeof CHANNELS)[number];
const KNOWN_CHANNELS = new Set<string>([
  ...CHANNELS,
  "trade",
  "market_lifecycle_v2",
  "multivariate_market_lifecycle",
  "communications",
  "order_group_updates",
  "cfbenchmarks_value",
  "cfbenchmarks_value_5hz",
  "pyth_value",
]);

interface Subscription {
  sid: number;
  channel: Channel;
  tickers: Set<string> | null;
  seq: number;
  /** orderbook_delta: last levels sent per ticker, keyed "yes|price" → count. */
  books: Map<string, Map<string, number>>;
}

interface Session {
  ws: WebSocket;
  subs: Map<number, Subscription>;
  nextSid: number;
}

// ---------------------------------------------------------------- start

export async function startSim(opts: SimOptions = {}): Promise<SimServer> {
  const logger = opts.logger ?? silentLogger();
  const host = opts.host ?? "127.0.0.1";
  const maxSkew = opts.maxSkewMs ?? 30_000;
  const pageCap = opts.maxPageSize !== undefined && opts.maxPageSize > 0 ? opts.maxPageSize : Infinity;
  const keys: SimKeys = loadOrCreateKeys({
    publicKeyPem: opts.publicKeyPem,
    keyId: opts.keyId,
    keyDir: opts.keyDir,
  });
  const statePath = opts.dataDir ? join(opts.dataDir, STATE_FILE) : null;

  let saved: EngineState | undefined;
  if (statePath && existsSync(statePath)) {
    try {
      saved = JSON.parse(readFileSync(statePath, "utf8")) as EngineState;
      if (saved.version !== 1) saved = undefined;
    } catch (e) {
      logger.warn("sim: the saved state could not be read; starting over", { error: String(e) });
      saved = undefined;
    }
  }
  const live =
    opts.catalog === undefined || opts.catalog === "fixtures"
      ? null
      : new LiveCatalog({
          ...(opts.catalog === "live" ? {} : opts.catalog),
          seed: opts.seed,
          now: (opts.now ?? Date.now)() + (saved?.clockOffset ?? 0),
        });
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
  let apiKeyRegionExpiration: number | null =
    opts.apiKeyRegionExpirationTs !== undefined
      ? opts.apiKeyRegionExpirationTs
      : Math.floor(engine.now() / 1000) + 60 * 86_400;

  // ---- persistence (debounced, atomic)
  let saveTimer: NodeJS.Timeout | null = null;
  const flush = (): void => {
    if (saveTimer) clearTimeout(saveTimer);
    saveTimer = null;
    if (!statePath) return;
    try {
      writeAtomic(statePath, JSON.stringify(engine.state));
    } catch (e) {
      logger.error("sim: could not save state", { error: String(e) });
    }
  };
  const scheduleSave = (): void => {
    if (!statePath || saveTimer) return;
    saveTimer = setTimeout(flush, 50);
  };
  engine.on("changed", scheduleSave);
  flush();

  // ---- rate limit
  const rl = opts.rateLimit ?? true;
  const limits = typeof rl === "object" ? rl : { read: 200, write: 100 };
  const bucketClock = typeof rl === "object" ? rl.clock : undefined;
  const readBucket = new TokenBucket(limits.read, limits.read, bucketClock);
  const writeBucket = new TokenBucket(limits.write, limits.write, bucketClock);

  const faults = new FaultTable();
  let latencyMs = 0;
  const hung = new Set<ServerResponse>();
  const sessions = new Set<Session>();
  let closed = false;

  // ---- auth
  const authError = (details: string): SimError =>
    new SimError(401, "authentication_error", "authentication_error", details);
  const authenticate = (req: IncomingMessage, method: string, path: string): void => {
    const key = req.headers[HEADER_KEY.toLowerCase()];
    const ts = req.headers[HEADER_TIMESTAMP.toLowerCase()];
    const sig = req.headers[HEADER_SIGNATURE.toLowerCase()];
    if (typeof key !== "string" || typeof ts !== "string" || typeof sig !== "string" || !key || !ts || !sig) {
      throw authError("missing KALSHI-ACCESS-KEY, KALSHI-ACCESS-TIMESTAMP or KALSHI-ACCESS-SIGNATURE header");
    }
    if (key !== keys.keyId) throw authError("rpc error: code = Unauthenticated desc = API_KEY_NOT_FOUND");
    if (!/^\d{10,16}$/.test(ts) || Math.abs(Date.now() - Number(ts)) > maxSkew) {
      throw authError("rpc error: code = Unauthenticated desc = TIMESTAMP_OUT_OF_RANGE");
    }
    if (!verifyKalshiSignature(keys.publicKey, ts, method, path, sig)) {
      throw authError("rpc error: code = Unauthenticated desc = INCORRECT_API_KEY_SIGNATURE");
    }
  };

  // ---- request parsing helpers
  const readBody = (req: IncomingMessage): Promise<string> =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on("data", (c: Buffer) => {
        size += c.length;
        if (size > 1_000_000) {
          reject(bad("request body too large"));
          req.destroy();
          return;
        }
        chunks.push(c);
      });
      req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
      req.on("error", reject);
    });
  const parseJson = (text: string): Json => {
    if (!text.trim()) return {};
    try {
      const v: unknown = JSON.parse(text);
      if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error("not an object");
      return v as Json;
    } catch {
      throw bad("the request body is not a JSON object", "invalid_parameters");
    }
  };

  const userOrders = (historical: boolean): SimOrder[] => {
    const cutoff = engine.historicalCutoff();
    return Object.values(engine.state.orders)
      .filter((o) => o.accountId === USER)
      .filter((o) => (o.status !== "resting" && o.lastUpdateTs < cutoff) === historical)
      .sort((a, b) => b.seq - a.seq);
  };

  const tsRange = (q: Query): { min: number; max: number } => ({
    min: (intParam(q, "min_ts") ?? -Infinity) * 1000,
    // Seconds on the wire: max_ts covers its whole second.
    max: (intParam(q, "max_ts") ?? Infinity) * 1000 + 999,
  });

  const listOrders = (q: Query, historical: boolean): Reply => {
    const { min, max } = tsRange(q);
    const ticker = q.get("ticker");
    const events = q.get("event_ticker")?.split(",").filter(Boolean);
    const status = q.get("status");
    if (status && !["resting", "canceled", "executed"].includes(status)) {
      throw bad("status must be resting, canceled or executed");
    }
    const shard = intParam(q, "exchange_index", 0);
    const items = userOrders(historical).filter(
      (o) =>
        (shard === undefined || engine.exchangeIndex(o.ticker) === shard) &&
        (!ticker || o.ticker === ticker) &&
        (!events?.length || events.includes(engine.findMarket(o.ticker)?.eventTicker ?? "")) &&
        (!status || o.status === status) &&
        o.createdTs >= min &&
        o.createdTs <= max,
    );
    const { page, cursor } = paginate(items, q, 100, 1000, pageCap);
    return { status: 200, body: { orders: page.map((o) => orderToWire(engine, o)), cursor } };
  };

  const listFills = (q: Query, historical: boolean): Reply => {
    const { min, max } = tsRange(q);
    const cutoff = engine.historicalCutoff();
    const ticker = q.get("ticker");
    const orderId = q.get("order_id");
    const shard = intParam(q, "exchange_index", 0);
    const items = engine.state.fills
      .filter((f) => f.accountId === USER && f.ts < cutoff === historical)
      .filter((f) => shard === undefined || engine.exchangeIndex(f.ticker) === shard)
      .filter((f) => (!ticker || f.ticker === ticker) && (!orderId || f.orderId === orderId))
      .filter((f) => f.ts >= min && f.ts <= max)
      .reverse();
    const { page, cursor } = paginate(items, q, 100, 1000, pageCap);
    return { status: 200, body: { fills: page.map((f) => fillToWire(engine, f)), cursor } };
  };

  const place = (b: Json): Json => {
    const { route, ...input } = parseCreateOrder(b);
    // Create routes by ticker; an explicit shard that does not hold the market does not know it.
    if (route.exchangeIndex !== undefined && route.exchangeIndex !== engine.exchangeIndex(input.ticker)) {
      throw new SimError(
        404,
        "market_not_found",
        "market not found",
        `no market ${input.ticker} on exchange shard ${route.exchangeIndex}`,
      );
    }
    const r = engine.placeOrder(USER, input);
    if (r.duplicate && opts.duplicateClientOrderId === "conflict") {
      throw new SimError(
        409,
        "duplicate_client_order_id",
        "duplicate client order id",
        `an order with client_order_id ${r.order.clientOrderId} already exists`,
      );
    }
    return createResponseToWire(r.order, r.fills, r.tsMs, r.duplicate);
  };

  const cancel = (orderId: string, route: OrderRoute): Json => {
    findRoutedOrder(engine, orderId, route);
    const r = engine.cancelOrder(USER, orderId);
    return {
      order_id: r.order.orderId,
      client_order_id: r.order.clientOrderId,
      reduced_by: fmtCount(r.reducedBy),
      ts_ms: r.tsMs,
    };
  };

  // ---- routes
  type Handler = (ctx: { q: Query; body: () => Promise<Json>; params: string[] }) => Reply | Promise<Reply>;
  interface Route {
    method: string;
    re: RegExp;
    auth: boolean;
    bucket: "read" | "write";
    cost: number | ((ctx: { bodyText: string }) => number);
    handler: Handler;
  }
  const routes: Route[] = [];
  /** Items of a batch body (`orders`), for the per-item token cost. */
  const batchCount = (bodyText: string): number => {
    try {
      const v = JSON.parse(bodyText) as { orders?: unknown[] };
      return Array.isArray(v.orders) ? Math.max(1, v.orders.length) : 1;
    } catch {
      return 1;
    }
  };
  const route = (
    method: string,
    pattern: string,
    auth: boolean,
    handler: Handler,
    extra: { bucket?: "read" | "write"; cost?: Route["cost"] } = {},
  ): void => {
    const re = new RegExp("^" + pattern.replace(/\{[a-z_]+\}/g, "([^/]+)") + "$");
    // Batches are billed per item (read from the body); every other route has a fixed cost.
    const fixed = tokenCost(method, pattern, 1);
    const perItem = tokenCost(method, pattern, 2) !== fixed;
    const cost =
      extra.cost ?? (perItem ? ({ bodyText }) => tokenCost(method, pattern, batchCount(bodyText)) : fixed);
    routes.push({ method, re, auth, handler, bucket: extra.bucket ?? "read", cost });
  };
  const ok = (body: unknown, status = 200): Reply => ({ status, body });
  const subaccountParam = (q: Query): void => subaccountField(q.get("subaccount"));

  // The top-level fields reflect shard 0; the sim has no transfer between shards.
  route("GET", "/exchange/status", false, () =>
    ok({
      exchange_active: true,
      trading_active: true,
      intra_exchange_transfers_active: false,
      exchange_estimated_resume_time: null,
      exchange_index_statuses: SHARDS.map((i) => ({
        exchange_index: i,
        description: i === 0 ? "Kalshi exchange (default shard)" : `Kalshi exchange shard ${i} (crypto)`,
        exchange_active: true,
        trading_active: true,
        intra_exchange_transfers_active: false,
      })),
    }),
  );
  route("GET", "/exchange/user_data_timestamp", false, () => ok({ as_of_time: iso(engine.now()) }));
  route("GET", "/account/limits", true, () =>
    ok({
      usage_tier: "basic",
      read: { refill_rate: limits.read, bucket_capacity: limits.read },
      write: { refill_rate: limits.write, bucket_capacity: limits.write },
      grants: [],
    }),
  );
  route("GET", "/account/endpoint_costs", false, () => ok(endpointCostsToWire()));
  route("GET", "/api_keys", true, () =>
    ok({
      api_keys: [{ api_key_id: keys.keyId, name: "sim", scopes: ["read", "write"] }],
      ...(apiKeyRegionExpiration === null ? {} : { api_key_region_expiration_ts: apiKeyRegionExpiration }),
    }),
  );
  // Each shard holds its own cash; without exchange_index the top-level fields cover all shards.
  route("GET", "/portfolio/balance", true, ({ q }) => {
    const u = engine.user;
    subaccountParam(q);
    const shard = intParam(q, "exchange_index", 0);
    if (shard !== undefined && !(SHARDS as readonly number[]).includes(shard))
      throw bad(`exchange_index ${shard} does not exist`);
    const cash = shard === undefined ? u.balance : engine.shardBalance(USER, shard);
    return ok({
      balance: Math.floor(cash / 10_000),
      balance_dollars: fmtDollars(cash),
      portfolio_value: Math.floor(engine.portfolioValue(USER, shard) / 10_000),
      updated_ts: Math.floor(u.updatedTs / 1000),
      balance_breakdown: SHARDS.map((i) => ({
        exchange_index: i,
        balance: fmtDollars(engine.shardBalance(USER, i)),
      })),
    });
  });
  route("GET", "/portfolio/positions", true, ({ q }) => {
    const filters = (q.get("count_filter") ?? "").split(",").filter(Boolean);
    for (const f of filters)
      if (f !== "position" && f !== "total_traded") throw bad("count_filter accepts position, total_traded");
    const ticker = q.get("ticker");
    const ev = q.get("event_ticker");
    const items = Object.values(engine.user.positions)
      .filter((p) => p.position !== 0 || p.totalTraded !== 0)
      .filter(
        (p) =>
          !filters.length || filters.some((f) => (f === "position" ? p.position !== 0 : p.totalTraded !== 0)),
      )
      .filter(
        (p) => (!ticker || p.ticker === ticker) && (!ev || engine.findMarket(p.ticker)?.eventTicker === ev),
      )
      .sort((a, b) => b.lastUpdatedTs - a.lastUpdatedTs);
    const { page, cursor } = paginate(items, q, 100, 1000, pageCap);
    return ok({
      market_positions: page.map((p) => positionToWire(engine, p)),
      event_positions: eventPositionsToWire(engine, page),
      cursor,
    });
  });
  route("GET", "/portfolio/orders", true, ({ q }) => listOrders(q, false));
  route("GET", "/historical/orders", true, ({ q }) => listOrders(q, true));
  route("GET", "/portfolio/orders/{order_id}", true, ({ params }) => {
    const o = engine.order(params[0] ?? "");
    if (!o || o.accountId !== USER) throw new SimError(404, "not_found", "order not found");
    return ok({ order: orderToWire(engine, o) });
  });
  route("POST", "/portfolio/events/orders", true, async ({ body }) => ok(place(await body()), 201), {
    bucket: "write",
  });
  route(
    "DELETE",
    "/portfolio/events/orders",
    true,
    ({ q }) => {
      subaccountParam(q);
      engine.cancelAll(USER); // every shard
      return { status: 204 };
    },
    { bucket: "write" },
  );
  route(
    "POST",
    "/portfolio/events/orders/batched",
    true,
    async ({ body }) => {
      const b = await body();
      if (!Array.isArray(b.orders) || b.orders.length === 0) throw bad("orders must be a non-empty array");
      const out = (b.orders as unknown[]).map((item) => {
        try {
          if (typeof item !== "object" || item === null) throw bad("each order must be an object");
          return place(item as Json);
        } catch (e) {
          if (!(e instanceof SimError)) throw e;
          const cid = (item as Json | null)?.client_order_id;
          return { ...(typeof cid === "string" ? { client_order_id: cid } : {}), error: errorBody(e).error };
        }
      });
      return ok({ orders: out }, 201);
    },
    { bucket: "write" },
  );
  route(
    "DELETE",
    "/portfolio/events/orders/batched",
    true,
    async ({ body }) => {
      const b = await body();
      if (!Array.isArray(b.orders) || b.orders.length === 0) throw bad("orders must be a non-empty array");
      const out = (b.orders as Json[]).map((item) => {
        const id = typeof item?.order_id === "string" ? item.order_id : "";
        try {
          if (typeof item !== "object" || item === null || !id) throw bad("each order needs an order_id");
          subaccountField(item.subaccount);
          return cancel(id, parseRoute(item.exchange_index, item.market_ticker));
        } catch (e) {
          if (!(e instanceof SimError)) throw e;
          return { order_id: id, reduced_by: "0.00", error: errorBody(e).error };
        }
      });
      return ok({ orders: out });
    },
    { bucket: "write" },
  );
  route(
    "DELETE",
    "/portfolio/events/orders/{order_id}",
    true,
    ({ params, q }) => {
      subaccountParam(q);
      return ok(cancel(params[0] ?? "", parseRoute(q.get("exchange_index"), q.get("market_ticker"))));
    },
    { bucket: "write" },
  );
  route(
    "POST",
    "/portfolio/events/orders/{order_id}/decrease",
    true,
    async ({ params, body, q }) => {
      subaccountParam(q);
      const b = await body();
      const o = findRoutedOrder(engine, params[0] ?? "", parseRoute(b.exchange_index, b.market_ticker));
      if (o.status !== "resting") {
        throw new SimError(404, "not_found", "order not found", `order ${o.orderId} is already ${o.status}`);
      }
      const r = engine.decreaseOrder(USER, o.orderId, parseDecrease(b, o));
      return ok({
        order_id: r.orderId,
        client_order_id: r.clientOrderId,
        remaining_count: fmtCount(r.remaining),
        ts_ms: engine.now(),
      });
    },
    { bucket: "write" },
  );
  route(
    "POST",
    "/portfolio/events/orders/{order_id}/amend",
    true,
    async ({ params, body, q }) => {
      subaccountParam(q);
      const a = parseAmend(await body());
      const o = findRoutedOrder(engine, params[0] ?? "", a.route);
      if (a.side !== o.side) throw bad(`side ${a.side} does not match the order's side ${o.side}`);
      if (a.clientOrderId !== undefined && a.clientOrderId !== o.clientOrderId) {
        throw bad(`client_order_id ${a.clientOrderId} does not match the order's client_order_id`);
      }
      const r = engine.amendOrder(USER, o.orderId, {
        price: a.price,
        count: a.count,
        expirationTs: a.expirationTs,
        updatedClientOrderId: a.updatedClientOrderId,
      });
      return ok(amendResponseToWire(r));
    },
    { bucket: "write" },
  );
  route("GET", "/portfolio/fills", true, ({ q }) => listFills(q, false));
  route("GET", "/historical/fills", true, ({ q }) => listFills(q, true));
  route("GET", "/portfolio/settlements", true, ({ q }) => {
    const { min, max } = tsRange(q);
    const ticker = q.get("ticker");
    const ev = q.get("event_ticker");
    const items = engine.state.settlements
      .filter((s) => s.accountId === USER)
      .filter((s) => (!ticker || s.ticker === ticker) && (!ev || s.eventTicker === ev))
      .filter((s) => s.settledTime >= min && s.settledTime <= max)
      .reverse();
    const { page, cursor } = paginate(items, q, 100, 1000, pageCap);
    return ok({ settlements: page.map((x) => settlementToWire(engine, x)), cursor });
  });
  route("GET", "/historical/cutoff", false, () => {
    const c = iso(engine.historicalCutoff());
    return ok({
      market_settled_ts: c,
      trades_created_ts: c,
      orders_updated_ts: c,
      market_positions_last_updated_ts: c,
    });
  });
  const data = marketDataRoutes(live ? liveMarketData(live, engine) : fixtureMarketData(engine), engine, {
    pageCap,
  });
  route("GET", "/markets", false, ({ q }) => ok(data.markets(q)));
  route("GET", "/markets/orderbooks", true, ({ q }) => {
    const tickers = q
      .getAll("tickers")
      .flatMap((t) => t.split(","))
      .filter(Boolean);
    if (tickers.length < 1 || tickers.length > 100) throw bad("tickers must list 1 to 100 market tickers");
    const orderbooks = tickers
      .filter((t) => engine.findMarket(t))
      .map((t) => ({ ticker: t, orderbook_fp: orderbookToWire(engine, t) }));
    return ok({ orderbooks });
  });
  route("GET", "/markets/{ticker}/orderbook", true, ({ q, params }) => {
    const m = engine.market(params[0] ?? "");
    return ok({ orderbook_fp: orderbookToWire(engine, m.ticker, intParam(q, "depth", 0, 100) ?? 0) });
  });
  route("GET", "/markets/{ticker}", false, ({ params }) =>
    ok({ market: marketToWire(engine, engine.market(params[0] ?? "")) }),
  );
  route("GET", "/events", false, ({ q }) => ok(data.events(q)));
  route("GET", "/events/{event_ticker}", false, ({ q, params }) => ok(data.event(params[0] ?? "", q)));
  route("GET", "/series", false, ({ q }) => ok(data.seriesList(q)));
  route("GET", "/series/{series_ticker}", false, ({ params }) => ok(data.series(params[0] ?? "")));
  route("GET", "/search/tags_by_categories", false, () => ok(data.tagsByCategories()));

  // ---- control endpoints (/sim/...)
  const parseTrade = (b: Json): SimTradeArgs => ({
    ticker: String(b.ticker ?? ""),
    side: b.side as BookSide,
    price: b.price as string | number,
    count: b.count as string | number,
    time_in_force: b.time_in_force as TimeInForce | undefined,
  });
  const doTrade = (a: SimTradeArgs): ReturnType<SimEngine["trade"]> => {
    if (a.side !== "bid" && a.side !== "ask") throw bad("side must be bid or ask");
    const price =
      typeof a.price === "number"
        ? micros(a.price)
        : typeof a.price === "string"
          ? tryParseDollars(a.price)
          : null;
    const count =
      typeof a.count === "number"
        ? tryParseCount(String(a.count))
        : typeof a.count === "string"
          ? tryParseCount(a.count)
          : null;
    if (price === null) throw bad("price must be a dollar string");
    if (count === null || count <= 0) throw bad("count must be a positive number of contracts");
    return engine.trade({ ticker: a.ticker, side: a.side, price, count, tif: a.time_in_force });
  };
  const addFault = (f: { path: string; method?: string; kind: FaultKind; count?: number }): void => {
    if (typeof f.path !== "string" || !f.path.startsWith("/")) throw bad("path must start with /");
    if (!FAULT_KINDS.includes(f.kind)) throw bad(`kind must be one of ${FAULT_KINDS.join(", ")}`);
    const count = f.count ?? 1;
    if (!Number.isInteger(count) || count < 1) throw bad("count must be a positive integer");
    faults.add({ path: f.path, method: f.method, kind: f.kind, count } as Fault);
  };
  const dropWebSockets = (): void => {
    for (const s of sessions) s.ws.terminate();
  };

  const control = async (method: string, path: string, req: IncomingMessage): Promise<Reply> => {
    const body = async (): Promise<Json> => parseJson(await readBody(req));
    const key = `${method} ${path}`;
    switch (key) {
      case "GET /sim/state":
        return ok(engine.snapshot());
      case "POST /sim/trade": {
        const r = doTrade(parseTrade(await body()));
        return ok({ order: orderToWire(engine, r.order), fills: r.fills.map((f) => fillToWire(engine, f)) });
      }
      case "POST /sim/settle": {
        const b = await body();
        if (b.result !== "yes" && b.result !== "no") throw bad('result must be "yes" or "no"');
        return ok({ market: marketToWire(engine, engine.settle(String(b.ticker ?? ""), b.result)) });
      }
      case "POST /sim/close": {
        const b = await body();
        return ok({ market: marketToWire(engine, engine.close(String(b.ticker ?? ""))) });
      }
      case "POST /sim/faults": {
        const b = await body();
        addFault(b as never);
        return ok({ faults: faults.faults });
      }
      case "GET /sim/faults":
        return ok({ faults: faults.faults });
      case "DELETE /sim/faults":
        faults.clear();
        return ok({ faults: [] });
      case "POST /sim/ws/drop": {
        const n = sessions.size;
        dropWebSockets();
        return ok({ dropped: n });
      }
      case "POST /sim/latency": {
        const b = await body();
        if (typeof b.ms !== "number" || b.ms < 0) throw bad("ms must be a non-negative number");
        latencyMs = b.ms;
        return ok({ ms: latencyMs });
      }
      case "POST /sim/reset":
        engine.reset();
        flush();
        return ok({ reset: true });
      case "POST /sim/clock": {
        const b = await body();
        if (typeof b.advance_ms !== "number" || b.advance_ms < 0)
          throw bad("advance_ms must be a non-negative number");
        engine.advanceClock(b.advance_ms);
        return ok({ now: engine.now() });
      }
      case "POST /sim/api_keys/region": {
        const b = await body();
        const ts = b.expiration_ts;
        if (ts !== null && (typeof ts !== "number" || !Number.isInteger(ts))) {
          throw bad("expiration_ts must be a Unix timestamp in seconds, or null for never attested");
        }
        apiKeyRegionExpiration = ts;
        return ok({ api_key_region_expiration_ts: ts });
      }
      case "POST /sim/tick":
        engine.tick();
        return ok({ now: engine.now() });
      default:
        throw new SimError(404, "not_found", "not found");
    }
  };

  // ---- HTTP plumbing
  const send = (res: ServerResponse, r: Reply): void => {
    if (res.headersSent || res.destroyed) return;
    if (r.raw !== undefined) {
      res.writeHead(r.status, { "content-type": "application/json" });
      res.end(r.raw);
      return;
    }
    if (r.body === undefined) {
      res.writeHead(r.status);
      res.end();
      return;
    }
    const text = JSON.stringify(r.body);
    res.writeHead(r.status, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(text),
    });
    res.end(text);
  };
  const tooMany: Reply = { status: 429, raw: JSON.stringify({ error: "too many requests" }) };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const path = url.pathname;
    let fault: Fault | null = null;
    try {
      if (path === "/sim" || path.startsWith("/sim/")) {
        if (!isLoopback(req.socket.remoteAddress))
          throw new SimError(403, "forbidden", "control endpoints are loopback only");
        send(res, await control(method, path, req));
        return;
      }
      if (!path.startsWith(REST_PREFIX + "/")) throw new SimError(404, "not_found", "not found");
      const apiPath = path.slice(REST_PREFIX.length);
      if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
      if (closed) return;
      fault = faults.take(method, path, apiPath);
      if (fault?.kind === "500") {
        throw new SimError(500, "internal_server_error", "internal server error", "injected fault");
      }
      if (fault?.kind === "429") {
        send(res, tooMany);
        return;
      }
      if (fault?.kind === "hang") {
        hung.add(res);
        res.on("close", () => hung.delete(res));
        req.resume();
        return;
      }
      let match: RegExpExecArray | null = null;
      let r: Route | undefined;
      for (const cand of routes) {
        if (cand.method !== method) continue;
        match = cand.re.exec(apiPath);
        if (match) {
          r = cand;
          break;
        }
      }
      if (!r || !match) {
        const pathKnown = routes.some((x) => x.re.test(apiPath));
        throw pathKnown
          ? new SimError(405, "method_not_allowed", "method not allowed")
          : new SimError(404, "not_found", "not found");
      }
      let bodyText: string | null = null;
      const getBodyText = async (): Promise<string> => (bodyText ??= await readBody(req));
      if (r.auth) authenticate(req, method, path);
      if (rl) {
        const cost = typeof r.cost === "number" ? r.cost : r.cost({ bodyText: await getBodyText() });
        if (!(r.bucket === "write" ? writeBucket : readBucket).take(cost)) {
          send(res, tooMany);
          return;
        }
      }
      engine.checkSchedule();
      const params = match.slice(1).map((p) => decodeURIComponent(p));
      const reply = await r.handler({
        q: url.searchParams,
        params,
        body: async () => parseJson(await getBodyText()),
      });
      if (fault?.kind === "drop_after_accept") {
        flush();
        req.socket.destroy();
        return;
      }
      send(res, reply);
    } catch (e) {
      if (fault?.kind === "drop_after_accept") {
        // Processed (here: refused), and the answer is lost all the same.
        req.socket.destroy();
        return;
      }
      if (e instanceof SimError) {
        send(res, { status: e.status, body: errorBody(e) });
      } else {
        logger.error("sim: request failed", {
          method,
          path,
          error: e instanceof Error ? e.message : String(e),
        });
        send(res, {
          status: 500,
          body: { error: { code: "internal_server_error", message: "internal server error" } },
        });
      }
    }
  };

  const server = createServer((req, res) => {
    void handle(req, res);
  });

  // ---- WebSocket
  const wss = new WebSocketServer({ noServer: true });
  const wsSend = (s: Session, msg: Json): void => {
    if (s.ws.readyState === s.ws.OPEN) s.ws.send(JSON.stringify(msg));
  };
  const wsError = (s: Session, id: unknown, code: number, msg: string): void =>
    wsSend(s, { id: typeof id === "number" ? id : 0, type: "error", msg: { code, msg } });

  const bookLevels = (ticker: string): Map<string, number> => {
    const out = new Map<string, number>();
    const m = engine.findMarket(ticker);
    if (!m || m.status !== "active") return out;
    const ob = orderbookToWire(engine, ticker) as { yes_dollars: string[][]; no_dollars: string[][] };
    for (const [p, c] of ob.yes_dollars) out.set(`yes|${p}`, Math.round(Number(c) * 100));
    for (const [p, c] of ob.no_dollars) out.set(`no|${p}`, Math.round(Number(c) * 100));
    return out;
  };
  const sendSnapshot = (s: Session, sub: Subscription, ticker: string): void => {
    const levels = bookLevels(ticker);
    sub.books.set(ticker, levels);
    const ob = orderbookToWire(engine, ticker) as { yes_dollars: string[][]; no_dollars: string[][] };
    const msg: Json = { market_ticker: ticker, market_id: marketId(ticker) };
    if (ob.yes_dollars.length) msg.yes_dollars_fp = ob.yes_dollars;
    if (ob.no_dollars.length) msg.no_dollars_fp = ob.no_dollars;
    sub.seq += 1;
    wsSend(s, { type: "orderbook_snapshot", sid: sub.sid, seq: sub.seq, msg });
  };

  const handleCommand = (s: Session, text: string): void => {
    let cmd: Json;
    try {
      const v: unknown = JSON.parse(text);
      if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error("not an object");
      cmd = v as Json;
    } catch {
      wsError(s, 0, 1, "Unable to process message");
      return;
    }
    const id = cmd.id;
    const params = cmd.params as Json | undefined;
    const tickersOf = (p: Json): string[] | null => {
      if (typeof p.market_ticker === "string") return [p.market_ticker];
      if (Array.isArray(p.market_tickers))
        return p.market_tickers.filter((t): t is string => typeof t === "string");
      return null;
    };
    switch (cmd.cmd) {
      case "subscribe": {
        if (!params || typeof params !== "object") return wsError(s, id, 2, "Params required");
        const chans = params.channels;
        if (!Array.isArray(chans) || chans.length === 0) return wsError(s, id, 3, "Channels required");
        for (const c of chans) {
          if (typeof c !== "string" || !KNOWN_CHANNELS.has(c))
            return wsError(s, id, 8, "Unknown channel name");
          if (!(CHANNELS as readonly string[]).includes(c))
            return wsError(s, id, 10, `Channel ${c} is not supported by the sim`);
        }
        const tickers = tickersOf(params);
        if (tickers) {
          for (const t of tickers)
            if (!engine.findMarket(t)) return wsError(s, id, 11, `Unknown market ticker ${t}`);
        }
        if (chans.includes("orderbook_delta") && !tickers?.length)
          return wsError(s, id, 14, "Market Ticker required");
        for (const c of chans as Channel[]) {
          const sid = s.nextSid++;
          const sub: Subscription = {
            sid,
            channel: c,
            tickers: tickers ? new Set(tickers) : null,
            seq: 0,
            books: new Map(),
          };
          s.subs.set(sid, sub);
          wsSend(s, { id, type: "subscribed", msg: { channel: c, sid } });
          if (c === "ticker" && params.send_initial_snapshot === true) {
            for (const t of tickers ?? [])
              wsSend(s, { type: "ticker", sid, msg: wsTicker(engine, engine.market(t), marketId(t)) });
          }
          if (c === "orderbook_delta") for (const t of tickers ?? []) sendSnapshot(s, sub, t);
        }
        return;
      }
      case "unsubscribe": {
        if (!params || typeof params !== "object") return wsError(s, id, 2, "Params required");
        const sids = params.sids;
        if (!Array.isArray(sids) || sids.length === 0) return wsError(s, id, 4, "Subscription IDs required");
        for (const sid of sids) {
          const sub = s.subs.get(sid as number);
          if (!sub) {
            wsError(s, id, 7, "Unknown subscription ID");
            continue;
          }
          s.subs.delete(sub.sid);
          wsSend(s, { id, type: "unsubscribed", sid: sub.sid, seq: sub.seq + 1 });
        }
        return;
      }
      case "list_subscriptions":
        wsSend(s, {
          id,
          type: "ok",
          msg: [...s.subs.values()].map((x) => ({ channel: x.channel, sid: x.sid })),
        });
        return;
      case "update_subscription": {
        if (!params || typeof params !== "object") return wsError(s, id, 2, "Params required");
        const sids =
          typeof params.sid === "number" ? [params.sid] : Array.isArray(params.sids) ? params.sids : [];
        if (sids.length !== 1) return wsError(s, id, 12, "Exactly one subscription ID is required");
        const sub = s.subs.get(sids[0] as number);
        if (!sub) return wsError(s, id, 7, "Unknown subscription ID");
        const action = params.action;
        if (!action) return wsError(s, id, 15, "Action required");
        const tickers = tickersOf(params) ?? [];
        if (action === "add_markets" || action === "delete_markets" || action === "get_snapshot") {
          if (!tickers.length) return wsError(s, id, 14, "Market Ticker required");
          if (action === "add_markets") {
            sub.tickers ??= new Set();
            for (const t of tickers) {
              sub.tickers.add(t);
              if (sub.channel === "orderbook_delta") sendSnapshot(s, sub, t);
            }
          } else if (action === "delete_markets") {
            for (const t of tickers) {
              sub.tickers?.delete(t);
              sub.books.delete(t);
            }
          } else if (sub.channel === "orderbook_delta") {
            for (const t of tickers) sendSnapshot(s, sub, t);
          }
          // seq (minimum 1 in the asyncapi schema) only on a sequenced subscription that has sent one.
          wsSend(s, {
            id,
            type: "ok",
            sid: sub.sid,
            ...(sub.seq > 0 ? { seq: sub.seq } : {}),
            msg: { market_tickers: [...(sub.tickers ?? [])] },
          });
          return;
        }
        return wsError(s, id, 13, "Unsupported action");
      }
      default:
        if (!cmd.cmd) return wsError(s, id, 1, "Unable to process message");
        return wsError(s, id, 5, "Unknown command");
    }
  };

  const forSubs = (
    channel: Channel,
    ticker: string | null,
    fn: (s: Session, sub: Subscription) => void,
  ): void => {
    for (const s of sessions) {
      for (const sub of s.subs.values()) {
        if (sub.channel !== channel) continue;
        if (ticker && sub.tickers && !sub.tickers.has(ticker)) continue;
        fn(s, sub);
      }
    }
  };
  engine.on("fill", (f) => {
    if (f.accountId !== USER) return;
    forSubs("fill", f.ticker, (s, sub) => wsSend(s, { type: "fill", sid: sub.sid, msg: wsFill(engine, f) }));
  });
  engine.on("order", (o) => {
    if (o.accountId !== USER) return;
    forSubs("user_orders", o.ticker, (s, sub) =>
      wsSend(s, { type: "user_order", sid: sub.sid, msg: wsUserOrder(engine, o) }),
    );
  });
  engine.on("position", (accountId, p) => {
    if (accountId !== USER) return;
    forSubs("market_positions", p.ticker, (s, sub) =>
      wsSend(s, { type: "market_position", sid: sub.sid, msg: wsMarketPosition(engine, accountId, p) }),
    );
  });
  engine.on("ticker", (m) => {
    if (sessions.size === 0) return;
    forSubs("ticker", m.ticker, (s, sub) =>
      wsSend(s, { type: "ticker", sid: sub.sid, msg: wsTicker(engine, m, marketId(m.ticker)) }),
    );
    forSubs("orderbook_delta", m.ticker, (s, sub) => {
      if (!sub.tickers?.has(m.ticker)) return;
      const before = sub.books.get(m.ticker) ?? new Map<string, number>();
      const after = bookLevels(m.ticker);
      const keysAll = new Set([...before.keys(), ...after.keys()]);
      for (const k of [...keysAll].sort()) {
        const delta = (after.get(k) ?? 0) - (before.get(k) ?? 0);
        if (delta === 0) continue;
        const [side, price] = k.split("|") as [string, string];
        sub.seq += 1;
        wsSend(s, {
          type: "orderbook_delta",
          sid: sub.sid,
          seq: sub.seq,
          msg: {
            market_ticker: m.ticker,
            market_id: marketId(m.ticker),
            price_dollars: price,
            delta_fp: fmtCount(delta as never),
            side,
            ts_ms: engine.now(),
          },
        });
      }
      sub.books.set(m.ticker, after);
    });
  });

  const rejectUpgrade = (socket: Duplex, status: number, body: Json): void => {
    const text = JSON.stringify(body);
    socket.end(
      `HTTP/1.1 ${status} ${status === 401 ? "Unauthorized" : "Not Found"}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
    );
  };
  server.on("upgrade", (req, socket, head) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname !== WS_PATH)
      return rejectUpgrade(socket, 404, errorBody(new SimError(404, "not_found", "not found")));
    try {
      authenticate(req, "GET", url.pathname);
    } catch (e) {
      return rejectUpgrade(socket, 401, errorBody(e as SimError));
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const s: Session = { ws, subs: new Map(), nextSid: 1 };
      sessions.add(s);
      ws.on("message", (data: RawData) => handleCommand(s, data.toString()));
      ws.on("close", () => sessions.delete(s));
      ws.on("error", () => sessions.delete(s));
    });
  });
  const pingTimer = setInterval(() => {
    for (const s of sessions) if (s.ws.readyState === s.ws.OPEN) s.ws.ping("heartbeat");
  }, opts.pingIntervalMs ?? 10_000);
  pingTimer.unref();

  // ---- living market
  const living = opts.livingMarket ?? true;
  let livingTimer: NodeJS.Timeout | null = null;
  if (living) {
    const interval = typeof living === "object" ? living.intervalMs : 2_000;
    livingTimer = setInterval(() => {
      try {
        engine.tick();
      } catch (e) {
        logger.warn("sim: living market step failed", { error: e instanceof Error ? e.message : String(e) });
      }
    }, interval);
    livingTimer.unref();
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  const origin = `http://${host}:${port}`;
  logger.info(`sim: listening on ${origin}${REST_PREFIX}`);

  let closing: Promise<void> | null = null;
  const sim: SimServer = {
    baseUrl: `${origin}${REST_PREFIX}`,
    wsUrl: `ws://${host}:${port}${WS_PATH}`,
    controlUrl: `${origin}/sim`,
    keyId: keys.keyId,
    privateKeyPem: keys.privateKeyPem,
    privateKeyPath: keys.privateKeyPath,
    engine,
    trade: doTrade,
    settle: (ticker, result) => {
      engine.settle(ticker, result);
    },
    closeMarket: (ticker) => {
      engine.close(ticker);
    },
    addFault,
    clearFaults: () => faults.clear(),
    dropWebSockets,
    setLatency: (ms) => {
      latencyMs = ms;
    },
    setApiKeyRegionExpiration: (ts) => {
      apiKeyRegionExpiration = ts;
    },
    reset: () => {
      engine.reset();
      flush();
    },
    state: () => engine.snapshot(),
    flush,
    close: () => {
      closing ??= (async () => {
        closed = true;
        clearInterval(pingTimer);
        if (livingTimer) clearInterval(livingTimer);
        flush();
        engine.removeAllListeners();
        for (const s of sessions) s.ws.terminate();
        sessions.clear();
        for (const res of hung) res.socket?.destroy();
        hung.clear();
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })();
      return closing;
    },
  };
  return sim;
}

const fmtCount = (c: number): string => formatCount(c as Centis);
const fmtDollars = (m: number): string => formatDollars(m as Micros);

/** Deletes the persisted account in `dataDir` (the key pair stays). */
export function resetPersisted(dataDir: string): boolean {
  const p = join(dataDir, STATE_FILE);
  const existed = existsSync(p);
  rmSync(p, { force: true });
  return existed;
}
