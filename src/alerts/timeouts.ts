/**
 * Deadlines for the reads an alert waits on: an alert must never hang on a slow exchange or journal,
 * so every such read either ends in time or gives way to a fallback (or a logged failure).
 */
import { AlertDeliveryError } from "./sink.js";

/** Resolves to `fallback` when `p` takes longer than `ms` (p keeps running). */
export async function orFallback<T>(p: Promise<T>, ms: number, fallback: T): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<T>((res) => (t = setTimeout(() => res(fallback), ms)))]);
  } finally {
    clearTimeout(t);
  }
}

/** Rejects when `p` takes longer than `ms`. */
export async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<T>(
        (_, rej) => (t = setTimeout(() => rej(new Error(`${what} timed out after ${ms} ms`)), ms)),
      ),
    ]);
  } finally {
    clearTimeout(t);
  }
}

export function errText(e: unknown): string {
  if (e instanceof AlertDeliveryError) return e.message;
  return e instanceof Error ? e.message : String(e);
}
