/**
 * Several allowed users share one Kalshi account. When one of them cancels an order another one placed
 * (one order, or "Cancel all"), the owner must hear about it; when owners cancel their own, they saw it
 * happen. The exchange only reports "canceled (Decrease)", so the bot notes which chat asked, right
 * before each cancel call: the chat of the update being handled (AsyncLocalStorage, set per update).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Context, MiddlewareFn } from "grammy";
import type { OrderOwners } from "../alerts/outbox.js";
import type { ExchangePort } from "../exchange/port.js";
import type { OrderExecutor } from "../trading/types.js";

export interface CancelRequestLog {
  noteCancelRequest(chatId: number, orderId?: string): void;
}

export function cancelRequestTracking(log: CancelRequestLog) {
  const chatOfUpdate = new AsyncLocalStorage<number>();
  const middleware: MiddlewareFn<Context> = (ctx, next) =>
    ctx.chat ? chatOfUpdate.run(ctx.chat.id, next) : next();
  const noted = (orderId?: string) => {
    const chatId = chatOfUpdate.getStore();
    if (chatId !== undefined) log.noteCancelRequest(chatId, orderId);
  };
  /** The executor, with every cancel noted first (a Proxy: other methods pass through unchanged). */
  const wrap = (executor: OrderExecutor): OrderExecutor =>
    new Proxy(executor, {
      get(target, prop, receiver) {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (typeof value !== "function") return value;
        const fn = value as (...args: unknown[]) => unknown;
        if (prop === "cancel")
          return (...args: unknown[]) => {
            noted(typeof args[0] === "string" ? args[0] : undefined);
            return fn.apply(target, args);
          };
        if (prop === "cancelAll")
          return async (...args: unknown[]) => {
            // Note the orders the user was shown, not every order of the chat (an order placed
            // meanwhile and canceled by someone else is still told to its owner); the ones the
            // cancel-all caught besides are noted once its answer names them.
            const listed = Array.isArray(args[0]) ? (args[0] as { orderId: string }[]) : null;
            if (listed) for (const o of listed) noted(o.orderId);
            else noted();
            const r = (await fn.apply(target, args)) as { unlisted?: unknown };
            if (Array.isArray(r?.unlisted))
              for (const id of r.unlisted) if (typeof id === "string") noted(id);
            return r;
          };
        return fn.bind(target);
      },
    });
  return { middleware, wrap };
}

/**
 * The exchange as the holding guard uses it: its cancels are the bot's own (every chat is told about the
 * shrink), so each is noted as asked by the order's chat, and its owner does not hear "canceled by
 * another user of this Kalshi account" for it.
 */
export function ownCancelsNoted<E extends Pick<ExchangePort, "cancelOrder">>(
  exchange: E,
  owners: CancelRequestLog & Pick<OrderOwners, "ownerOf">,
): E {
  return new Proxy(exchange, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      const fn = value as (...args: unknown[]) => unknown;
      if (prop !== "cancelOrder") return fn.bind(target);
      return (...args: unknown[]) => {
        const orderId = String(args[0]);
        const owner = owners.ownerOf({ orderId });
        if (owner !== null) owners.noteCancelRequest(owner, orderId);
        return fn.apply(target, args);
      };
    },
  });
}
