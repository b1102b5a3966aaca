/**
 * A 401 from Kalshi has several causes (wrong key id, wrong key file, wrong environment, a clock
 * that drifted); only the clock can be told apart from outside. Kalshi signs nothing back, but every
 * answer carries an HTTP `Date` header: when it is more than a few seconds away from this machine's
 * clock, the clock is the likely cause and the user is told so in seconds. Kalshi does not document
 * its timestamp window (API.md §2), so the tolerance is small and the sentence names the gap only.
 */

/** Gaps up to this are normal (the header has whole seconds, the answer takes time to arrive). */
export const CLOCK_SKEW_TOLERANCE_MS = 5_000;

/**
 * How far Kalshi's clock is ahead of ours (negative: behind), from a `Date` header and our clock
 * when the answer arrived; null when the header is missing or unreadable, or the gap is within the
 * tolerance.
 */
export function clockSkewFromDateHeader(date: unknown, localNowMs: number): number | null {
  if (typeof date !== "string" || date.trim() === "") return null;
  const serverMs = Date.parse(date);
  if (!Number.isFinite(serverMs)) return null;
  const skew = serverMs - localNowMs;
  return Math.abs(skew) > CLOCK_SKEW_TOLERANCE_MS ? skew : null;
}
