/**
 * /buy and /sell as one conversation (conversations v2). Whatever the shortcut leaves out is asked
 * step by step; then a quote card with Confirm / Cancel. Every service call, every clock reading
 * and the order POST run inside `conversation.external`, so replays never repeat them; the order is
 * placed with the quote's clientOrderId, so a double tap or a resent update creates one order.
 */
import { randomBytes } from "node:crypto";
import { Composer, type Context } from "grammy";
import type { InlineKeyboardButton } from "grammy/types";
import { type Centis, type Micros, displayCount, displayPrice } from "../../domain/money.js";
import type { OutcomeSide } from "../../exchange/port.js";
import {
  type MarketInfo,
  type MarketSearchHit,
  type OrderIntent,
  type PlaceOutcome,
  type PositionView,
  type Quote,
  type TradeAction,
  UserError,
} from "../../trading/types.js";
import type { ConvContext, Kit, MyContext, MyConversation } from "../context.js";
import { code, escapeHtml } from "../format.js";
import { looksLikeTicker, parseCountInput, parsePriceInput, parseTicker, parseTradeArgs } from "../parse.js";
import {
  type Describers,
  type OutcomeCard,
  UNKNOWN_OUTCOME,
  outcomeCard,
  requoteSentence,
} from "../placeOutcome.js";
import { answer, btn, removeTappedKeyboard, rows, tappedHtml, withTyping } from "../ui.js";
import {
  marketCard,
  orderSummary,
  positionButtonLabel,
  quoteCard,
  searchList,
  sidePrices,
} from "../views.js";

export const TRADE_CONVERSATION = "trade";

/** JSON-serializable arguments of the conversation. */
export interface TradeStart {
  action: TradeAction;
  /** Text after the command, e.g. "KXHIGHNY-26NOV25-B45 yes 10 @0.42". */
  text?: string;
  ticker?: string;
  outcome?: OutcomeSide;
}

type Ext<T> = { ok: true; value: T } | { ok: false; message: string; userError: boolean };

/** What the Confirm step ends with: a fresh quote, or the card's final text. */
type Settled = Extract<PlaceOutcome, { kind: "requote" }> | { kind: "card"; card: OutcomeCard };

type Input =
  { kind: "tap"; action: string; ctx: ConvContext } | { kind: "text"; text: string; ctx: ConvContext };

/**
 * How a tapped prompt records the answer: it is edited (keyboard gone) to `question` + " → " + the
 * choice's HTML, e.g. "How many YES contracts? → 10".
 */
interface Shown {
  question: string;
  choice: (action: string) => string;
}

/** The question with the user's answer appended (HTML). */
export function answered(question: string, choiceHtml: string): string {
  return `${question} → ${choiceHtml}`;
}

const COUNT_CHOICES = [1, 5, 10, 25];
const MAX_HITS = 8;

/** The conversation function (registered with createConversation in createBot). */
export function tradeConversation(kit: Kit) {
  const { ui, buttons } = kit;
  const { executor, markets, portfolio } = kit.deps.services;
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

  return async function trade(
    conversation: MyConversation,
    ctx: ConvContext,
    start: TradeStart,
  ): Promise<void> {
    /** Runs a side effect once (replays reuse the stored result); errors become sentences. */
    const ext = <T>(fn: () => Promise<T>, typing = true): Promise<Ext<T>> =>
      conversation.external(async (octx: Context) => {
        try {
          const value = typing ? await withTyping(octx, fn) : await fn();
          return { ok: true as const, value };
        } catch (e) {
          if (!(e instanceof UserError)) kit.log.error("trade step failed", { error: errText(e) });
          return { ok: false as const, message: kit.describe(e), userError: e instanceof UserError };
        }
      });
    const now = () => conversation.external(() => kit.now());
    const nonce = await conversation.external(() => randomBytes(3).toString("base64url"));
    const data = (action: string) => buttons.data(`t:${nonce}:${action}`);
    const say = (s: string, kb?: InlineKeyboardButton[][]) => ui.say(ctx, s, kb ? rows(...kb) : undefined);
    const cancelRow = () => [btn("Cancel", data("x"))];
    /**
     * What the outer catch may say when something fails (a Telegram call, a bug): before the order
     * POST nothing was placed; once the POST ran the order may exist, so never claim otherwise.
     */
    let stage: { at: "before" } | { at: "sent" } | { at: "placed"; orderId: string } = { at: "before" };
    let hits: MarketSearchHit[] = [];
    /** Numbers the search lists, so a tap on an older list is expired instead of picking from the newest. */
    let searchNo = 0;
    let listHtml = "";

    /**
     * Waits for typed text or a tap on one of `actions` of this conversation. Taps on buttons of
     * other features pass through to them; old buttons of this conversation are answered as expired.
     */
    async function input(actions: (a: string) => boolean, shown?: Shown): Promise<Input | "cancel"> {
      for (;;) {
        const c = await conversation.wait();
        if (c.callbackQuery) {
          const payload = buttons.verify(c.callbackQuery.data);
          // Not a button of a trade conversation: let other features (or the expiry catch-all) answer it.
          if (payload === null || !payload.startsWith("t:")) return await conversation.skip({ next: true });
          const [, n, action = ""] = payload.split(":");
          if (n === nonce && action === "x") {
            await answer(c);
            await ui.editTapped(c, "Cancelled. Nothing was placed.");
            return "cancel";
          }
          if (n === nonce && actions(action)) {
            await answer(c);
            // One edit: the prompt keeps its question, shows the choice and loses its buttons. The
            // edit is cosmetic: when Telegram refuses it, the buttons go and the conversation goes on.
            if (shown)
              await ui.editTapped(c, answered(shown.question, shown.choice(action))).catch((e: unknown) => {
                kit.log.warn("prompt edit failed", { error: errText(e) });
                return removeTappedKeyboard(c);
              });
            else await removeTappedKeyboard(c);
            return { kind: "tap", action, ctx: c };
          }
          await answer(c, "This button has expired.");
          await removeTappedKeyboard(c);
          continue;
        }
        const text = c.message?.text;
        if (text !== undefined) {
          if (text.startsWith("/")) return await conversation.skip({ next: true });
          return { kind: "text", text, ctx: c };
        }
        await c.reply("Please answer with text or a button, or send /cancel.").catch(() => undefined);
      }
    }

    try {
      const args = parseTradeArgs(start.text ?? "");
      let ticker = start.ticker ?? args.ticker;
      let outcome = start.outcome ?? args.outcome;
      let count: Centis | undefined = args.count;
      let limit: Micros | undefined = args.price;
      if (args.problems.length > 0) await say(args.problems.join("\n"));

      let position: PositionView | undefined;
      if (start.action === "sell") {
        const pv = await ext(() => portfolio.view());
        if (!pv.ok) return void (await say(pv.message));
        const open = pv.value.positions.filter((p) => !p.settled && p.count > 0);
        if (ticker) {
          position = open.find((p) => p.ticker === ticker && (!outcome || p.side === outcome));
          if (!position) {
            await say(
              `You hold no ${outcome ? outcome.toUpperCase() + " " : ""}position in ${ticker}, so there is nothing to sell.`,
            );
            if (open.length === 0) return;
          }
        }
        if (!position) {
          if (open.length === 0) return void (await say("You have no open positions to sell."));
          const kb = open
            .slice(0, 20)
            .map((p, i) => [btn(positionButtonLabel(p.ticker, p.side, p.count), data(`p${i}`))]);
          await say("Which position do you want to sell?", [...kb, cancelRow()]);
          for (;;) {
            const r = await input((a) => /^p\d+$/.test(a), {
              question: "Which position do you want to sell?",
              choice: (a) => {
                const p = open[Number(a.slice(1))];
                return escapeHtml(p ? positionButtonLabel(p.ticker, p.side, p.count) : "?");
              },
            });
            if (r === "cancel") return;
            if (r.kind === "tap") {
              position = open[Number(r.action.slice(1))];
              if (position) break;
            } else {
              const t = r.text.trim().toUpperCase();
              position = open.find((p) => p.ticker === t);
              if (position) break;
              await say(
                `You hold no position in “${r.text.trim()}”. Tap one of the positions above, or /cancel.`,
              );
            }
          }
        }
        ticker = position.ticker;
        outcome = position.side;
        if (count === undefined) count = position.count;
        if (count > position.count) {
          await say(
            `You hold only ${displayCount(position.count)} ${outcome.toUpperCase()}; selling all of them.`,
          );
          count = position.count;
        }
      }

      // Market.
      let info: MarketInfo | undefined;
      while (!info) {
        if (!ticker) {
          const picked = await askMarket();
          if (picked === null) return;
          ticker = picked;
        }
        const t = ticker;
        const r = await ext(() => markets.info(t));
        if (!r.ok) {
          // The service's "There is no market with ticker …" would only repeat the first sentence.
          const why = r.userError && r.message.includes(t) ? "" : ` ${r.message}`;
          await say(`I couldn't ${r.userError ? "find" : "look up"} the market ${t}.${why}`);
          if (start.action === "sell") return;
          ticker = undefined;
          continue;
        }
        if (r.value.market.status !== "active") {
          await say(`${t} is not open for trading right now (${r.value.market.status}).`);
          if (start.action === "sell") return;
          ticker = undefined;
          continue;
        }
        info = r.value;
      }
      const market = info.market;

      // Outcome (buy only; a sell takes the position's side).
      if (!outcome) {
        const p = sidePrices(info);
        const fmt = (m: Micros | null) => (m === null ? "no offers" : displayPrice(m));
        const question = `${marketCard(info, kit.deps.config.timeZone)}\n\nBuy YES or NO?`;
        await ui.send(
          ctx,
          question,
          rows(
            [btn(`YES ${fmt(p.yesAsk)}`, data("yes")), btn(`NO ${fmt(p.noAsk)}`, data("no"))],
            cancelRow(),
          ),
        );
        for (;;) {
          const r = await input((a) => a === "yes" || a === "no", {
            question,
            choice: (a) => a.toUpperCase(),
          });
          if (r === "cancel") return;
          const v = r.kind === "tap" ? r.action : r.text.trim().toLowerCase();
          if (v === "yes" || v === "no") {
            outcome = v;
            break;
          }
          await say("Please tap YES or NO (or type yes / no), or /cancel.");
        }
      }

      // Count.
      if (count === undefined) {
        await say(`How many ${outcome.toUpperCase()} contracts? Tap a number or type one.`, [
          COUNT_CHOICES.map((n) => btn(String(n), data(`c${n}`))),
          cancelRow(),
        ]);
        for (;;) {
          const r = await input((a) => /^c\d+$/.test(a), {
            question: `How many ${outcome.toUpperCase()} contracts?`,
            choice: (a) => a.slice(1),
          });
          if (r === "cancel") return;
          const parsed = parseCountInput(r.kind === "tap" ? r.action.slice(1) : r.text);
          if (parsed.ok) {
            count = parsed.value;
            break;
          }
          await say(`${parsed.message} Or /cancel.`);
        }
      }

      // Market or limit, and the limit price.
      let kind: "market" | "limit" = limit !== undefined ? "limit" : "market";
      if (limit === undefined) {
        await say("Market order or limit order?", [
          [btn("Market", data("km")), btn("Limit", data("kl"))],
          cancelRow(),
        ]);
        for (;;) {
          const r = await input((a) => a === "km" || a === "kl", {
            question: "Market order or limit order?",
            choice: (a) => (a === "km" ? "Market" : "Limit"),
          });
          if (r === "cancel") return;
          const v = r.kind === "tap" ? r.action : r.text.trim().toLowerCase();
          if (v === "km" || v === "market") kind = "market";
          else if (v === "kl" || v === "limit") kind = "limit";
          else {
            // A typed price also answers this step.
            const p = parsePriceInput(r.kind === "text" ? r.text : "");
            if (!p.ok) {
              await say("Please tap Market or Limit, or /cancel.");
              continue;
            }
            kind = "limit";
            limit = p.value;
          }
          break;
        }
        if (kind === "limit" && limit === undefined) {
          await say(`Send the limit price for ${outcome.toUpperCase()}, for example 0.42 or 42c.`, [
            cancelRow(),
          ]);
          for (;;) {
            const r = await input(() => false);
            if (r === "cancel") return;
            if (r.kind !== "text") continue;
            const p = parsePriceInput(r.text);
            if (p.ok) {
              limit = p.value;
              break;
            }
            await say(`${p.message} Or /cancel.`);
          }
        }
      }

      const intent: OrderIntent = {
        ticker: market.ticker,
        outcome,
        action: start.action,
        count,
        kind,
        ...(kind === "limit" && limit !== undefined ? { limitPrice: limit } : {}),
      };
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
        for (;;) {
          const r = await input((a) => a === `ok${card}`);
          if (r === "cancel") {
            // input() already edited the card to "Cancelled. Nothing was placed."
            await conversation.external(() => kit.outbox.forget(shown.clientOrderId));
            return;
          }
          if (r.kind === "tap") break;
          await say("Tap Confirm or Cancel on the card above, or send /cancel.");
        }
        const tappedAt = await now();
        if (tappedAt - shownAt > timeoutMs) {
          await settle(requoteSentence("expired"));
          const fresh = await ext(() => executor.quote(intent));
          if (!fresh.ok) return void (await say(fresh.message));
          quote = fresh.value;
          continue;
        }
        const q = quote;
        stage = { at: "sent" };
        // Only strings and the JSON-serializable quote leave this step (replays reuse them).
        const out = await conversation.external(async (octx: Context): Promise<Settled> => {
          const placed = await (async () => {
            kit.intents.remember(q.clientOrderId, q.intent);
            // Written before the order is sent: a restart from here on looks the order up at Kalshi.
            await kit.outbox.confirmed(q.clientOrderId);
            return withTyping(octx, () => executor.place(q));
          })().catch(
            // place() answers with values; a throw is a bug after which the order may exist.
            (e: unknown): PlaceOutcome => ({ kind: "unknown", cause: e, checked: false }),
          );
          await kit.outbox.checkpoint("answered", q.clientOrderId);
          if (placed.kind === "requote") return placed;
          logOutcome(q, placed);
          return { kind: "card", card: outcomeCard(q, placed, describers) };
        });
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
        return;
      }
    } catch (e) {
      kit.log.error("trade conversation failed", { error: errText(e), stage: stage.at });
      await ui.say(ctx, failedSentence(stage)).catch(() => undefined);
    }

    /** Asks for a ticker or search words until a market is picked; null when cancelled. */
    async function askMarket(): Promise<string | null> {
      await say("Which market? Send its ticker, or a few words to search for.", [cancelRow()]);
      for (;;) {
        const pick = (a: string) => hits[Number(a.slice(`m${searchNo}_`.length))];
        const r = await input((a) => a.startsWith(`m${searchNo}_`) && pick(a) !== undefined, {
          question: `${listHtml}\n\nWhich market?`,
          choice: (a) => `${code(pick(a)!.ticker)} (${escapeHtml(pick(a)!.title)})`,
        });
        if (r === "cancel") return null;
        if (r.kind === "tap") return pick(r.action)!.ticker;
        const text = r.text.trim();
        if (looksLikeTicker(text)) {
          const t = parseTicker(text);
          if (t.ok) return t.value;
        }
        if (text.length < 2) {
          await say("Send a ticker or at least one search word, or /cancel.");
          continue;
        }
        const found = await ext(() => markets.search(text, MAX_HITS));
        if (!found.ok) {
          await say(found.message);
          continue;
        }
        hits = found.value.slice(0, MAX_HITS);
        searchNo++;
        listHtml = searchList(text, hits, kit.deps.config.timeZone);
        const kb = hits.map((h, i) => [
          btn(`${i + 1}. ${h.title} ${h.yesSubTitle}`.slice(0, 60), data(`m${searchNo}_${i}`)),
        ]);
        await ui.send(
          ctx,
          listHtml + (hits.length ? "\n\nTap one, or send other words." : ""),
          rows(...kb, cancelRow()),
        );
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

function errText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
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
