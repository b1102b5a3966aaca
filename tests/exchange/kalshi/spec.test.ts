/**
 * Checks every request the client makes against Kalshi's official OpenAPI spec: the operation
 * exists, query parameters are declared and valid, required ones are present, request bodies
 * validate (CreateOrderV2Request), and the fixtures the fake served validate against the
 * operation's response schema (so the conversions are tested on realistic payloads).
 *
 * The spec is looked up at <repo>/../shared/kalshi (and <repo>/../../shared/kalshi for git
 * worktrees, or $KALSHI_SPEC_DIR); without it these tests are skipped.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import nock from "nock";
import { Ajv, type ValidateFunction } from "ajv";
import { parse as parseYaml } from "yaml";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { KalshiClient } from "../../../src/exchange/kalshi/client.js";
import type { Centis, Micros } from "../../../src/domain/money.js";
import {
  FakeKalshi,
  makeClient,
  wireBook,
  wireEvent,
  wireFill,
  wireLimits,
  wireMarket,
  wireOrder,
  wirePosition,
  wireSeries,
  wireSettlement,
  type Call,
} from "./helpers.js";

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
const SPEC_FILE = "openapi-3.31.0.yaml";
const specDir = [
  process.env.KALSHI_SPEC_DIR,
  path.resolve(repoRoot, "../shared/kalshi"),
  path.resolve(repoRoot, "../../shared/kalshi"),
].find((d): d is string => !!d && existsSync(path.join(d, SPEC_FILE)));

if (!specDir) {
  console.warn(`[spec.test] ${SPEC_FILE} not found next to the repository; skipping spec conformance tests.`);
}

type Param = { name: string; in: string; required?: boolean; schema?: Record<string, unknown> };
type Operation = {
  parameters?: Array<Param | { $ref: string }>;
  requestBody?: { content?: Record<string, { schema?: unknown }> } | { $ref: string };
  responses?: Record<string, unknown>;
};
type Spec = {
  paths: Record<string, Record<string, Operation>>;
  components: Record<string, Record<string, unknown>>;
};

let spec: Spec;
let ajv: Ajv;

function deref<T>(x: T | { $ref: string }): T {
  if (x && typeof x === "object" && "$ref" in x && typeof x.$ref === "string") {
    let o: unknown = spec;
    for (const k of x.$ref.replace(/^#\//, "").split("/")) o = (o as Record<string, unknown>)[k];
    return o as T;
  }
  return x as T;
}

/** OpenAPI 3.0 `nullable: true` to JSON Schema (ajv rejects `nullable` without `type`). */
function convertNullable(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(convertNullable);
  if (!x || typeof x !== "object") return x;
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(x)) o[k] = convertNullable(v);
  if (o.nullable !== true) return o;
  delete o.nullable;
  if (typeof o.type === "string" && !o.enum) return { ...o, type: [o.type, "null"] };
  return { anyOf: [o, { type: "null" }] };
}

function compile(schema: unknown): ValidateFunction {
  // Component refs are written relative to the spec document, registered under id "spec".
  const rewritten = JSON.parse(
    JSON.stringify(convertNullable(schema)).replace(/"#\/components\//g, '"spec#/components/'),
  ) as object;
  return ajv.compile(rewritten);
}

function findOperation(method: string, p: string): { template: string; op: Operation } | null {
  const segs = p.split("/");
  // A literal path (…/orders/queue_positions) wins over a template (…/orders/{order_id}), as in routing.
  const templates = Object.entries(spec.paths).sort(
    ([a], [b]) => Number(a.includes("{")) - Number(b.includes("{")),
  );
  for (const [template, item] of templates) {
    const t = template.split("/");
    if (t.length !== segs.length) continue;
    if (!t.every((s, i) => (s.startsWith("{") ? (segs[i] ?? "") !== "" : s === segs[i]))) continue;
    const op = item[method.toLowerCase()];
    if (op) return { template, op };
  }
  return null;
}

function coerce(value: string, schema: Record<string, unknown>): unknown {
  if (schema.type === "integer" || schema.type === "number") return Number(value);
  if (schema.type === "boolean") return value === "true" ? true : value === "false" ? false : value;
  return value;
}

/** Problems with one recorded call, as readable strings (empty when conformant). */
function conformance(call: Call): string[] {
  const where = `${call.method} ${call.path}`;
  const found = findOperation(call.method, call.path);
  if (!found) return [`${where}: no such operation in the spec`];
  const problems: string[] = [];
  const params = (found.op.parameters ?? []).map((p) => deref<Param>(p));
  const queryParams = new Map(params.filter((p) => p.in === "query").map((p) => [p.name, p]));
  for (const key of new Set(call.query.keys())) {
    const p = queryParams.get(key);
    if (!p) {
      problems.push(`${where}: query parameter ${key} is not declared for ${found.template}`);
      continue;
    }
    const schema = deref<Record<string, unknown>>(p.schema ?? {});
    const value =
      schema.type === "array" ? call.query.getAll(key) : coerce(call.query.get(key) ?? "", schema);
    if (schema.type !== "array" && call.query.getAll(key).length > 1) {
      problems.push(`${where}: ${key} repeated but not an array parameter`);
    }
    const v = compile(schema);
    if (!v(value)) problems.push(`${where}: ${key}=${JSON.stringify(value)}: ${ajv.errorsText(v.errors)}`);
  }
  for (const p of queryParams.values()) {
    if (p.required && !call.query.has(p.name)) problems.push(`${where}: required ${p.name} missing`);
  }
  if (found.op.requestBody) {
    const rb = deref<{ content?: Record<string, { schema?: unknown }> }>(found.op.requestBody);
    const schema = rb.content?.["application/json"]?.schema;
    if (schema) {
      const v = compile(schema);
      if (!v(call.body)) problems.push(`${where}: body: ${ajv.errorsText(v.errors)}`);
    }
  } else if (call.body !== undefined) {
    problems.push(`${where}: sends a body the operation does not take`);
  }
  // The fixture we served must itself be a valid response.
  if (call.reply && call.reply[0] < 300) {
    const resp = deref<{ content?: Record<string, { schema?: unknown }> }>(
      (found.op.responses?.[String(call.reply[0])] ??
        found.op.responses?.["200"] ??
        found.op.responses?.["201"]) as {
        $ref: string;
      },
    );
    const schema = resp?.content?.["application/json"]?.schema;
    if (schema) {
      const v = compile(schema);
      if (!v(call.reply[1])) problems.push(`${where}: fixture response: ${ajv.errorsText(v.errors)}`);
    }
  }
  if (!call.signatureOk) problems.push(`${where}: signature does not verify`);
  return problems;
}

const d = describe.skipIf(!specDir);

let client: KalshiClient | null = null;

beforeAll(() => {
  nock.disableNetConnect();
  if (!specDir) return;
  spec = parseYaml(readFileSync(path.join(specDir, SPEC_FILE), "utf8")) as Spec;
  ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
  ajv.addSchema({ $id: "spec", components: convertNullable(spec.components) as object });
});
afterEach(async () => {
  await client?.close();
  client = null;
  nock.cleanAll();
});
afterAll(() => {
  nock.enableNetConnect();
});

function fakeWithFixtures(): FakeKalshi {
  const order = wireOrder();
  // Later routes win: queue_positions (last) before the /portfolio/orders/{order_id} pattern.
  return new FakeKalshi()
    .on("GET", "/exchange/status", [200, { exchange_active: true, trading_active: true }])
    .on("GET", "/account/limits", [200, wireLimits])
    .on("GET", "/portfolio/balance", [
      200,
      {
        balance: 12345,
        balance_dollars: "123.4500",
        portfolio_value: 5000,
        updated_ts: 1_790_000_000,
        balance_breakdown: [
          { exchange_index: 0, balance: "100.0000" },
          { exchange_index: 1, balance: "23.4500" },
        ],
      },
    ])
    .on("GET", "/account/endpoint_costs", [
      200,
      {
        default_cost: 10,
        endpoint_costs: [
          { method: "DELETE", path: "/trade-api/v2/portfolio/events/orders/{order_id}", cost: 2 },
        ],
      },
    ])
    .on("GET", "/api_keys", [
      200,
      {
        api_keys: [{ api_key_id: "key-1", name: "bot", scopes: ["read", "write"] }],
        api_key_region_expiration_ts: 1_795_000_000,
      },
    ])
    .on("GET", "/portfolio/positions", [
      200,
      { market_positions: [wirePosition()], event_positions: [], cursor: "" },
    ])
    .on("GET", "/markets", [200, { markets: [wireMarket()], cursor: "" }])
    .on("GET", /^\/markets\/[^/]+$/, [200, { market: wireMarket() }])
    .on("GET", /^\/markets\/[^/]+\/orderbook$/, [200, { orderbook_fp: wireBook }])
    .on("GET", "/markets/orderbooks", (c) => [
      200,
      { orderbooks: c.query.getAll("tickers").map((t) => ({ ticker: t, orderbook_fp: wireBook })) },
    ])
    .on("GET", "/events", [200, { events: [wireEvent()], cursor: "" }])
    .on("GET", /^\/events\/[^/]+$/, [200, { event: wireEvent(), markets: [wireMarket()] }])
    .on("GET", /^\/series\/[^/]+$/, [200, { series: wireSeries() }])
    .on("POST", "/portfolio/events/orders", [
      201,
      {
        order_id: "ord-9",
        client_order_id: "c-1",
        fill_count: "0.00",
        remaining_count: "10.00",
        ts_ms: 1_790_000_000_000,
      },
    ])
    .on("DELETE", /^\/portfolio\/events\/orders\/[^/]+$/, [
      200,
      { order_id: "ord-1", client_order_id: "c-1", reduced_by: "10.00", ts_ms: 1_790_000_000_000 },
    ])
    .on("DELETE", "/portfolio/events/orders/batched", [
      200,
      {
        orders: [
          { order_id: "ord-1", client_order_id: "c-1", reduced_by: "10.00", ts_ms: 1_790_000_000_000 },
          {
            order_id: "ord-2",
            client_order_id: null,
            reduced_by: "0.00",
            ts_ms: null,
            error: { code: "not_found", message: "order not found" },
          },
        ],
      },
    ])
    .on("DELETE", "/portfolio/events/orders", [204, ""])
    .on("POST", /^\/portfolio\/events\/orders\/[^/]+\/amend$/, [
      200,
      {
        order_id: "ord-1",
        client_order_id: "c-2",
        remaining_count: "8.00",
        fill_count: "0.00",
        ts_ms: 1_790_000_000_001,
      },
    ])
    .on("POST", /^\/portfolio\/events\/orders\/[^/]+\/decrease$/, [
      200,
      { order_id: "ord-1", client_order_id: "c-1", remaining_count: "5.00", ts_ms: 1_790_000_000_002 },
    ])
    .on("GET", /^\/portfolio\/orders\/[^/]+$/, [200, { order }])
    .on("GET", "/portfolio/orders", [200, { orders: [order], cursor: "" }])
    .on("GET", "/portfolio/fills", [200, { fills: [wireFill()], cursor: "" }])
    .on("GET", "/portfolio/settlements", [200, { settlements: [wireSettlement()], cursor: "" }])
    .on("GET", "/historical/cutoff", [
      200,
      {
        market_settled_ts: "2026-11-01T00:00:00Z",
        trades_created_ts: "2026-11-01T00:00:00Z",
        orders_updated_ts: "2026-11-01T00:00:00Z",
      },
    ])
    .on("GET", "/historical/fills", [200, { fills: [wireFill()], cursor: "" }])
    .on("GET", "/historical/orders", [200, { orders: [order], cursor: "" }])
    .on("GET", "/portfolio/orders/queue_positions", (c) => [
      200,
      {
        queue_positions: (c.query.get("market_tickers") ?? "")
          .split(",")
          .map((t, i) => ({ order_id: `ord-${i}`, market_ticker: t, queue_position_fp: "12.00" })),
      },
    ]);
}

d("requests match Kalshi's OpenAPI 3.31.0 spec", () => {
  it("every ExchangePort method calls a declared operation with declared parameters and a valid body", async () => {
    const fake = fakeWithFixtures();
    client = makeClient();
    const k = client;
    const range = { minTs: 1_789_000_000_000, maxTs: 1_790_000_000_000 };
    await k.getExchangeStatus();
    await k.getAccountLimits();
    await k.getBalance();
    await k.getPositions({ ticker: "T1", eventTicker: "E1" });
    await k.getPositions({ all: true });
    await k.getMarkets({ status: "open", seriesTicker: "S", eventTicker: "E", max: 5 });
    await k.getMarkets({ tickers: ["A", "B"] });
    await k.getMarket("KXHIGHNY-26NOV30-T50");
    await k.getOrderbook("KXHIGHNY-26NOV30-T50", 5);
    await k.getOrderbooks(["A", "B"]);
    await k.getEvents({ status: "open", seriesTicker: "S", withNestedMarkets: true, max: 3 });
    await k.getEvent("KXHIGHNY-26NOV30");
    await k.getSeries("KXHIGHNY");
    await k.createOrder({
      ticker: "KXHIGHNY-26NOV30-T50",
      side: "ask",
      count: 1000 as Centis,
      price: 440_000 as Micros,
      timeInForce: "good_till_canceled",
      clientOrderId: "c-1",
      postOnly: true,
      reduceOnly: false,
      expirationTime: 1_790_000_000_000,
    });
    await k.createOrder({
      ticker: "KXHIGHNY-26NOV30-T50",
      side: "bid",
      count: 150 as Centis,
      price: 12_300 as Micros,
      timeInForce: "immediate_or_cancel",
      clientOrderId: "c-2",
    });
    await k.cancelOrder("ord-1", "KXHIGHNY-26NOV30-T50");
    await k.amendOrder({
      orderId: "ord-1",
      ticker: "KXHIGHNY-26NOV30-T50",
      side: "bid",
      price: 570_000 as Micros,
      count: 1000 as Centis,
      clientOrderId: "c-1",
      updatedClientOrderId: "c-2",
    });
    await k.decreaseOrder({ orderId: "ord-1", ticker: "KXHIGHNY-26NOV30-T50", reduceTo: 500 as Centis });
    await k.decreaseOrder({ orderId: "ord-1", ticker: "KXHIGHNY-26NOV30-T50", reduceBy: 100 as Centis });
    const batch = await k.cancelOrders([
      { orderId: "ord-1", ticker: "KXHIGHNY-26NOV30-T50" },
      { orderId: "ord-2", ticker: "KXBTCD-26NOV2517-T94999.99" },
    ]);
    expect(batch.map((b) => b.ok)).toEqual([true, false]);
    await k.cancelAllOrders();
    expect((await k.getEndpointCosts()).endpoints).toHaveLength(1);
    expect((await k.getApiKeys()).regionExpiration).toBe(1_795_000_000_000);
    await k.getOrder("ord-1");
    expect(await k.getQueuePositions(["A", "B", "A"])).toEqual(
      new Map([
        ["ord-0", 1200],
        ["ord-1", 1200],
      ]),
    );
    await k.getOrders({ ticker: "T", status: "resting", ...range });
    await k.getFills({ ticker: "T", orderId: "ord-1", ...range });
    await k.getSettlements({ ticker: "T", eventTicker: "E", ...range });
    await k.getHistoricalCutoff();
    await k.getHistoricalFills({ ticker: "T", orderId: "ord-1", ...range });
    await k.getHistoricalOrders({ ticker: "T", status: "executed", ...range });

    const problems = fake.calls.flatMap(conformance);
    expect(problems).toEqual([]);

    // Every write naming an existing order also names its market (shard routing, API.md 3.4a).
    const unrouted = fake.calls.filter((c) => {
      if (!/^\/portfolio\/events\/orders\/(?!batched$)[^/]+/.test(c.path) || c.method === "GET") return false;
      const body = (c.body ?? {}) as { ticker?: string; market_ticker?: string };
      return !(c.query.get("market_ticker") || body.market_ticker || body.ticker);
    });
    expect(unrouted.map((c) => `${c.method} ${c.path}`)).toEqual([]);
    const batched = fake.callsTo("DELETE", "/portfolio/events/orders/batched")[0]!.body as {
      orders: { market_ticker?: string }[];
    };
    expect(batched.orders.every((o) => !!o.market_ticker)).toBe(true);

    const operations = new Set(
      fake.calls.map((c) => `${c.method} ${findOperation(c.method, c.path)?.template}`),
    );
    expect([...operations].sort()).toEqual(
      [
        "DELETE /portfolio/events/orders/{order_id}",
        "DELETE /portfolio/events/orders",
        "DELETE /portfolio/events/orders/batched",
        "POST /portfolio/events/orders/{order_id}/amend",
        "POST /portfolio/events/orders/{order_id}/decrease",
        "GET /account/endpoint_costs",
        "GET /api_keys",
        "GET /account/limits",
        "GET /events",
        "GET /events/{event_ticker}",
        "GET /exchange/status",
        "GET /historical/cutoff",
        "GET /historical/fills",
        "GET /historical/orders",
        "GET /markets",
        "GET /markets/orderbooks",
        "GET /markets/{ticker}",
        "GET /markets/{ticker}/orderbook",
        "GET /portfolio/balance",
        "GET /portfolio/fills",
        "GET /portfolio/orders",
        "GET /portfolio/orders/{order_id}",
        "GET /portfolio/orders/queue_positions",
        "GET /portfolio/positions",
        "GET /portfolio/settlements",
        "GET /series/{series_ticker}",
        "POST /portfolio/events/orders",
      ].sort(),
    );
  });

  it("the conformance check itself catches an undeclared parameter and an invalid body", () => {
    const bad: Call = {
      method: "POST",
      path: "/portfolio/events/orders",
      fullPath: "/trade-api/v2/portfolio/events/orders",
      query: new URLSearchParams("bogus=1"),
      body: { ticker: "T", side: "buy", count: 10, price: "0.5" },
      headers: {},
      signatureOk: true,
      at: 0,
    };
    const problems = conformance(bad);
    expect(problems.some((p) => p.includes("bogus"))).toBe(true);
    expect(problems.some((p) => p.includes("body"))).toBe(true);
    expect(conformance({ ...bad, path: "/portfolio/orders", query: new URLSearchParams() })[0]).toMatch(
      /POST \/portfolio\/orders: no such operation/,
    );
    const get: Call = {
      ...bad,
      method: "GET",
      path: "/portfolio/balance",
      body: undefined,
      query: new URLSearchParams(),
    };
    expect(conformance({ ...get, reply: [200, { balance_dollars: "1.00" }] })).toEqual([
      expect.stringContaining("fixture response"),
    ]);
    expect(conformance({ ...get, signatureOk: false })).toEqual([expect.stringContaining("signature")]);
    const ob: Call = { ...get, path: "/markets/orderbooks", query: new URLSearchParams() };
    expect(conformance(ob)).toEqual([expect.stringContaining("required tickers missing")]);
  });
});
