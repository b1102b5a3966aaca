/**
 * Kalshi REST adapter: implements ExchangePort against Trade API v2 (OpenAPI 3.31.0).
 *
 * - Every request is signed (RSA-PSS, signer.ts), orderbook endpoints included.
 * - Own axios instance with keep-alive agents; redirects are not followed.
 * - Client-side token buckets (rateLimiter.ts) queue bursts instead of drawing 429s.
 * - Client-side token buckets (rateLimiter.ts) priced per endpoint (GET /account/endpoint_costs,
 *   else the documented costs).
 * - Retries: reads and order-id writes (cancel, amend, decrease) on network errors, timeouts and 5xx
 *   (3 retries) and 429 (5 retries), exponential backoff with jitter. A create is never re-sent
 *   blindly: after an answer that leaves its outcome open (timeout, dropped connection, 5xx) the
 *   order is first looked up by client_order_id, and the create is re-sent only when it is not
 *   there (Kalshi's client_order_id is only documented to dedupe against OPEN orders, so a re-sent
 *   IOC that already filled could be a second order). Other 4xx are never retried.
 * - Every request naming an existing order carries `market_ticker` (shard routing).
 * - Each attempt is logged at info as { method, path, status, ms, attempt } — never headers, the
 *   key id or the key.
 */
import http from "node:http";
import https from "node:https";
import type { KeyObject } from "node:crypto";
import axios, { type AxiosInstance, type AxiosResponse } from "axios";
import type { Logger } from "winston";
import type { z } from "zod";
import {
  averagePrice,
  complementPrice,
  formatCount,
  formatDollars,
  micros,
  type Centis,
  type Micros,
} from "../../domain/money.js";
import {
  KalshiApiError,
  KalshiNetworkError,
  KalshiRequestError,
  KalshiSchemaError,
  isOutcomeUnknown,
} from "../errors.js";
import type {
  AccountLimits,
  AmendOrderRequest,
  AmendOrderResult,
  ApiKeys,
  Balance,
  BatchCancelItemResult,
  BucketLimit,
  CancelOrderResult,
  DecreaseOrderRequest,
  DecreaseOrderResult,
  EndpointCosts,
  OrderRef,
  CreateOrderRequest,
  CreateOrderResult,
  EventInfo,
  EventsFilter,
  EventsPage,
  EventsPageFilter,
  ExchangePort,
  ExchangeStatus,
  Fill,
  FillsFilter,
  HistoricalCutoff,
  Market,
  MarketsFilter,
  Order,
  Orderbook,
  OrdersFilter,
  Position,
  SeriesInfo,
  Settlement,
  SettlementsFilter,
} from "../port.js";
import {
  BASIC_TIER_LIMITS,
  DEFAULT_REQUEST_COST,
  EndpointCostTable,
  RateLimiter,
  RateLimiterClosedError,
} from "./rateLimiter.js";
import { backoffWithJitterMs, sleep } from "../../shared/async.js";
import { EventTitles } from "./eventTitles.js";
import * as S from "./schemas.js";
import { REST_PREFIX, signRequest } from "./signer.js";
import { clockSkewFromDateHeader } from "./clockSkew.js";

export interface RateLimits {
  read: BucketLimit;
  write: BucketLimit;
}

export interface KalshiClientOptions {
  /** REST base, ending with /trade-api/v2, e.g. https://external-api.demo.kalshi.co/trade-api/v2 */
  baseUrl: string;
  keyId: string;
  privateKey: KeyObject;
  logger?: Logger;
  /** Per attempt; default 10 000 ms. */
  timeoutMs?: number;
  /** Backoff: delay = min(maxDelayMs, baseDelayMs × 2^(n−1)) × (0.5 … 1.0). Default 300 / 8000 ms. */
  retry?: { baseDelayMs: number; maxDelayMs: number };
  /**
   * Client-side budget. "auto" (default): Basic tier until `create()` has read /account/limits.
   * false disables the limiter (tests only).
   */
  rateLimit?: RateLimits | "auto" | false;
  /** Clock for request timestamps (epoch ms). */
  now?: () => number;
}

/** Retries for network errors, timeouts and 5xx. */
export const MAX_SERVER_RETRIES = 3;
/** Retries for 429. */
export const MAX_RATE_LIMIT_RETRIES = 5;

/** Page sizes (spec maxima). */
const PAGE_MAX = 1000;
const EVENTS_PAGE_MAX = 200;
/** Tickers per GET /markets?tickers= (the spec sets no maximum; keeps URLs short). */
export const MARKETS_TICKERS_PER_REQUEST = 100;
/** GET /markets/orderbooks takes 1–100 tickers. */
export const ORDERBOOKS_TICKERS_PER_REQUEST = 100;
/** Markets per `GET /portfolio/orders/queue_positions` (the spec states no cap; kept to the others'). */
export const QUEUE_TICKERS_PER_REQUEST = 100;
/** Guard against a server that repeats cursors forever. */
const MAX_PAGES = 10_000;

type Method = "GET" | "POST" | "DELETE";
type QueryValue = string | number | boolean | string[] | undefined | null;

interface RequestSpec {
  method: Method;
  /** Path below the base, already encoded, e.g. /markets/ABC/orderbook */
  path: string;
  /** Template for error messages, e.g. "GET /markets/{ticker}" */
  endpoint: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  /** "write" for order create/cancel; their failures may leave the outcome unknown. */
  bucket: "read" | "write";
  /** Return a 2xx body that is not JSON as null instead of throwing (createOrder decides). */
  lenientBody?: boolean;
  /** Items of a batch request (batch endpoints cost per item). */
  items?: number;
  /**
   * Throw at once (outcomeUnknown) after an attempt that may have reached Kalshi (timeout, dropped
   * connection, 5xx) instead of re-sending: createOrder reconciles before it re-sends.
   */
  noBlindRetry?: boolean;
  /** Treat a 2xx with an empty body as `null` (DELETE /portfolio/events/orders answers 204). */
  emptyOk?: boolean;
}

const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);
const TIMEOUT_CODES = new Set(["ECONNABORTED", "ETIMEDOUT"]);

function chunk<T>(xs: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

function enc(s: string): string {
  return encodeURIComponent(s);
}

/** Epoch ms (inclusive) to Unix seconds, widened so that the exact ms filter can be applied locally. */
function minTsSec(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : Math.floor(ms / 1000) - 1;
}
function maxTsSec(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : Math.ceil(ms / 1000) + 1;
}
function inRange(t: number, r: { minTs?: number; maxTs?: number }): boolean {
  return (r.minTs === undefined || t >= r.minTs) && (r.maxTs === undefined || t <= r.maxTs);
}

export class KalshiClient implements ExchangePort {
  private readonly http: AxiosInstance;
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private readonly base: string;
  private readonly keyId: string;
  private readonly key: KeyObject;
  private readonly logger?: Logger;
  private readonly retryCfg: { baseDelayMs: number; maxDelayMs: number };
  private readonly now: () => number;
  readonly limiter: RateLimiter | null;
  /** Event titles already read, for markets (whose own `title` is deprecated). */
  private readonly eventTitles = new EventTitles();
  /** What each endpoint costs in tokens (documented costs until /account/endpoint_costs is read). */
  costs = new EndpointCostTable();
  private closed = false;
  private readonly closing = new AbortController();

  constructor(opts: KalshiClientOptions) {
    let u: URL;
    try {
      u = new URL(opts.baseUrl);
    } catch {
      throw new KalshiRequestError("The Kalshi base URL is not a valid URL");
    }
    const pathname = u.pathname.replace(/\/+$/, "");
    if (!pathname.endsWith(REST_PREFIX)) {
      throw new KalshiRequestError(`The Kalshi base URL must end with ${REST_PREFIX}`);
    }
    if (u.search || u.hash) throw new KalshiRequestError("The Kalshi base URL must not have a query string");
    this.base = `${u.origin}${pathname}`;
    this.keyId = opts.keyId;
    this.key = opts.privateKey;
    if (opts.logger) this.logger = opts.logger;
    this.retryCfg = opts.retry ?? { baseDelayMs: 300, maxDelayMs: 8000 };
    this.now = opts.now ?? Date.now;
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 16 });
    this.http = axios.create({
      timeout: opts.timeoutMs ?? 10_000,
      httpAgent: this.httpAgent,
      httpsAgent: this.httpsAgent,
      maxRedirects: 0,
      responseType: "text",
      transformResponse: [(d: unknown) => d],
      validateStatus: () => true,
    });
    const rl = opts.rateLimit ?? "auto";
    this.limiter = rl === false ? null : new RateLimiter(rl === "auto" ? BASIC_TIER_LIMITS : rl);
  }

  /**
   * Builds a client and, with rateLimit "auto" (the default), sizes the rate budget from
   * GET /account/limits, falling back to the Basic tier when that fails.
   */
  static async create(opts: KalshiClientOptions): Promise<KalshiClient> {
    const c = new KalshiClient(opts);
    if ((opts.rateLimit ?? "auto") === "auto" && c.limiter) {
      try {
        c.costs = new EndpointCostTable(await c.getEndpointCosts());
        c.logger?.info("kalshi endpoint costs", {
          defaultCost: c.costs.defaultCost,
          endpoints: c.costs.entries,
        });
      } catch (e) {
        c.logger?.warn(
          "kalshi endpoint costs: /account/endpoint_costs unavailable, using the documented costs",
          {
            error: e instanceof Error ? e.message : String(e),
          },
        );
      }
      try {
        const l = await c.getAccountLimits();
        c.limiter.resize({
          read: sane(l.read, BASIC_TIER_LIMITS.read),
          write: sane(l.write, BASIC_TIER_LIMITS.write),
        });
        c.logger?.info("kalshi rate budget", { usageTier: l.usageTier, read: l.read, write: l.write });
      } catch (e) {
        c.logger?.warn("kalshi rate budget: /account/limits unavailable, using Basic tier", {
          error: e instanceof Error ? e.message : String(e),
        });
      }
    }
    return c;
  }

  // -------------------------------------------------------------------------------------------
  // Transport

  private url(path: string, query?: Record<string, QueryValue>): { full: string; logPath: string } {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v === undefined || v === null) continue;
      if (Array.isArray(v)) for (const x of v) qs.append(k, x);
      else qs.append(k, String(v));
    }
    const q = qs.toString();
    const logPath = q ? `${path}?${q}` : path;
    return { full: `${this.base}${logPath}`, logPath };
  }

  private backoff(n: number): number {
    const { baseDelayMs, maxDelayMs } = this.retryCfg;
    return backoffWithJitterMs(n, { baseMs: baseDelayMs, maxMs: maxDelayMs });
  }

  /** A retry pause that close() ends at once. */
  private sleep(ms: number): Promise<void> {
    return sleep(ms, this.closing.signal);
  }

  /**
   * Sends one logical request with signing, rate budget and retries; returns the parsed JSON body
   * of a 2xx answer. Throws KalshiApiError / KalshiNetworkError (with outcomeUnknown set for a
   * write that may have been acted on).
   */
  private async send(spec: RequestSpec): Promise<{ status: number; data: unknown }> {
    const { full, logPath } = this.url(spec.path, spec.query);
    const isWrite = spec.bucket === "write";
    const body = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    let serverRetries = 0;
    let rateRetries = 0;
    let ambiguous = false;
    for (let attempt = 1; ; attempt++) {
      if (this.closed)
        throw new KalshiNetworkError("closed", spec.method, logPath, null, isWrite && ambiguous);
      if (this.limiter) {
        try {
          await this.limiter.take(spec.bucket, this.costs.cost(spec.endpoint, spec.items));
        } catch (e) {
          if (e instanceof RateLimiterClosedError) {
            throw new KalshiNetworkError("closed", spec.method, logPath, null, isWrite && ambiguous);
          }
          throw e;
        }
      }
      const headers: Record<string, string> = {
        ...signRequest(this.key, this.keyId, spec.method, full, this.now()),
        Accept: "application/json",
      };
      if (body !== undefined) headers["Content-Type"] = "application/json";
      const t0 = performance.now();
      let res: AxiosResponse<unknown>;
      try {
        res = await this.http.request({ method: spec.method, url: full, headers, data: body });
      } catch (e) {
        const code = axios.isAxiosError(e) ? (e.code ?? null) : null;
        const ms = Math.round(performance.now() - t0);
        const timeout = code !== null && TIMEOUT_CODES.has(code);
        this.logger?.info("kalshi request", {
          method: spec.method,
          path: logPath,
          status: null,
          error: code ?? "network",
          ms,
          attempt,
        });
        const notSent = code !== null && NOT_SENT_CODES.has(code);
        if (!notSent) ambiguous = true;
        if ((notSent || !spec.noBlindRetry) && serverRetries < MAX_SERVER_RETRIES && !this.closed) {
          serverRetries++;
          await this.sleep(this.backoff(serverRetries));
          continue;
        }
        throw new KalshiNetworkError(
          this.closed ? "closed" : timeout ? "timeout" : "network",
          spec.method,
          logPath,
          code,
          isWrite && ambiguous,
        );
      }
      const ms = Math.round(performance.now() - t0);
      this.logger?.info("kalshi request", {
        method: spec.method,
        path: logPath,
        status: res.status,
        ms,
        attempt,
      });
      if (res.status >= 200 && res.status < 300) {
        try {
          return { status: res.status, data: this.parseJson(res.data, spec) };
        } catch (e) {
          if (spec.lenientBody && e instanceof KalshiSchemaError) return { status: res.status, data: null };
          throw e;
        }
      }
      let err = KalshiApiError.fromResponse(res.status, res.data, spec.method, logPath);
      // A refused signature: say so when the clock is the likely cause (clockSkew.ts).
      if (res.status === 401) err = err.withClockSkew(clockSkewFromDateHeader(res.headers?.date, this.now()));
      if (res.status === 429) {
        this.limiter?.[spec.bucket].exhaust();
        if (rateRetries < MAX_RATE_LIMIT_RETRIES) {
          rateRetries++;
          await this.sleep(this.backoff(rateRetries));
          continue;
        }
        throw err.withOutcomeUnknown(isWrite && ambiguous);
      }
      if (res.status >= 500) {
        ambiguous = true;
        if (!spec.noBlindRetry && serverRetries < MAX_SERVER_RETRIES) {
          serverRetries++;
          await this.sleep(this.backoff(serverRetries));
          continue;
        }
        throw err.withOutcomeUnknown(isWrite && ambiguous);
      }
      throw err.withOutcomeUnknown(isWrite && ambiguous);
    }
  }

  private parseJson(raw: unknown, spec: RequestSpec): unknown {
    if (typeof raw !== "string") return raw;
    if (raw.trim() === "" && spec.emptyOk) return null;
    if (raw.trim() === "") throw new KalshiSchemaError(spec.endpoint, "", "empty body, expected JSON");
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      throw new KalshiSchemaError(spec.endpoint, "", "body is not JSON");
    }
  }

  private async get<T extends z.ZodType>(
    path: string,
    endpoint: string,
    schema: T,
    query?: Record<string, QueryValue>,
  ): Promise<z.output<T>> {
    const spec: RequestSpec = { method: "GET", path, endpoint: `GET ${endpoint}`, bucket: "read" };
    if (query) spec.query = query;
    const { data } = await this.send(spec);
    return S.parseWire(schema, data, spec.endpoint);
  }

  /** Follows `cursor` until it is empty (or `max` items were collected). */
  private async paginate<T extends z.ZodType, I>(
    path: string,
    endpoint: string,
    schema: T,
    extract: (page: z.output<T>) => { items: I[]; cursor: string | null | undefined },
    query: Record<string, QueryValue>,
    pageMax: number,
    max?: number,
  ): Promise<I[]> {
    const out: I[] = [];
    let cursor: string | undefined;
    const seen = new Set<string>();
    for (let page = 0; page < MAX_PAGES; page++) {
      const remaining = max === undefined ? pageMax : Math.min(pageMax, max - out.length);
      if (remaining <= 0) break;
      const p = await this.get(path, endpoint, schema, { ...query, limit: remaining, cursor });
      const { items, cursor: next } = extract(p);
      out.push(...items);
      if (!next || seen.has(next)) break;
      seen.add(next);
      cursor = next;
    }
    return max === undefined ? out : out.slice(0, max);
  }

  // -------------------------------------------------------------------------------------------
  // Exchange and account

  async getExchangeStatus(): Promise<ExchangeStatus> {
    return S.exchangeStatusFromWire(
      await this.get("/exchange/status", "/exchange/status", S.ExchangeStatusResponse),
    );
  }

  async getAccountLimits(): Promise<AccountLimits> {
    return S.accountLimitsFromWire(
      await this.get("/account/limits", "/account/limits", S.AccountLimitsResponse),
    );
  }

  /** GET /account/endpoint_costs (unsigned in the spec; signed anyway, like every request). */
  async getEndpointCosts(): Promise<EndpointCosts> {
    return S.endpointCostsFromWire(
      await this.get("/account/endpoint_costs", "/account/endpoint_costs", S.EndpointCostsResponse),
    );
  }

  async getApiKeys(): Promise<ApiKeys> {
    return S.apiKeysFromWire(await this.get("/api_keys", "/api_keys", S.ApiKeysResponse));
  }

  async getBalance(): Promise<Balance> {
    return S.balanceFromWire(await this.get("/portfolio/balance", "/portfolio/balance", S.BalanceResponse));
  }

  async getPositions(
    filter: { ticker?: string; eventTicker?: string; all?: boolean } = {},
  ): Promise<Position[]> {
    const rows = await this.paginate(
      "/portfolio/positions",
      "/portfolio/positions",
      S.PositionsResponse,
      (p) => ({ items: (p.market_positions ?? []).map(S.positionFromWire), cursor: p.cursor }),
      {
        ticker: filter.ticker,
        event_ticker: filter.eventTicker,
        count_filter: filter.all ? undefined : "position",
      },
      PAGE_MAX,
    );
    return filter.all ? rows : rows.filter((r) => r.position !== 0);
  }

  // -------------------------------------------------------------------------------------------
  // Market data

  async getMarkets(filter: MarketsFilter = {}): Promise<Market[]> {
    const base: Record<string, QueryValue> = {
      status: filter.status,
      series_ticker: filter.seriesTicker,
      event_ticker: filter.eventTicker,
      mve_filter: filter.mveFilter,
      min_updated_ts: filter.minUpdatedTs === undefined ? undefined : Math.floor(filter.minUpdatedTs / 1000),
    };
    const extract = (p: z.output<typeof S.MarketsResponse>) => ({
      items: (p.markets ?? []).map((w) => this.eventTitles.apply(S.marketFromWire(w))),
      cursor: p.cursor,
    });
    if (filter.tickers === undefined) {
      return this.paginate("/markets", "/markets", S.MarketsResponse, extract, base, PAGE_MAX, filter.max);
    }
    const tickers = [...new Set(filter.tickers.filter((t) => t.length > 0))];
    const out: Market[] = [];
    for (const group of chunk(tickers, MARKETS_TICKERS_PER_REQUEST)) {
      const left = filter.max === undefined ? undefined : filter.max - out.length;
      if (left !== undefined && left <= 0) break;
      out.push(
        ...(await this.paginate(
          "/markets",
          "/markets",
          S.MarketsResponse,
          extract,
          { ...base, tickers: group.join(",") },
          PAGE_MAX,
          left,
        )),
      );
    }
    return out;
  }

  async getMarket(ticker: string): Promise<Market> {
    const r = await this.get(`/markets/${enc(ticker)}`, "/markets/{ticker}", S.MarketResponse);
    return this.eventTitles.apply(S.marketFromWire(r.market));
  }

  async getOrderbook(ticker: string, depth?: number): Promise<Orderbook> {
    const r = await this.get(
      `/markets/${enc(ticker)}/orderbook`,
      "/markets/{ticker}/orderbook",
      S.OrderbookResponse,
      {
        depth,
      },
    );
    return S.orderbookFromWire(ticker, r.orderbook_fp);
  }

  async getOrderbooks(tickers: string[]): Promise<Map<string, Orderbook>> {
    const out = new Map<string, Orderbook>();
    const unique = [...new Set(tickers.filter((t) => t.length > 0))];
    for (const group of chunk(unique, ORDERBOOKS_TICKERS_PER_REQUEST)) {
      const r = await this.get("/markets/orderbooks", "/markets/orderbooks", S.OrderbooksResponse, {
        tickers: group,
      });
      for (const ob of r.orderbooks ?? [])
        out.set(ob.ticker, S.orderbookFromWire(ob.ticker, ob.orderbook_fp));
    }
    return out;
  }

  async getEvents(filter: EventsFilter = {}): Promise<EventInfo[]> {
    return this.paginate(
      "/events",
      "/events",
      S.EventsResponse,
      (p) => ({
        items: (p.events ?? []).map((e) => this.eventTitles.learn(S.eventFromWire(e))),
        cursor: p.cursor,
      }),
      {
        status: filter.status,
        series_ticker: filter.seriesTicker,
        with_nested_markets: filter.withNestedMarkets ? true : undefined,
      },
      EVENTS_PAGE_MAX,
      filter.max,
    );
  }

  async getEvent(eventTicker: string): Promise<EventInfo> {
    const r = await this.get(`/events/${enc(eventTicker)}`, "/events/{event_ticker}", S.EventResponse, {
      with_nested_markets: true,
    });
    return this.eventTitles.learn(S.eventFromWire(r.event));
  }

  async getSeries(seriesTicker: string): Promise<SeriesInfo> {
    const r = await this.get(`/series/${enc(seriesTicker)}`, "/series/{series_ticker}", S.SeriesResponse);
    return S.seriesFromWire(r.series);
  }

  // -------------------------------------------------------------------------------------------
  // Orders

  /** The V2 create body exactly as sent (exported for tests and the sim). */
  static createOrderBody(req: CreateOrderRequest): Record<string, unknown> {
    if (!req.ticker) throw new KalshiRequestError("An order needs a market ticker");
    if (!req.clientOrderId) throw new KalshiRequestError("An order needs a client order id");
    if (!Number.isSafeInteger(req.count) || req.count <= 0) {
      throw new KalshiRequestError("The number of contracts must be more than zero");
    }
    if (!Number.isSafeInteger(req.price) || req.price <= 0 || req.price >= 1_000_000) {
      throw new KalshiRequestError("The price must be between $0 and $1");
    }
    const body: Record<string, unknown> = {
      ticker: req.ticker,
      side: req.side,
      count: formatCount(req.count),
      price: formatDollars(req.price),
      time_in_force: req.timeInForce,
      self_trade_prevention_type: "taker_at_cross",
      client_order_id: req.clientOrderId,
    };
    if (req.postOnly !== undefined) body.post_only = req.postOnly;
    if (req.reduceOnly !== undefined) body.reduce_only = req.reduceOnly;
    if (req.expirationTime !== undefined) {
      if (req.timeInForce !== "good_till_canceled") {
        throw new KalshiRequestError("An expiration time only works with a good-till-canceled order");
      }
      body.expiration_time = Math.floor(req.expirationTime / 1000);
    }
    return body;
  }

  /**
   * POST /portfolio/events/orders, sent at most once per lookup. When an attempt leaves the outcome
   * open (timeout, dropped connection or answer, 5xx), the order is first looked up by
   * client_order_id among the ticker's orders created since shortly before the first attempt; it
   * is re-sent (same body, same client_order_id) only when it is not there, at most
   * MAX_SERVER_RETRIES times. When it is still not found after the last attempt the error is
   * thrown with outcomeUnknown set (it may yet appear). A refusal (4xx) after an open attempt is
   * checked the same way: found → that order is the result; not found → not placed. A plain 409
   * Conflict is also checked: when an order with this client_order_id exists, it is returned
   * (idempotent repeat). A 2xx without an order_id is looked up too.
   */
  async createOrder(req: CreateOrderRequest): Promise<CreateOrderResult> {
    const body = KalshiClient.createOrderBody(req);
    const startedAt = this.now();
    const spec: RequestSpec = {
      method: "POST",
      path: "/portfolio/events/orders",
      endpoint: "POST /portfolio/events/orders",
      body,
      bucket: "write",
      lenientBody: true,
      noBlindRetry: true,
    };
    let uncertain: KalshiApiError | KalshiNetworkError | null = null;
    let res: { status: number; data: unknown } | null = null;
    for (let attempt = 0; res === null; attempt++) {
      if (uncertain) {
        // The previous attempt may have reached Kalshi: look before sending anything again.
        await this.sleep(this.backoff(attempt));
        const found = await this.lookupOrUnknown(req, startedAt, uncertain);
        if (found) return found;
        if (attempt > MAX_SERVER_RETRIES || this.closed) throw withUnknown(uncertain, true);
        this.logger?.info(
          "kalshi create not found by client_order_id after an open attempt; sending it again",
          {
            attempt: attempt + 1,
          },
        );
      }
      try {
        res = await this.send(spec);
      } catch (e) {
        if ((e instanceof KalshiApiError || e instanceof KalshiNetworkError) && e.outcomeUnknown) {
          uncertain = e;
          continue;
        }
        if (
          uncertain &&
          e instanceof KalshiApiError &&
          e.status >= 400 &&
          e.status < 500 &&
          e.status !== 429
        ) {
          // A refusal after an open attempt is typically the duplicate client_order_id: when the
          // lookup finds nothing, the order was not placed, unless it was a 409 (an open order with
          // this client_order_id exists; the listing may lag): then the outcome stays open.
          return this.reconcileCreate(req, startedAt, e, e.status !== 409);
        }
        if (e instanceof KalshiApiError && e.status === 409) {
          // 409 Conflict is how Kalshi refuses a client_order_id of an order that is still open
          // (the exact code is unconfirmed). If an order with our id exists, it is the one the
          // caller asked for: return it, so that a repeated create stays idempotent. Otherwise
          // (e.g. market closed) the 409 stands.
          let found: Order | null = null;
          try {
            // No time window: the open order it conflicts with may be old (a repeat after a restart).
            found = await this.findOrderByClientOrderId(req.ticker, req.clientOrderId);
          } catch {
            throw e;
          }
          if (found) {
            this.logger?.info(
              "kalshi create refused as a conflict; the order with this client_order_id exists",
              {
                orderId: found.orderId,
              },
            );
            return this.resultFromOrder(found);
          }
        }
        if (uncertain && (e instanceof KalshiApiError || e instanceof KalshiNetworkError)) {
          // The re-send was not let through (429, refused connection), but the earlier attempt may
          // have reached Kalshi: look once more; not found leaves the outcome open, never "not placed".
          return this.reconcileCreate(req, startedAt, e, false);
        }
        throw e;
      }
    }
    return this.createAnswer(req, startedAt, spec, res);
  }

  /** Reads a 2xx create answer (looked up or read back when it is not readable). */
  private async createAnswer(
    req: CreateOrderRequest,
    startedAt: number,
    spec: RequestSpec,
    res: { status: number; data: unknown },
  ): Promise<CreateOrderResult> {
    const d = res.data;
    const orderId = d && typeof d === "object" ? (d as Record<string, unknown>).order_id : undefined;
    if (typeof orderId !== "string" || orderId === "") {
      // A 2xx without an order id: a soft rejection, or an answer we cannot read. Look it up.
      const err = new KalshiApiError(
        res.status,
        "missing_order_id",
        "Kalshi answered without an order id",
        null,
        false,
        "POST",
        spec.path,
        true,
      );
      return this.reconcileCreate(req, startedAt, err, false);
    }
    try {
      return S.createOrderResultFromWire(S.parseWire(S.CreateOrderResponse, d, spec.endpoint));
    } catch (e) {
      if (!(e instanceof KalshiSchemaError)) throw e;
      // The order exists (we have its id) but the rest of the answer drifted: read the order back
      // rather than report a failure for an order that was placed.
      this.logger?.warn("kalshi create answer unreadable, reading the order back", {
        error: e.message,
        orderId,
      });
      let o: Order;
      try {
        o = await this.getOrder(orderId);
      } catch {
        throw new KalshiApiError(
          res.status,
          "unreadable_order_answer",
          `Kalshi created order ${orderId} but its answer could not be read`,
          null,
          false,
          "POST",
          spec.path,
          true,
        );
      }
      return this.resultFromOrder(o);
    }
  }

  /** The order with req's client_order_id, or null; a failed lookup throws `err` as unknown. */
  private async lookupOrUnknown(
    req: CreateOrderRequest,
    startedAt: number,
    err: KalshiApiError | KalshiNetworkError,
  ): Promise<CreateOrderResult | null> {
    if (this.closed) throw withUnknown(err, true);
    let found: Order | null;
    try {
      found = await this.findOrderByClientOrderId(
        req.ticker,
        req.clientOrderId,
        startedAt - RECONCILE_LOOKBACK_MS,
      );
    } catch {
      throw withUnknown(err, true);
    }
    if (!found) return null;
    this.logger?.info("kalshi order found by client_order_id after an open create", {
      orderId: found.orderId,
    });
    return this.resultFromOrder(found);
  }

  /** A create result from an order read back (recovered create): averages from its fill totals. */
  private resultFromOrder(o: Order): CreateOrderResult {
    const avg = orderAverages(o);
    if (o.fillCount > 0 && avg.averageFillPrice === null) {
      this.logger?.warn(
        "kalshi order fill cost does not fit its limit price; average fill price left unknown",
        {
          orderId: o.orderId,
        },
      );
    }
    return {
      orderId: o.orderId,
      clientOrderId: o.clientOrderId,
      fillCount: o.fillCount,
      remainingCount: o.remainingCount,
      averageFillPrice: avg.averageFillPrice,
      averageFeePaid: avg.averageFeePaid,
      tsMs: o.lastUpdateTime ?? o.createdTime ?? this.now(),
    };
  }

  private async reconcileCreate(
    req: CreateOrderRequest,
    startedAt: number,
    err: KalshiApiError | KalshiNetworkError,
    notFoundMeansNotPlaced: boolean,
  ): Promise<CreateOrderResult> {
    const found = await this.lookupOrUnknown(req, startedAt, err);
    if (found) return found;
    throw withUnknown(err, !notFoundMeansNotPlaced);
  }

  /** Looks up an order of `ticker` by its client_order_id (for reconciling an uncertain create). */
  async findOrderByClientOrderId(
    ticker: string,
    clientOrderId: string,
    sinceMs?: number,
  ): Promise<Order | null> {
    const filter: OrdersFilter = { ticker };
    if (sinceMs !== undefined) filter.minTs = sinceMs;
    const orders = await this.getOrders(filter);
    return orders.find((o) => o.clientOrderId === clientOrderId) ?? null;
  }

  /**
   * DELETE /portfolio/events/orders/{id}?market_ticker=…, retried like a read. If a retry answers
   * 404 after an attempt that may have gone through, the order is read back: when it is canceled,
   * that counts as success (reducedBy = initial − filled).
   */
  async cancelOrder(orderId: string, ticker: string): Promise<CancelOrderResult> {
    requireRef({ orderId, ticker });
    const spec: RequestSpec = {
      method: "DELETE",
      path: `/portfolio/events/orders/${enc(orderId)}`,
      endpoint: "DELETE /portfolio/events/orders/{order_id}",
      query: { market_ticker: ticker },
      bucket: "write",
    };
    try {
      const { data } = await this.send(spec);
      return S.cancelOrderResultFromWire(S.parseWire(S.CancelOrderResponse, data, spec.endpoint));
    } catch (e) {
      if (e instanceof KalshiApiError && isOutcomeUnknown(e) && e.status === 404) {
        let o: Order;
        try {
          o = await this.getOrder(orderId);
        } catch {
          throw e;
        }
        if (o.status === "canceled") {
          return {
            orderId: o.orderId,
            clientOrderId: o.clientOrderId,
            reducedBy: Math.max(0, o.initialCount - o.fillCount) as Centis,
            tsMs: o.lastUpdateTime ?? this.now(),
          };
        }
      }
      throw e;
    }
  }

  /** The V2 amend body exactly as sent (`count` is the new total, filled + resting). */
  static amendOrderBody(req: AmendOrderRequest): Record<string, unknown> {
    requireRef(req);
    if (!Number.isSafeInteger(req.count) || req.count <= 0) {
      throw new KalshiRequestError("The new total number of contracts must be more than zero");
    }
    if (!Number.isSafeInteger(req.price) || req.price <= 0 || req.price >= 1_000_000) {
      throw new KalshiRequestError("The price must be between $0 and $1");
    }
    const body: Record<string, unknown> = {
      ticker: req.ticker,
      side: req.side,
      price: formatDollars(req.price),
      count: formatCount(req.count),
    };
    if (req.clientOrderId) body.client_order_id = req.clientOrderId;
    if (req.updatedClientOrderId) body.updated_client_order_id = req.updatedClientOrderId;
    return body;
  }

  /** POST /portfolio/events/orders/{id}/amend, routed by `ticker` (the body's ticker). */
  async amendOrder(req: AmendOrderRequest): Promise<AmendOrderResult> {
    const spec: RequestSpec = {
      method: "POST",
      path: `/portfolio/events/orders/${enc(req.orderId)}/amend`,
      endpoint: "POST /portfolio/events/orders/{order_id}/amend",
      body: KalshiClient.amendOrderBody(req),
      bucket: "write",
    };
    const { data } = await this.send(spec);
    return S.amendOrderResultFromWire(S.parseWire(S.AmendOrderResponse, data, spec.endpoint));
  }

  /** The V2 decrease body: exactly one of reduce_by / reduce_to, and market_ticker. */
  static decreaseOrderBody(req: DecreaseOrderRequest): Record<string, unknown> {
    requireRef(req);
    const by = req.reduceBy;
    const to = req.reduceTo;
    if ((by === undefined) === (to === undefined)) {
      throw new KalshiRequestError("Give exactly one of reduce by or reduce to");
    }
    const n = (by ?? to) as number;
    if (!Number.isSafeInteger(n) || n < 0 || (by !== undefined && n === 0)) {
      throw new KalshiRequestError("The number of contracts to decrease by or to is not valid");
    }
    const body: Record<string, unknown> = { market_ticker: req.ticker };
    if (by !== undefined) body.reduce_by = formatCount(by);
    else body.reduce_to = formatCount(to as Centis);
    return body;
  }

  /**
   * POST /portfolio/events/orders/{id}/decrease, routed by market_ticker. A "reduce to" is re-sent
   * after an answer that may have reached Kalshi (the same target twice is harmless); a "reduce by"
   * is not: its outcome is then unknown and the caller reads the order.
   */
  async decreaseOrder(req: DecreaseOrderRequest): Promise<DecreaseOrderResult> {
    const spec: RequestSpec = {
      method: "POST",
      path: `/portfolio/events/orders/${enc(req.orderId)}/decrease`,
      endpoint: "POST /portfolio/events/orders/{order_id}/decrease",
      body: KalshiClient.decreaseOrderBody(req),
      bucket: "write",
      // "Reduce to N" sent twice leaves N; "reduce by N" sent twice would take 2N off the order.
      noBlindRetry: req.reduceBy !== undefined,
    };
    const { data } = await this.send(spec);
    return S.decreaseOrderResultFromWire(S.parseWire(S.DecreaseOrderResponse, data, spec.endpoint));
  }

  /**
   * DELETE /portfolio/events/orders/batched with market_ticker per item; split into batches that
   * fit the write bucket. Results in the order of `items`; an item Kalshi's answer does not
   * mention is reported as an error ("no answer for this order").
   */
  async cancelOrders(items: OrderRef[]): Promise<BatchCancelItemResult[]> {
    for (const it of items) requireRef(it);
    const endpoint = "DELETE /portfolio/events/orders/batched";
    const capacity = this.limiter?.write.limit.bucketCapacity ?? BASIC_TIER_LIMITS.write.bucketCapacity;
    const perBatch = Math.max(
      1,
      Math.min(MAX_BATCH_CANCEL, Math.floor(capacity / this.costs.unitCost(endpoint))),
    );
    const byId = new Map<string, BatchCancelItemResult>();
    for (const part of chunk(items, perBatch)) {
      const spec: RequestSpec = {
        method: "DELETE",
        path: "/portfolio/events/orders/batched",
        endpoint,
        body: { orders: part.map((it) => ({ order_id: it.orderId, market_ticker: it.ticker })) },
        bucket: "write",
        items: part.length,
      };
      const { data } = await this.send(spec);
      const rows = S.batchCancelFromWire(
        S.parseWire(S.BatchCancelOrdersResponse, data, spec.endpoint),
        this.now(),
      );
      for (const r of rows) byId.set(r.orderId, r);
    }
    return items.map(
      (it) =>
        byId.get(it.orderId) ?? {
          ok: false,
          orderId: it.orderId,
          error: { code: "missing", message: "Kalshi's answer did not mention this order", details: null },
        },
    );
  }

  /**
   * DELETE /portfolio/events/orders: every resting order on every shard. Kalshi: "Newly placed
   * orders may also be cancelled during the minute after the request" (the bot's "Cancel all" says
   * so before it asks).
   */
  async cancelAllOrders(): Promise<void> {
    await this.send({
      method: "DELETE",
      path: "/portfolio/events/orders",
      endpoint: "DELETE /portfolio/events/orders",
      bucket: "write",
      emptyOk: true,
      lenientBody: true,
    });
  }

  async getOrder(orderId: string): Promise<Order> {
    const r = await this.get(
      `/portfolio/orders/${enc(orderId)}`,
      "/portfolio/orders/{order_id}",
      S.OrderResponse,
    );
    return S.orderFromWire(r.order);
  }

  async getQueuePositions(tickers: string[]): Promise<Map<string, Centis>> {
    const out = new Map<string, Centis>();
    const unique = [...new Set(tickers.filter((t) => t.length > 0))];
    for (const group of chunk(unique, QUEUE_TICKERS_PER_REQUEST)) {
      const r = await this.get(
        "/portfolio/orders/queue_positions",
        "/portfolio/orders/queue_positions",
        S.QueuePositionsResponse,
        { market_tickers: group.join(",") },
      );
      for (const q of r.queue_positions ?? []) out.set(q.order_id, q.queue_position_fp);
    }
    return out;
  }

  async getOrders(filter: OrdersFilter = {}): Promise<Order[]> {
    return this.paginate(
      "/portfolio/orders",
      "/portfolio/orders",
      S.OrdersResponse,
      (p) => ({ items: (p.orders ?? []).map(S.orderFromWire), cursor: p.cursor }),
      {
        ticker: filter.ticker,
        status: filter.status,
        min_ts: minTsSec(filter.minTs),
        max_ts: maxTsSec(filter.maxTs),
      },
      PAGE_MAX,
    );
  }

  async getFills(filter: FillsFilter = {}): Promise<Fill[]> {
    const rows = await this.paginate(
      "/portfolio/fills",
      "/portfolio/fills",
      S.FillsResponse,
      (p) => ({ items: (p.fills ?? []).map(S.fillFromWire), cursor: p.cursor }),
      {
        ticker: filter.ticker,
        order_id: filter.orderId,
        min_ts: minTsSec(filter.minTs),
        max_ts: maxTsSec(filter.maxTs),
      },
      PAGE_MAX,
    );
    return rows.filter((f) => inRange(f.createdTime, filter));
  }

  async getSettlements(filter: SettlementsFilter = {}): Promise<Settlement[]> {
    const rows = await this.paginate(
      "/portfolio/settlements",
      "/portfolio/settlements",
      S.SettlementsResponse,
      (p) => ({ items: (p.settlements ?? []).map(S.settlementFromWire), cursor: p.cursor }),
      {
        ticker: filter.ticker,
        event_ticker: filter.eventTicker,
        min_ts: minTsSec(filter.minTs),
        max_ts: maxTsSec(filter.maxTs),
      },
      PAGE_MAX,
    );
    return rows.filter((s) => inRange(s.settledTime, filter));
  }

  async getHistoricalCutoff(): Promise<HistoricalCutoff> {
    return S.historicalCutoffFromWire(
      await this.get("/historical/cutoff", "/historical/cutoff", S.HistoricalCutoffResponse),
    );
  }

  /** GET /historical/fills has no order_id parameter: that filter is applied locally. */
  async getHistoricalFills(filter: FillsFilter = {}): Promise<Fill[]> {
    const rows = await this.paginate(
      "/historical/fills",
      "/historical/fills",
      S.FillsResponse,
      (p) => ({ items: (p.fills ?? []).map(S.fillFromWire), cursor: p.cursor }),
      { ticker: filter.ticker, min_ts: minTsSec(filter.minTs), max_ts: maxTsSec(filter.maxTs) },
      PAGE_MAX,
    );
    return rows.filter(
      (f) => inRange(f.createdTime, filter) && (filter.orderId === undefined || f.orderId === filter.orderId),
    );
  }

  /** GET /historical/orders has no status parameter: that filter is applied locally. */
  async getHistoricalOrders(filter: OrdersFilter = {}): Promise<Order[]> {
    const rows = await this.paginate(
      "/historical/orders",
      "/historical/orders",
      S.OrdersResponse,
      (p) => ({ items: (p.orders ?? []).map(S.orderFromWire), cursor: p.cursor }),
      { ticker: filter.ticker, min_ts: minTsSec(filter.minTs), max_ts: maxTsSec(filter.maxTs) },
      PAGE_MAX,
    );
    return filter.status === undefined ? rows : rows.filter((o) => o.status === filter.status);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.limiter?.close();
    this.closing.abort();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
  async getEventsPage(filter: EventsPageFilter): Promise<EventsPage> {
    const secs = (ms: number | undefined) => (ms === undefined ? undefined : Math.floor(ms / 1000));
    const r = await this.get("/events", "/events", S.EventsResponse, {
      status: filter.status,
      series_ticker: filter.seriesTicker,
      with_nested_markets: filter.withNestedMarkets ? true : undefined,
      min_updated_ts: secs(filter.minUpdatedTs),
      min_close_ts: secs(filter.minCloseTs),
      limit: Math.min(EVENTS_PAGE_MAX, Math.max(1, filter.limit ?? EVENTS_PAGE_MAX)),
      cursor: filter.cursor || undefined,
    });
    return {
      events: (r.events ?? []).map((e) => this.eventTitles.learn(S.eventFromWire(e))),
      cursor: r.cursor ?? "",
    };
  }

  async getSeriesList(filter: { category?: string } = {}): Promise<SeriesInfo[]> {
    const r = await this.get("/series", "/series", S.SeriesListResponse, { category: filter.category });
    return (r.series ?? []).map(S.seriesFromWire);
  }

  async getTagsByCategories(): Promise<Record<string, string[]>> {
    const r = await this.get(
      "/search/tags_by_categories",
      "/search/tags_by_categories",
      S.TagsByCategoriesResponse,
    );
    const out: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(r.tags_by_categories)) out[k] = v ?? [];
    return out;
  }
}

/**
 * The averages a create answer would carry (average YES fill price, average fee per contract),
 * worked out from an Order's totals — for a create recovered by client_order_id.
 *
 * - Fill costs are in the price of the order's own outcome: an order with outcome_side "yes"
 *   (book side bid, buying YES) pays the YES price; one with outcome_side "no" (book side ask,
 *   selling YES ≡ buying NO) pays the NO price, so its average YES price is $1 − the average cost.
 *   (The spec only says "the cost of filled taker/maker orders in dollars"; the sim books the
 *   outcome's price, and the executor reads Order totals the same way.)
 * - Average YES price = (taker_fill_cost + maker_fill_cost) / fill_count, average fee =
 *   (taker_fees + maker_fees) / fill_count, both rounded half-up to the micro-dollar.
 * - Both are null when nothing filled. The price is also null (unknown rather than wrong) when the
 *   result lies outside (0, 1) or on the wrong side of the order's limit — a buy of YES cannot fill
 *   above its limit, a sell below it — which would mean the costs are not in the unit assumed above.
 */
export function orderAverages(o: Order): { averageFillPrice: Micros | null; averageFeePaid: Micros | null } {
  if (o.fillCount <= 0) return { averageFillPrice: null, averageFeePaid: null };
  const averageFeePaid = averagePrice(micros(o.takerFees + o.makerFees), o.fillCount);
  const avgCost = averagePrice(micros(o.takerFillCost + o.makerFillCost), o.fillCount);
  if (avgCost === null) return { averageFillPrice: null, averageFeePaid };
  const yes = o.outcomeSide === "no" ? complementPrice(avgCost) : avgCost;
  const fits = yes > 0 && yes < 1_000_000 && (o.outcomeSide === "no" ? yes >= o.yesPrice : yes <= o.yesPrice);
  return { averageFillPrice: fits ? yes : null, averageFeePaid };
}

/** A lookup window before the first create attempt (clock skew between us and Kalshi). */
const RECONCILE_LOOKBACK_MS = 60_000;
/** Items per batch cancel at most (the spec scales it with the tier; this keeps bodies small). */
const MAX_BATCH_CANCEL = 100;

function withUnknown(err: KalshiApiError | KalshiNetworkError, unknown: boolean): Error {
  return err instanceof KalshiApiError
    ? err.withOutcomeUnknown(unknown)
    : new KalshiNetworkError(err.kind, err.method, err.path, err.errorCode, unknown);
}

/** Every write naming an order must name its market too (shard routing). */
export function requireRef(r: { orderId: string; ticker: string }): void {
  if (!r.orderId) throw new KalshiRequestError("Which order? The order id is empty");
  if (!r.ticker)
    throw new KalshiRequestError(`Order ${r.orderId} needs its market ticker (Kalshi routes by it)`);
}

function sane(l: BucketLimit, fallback: BucketLimit): BucketLimit {
  if (!(l.refillRate > 0) || !(l.bucketCapacity > 0)) return fallback;
  return { refillRate: l.refillRate, bucketCapacity: Math.max(l.bucketCapacity, DEFAULT_REQUEST_COST) };
}
