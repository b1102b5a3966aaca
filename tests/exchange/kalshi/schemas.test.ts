import { describe, expect, it } from "vitest";
import { KalshiSchemaError } from "../../../src/exchange/errors.js";
import {
  BalanceResponse,
  SettlementsResponse,
  parseWire,
  wsFillToDomain,
  wsUserOrderToDomain,
} from "../../../src/exchange/kalshi/schemas.js";

// The examples from asyncapi-2.0.0.yaml (fill, user_order), with the 2026 direction fields.
const fillFrame = {
  type: "fill",
  sid: 13,
  msg: {
    trade_id: "d91bc706-ee49-470d-82d8-11418bda6fed",
    order_id: "ee587a1c-8b87-4dcf-b721-9f6f790619fa",
    client_order_id: "my-order-1",
    market_ticker: "HIGHNY-22DEC23-B53.5",
    exchange_index: 2,
    is_taker: true,
    side: "yes",
    yes_price_dollars: "0.7500",
    count_fp: "278.00",
    fee_cost: "0.010000",
    action: "buy",
    ts: 1671899397,
    ts_ms: 1671899397000,
    post_position_fp: "500.00",
    purchased_side: "yes",
    outcome_side: "yes",
    book_side: "bid",
    subaccount: 3,
  },
};

const userOrderFrame = {
  type: "user_order",
  sid: 22,
  msg: {
    order_id: "ee587a1c-8b87-4dcf-b721-9f6f790619fa",
    user_id: "a1b2c3d4-e5f6-7890-abcd-ef1234567890",
    ticker: "FED-23DEC-T3.00",
    exchange_index: 2,
    status: "resting",
    side: "yes",
    is_yes: true,
    outcome_side: "yes",
    book_side: "bid",
    yes_price_dollars: "0.3500",
    fill_count_fp: "0.00",
    remaining_count_fp: "10.00",
    initial_count_fp: "10.00",
    taker_fill_cost_dollars: "0.000000",
    maker_fill_cost_dollars: "0.000000",
    taker_fees_dollars: "0.000000",
    maker_fees_dollars: "0.000000",
    client_order_id: "my-order-1",
    order_group_id: "og_123",
    self_trade_prevention_type: "taker_at_cross",
    created_time: "2024-12-01T10:00:00Z",
    created_ts_ms: 1733047200000,
    expiration_time: "2024-12-01T11:00:00Z",
    expiration_ts_ms: 1733050800000,
    subaccount_number: 0,
  },
};

describe("WebSocket converters", () => {
  it("turns a fill frame into a domain fill with the position after it", () => {
    expect(wsFillToDomain(fillFrame)).toEqual({
      fill: {
        fillId: "d91bc706-ee49-470d-82d8-11418bda6fed",
        tradeId: "d91bc706-ee49-470d-82d8-11418bda6fed",
        orderId: "ee587a1c-8b87-4dcf-b721-9f6f790619fa",
        ticker: "HIGHNY-22DEC23-B53.5",
        outcomeSide: "yes",
        bookSide: "bid",
        count: 27800,
        yesPrice: 750_000,
        noPrice: 250_000,
        isTaker: true,
        fee: 10_000,
        createdTime: 1671899397000,
      },
      postPosition: 50000,
      clientOrderId: "my-order-1",
    });
    // The bare msg works too.
    expect(wsFillToDomain(fillFrame.msg).fill.count).toBe(27800);
  });

  it("turns a user_order frame into a domain order", () => {
    const r = wsUserOrderToDomain({
      ...userOrderFrame,
      msg: { ...userOrderFrame.msg, last_update_reason: "Trade" },
    });
    expect(r?.reason).toBe("Trade");
    expect(r?.order).toEqual({
      orderId: "ee587a1c-8b87-4dcf-b721-9f6f790619fa",
      clientOrderId: "my-order-1",
      ticker: "FED-23DEC-T3.00",
      outcomeSide: "yes",
      bookSide: "bid",
      status: "resting",
      yesPrice: 350_000,
      noPrice: 650_000,
      fillCount: 0,
      remainingCount: 1000,
      initialCount: 1000,
      takerFillCost: 0,
      makerFillCost: 0,
      takerFees: 0,
      makerFees: 0,
      createdTime: 1733047200000,
      lastUpdateTime: null,
      expirationTime: 1733050800000,
    });
  });

  it("returns null for status unknown, and names the field of a malformed message", () => {
    expect(wsUserOrderToDomain({ ...userOrderFrame.msg, status: "unknown" })).toBeNull();
    expect(() => wsFillToDomain({ ...fillFrame.msg, count_fp: 278 })).toThrow(
      new KalshiSchemaError("WS fill", "count_fp", "expected string, received number"),
    );
    expect(() => wsUserOrderToDomain({ ...userOrderFrame.msg, yes_price_dollars: "35c" })).toThrow(
      /^WS user_order: yes_price_dollars: expected a dollar amount string/,
    );
  });
});

describe("parseWire", () => {
  it("keeps settlement revenue in cents apart from the fee in dollars", () => {
    const w = parseWire(
      SettlementsResponse,
      {
        settlements: [
          {
            ticker: "T",
            event_ticker: "E",
            market_result: "no",
            yes_count_fp: "0.00",
            no_count_fp: "3.00",
            yes_total_cost_dollars: "0.0000",
            no_total_cost_dollars: "1.2000",
            revenue: 300,
            fee_cost: "0.0500",
            settled_time: "2026-11-21T15:00:00Z",
          },
        ],
      },
      "GET /portfolio/settlements",
    );
    expect(w.settlements?.[0]?.revenue).toBe(3_000_000);
    expect(w.settlements?.[0]?.fee_cost).toBe(50_000);
  });

  it("ignores unknown fields and rejects inexact money", () => {
    const ok = parseWire(
      BalanceResponse,
      { balance: 1, balance_dollars: "0.01", portfolio_value: 0, updated_ts: 1, brand_new: [1] },
      "GET /portfolio/balance",
    );
    expect(ok.balance_dollars).toBe(10_000);
    expect(() =>
      parseWire(
        BalanceResponse,
        { balance: 1, balance_dollars: "0.0000001", portfolio_value: 0, updated_ts: 1 },
        "GET /portfolio/balance",
      ),
    ).toThrow(/^GET \/portfolio\/balance: balance_dollars: expected a dollar amount string/);
  });
});
