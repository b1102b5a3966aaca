/**
 * A new order as the engine records it, and the checks every order request gets before it touches
 * a book: a tradable market, a valid price tick, a positive count, an expiry only on a GTC order
 * and in the future, and client_order_id clashes. Each refusal is Kalshi's code with a sentence.
 */
import { type Micros, centis, micros } from "../../domain/money.js";
import { randomUUID } from "node:crypto";
import type { SimMarket } from "../fixtures.js";
import { type PlaceOrderInput, type SimOrder, SimError, isValidPrice } from "./types.js";

/** A resting order of `input` with nothing filled and nothing reserved yet. */
export function newOrder(
  accountId: string,
  ticker: string,
  input: PlaceOrderInput,
  now: number,
  seq: number,
): SimOrder {
  return {
    orderId: randomUUID(),
    accountId,
    clientOrderId: input.clientOrderId ?? "",
    ticker,
    side: input.side,
    price: input.price,
    initial: input.count,
    filled: centis(0),
    remaining: input.count,
    status: "resting",
    tif: input.tif,
    postOnly: input.postOnly ?? false,
    reduceOnly: input.reduceOnly ?? false,
    stp: input.stp ?? "taker_at_cross",
    cancelOnPause: input.cancelOnPause ?? false,
    takerFillCost: micros(0),
    makerFillCost: micros(0),
    takerFees: micros(0),
    makerFees: micros(0),
    createdTs: now,
    lastUpdateTs: now,
    expirationTs: input.expirationTs ?? null,
    reserved: micros(0),
    seq,
    lastUpdateReason: null,
  };
}

export function requireOpenMarket(m: SimMarket): void {
  if (m.status !== "active") {
    throw new SimError(409, "market_closed", "market closed", `market ${m.ticker} is ${m.status}`);
  }
}

export function requireValidPrice(m: SimMarket, price: Micros): void {
  if (!isValidPrice(price, m.priceRanges)) {
    throw new SimError(
      400,
      "invalid_price",
      "invalid price",
      `price is not a valid tick for ${m.priceLevelStructure}`,
    );
  }
}

/** A create's count and expiry: a positive count; an expiry only with GTC, and in the future. */
export function requireValidCreate(input: PlaceOrderInput, now: number): void {
  if (!(input.count > 0)) throw new SimError(400, "invalid_order", "invalid order", "count must be positive");
  const expirationTs = input.expirationTs ?? null;
  if (expirationTs === null) return;
  if (input.tif !== "good_till_canceled") {
    throw new SimError(400, "invalid_order", "invalid order", "expiration_time requires good_till_canceled");
  }
  if (expirationTs <= now)
    throw new SimError(400, "invalid_order", "invalid order", "expiration_time is in the past");
}

export function duplicateClientOrderId(clientOrderId: string): SimError {
  return new SimError(
    409,
    "duplicate_client_order_id",
    "duplicate client order id",
    `an open order with client_order_id ${clientOrderId} already exists`,
  );
}
