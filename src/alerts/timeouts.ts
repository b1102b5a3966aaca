/**
 * Deadlines for the reads an alert waits on: an alert must never hang on a slow exchange or journal,
 * so every such read either ends in time or gives way to a fallback (or a logged failure).
 */
import { TimeoutError, withTimeout } from "../shared/async.js";
import { AlertDeliveryError } from "./sink.js";

/** Resolves to `fallback` when `p` takes longer than `ms` (p keeps running); p's own failure rejects. */
export async function orFallback<T>(p: Promise<T>, ms: number, fallback: T): Promise<T> {
  try {
    return await withTimeout(p, ms);
  } catch (e) {
    if (e instanceof TimeoutError) return fallback;
    throw e;
  }
}

export function errText(e: unknown): string {
  if (e instanceof AlertDeliveryError) return e.message;
  return e instanceof Error ? e.message : String(e);
}
