/**
 * The HTTP vocabulary every sim route shares: Kalshi's path prefixes, reading a JSON body, a
 * reply, Kalshi's error shape and its bare 429 body, and cursor pagination. One place, so every
 * route answers in exactly the same shape as the live exchange.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { SimError } from "../engine.js";
import { bad, intParam } from "../orderRequests.js";

/** Kalshi's REST prefix and WebSocket path (API.md §2); the signed path includes them. */
export const REST_PREFIX = "/trade-api/v2";
export const WS_PATH = "/trade-api/ws/v2";

export type Json = Record<string, unknown>;
export type Query = URLSearchParams;

export interface Reply {
  status: number;
  body?: unknown;
  /** A body sent as is (the 429 text, which is not Kalshi's usual error shape). */
  raw?: string;
}

export const ok = (body: unknown, status = 200): Reply => ({ status, body });

/** Kalshi's rate-limit answer: a bare `{"error":"too many requests"}`, not the usual error object. */
export const tooMany: Reply = { status: 429, raw: JSON.stringify({ error: "too many requests" }) };

/** `{error:{code,message,details?}}`, the shape of every Kalshi error. */
export function errorBody(e: SimError): Json {
  const inner: Json = { code: e.code, message: e.message };
  if (e.details !== undefined) inner.details = e.details;
  return { error: inner };
}

export function send(res: ServerResponse, r: Reply): void {
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
}

/** The request body as text; more than 1 MB is refused with a 400. */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
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
}

/** A JSON object body; an empty body is `{}`, anything else that is not an object is a 400. */
export function parseJson(text: string): Json {
  if (!text.trim()) return {};
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error("not an object");
    return v as Json;
  } catch {
    throw bad("the request body is not a JSON object", "invalid_parameters");
  }
}

/** One page of `items` by `limit` and an opaque `cursor`; `pageCap` serves short pages on purpose. */
export function paginate<T>(
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

/** Seconds-on-the-wire `min_ts`/`max_ts` as a millisecond range; `max_ts` covers its whole second. */
export function tsRange(q: Query): { min: number; max: number } {
  return {
    min: (intParam(q, "min_ts") ?? -Infinity) * 1000,
    max: (intParam(q, "max_ts") ?? Infinity) * 1000 + 999,
  };
}
