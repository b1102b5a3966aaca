/**
 * Side effects inside a conversation (conversations v2 replays the function from the top on every
 * update): a service call runs once through `conversation.external`, replays reuse its stored result,
 * and a failure comes back as a sentence for the user instead of an exception. Results must be
 * JSON-serializable.
 */
import type { Context } from "grammy";
import { UserError } from "../../trading/types.js";
import type { Kit, MyConversation } from "../context.js";
import { withTyping } from "../ui.js";

/** A service call's result, or what to tell the user about its failure. */
export type Ext<T> =
  | { ok: true; value: T }
  | { ok: false; message: string; userError: boolean; code?: string; outcomeUnknown?: boolean };

/** Runs `fn` once (showing "typing…" unless `typing` is false); errors become sentences. */
export type RunOnce = <T>(fn: () => Promise<T>, typing?: boolean) => Promise<Ext<T>>;

export function runOnce(conversation: MyConversation, kit: Kit): RunOnce {
  return <T>(fn: () => Promise<T>, typing = true): Promise<Ext<T>> =>
    conversation.external(async (octx: Context) => {
      try {
        const value = typing ? await withTyping(octx, fn) : await fn();
        return { ok: true as const, value };
      } catch (e) {
        if (!(e instanceof UserError)) kit.log.error("trade step failed", { error: errText(e) });
        const user = e instanceof UserError;
        return {
          ok: false as const,
          message: kit.describe(e),
          userError: user,
          ...(user ? { code: e.code } : {}),
        };
      }
    });
}

/** An error as one log line (never a stack). */
export function errText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}
