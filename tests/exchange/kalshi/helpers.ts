/** Shared test helpers: keys, a memory logger, wire fixtures that validate against the spec, and a nock fake. */
import { generateKeyPairSync } from "node:crypto";
import { Writable } from "node:stream";
import nock from "nock";
import winston from "winston";
import { KalshiClient, type KalshiClientOptions } from "../../../src/exchange/kalshi/client.js";
import { loadPrivateKey, verifyKalshiSignature } from "../../../src/exchange/kalshi/signer.js";

export const ORIGIN = "http://kalshi.test";
export const BASE = `${ORIGIN}/trade-api/v2`;
export const KEY_ID = "a952bcbe-ec3b-4b5b-b8f9-11111111abcd";

const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
export const publicKey = pair.publicKey;
export const privatePem = pair.privateKey.export({ type: "pkcs1", format: "pem" }).toString();
export const privateKey = loadPrivateKey(privatePem);

export function memoryLogger(): { logger: winston.Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  const logger = winston.createLogger({
    level: "debug",
    format: winston.format.json(),
    transports: [new winston.transports.Stream({ stream })],
  });
  return { logger, lines };
}

export function makeClient(opts: Partial<KalshiClientOptions> = {}): KalshiClient {
  return new KalshiClient({
    baseUrl: BASE,
    keyId: KEY_ID,
    privateKey,
    rateLimit: false,
    retry: { baseDelayMs: 1, maxDelayMs: 4 },
    timeoutMs: 2000,
    ...opts,
  });
}

// ---------------------------------------------------------------------------------------------
// Wire fixtures (all spec-required fields present)

export function wireMarket(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ticker: "KXHIGHNY-26NOV30-T50",
    event_ticker: "KXHIGHNY-26NOV30",
    market_type: "binary",
    title: "Will the high in NYC be above 50°?",
    yes_sub_title: "Above 50°",
    no_sub_title: "50° or below",
    created_time: "2026-11-20T10:00:00Z",
    updated_time: "2026-11-24T10:00:00Z",
    open_time: "2026-11-21T15:00:00Z",
    close_time: "2026-11-30T23:59:00Z",
    latest_expiration_time: "2026-12-07T15:00:00Z",
    settlement_timer_seconds: 3600,
    status: "active",
    notional_value_dollars: "1.0000",
    yes_bid_dollars: "0.5500",
    yes_ask_dollars: "0.5700",
    no_bid_dollars: "0.4300",
    no_ask_dollars: "0.4500",
    yes_bid_size_fp: "100.00",
    yes_ask_size_fp: "50.00",
    last_price_dollars: "0.5600",
    previous_yes_bid_dollars: "0.5000",
    previous_yes_ask_dollars: "0.5200",
    previous_price_dollars: "0.5100",
    volume_fp: "1234.00",
    volume_24h_fp: "200.50",
    open_interest_fp: "800.00",
    result: "",
    can_close_early: true,
    expiration_value: "",
    rules_primary: "If the high is above 50°, resolves Yes.",
    rules_secondary: "",
    price_level_structure: "linear_cent",
    price_ranges: [{ start: "0.0100", end: "0.9900", step: "0.0100" }],
    settlement_bounds_type: "default",
    new_field_kalshi_added_later: { anything: true },
    ...over,
  };
}

export function wireOrder(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    order_id: "ord-1",
    user_id: "user-1",
    client_order_id: "coid-1",
    ticker: "KXHIGHNY-26NOV30-T50",
    outcome_side: "yes",
    book_side: "bid",
    side: "yes",
    action: "buy",
    type: "limit",
    status: "resting",
    yes_price_dollars: "0.5600",
    no_price_dollars: "0.4400",
    fill_count_fp: "2.00",
    remaining_count_fp: "8.00",
    initial_count_fp: "10.00",
    taker_fill_cost_dollars: "1.120000",
    maker_fill_cost_dollars: "0.000000",
    taker_fees_dollars: "0.040000",
    maker_fees_dollars: "0.000000",
    expiration_time: null,
    created_time: "2026-11-24T12:00:00Z",
    last_update_time: "2026-11-24T12:00:05Z",
    self_trade_prevention_type: "taker_at_cross",
    ...over,
  };
}

export function wireFill(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    fill_id: "fill-1",
    trade_id: "fill-1",
    exchange_index: 0,
    order_id: "ord-1",
    ticker: "KXHIGHNY-26NOV30-T50",
    market_ticker: "KXHIGHNY-26NOV30-T50",
    outcome_side: "no",
    book_side: "ask",
    count_fp: "3.00",
    yes_price_dollars: "0.5600",
    no_price_dollars: "0.4400",
    is_taker: true,
    fee_cost: "0.060000",
    created_time: "2026-11-24T12:00:01Z",
    ...over,
  };
}

export function wireSettlement(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ticker: "KXHIGHNY-26NOV20-T50",
    exchange_index: 0,
    event_ticker: "KXHIGHNY-26NOV20",
    market_result: "yes",
    yes_count_fp: "10.00",
    yes_total_cost_dollars: "5.600000",
    no_count_fp: "0.00",
    no_total_cost_dollars: "0.000000",
    revenue: 1000,
    settled_time: "2026-11-21T15:00:00Z",
    fee_cost: "0.3400",
    value: 100,
    ...over,
  };
}

export function wirePosition(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ticker: "KXHIGHNY-26NOV30-T50",
    exchange_index: 0,
    total_traded_dollars: "5.600000",
    position_fp: "-10.00",
    market_exposure_dollars: "4.400000",
    realized_pnl_dollars: "0.000000",
    fees_paid_dollars: "0.180000",
    last_updated_ts: "2026-11-24T12:00:05Z",
    ...over,
  };
}

export function wireEvent(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    event_ticker: "KXHIGHNY-26NOV30",
    series_ticker: "KXHIGHNY",
    sub_title: "On Nov 30, 2026",
    title: "Highest temperature in NYC",
    collateral_return_type: "",
    mutually_exclusive: true,
    settlement_sources: [{ name: "NWS", url: "https://weather.gov" }],
    ...over,
  };
}

export function wireSeries(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ticker: "KXHIGHNY",
    frequency: "daily",
    title: "Highest temperature in NYC",
    category: "Climate and Weather",
    categories: ["Climate and Weather"],
    tags: [],
    settlement_sources: [],
    contract_url: "https://kalshi.com",
    contract_terms_url: "https://kalshi.com",
    fee_type: "quadratic_with_maker_fees",
    fee_multiplier: 1,
    additional_prohibitions: [],
    ...over,
  };
}

export const wireBook = {
  yes_dollars: [
    ["0.5400", "20.00"],
    ["0.5500", "100.00"],
  ],
  no_dollars: [
    ["0.4300", "15.50"],
    ["0.4200", "7.00"],
  ],
};

export const wireLimits = {
  usage_tier: "basic",
  read: { refill_rate: 200, bucket_capacity: 200 },
  write: { refill_rate: 100, bucket_capacity: 200 },
  grants: [],
};

// ---------------------------------------------------------------------------------------------
// A nock fake that routes by method + path and records every call.

export interface Call {
  method: string;
  /** Path below /trade-api/v2, without query. */
  path: string;
  fullPath: string;
  query: URLSearchParams;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
  signatureOk: boolean;
  at: number;
  /** What the fake answered. */
  reply?: Reply;
}

export type Reply = [number, unknown];
type Handler = (call: Call) => Reply;

export class FakeKalshi {
  readonly calls: Call[] = [];
  private routes: Array<{ method: string; path: string | RegExp; replies: Handler[]; n: number }> = [];

  /** Installs persistent nock interceptors for ORIGIN; remove them with nock.cleanAll(). */
  constructor() {
    const handle = this.handle.bind(this);
    for (const method of ["GET", "POST", "DELETE"]) {
      nock(ORIGIN)
        .persist()
        .intercept(() => true, method)
        .reply(function (uri, body) {
          return handle(method, uri, body, this.req.headers as Record<string, string | string[] | undefined>);
        });
    }
  }

  /** Replies in order; the last one repeats. Later registrations win over earlier ones. */
  on(method: string, path: string | RegExp, ...replies: Array<Reply | Handler>): this {
    this.routes.unshift({
      method,
      path,
      replies: replies.map((r) => (typeof r === "function" ? r : () => r)),
      n: 0,
    });
    return this;
  }

  callsTo(method: string, path: string | RegExp): Call[] {
    return this.calls.filter(
      (c) => c.method === method && (typeof path === "string" ? c.path === path : path.test(c.path)),
    );
  }

  private handle(
    method: string,
    uri: string,
    body: unknown,
    headers: Record<string, string | string[] | undefined>,
  ): Reply {
    const u = new URL(uri, ORIGIN);
    const path = u.pathname.replace(/^\/trade-api\/v2/, "");
    let parsed: unknown = body;
    if (typeof body === "string" && body !== "") {
      try {
        parsed = JSON.parse(body) as unknown;
      } catch {
        parsed = body;
      }
    }
    const call: Call = {
      method,
      path,
      fullPath: u.pathname,
      query: u.searchParams,
      body: parsed === "" ? undefined : parsed,
      headers,
      signatureOk: verifyKalshiSignature(publicKey, headers, method, u.pathname),
      at: performance.now(),
    };
    this.calls.push(call);
    const route = this.routes.find(
      (r) => r.method === method && (typeof r.path === "string" ? r.path === path : r.path.test(path)),
    );
    if (!route) return [404, { error: { code: "not_found", message: "not found" } }];
    const h = route.replies[Math.min(route.n, route.replies.length - 1)]!;
    route.n++;
    call.reply = h(call);
    return call.reply;
  }
}
