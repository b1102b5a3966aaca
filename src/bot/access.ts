/**
 * The first middleware: only private chats with an allow-listed user get through (the chat must be
 * the user's own: chat id = user id). Anyone else causes no service call and sees no data; at most
 * "This bot is private." once per interval in a private chat, nothing in groups and channels. A
 * button tapped outside a private chat (a group, an inline message) gets an empty answer, so it
 * stops spinning and shows nothing (tests/reliability/access.test.ts counts any other text there
 * as a data reply).
 */
import type { Context, MiddlewareFn } from "grammy";
import type winston from "winston";

export interface AccessOptions {
  allowedUserIds: number[];
  logger: winston.Logger;
  now: () => number;
  replyIntervalMs: number;
}

export function accessGate<C extends Context>(opts: AccessOptions): MiddlewareFn<C> {
  const allowed = new Set(opts.allowedUserIds);
  const lastReply = new Map<number, number>();
  return async (ctx, next) => {
    const userId = ctx.from?.id;
    const chatType = ctx.chat?.type ?? (ctx.callbackQuery ? "callback" : "none");
    const privateChat = ctx.chat?.type === "private" && ctx.chat.id === userId;
    if (userId !== undefined && allowed.has(userId) && privateChat) {
      return next();
    }
    opts.logger.warn("access denied", { userId: userId ?? null, chatType });
    if (ctx.callbackQuery && !privateChat) {
      await ctx.answerCallbackQuery().catch(() => undefined);
      return;
    }
    if (userId === undefined || !privateChat) return;
    const now = opts.now();
    const last = lastReply.get(userId);
    if (last !== undefined && now - last < opts.replyIntervalMs) {
      if (ctx.callbackQuery) await ctx.answerCallbackQuery().catch(() => undefined);
      return;
    }
    lastReply.set(userId, now);
    if (lastReply.size > 10_000) lastReply.clear();
    try {
      if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: "This bot is private." });
      else await ctx.reply("This bot is private.");
    } catch {
      // nothing to do
    }
  };
}
