/**
 * Updates that waited (the bot was offline, or busy with this chat) are still answered, never dropped
 * in silence. A command older than `lateAfterMs` first gets one line saying when it was sent, so an
 * answer to a /balance typed an hour ago is not mistaken for a fresh one. Buttons need no mark: a
 * Confirm tapped before the bot went down is judged by its quote's expiry when it is handled (the
 * trade conversation, or "This quote expired; nothing was placed." from the fallback after a restart).
 */
import type { MiddlewareFn } from "grammy";
import { formatShort } from "../domain/time.js";
import type { Kit, MyContext } from "./context.js";

const LATE_AFTER_MS = 60_000;

export function lateMark(kit: Kit, startedAt: number, lateAfterMs = LATE_AFTER_MS): MiddlewareFn<MyContext> {
  return async (ctx, next) => {
    const msg = ctx.message;
    if (msg?.text?.startsWith("/") && ctx.chat) {
      const sentAt = msg.date * 1000;
      if (kit.now() - sentAt > lateAfterMs) {
        const when = formatShort(sentAt, kit.deps.config.timeZone);
        const why = sentAt < startedAt ? "while the bot was offline" : "while the bot was busy";
        const command = msg.text.split(/\s/, 1)[0]!;
        await kit.ui
          .say(ctx, `⏳ Late answer: you sent ${command} at ${when}, ${why}.`)
          .catch((e: unknown) =>
            kit.log.warn("late mark not sent", { error: e instanceof Error ? e.message : String(e) }),
          );
      }
    }
    await next();
  };
}
