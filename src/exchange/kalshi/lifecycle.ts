/**
 * Kalshi's market_lifecycle_v2 frames (asyncapi marketLifecycleV2Payload) in domain terms. Only the
 * events a holder is told about are kept (pause, resume, close date, determination, settlement);
 * creation, price-structure and metadata events are answered with null.
 */
import { z } from "zod";
import type { MarketLifecycleEvent } from "../port.js";

const KINDS = ["deactivated", "activated", "close_date_updated", "determined", "settled"] as const;

const lifecycleMsg = z.object({
  market_ticker: z.string().min(1),
  event_type: z.string(),
  close_ts: z.number().int().optional(),
  result: z.string().optional(),
});

/** The event in a frame's `msg`, or null when it is not one the bot tells; throws on a malformed one. */
export function wsLifecycleToDomain(msg: unknown): MarketLifecycleEvent | null {
  const m = lifecycleMsg.parse(msg);
  const kind = KINDS.find((k) => k === m.event_type);
  if (!kind) return null;
  return {
    ticker: m.market_ticker,
    kind,
    closeTime: m.close_ts !== undefined ? m.close_ts * 1000 : null,
    result: m.result ?? null,
  };
}
