/**
 * /buy and /sell as one conversation (conversations v2). Whatever the shortcut leaves out is asked
 * step by step (./tradeSteps.ts); then a quote card with Confirm / Cancel. Every service call, every
 * clock reading and the order POST run inside `conversation.external`, so replays never repeat them;
 * the order is placed with the quote's clientOrderId, so a double tap or a resent update creates one
 * order.
 */
import { Composer, type Context } from "grammy";
import { displayCount } from "../../domain/money.js";
import { KalshiApiError, KalshiNetworkError, KalshiRequestError } from "../../exchange/errors.js";
import type { Order, OutcomeSide } from "../../exchange/port.js";
import { type PlaceOutcome, type Quote, UserError } from "../../trading/types.js";
import type { ConvContext, Kit, MyContext, MyConversation } from "../context.js";
import { again, createAsker } from "../conversations/ask.js";
import { type Ext, errText, runOnce } from "../conversations/external.js";
import { escapeHtml } from "../format.js";
import { answer, btn, removeTappedKeyboard, rows, tappedHtml, withTyping } from "../ui.js";
import { orderSummary, placedCard, quoteCard } from "../views.js";
import { askIntent, type TradeStart } from "./tradeSteps.js";

export const TRADE_CONVERSATION = "trade";
export type { TradeStart } from "./tradeSteps.js";

const TAKEN = "Kalshi did take the order:";

/** Said when placing failed in a way that leaves open whether the exchange took the order. */
export const UNKNOWN_OUTCOME = "I couldn't confirm whether the order was placed.";
/** After an unknown outcome the bot looks at the resting orders once; these follow the cause sentence. */
export const NOT_RESTING_HINT =
  "I checked: it is not among your resting orders right now, but it may have filled or may still show up. Check /portfolio and /orders in a minute before placing it again.";
export const CHECK_FAILED_HINT =
  "I couldn't check your orders just now. Check /portfolio and /orders in a minute before placing it again.";

/**
 * True when a failed placement proves the exchange did not take the order: a validation refusal,
 * a refusal before anything was sent, or an exchange answer that is not ambiguous (a 4xx on the
 * first attempt, a connection that never opened). Everything else (5xx after retries, timeouts,
 * dropped connections, unreadable answers, unknown errors) leaves the outcome open.
 */
export function surelyNotPlaced(e: unknown): boolean {
  if (e instanceof UserError || e instanceof KalshiRequestError) return true;
  if (e instanceof KalshiApiError) return !e.outcomeUnknown && (e.status < 200 || e.status >= 300);
  if (e instanceof KalshiNetworkError) return !e.outcomeUnknown && e.kind !== "timeout";
  return false;
}

/** Appends "Nothing was placed." unless the sentence already says so. */
function withNothingPlaced(s: string): string {
  return /nothing was (placed|changed)|did not accept|not placed/i.test(s) ? s : `${s} Nothing was placed.`;
}

/** The conversation function (registered with createConversation in createBot). */
export function tradeConversation(kit: Kit) {
  const { ui } = kit;
  const { executor } = kit.deps.services;
  const timeoutMs = kit.deps.config.confirmTimeoutMs;

  return async function trade(
    conversation: MyConversation,
    ctx: ConvContext,
    start: TradeStart,
  ): Promise<void> {
    const ext = runOnce(conversation, kit);
    const now = () => conversation.external(() => kit.now());
    const asker = await createAsker(conversation, ctx, kit, {
      prefix: "t",
      cancelled: "Cancelled. Nothing was placed.",
    });
    const { ask, data, say } = asker;
    /**
     * What the outer catch may say when something fails (a Telegram call, a bug): before the order
     * POST nothing was placed; once the POST ran the order may exist, so never claim otherwise.
     */
    let stage: { at: "before" } | { at: "sent" } | { at: "placed"; orderId: string } = { at: "before" };

    try {
      const intent = await askIntent({ kit, asker, ext }, start);
      if (!intent) return;
      const q0 = await ext(() => executor.quote(intent));
      if (!q0.ok) return void (await say(`${q0.message}${q0.userError ? " Nothing was placed." : ""}`));
      let quote: Quote = q0.value;

      // Quote card → Confirm / Cancel; a late tap or a moved price shows a fresh card.
      for (let card = 1; ; card++) {
        const msg = await ui.send(
          ctx,
          quoteCard(quote, timeoutMs),
          rows([btn("✅ Confirm", data(`ok${card}`)), btn("Cancel", data("x"))]),
        );
        const shown = quote;
        // The card is in the outbox from now on: it is brought to a final state even across a restart.
        await conversation.external(() =>
          kit.outbox.quoted({
            id: shown.clientOrderId,
            chatId: msg.chat.id,
            messageId: msg.message_id,
            ticker: shown.intent.ticker,
            summary: orderSummary(shown),
          }),
        );
        /** The card's final text, written to the outbox before Telegram is asked to show it. */
        const settle = (html: string, orderId?: string, outcomeUnknown = false) =>
          conversation.external(() =>
            kit.outbox.settle(shown.clientOrderId, html, orderId, { outcomeUnknown }),
          );
        const shownAt = await now();
        const confirmed = await ask({
          tap: (a) => a === `ok${card}` || undefined,
          typed: () => again("Tap Confirm or Cancel on the card above, or send /cancel."),
        });
        if (confirmed === null) {
          // ask() already edited the card to "Cancelled. Nothing was placed."
          await conversation.external(() => kit.outbox.forget(shown.clientOrderId));
          return;
        }
        const tappedAt = await now();
        if (tappedAt - shownAt > timeoutMs) {
          await settle("This quote expired; nothing was placed. Here is a fresh one.");
          const fresh = await ext(() => executor.quote(intent));
          if (!fresh.ok) return void (await say(fresh.message));
          quote = fresh.value;
          continue;
        }
        const q = quote;
        stage = { at: "sent" };
        const placed = await conversation.external(async (octx: Context): Promise<Ext<PlaceOutcome>> => {
          try {
            kit.intents.remember(q.clientOrderId, q.intent);
            // Written before the order is sent: a restart from here on looks the order up at Kalshi.
            await kit.outbox.confirmed(q.clientOrderId);
            const value = await withTyping(octx, () => executor.place(q));
            await kit.outbox.checkpoint("answered", q.clientOrderId);
            return { ok: true, value };
          } catch (e) {
            kit.log.error("order placement failed", { clientOrderId: q.clientOrderId, error: errText(e) });
            if (e instanceof UserError)
              return { ok: false, message: withNothingPlaced(e.message), userError: true };
            if (surelyNotPlaced(e))
              return { ok: false, message: withNothingPlaced(kit.describe(e)), userError: false };
            const message = await unknownOutcome(e, q);
            // Found resting: the outcome is known after all; otherwise it stays open and is followed up.
            return { ok: false, message, userError: false, outcomeUnknown: !message.startsWith(TAKEN) };
          }
        });
        if (!placed.ok) {
          // An open outcome is followed up: the outbox looks the order up again and says what happened.
          await settle(escapeHtml(placed.message), undefined, placed.outcomeUnknown === true);
          return;
        }
        const out = placed.value;
        if (out.kind === "requote") {
          const why =
            out.reason === "expired"
              ? "This quote expired; nothing was placed. Here is a fresh one."
              : "The price moved; nothing was placed. Here is a fresh quote.";
          await settle(why);
          stage = { at: "before" };
          quote = out.quote;
          continue;
        }
        kit.log.info("order placed", { orderId: out.result.orderId, clientOrderId: q.clientOrderId });
        stage = { at: "placed", orderId: out.result.orderId };
        await settle(placedCard(q, out.result), out.result.orderId);
        return;
      }
    } catch (e) {
      kit.log.error("trade conversation failed", { error: errText(e), stage: stage.at });
      await ui.say(ctx, failedSentence(stage)).catch(() => undefined);
    }
  };

  /**
   * The order may or may not exist. Look at the resting orders once (the executor and the client
   * have already searched by client order id); say what is known and what the user should check.
   */
  async function unknownOutcome(e: unknown, q: Quote): Promise<string> {
    let cause = UNKNOWN_OUTCOME;
    if (kit.deps.describeError) {
      try {
        cause = kit.deps.describeError(e);
      } catch {
        // keep the bot's own sentence
      }
    }
    let resting: Order | undefined;
    try {
      resting = (await executor.openOrders()).find((o) => o.clientOrderId === q.clientOrderId);
    } catch {
      return `${cause} ${CHECK_FAILED_HINT}`;
    }
    if (!resting) return `${cause} ${NOT_RESTING_HINT}`;
    kit.log.info("order found after an unknown outcome", { orderId: resting.orderId });
    return `${TAKEN} ${resting.orderId} is resting with ${displayCount(resting.remainingCount)} of ${displayCount(resting.initialCount)} contracts left. /orders shows it.`;
  }
}

/** Placed (id known), sent (outcome open) or not yet sent: what the user is told when a step failed. */
export function failedSentence(
  stage: { at: "before" } | { at: "sent" } | { at: "placed"; orderId: string },
): string {
  switch (stage.at) {
    case "before":
      return "Something went wrong; nothing was placed.";
    case "sent":
      return "Something went wrong after the order was sent to Kalshi. Check /orders and /portfolio before placing it again.";
    case "placed":
      return `Your order ${stage.orderId} was placed, but I couldn't show the result here. Check /orders and /portfolio before placing it again.`;
  }
}

/** /buy, /sell and the Buy YES / Buy NO buttons on market cards. */
export function tradeFeature(kit: Kit): Composer<MyContext> {
  const c = new Composer<MyContext>();
  const enter = async (ctx: MyContext, start: TradeStart) => {
    await ctx.conversation.exitAll();
    await ctx.conversation.enter(TRADE_CONVERSATION, start);
  };
  c.command(
    "buy",
    kit.guard("buy", (ctx) => enter(ctx, { action: "buy", text: ctx.match })),
  );
  c.command(
    "sell",
    kit.guard("sell", (ctx) => enter(ctx, { action: "sell", text: ctx.match })),
  );
  c.on(
    "callback_query:data",
    kit.guard("market-buy", async (ctx, next) => {
      const payload = kit.buttons.verify(ctx.callbackQuery.data);
      const m = payload ? /^mb:(yes|no):(.+)$/.exec(payload) : null;
      const ticker = m ? kit.buttons.deref(m[2]!) : null;
      if (!m || !ticker) return next();
      await answer(ctx);
      // One edit: the card keeps its text (rebuilt from what Telegram sent), shows the choice and loses its buttons.
      const card = tappedHtml(ctx, kit.ui.env);
      if (card === null) await removeTappedKeyboard(ctx);
      else
        await kit.ui
          .editTapped(ctx, `${card}\n→ ${m[1] === "yes" ? "Buy YES" : "Buy NO"}`)
          .catch(() => removeTappedKeyboard(ctx));
      await enter(ctx, { action: "buy", ticker, outcome: m[1] as OutcomeSide });
    }),
  );
  return c;
}
