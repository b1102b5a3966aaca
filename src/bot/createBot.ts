/**
 * Builds the Telegram bot. Middleware order:
 *   1. access gate (allow-listed user in a private chat, else nothing happens), then one update
 *      at a time per chat,
 *   2. conversations(), then /cancel (leaves a conversation and takes its buttons away); any other
 *      command typed mid-conversation runs normally and the question or quote stays usable,
 *   3. the trade conversation,
 *   4. one Composer per feature,
 *   5. the catch-all for stale/forged buttons and unknown input.
 * Errors: each handler is wrapped (one plain sentence to the user, logged), bot.catch logs the rest.
 */
import { conversations, createConversation } from "@grammyjs/conversations";
import { Bot, type Context, GrammyError, HttpError } from "grammy";
import { OrderOutbox } from "../alerts/outbox.js";
import { Buttons } from "./buttons.js";
import { cardSink } from "./cardSink.js";
import { cancelRequestTracking } from "./cancelRequests.js";
import type { ConvContext, Kit, MyContext } from "./context.js";
import type { BotDeps } from "./deps.js";
import { accessGate } from "./access.js";
import { OrderIntents } from "./intents.js";
import { PinGuard } from "./pin.js";
import { sequentialPerChat } from "./sequential.js";
import { telegramRetry } from "./telegramRetry.js";
import { lateMark } from "./late.js";
import { accountFeature } from "./features/account.js";
import { alertsFeature } from "./features/alerts.js";
import { fallbackFeature } from "./features/fallback.js";
import { COMMANDS, helpFeature } from "./features/help.js";
import { historyFeature } from "./features/history.js";
import { marketFeature } from "./features/market.js";
import { bookFeature } from "./features/book.js";
import { linksFeature } from "./features/links.js";
import { searchFeature } from "./features/search.js";
import { ordersFeature } from "./features/orders.js";
import { orderChangeFeature } from "./features/orderChange.js";
import { portfolioFeature } from "./features/portfolio.js";
import { watchFeature } from "./features/watch.js";
import { STOPPED_CARD, TRADE_CONVERSATION, tradeConversation, tradeFeature } from "./features/trade.js";
import { OpenPrompts } from "./conversations/openPrompts.js";
import { ConfirmLane, type Tapped } from "./conversations/confirmLane.js";
import { pnlFeature } from "./features/pnl.js";
import { UserError } from "../trading/types.js";
import { answer, defaultDescribeError, GENERIC_FAILURE, READ_FAILURE, Ui } from "./ui.js";

export type { BotDeps } from "./deps.js";
export type { MyContext } from "./context.js";

function errorSummary(e: unknown): Record<string, unknown> {
  if (e instanceof GrammyError)
    return { kind: "telegram", method: e.method, code: e.error_code, description: e.description };
  if (e instanceof HttpError) return { kind: "network", message: e.message };
  if (e instanceof Error) return { kind: e.name, message: e.message, stack: e.stack };
  return { kind: typeof e, message: String(e) };
}

/**
 * Handlers that only read (no order, cancel or setting changes): an unknown failure there may say
 * that nothing was changed. Every other handler's unknown failure points to /orders and /portfolio.
 */
const READ_ONLY_HANDLERS = new Set([
  "account",
  "balance",
  "book",
  "browse",
  "export",
  "fallback",
  "help",
  "history",
  "links",
  "market",
  "market-open",
  "orders",
  "pnl",
  "portfolio",
  "portfolio-refresh",
  "search",
  "status",
  "watchlist",
]);

export function createBot(deps: BotDeps): Bot<MyContext> {
  const bot = new Bot<MyContext>(deps.token, {
    ...(deps.botConfig?.client ? { client: deps.botConfig.client } : {}),
    ...(deps.botConfig?.botInfo ? { botInfo: deps.botConfig.botInfo } : {}),
  });
  // Inner to outer: the app's counters see every attempt; the bounded retries wrap them; outermost,
  // which conversation prompts still have buttons (src/bot/conversations/openPrompts.ts).
  const prompts = new OpenPrompts();
  const transformers = [
    ...(deps.apiTransformers ?? []),
    telegramRetry(deps.autoRetry),
    prompts.transformer(),
  ];
  bot.api.config.use(...transformers);

  const log = deps.logger.child({ component: "bot" });
  const ui = new Ui(deps.config.envTag);
  const now = deps.now ?? Date.now;
  const describe = (e: unknown) => {
    // A UserError's message is already the sentence for the phone; describeError is for the rest.
    if (e instanceof UserError) return e.message;
    try {
      return (deps.describeError ?? defaultDescribeError)(e);
    } catch {
      return defaultDescribeError(e);
    }
  };

  const outbox = deps.orderOutbox ?? new OrderOutbox({ timeZone: deps.config.timeZone, now });
  outbox.attach(cardSink(bot.api, ui.env));
  // Which chat asked for a cancel, so another user's cancel of an order is told to the chat that placed it.
  const cancels = cancelRequestTracking(outbox);
  const services = { ...deps.services, executor: cancels.wrap(deps.services.executor) };

  const pin = new PinGuard(deps.config.pin, now, deps.config.timeZone);
  const kit: Kit = {
    deps: { ...deps, services },
    ui,
    outbox,
    buttons: deps.buttons ?? new Buttons(deps.buttonSecret),
    prompts,
    confirmLane: new ConfirmLane<Tapped>({
      prompts,
      quoted: (id) => outbox.isQuoted(id),
      now,
      confirmTimeoutMs: deps.config.confirmTimeoutMs,
      pinEnabled: pin.enabled,
      onOrphan: (quoteId, e) =>
        log.error("a Confirm the conversation did not take; its card is settled here", {
          clientOrderId: quoteId,
          ...(e === undefined ? {} : errorSummary(e)),
        }),
    }),
    log,
    now,
    describe,
    intents: new OrderIntents(deps.orderIntent, (e) =>
      log.warn("order intent lookup failed", { error: e instanceof Error ? e.message : String(e) }),
    ),
    pin,
    guard: (name, fn) => async (ctx, next) => {
      try {
        await fn(ctx, next);
      } catch (e) {
        log.error("handler failed", { handler: name, ...errorSummary(e) });
        await answer(ctx);
        const said = describe(e);
        const sentence = said === GENERIC_FAILURE && READ_ONLY_HANDLERS.has(name) ? READ_FAILURE : said;
        if (ctx.chat) await ui.say(ctx, sentence).catch(() => undefined);
      }
    },
  };

  // 1. Access.
  bot.use(
    accessGate<MyContext>({
      allowedUserIds: deps.config.allowedUserIds,
      logger: log,
      now,
      replyIntervalMs: deps.strangerReplyIntervalMs ?? 10 * 60_000,
    }),
  );

  bot.use(sequentialPerChat<MyContext>());
  // Commands that waited over a minute (bot offline or busy) say when they were sent.
  bot.use(lateMark(kit, now()));
  bot.use(cancels.middleware);
  // A PIN a button handler asked for (Cancel all) is read here, before a conversation could take it.
  bot.use(kit.pin.middleware((ctx, text) => ui.say(ctx, text)));
  // Order change buttons and their typed answers (New price, Reduce), before a conversation could take them.
  bot.use(orderChangeFeature(kit));

  // 2. Conversations; /cancel and other commands leave an active one.
  // A live card's Confirm tap starts its order first (src/bot/conversations/confirmLane.ts), then
  // reaches the conversation.
  bot.use(kit.confirmLane.middleware());
  bot.use(conversations<MyContext, ConvContext>());
  bot.command("cancel", async (ctx, next) => {
    const active = Object.keys(ctx.conversation.active()).length > 0;
    // "/cancel <order id>" cancels that order; the open question or quote stays usable.
    if (!active || ctx.match.trim() !== "") return next();
    await ctx.conversation.exitAll();
    await kit.prompts.close(ctx, outbox, STOPPED_CARD);
    await ui.say(ctx, "Stopped. Nothing was placed.");
  });

  // 3. The /buy and /sell conversation.
  bot.use(
    createConversation<MyContext, ConvContext>(tradeConversation(kit), {
      id: TRADE_CONVERSATION,
      plugins: [
        async (ctx: Context, next: () => Promise<void>) => {
          ctx.api.config.use(...transformers);
          await next();
        },
      ],
    }),
  );

  // 4. Features.
  bot.use(helpFeature(kit));
  bot.use(tradeFeature(kit));
  bot.use(portfolioFeature(kit));
  bot.use(accountFeature(kit));
  bot.use(ordersFeature(kit));
  bot.use(marketFeature(kit));
  bot.use(searchFeature(kit));
  bot.use(historyFeature(kit));
  bot.use(alertsFeature(kit));
  bot.use(watchFeature(kit));
  bot.use(pnlFeature(kit));
  bot.use(bookFeature(kit));
  bot.use(linksFeature(kit));

  // 5. Everything nobody handled.
  bot.use(fallbackFeature(kit));

  bot.catch(async (err) => {
    log.error("update failed", { updateId: err.ctx.update.update_id, ...errorSummary(err.error) });
    try {
      await answer(err.ctx);
      if (err.ctx.chat?.type === "private") await ui.say(err.ctx, describe(err.error));
    } catch {
      // the error boundary never throws
    }
  });

  return bot;
}

/** Registers every command in Telegram's menu. */
export async function setCommands(bot: Bot<MyContext>): Promise<void> {
  await bot.api.setMyCommands(COMMANDS.map((c) => ({ command: c.command, description: c.description })));
}
