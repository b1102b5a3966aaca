/**
 * /buy and /sell as one conversation (conversations v2). Whatever the shortcut leaves out is asked
 * step by step (./tradeSteps.ts); then a quote card with Confirm / ◀ Back / Cancel. A value the quote
 * refuses (a cap, the balance, the price grid) asks its step again with the reason. Every service call, every
 * clock reading and the order POST run inside `conversation.external`, so replays never repeat them;
 * the order is placed with the quote's clientOrderId, so a double tap or a resent update creates one
 * order.
 */
import { Composer, type Context } from "grammy";
import type { PlaceOutcome, Quote } from "../../trading/types.js";
import type { OutcomeSide } from "../../exchange/port.js";
import type { ConvContext, Kit, MyContext, MyConversation } from "../context.js";
import { acknowledgeTap, again, createAsker } from "../conversations/ask.js";
import { besidePendingIo } from "../../shared/async.js";
import { errText, runOnce } from "../conversations/external.js";
import type { Settled, Tapped } from "../conversations/confirmLane.js";
import { type Describers, UNKNOWN_OUTCOME, outcomeCard, requoteSentence } from "../placeOutcome.js";
import { pinBeforePlace } from "../pinAsk.js";
import { answer, btn, confirmStyle, rows, withTyping } from "../ui.js";
import { againTaps, offerAgain, showChoice } from "./tradeAgain.js";
import { orderSummary, quoteCard } from "../views.js";
import { askIntent, reopenLast, reopenRefused, startDraft, type TradeStart } from "./tradeSteps.js";

export const TRADE_CONVERSATION = "trade";
/** An open quote card's final text when a new /buy or /sell replaced its conversation. */
export const DROPPED = "Dropped: you started another order. Nothing was placed.";
/** An open quote card's final text after /cancel. */
export const STOPPED_CARD = "Canceled with /cancel. Nothing was placed.";
export type { TradeStart } from "./tradeSteps.js";

/** The conversation function (registered with createConversation in createBot). */
export function tradeConversation(kit: Kit) {
  const { ui } = kit;
  const { executor } = kit.deps.services;
  const timeoutMs = kit.deps.config.confirmTimeoutMs;
  /** A refusal in its own words; an open outcome by the exchange's sentence, else the bot's own. */
  const describers: Describers = {
    refusal: kit.describe,
    unknown: (e) => {
      try {
        return kit.deps.describeError?.(e) ?? UNKNOWN_OUTCOME;
      } catch {
        return UNKNOWN_OUTCOME;
      }
    },
  };

  /** Places a confirmed quote; the outbox hears of the tap beside the POST (see OrderOutbox.confirmed). */
  async function placeConfirmed(octx: Context, q: Quote): Promise<Settled> {
    const placed = await (async () => {
      kit.intents.remember(q.clientOrderId, q.intent);
      const { saved } = await kit.outbox.confirmed(q.clientOrderId);
      try {
        return await withTyping(octx, () => executor.place(q));
      } finally {
        await saved;
      }
    })().catch(
      // place() answers with values; a throw is a bug after which the order may exist.
      (e: unknown): PlaceOutcome => ({ kind: "unknown", cause: e, checked: false }),
    );
    await kit.outbox.checkpoint("answered", q.clientOrderId);
    if (placed.kind === "requote") return placed;
    logOutcome(q, placed);
    return { kind: "card", card: outcomeCard(q, placed, describers) };
  }

  /** Places a confirmed quote; the tap's answer and the button removal run beside the POST. */
  async function placeNow(octx: Context, q: Quote): Promise<Settled> {
    const acknowledged = besidePendingIo(() => acknowledgeTap(octx));
    try {
      return await placeConfirmed(octx, q);
    } finally {
      await acknowledged;
    }
  }

  /** The safety net of the Confirm lane: a placement the conversation did not take still reaches its card. */
  async function settleLate(q: Quote, r: Tapped): Promise<void> {
    const html =
      r.kind === "card" ? r.card.html : requoteSentence(r.kind === "requote" ? r.reason : "expired");
    const final = r.kind === "card" ? r.card : undefined;
    await kit.outbox.settle(q.clientOrderId, html, final?.orderId, {
      outcomeUnknown: final?.outcomeUnknown ?? false,
    });
  }

  return async function trade(
    conversation: MyConversation,
    ctx: ConvContext,
    start: TradeStart,
  ): Promise<void> {
    const ext = runOnce(conversation, kit);
    const asker = await createAsker(conversation, ctx, kit, {
      prefix: "t",
      cancelled: "Canceled. Nothing was placed.",
    });
    const { ask, data, say } = asker;
    /**
     * What the outer catch may say when something fails (a Telegram call, a bug): before the order
     * POST nothing was placed; once the POST ran the order may exist, so never claim otherwise.
     */
    let stage: { at: "before" } | { at: "sent" } | { at: "placed"; orderId: string } = { at: "before" };

    const talk = { kit, asker, ext };
    let card = 0;
    try {
      const draft = await startDraft(talk, start);
      // Steps → quote; ◀ Back on the card or a refused value goes back to a step.
      for (;;) {
        const intent = await askIntent(talk, draft);
        if (!intent) return;
        const q0 = await ext(() => executor.quote(intent));
        if (!q0.ok && reopenRefused(draft, q0.code, q0.message)) continue;
        if (!q0.ok) return void (await say(`${q0.message}${q0.userError ? " Nothing was placed." : ""}`));
        if ((await confirmQuote(q0.value, draft.note)) === "done") return;
        reopenLast(draft);
      }
    } catch (e) {
      kit.log.error("trade conversation failed", { error: errText(e), stage: stage.at });
      await ui.say(ctx, failedSentence(stage)).catch(() => undefined);
    } finally {
      // Ended by itself (not left from outside): nothing of it has live buttons any more.
      if (ctx.chat) kit.prompts.clear(ctx.chat.id);
    }

    /** Quote card → Confirm / Cancel; a late tap or a moved price shows a fresh card; "back": ◀ Back. */
    async function confirmQuote(first: Quote, note?: string): Promise<"done" | "back"> {
      let quote = first;
      for (card++; ; card++) {
        const msg = await ui.send(
          ctx,
          quoteCard(quote, timeoutMs, note),
          rows(
            [btn("✅ Confirm", data(`ok${card}`), { style: confirmStyle(quote.intent.action) })],
            [btn("◀ Back", data(`bk${card}`)), btn("Cancel", data("x"))],
          ),
        );
        const shown = quote;
        const confirmData = data(`ok${card}`);
        /** The card's final text, written to the outbox before Telegram is asked to show it. */
        const settle = (html: string, orderId?: string, outcomeUnknown = false) =>
          conversation.external(() =>
            kit.outbox.settle(shown.clientOrderId, html, orderId, { outcomeUnknown }),
          );
        // Once, not on replays. The card is in the outbox from now on: it is brought to a final state
        // even across a restart. It is the chat's open prompt, and its Confirm tap may start the order
        // before this conversation replays (../conversations/confirmLane.ts).
        const shownAt = await conversation.external(async () => {
          const at = { chatId: msg.chat.id, messageId: msg.message_id };
          const summary = orderSummary(shown);
          await kit.outbox.quoted({ id: shown.clientOrderId, ...at, ticker: shown.intent.ticker, summary });
          kit.prompts.set({ ...at, quoteId: shown.clientOrderId, summary });
          const when = kit.now();
          kit.confirmLane.arm({
            ...at,
            quoteId: shown.clientOrderId,
            data: confirmData,
            shownAt: when,
            place: (octx) => placeNow(octx, shown),
            orphaned: (r) => settleLate(shown, r),
          });
          return when;
        });
        const confirmed = await ask({
          tap: (a) => (a === `ok${card}` ? "ok" : a === `bk${card}` ? "back" : undefined),
          typed: () => again("Tap Confirm or Cancel on the card above, or send /cancel."),
          leaveTap: true,
        });
        if (confirmed === null) {
          // ask() already edited the card to "Canceled. Nothing was placed."
          await conversation.external(() => kit.outbox.forget(shown.clientOrderId));
          return "done";
        }
        if (confirmed === "back") {
          await conversation.external((octx: Context) => acknowledgeTap(octx));
          await settle(
            `Order ${orderSummary(shown)}\nYou went back to change this order; nothing was placed.`,
          );
          return "back";
        }
        const q = quote;
        if (kit.pin.enabled) {
          // The PIN question follows the tap: answer it and remove the card's buttons first.
          await conversation.external((octx: Context) => acknowledgeTap(octx));
          const noPin = await pinBeforePlace({ conversation, ctx, asker, kit }, q);
          if (noPin !== null) {
            await settle(noPin);
            return "done";
          }
        }
        stage = { at: "sent" };
        // One external for the tap: the clock, the order and the tap's answer. Answering the tap and
        // removing the buttons are two Telegram round trips: they run beside the order POST, not before.
        // Only strings and the JSON-serializable quote leave this step (replays reuse them).
        const out = await conversation.external(async (octx: Context): Promise<Tapped> => {
          // Started already when the tap matched the live card (then it was answered there too).
          const early = kit.confirmLane.take(q.clientOrderId);
          if (early) return early;
          if (kit.now() - shownAt > timeoutMs) {
            await acknowledgeTap(octx);
            return { kind: "expired" };
          }
          return placeNow(octx, q);
        });
        if (out.kind === "expired") {
          stage = { at: "before" };
          await settle(requoteSentence("expired"));
          const fresh = await ext(() => executor.quote(shown.intent));
          if (!fresh.ok) {
            await say(fresh.message);
            return "done";
          }
          quote = fresh.value;
          continue;
        }
        if (out.kind === "requote") {
          await settle(requoteSentence(out.reason));
          stage = { at: "before" };
          quote = out.quote;
          continue;
        }
        const { card: final } = out;
        if (final.orderId !== undefined) stage = { at: "placed", orderId: final.orderId };
        // An open outcome is followed up: the outbox looks the order up again and says what happened.
        await settle(final.html, final.orderId, final.outcomeUnknown);
        const shownOn = { chatId: msg.chat.id, messageId: msg.message_id };
        if (final.filled) await conversation.external((octx: Context) => offerAgain(octx, kit, shownOn, q));
        return "done";
      }
    }
  };

  /** The log lines of an outcome after Confirm (a requote is not logged). */
  function logOutcome(q: Quote, out: Exclude<PlaceOutcome, { kind: "requote" }>): void {
    const clientOrderId = q.clientOrderId;
    if (out.kind === "placed") {
      kit.log.info("order placed", { orderId: out.result.orderId, clientOrderId });
      return;
    }
    kit.log.error("order placement failed", { clientOrderId, error: errText(out.cause) });
    if (out.kind === "unknown" && out.resting)
      kit.log.info("order found after an unknown outcome", { orderId: out.resting.orderId });
  }
}

/** Placed (id known), sent (outcome open) or not yet sent: what the user is told when a step failed. */
function failedSentence(
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

/**
 * Starts the trade conversation, replacing one that is open. The order that was open is dropped: its
 * card or question loses its working buttons (and its card is settled, so its Confirm cannot start an
 * order any more). Every way into a trade goes through here.
 */
export async function enterTrade(kit: Kit, ctx: MyContext, start: TradeStart): Promise<void> {
  if (Object.keys(ctx.conversation.active()).length > 0) {
    await ctx.conversation.exitAll();
    await kit.prompts.close(ctx, kit.outbox, DROPPED);
  }
  await ctx.conversation.enter(TRADE_CONVERSATION, start);
}

/** /buy, /sell and the Buy YES / Buy NO buttons on market cards. */
export function tradeFeature(kit: Kit): Composer<MyContext> {
  const c = new Composer<MyContext>();
  const enter = (ctx: MyContext, start: TradeStart) => enterTrade(kit, ctx, start);
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
      await showChoice(kit, ctx, m[1] === "yes" ? "Buy YES" : "Buy NO");
      await enter(ctx, { action: "buy", ticker, outcome: m[1] as OutcomeSide });
    }),
  );
  c.on("callback_query:data", againTaps(kit, enter));
  return c;
}
