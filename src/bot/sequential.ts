import type { Context, MiddlewareFn } from "grammy";

/**
 * Runs the updates of one chat one after another. The app's poller (polling.ts) already queues per
 * chat; this also covers concurrent handleUpdate calls from elsewhere (webhooks, tests). The
 * conversations plugin was seen to hang when two updates of one chat replay at the same time.
 */
export function sequentialPerChat<C extends Context>(): MiddlewareFn<C> {
  const tails = new Map<number, Promise<void>>();
  return async (ctx, next) => {
    const key = ctx.chat?.id ?? ctx.from?.id;
    if (key === undefined) return next();
    const prev = tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = prev.then(() => mine);
    tails.set(key, tail);
    await prev;
    try {
      await next();
    } finally {
      release();
      if (tails.get(key) === tail) tails.delete(key);
    }
  };
}
