/**
 * Waiting in tests for something to happen: poll a condition until it holds, with a deadline that only a
 * real hang reaches (5 s by default; a loaded machine is slow, not stuck). A test never sleeps a fixed time
 * and then assumes the thing happened (or that nothing more will): it waits for the condition, or for a
 * sentinel that can only come after.
 */
export async function until<T>(
  what: string,
  cond: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 5_000,
  everyMs = 10,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
