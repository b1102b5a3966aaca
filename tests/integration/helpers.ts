/**
 * Helpers for tests that run the project's real KalshiClient against the sim over HTTP.
 */
import winston from "winston";
import TransportStream from "winston-transport";
import { KalshiClient, type KalshiClientOptions } from "../../src/exchange/kalshi/client.js";
import { loadPrivateKey } from "../../src/exchange/kalshi/signer.js";
import type { Micros, Centis } from "../../src/domain/money.js";
import type { SimServer } from "../../src/sim/server.js";

export interface LoggedAttempt {
  method: string;
  path: string;
  status: number | null;
  error?: string;
  attempt: number;
}

/** A winston logger that keeps every "kalshi request" entry (one per HTTP attempt). */
export function captureLogger(): { logger: winston.Logger; attempts: LoggedAttempt[]; all: unknown[] } {
  const attempts: LoggedAttempt[] = [];
  const all: unknown[] = [];
  class Capture extends TransportStream {
    override log(info: Record<string, unknown>, next: () => void): void {
      all.push(info);
      if (info.message === "kalshi request") attempts.push(info as unknown as LoggedAttempt);
      next();
    }
  }
  const logger = winston.createLogger({ level: "debug", transports: [new Capture()] });
  return { logger, attempts, all };
}

/** A client for this sim; fast retries and no client-side rate budget unless overridden. */
export async function simClient(
  sim: SimServer,
  over: Partial<KalshiClientOptions> = {},
): Promise<KalshiClient> {
  return KalshiClient.create({
    baseUrl: sim.baseUrl,
    keyId: sim.keyId,
    privateKey: loadPrivateKey(sim.privateKeyPem),
    retry: { baseDelayMs: 5, maxDelayMs: 40 },
    rateLimit: false,
    ...over,
  });
}

/** POST to a sim control endpoint (/sim/...) over HTTP, as an operator would. */
export async function control<T = unknown>(sim: SimServer, path: string, body?: unknown): Promise<T> {
  const res = await fetch(sim.controlUrl + path, {
    method: body === undefined ? "GET" : "POST",
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`sim control ${path}: HTTP ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

/**
 * Kalshi's taker fee worked out by hand, independently of src/domain/fees.ts:
 * 0.07 × contracts × P × (1 − P), rounded up to the cent. Micros in, micros out.
 */
export function takerFeeByHand(yesPrice: Micros, count: Centis): Micros {
  // contracts = count/100, P = yesPrice/1e6. fee[micros] = 7/100 × count/100 × P × (1e6 − P) / 1e6
  const num = 7n * BigInt(count) * BigInt(yesPrice) * BigInt(1_000_000 - yesPrice);
  const den = 100n * 100n * 1_000_000n;
  const cent = 10_000n;
  const inCents = (num + den * cent - 1n) / (den * cent);
  return Number(inCents * cent) as Micros;
}

/**
 * What a retail account's balance drops by for one taker buy fill: Kalshi rounds the fee up to $0.0001 and
 * floors the balance change (proceeds − cost − fee) to whole cents, so cost + fee is rounded up to the cent.
 */
export function takerBuyDebitByHand(yesPrice: Micros, count: Centis): Micros {
  const num = 7n * BigInt(count) * BigInt(yesPrice) * BigInt(1_000_000 - yesPrice);
  const den = 100n * 100n * 1_000_000n;
  const step4 = 100n; // $0.0001 in micros
  const fee4 = ((num + den * step4 - 1n) / (den * step4)) * step4;
  const total = notionalFloor(yesPrice, count) + fee4;
  const cent = 10_000n;
  return Number(((total + cent - 1n) / cent) * cent) as Micros;
}

function notionalFloor(yesPrice: Micros, count: Centis): bigint {
  return (BigInt(yesPrice) * BigInt(count)) / 100n;
}

/** price × count in micros for cent prices and whole-or-fractional counts (exact here). */
export function notional(price: Micros, count: Centis): Micros {
  const v = BigInt(price) * BigInt(count);
  if (v % 100n !== 0n) throw new Error("notional is not a whole micro amount");
  return Number(v / 100n) as Micros;
}
