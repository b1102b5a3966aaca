/**
 * The change buttons under a resting order (src/bot/orderButtons.ts: −1 tick, +1 tick, New price,
 * Reduce). Each tap reads the order afresh: an order that filled or was canceled meanwhile is said
 * and shown as it is now. A tick is planned at once; New price and Reduce ask for a typed answer.
 * Every change waits behind a one-line confirmation (Confirm/Cancel) that expires; Confirm is used
 * up by its first tap, so a double tap changes once. Planning and sending are the use case's
 * (src/trading/amendOrder.ts); the sentences are orderChangeViews.ts's.
 *
 * Registered before the conversations: a typed answer to "New price"/"Reduce" must reach this
 * feature even while a /buy waits for its own answer. A command closes the open question.
 */
import { randomBytes } from "node:crypto";
import { Composer, type Context } from "grammy";
import { type Centis, type Micros, centis, mulPriceCount } from "../../domain/money.js";
import type { OutcomeSide } from "../../exchange/port.js";
import {
  type ChangePlan,
  type OrderNow,
  type PlanOutcome,
  pricePlan,
  reducePlan,
  tickPlan,
} from "../../trading/amendOrder.js";
import type { Kit, MyContext } from "../context.js";
import { price } from "../format.js";
import type { OrderIntentInfo } from "../intents.js";
import { type OrderChange, parseOrderChange } from "../orderButtons.js";
import {
  applyText,
  askPriceText,
  askReduceText,
  confirmText,
  goneText,
  noPlanText,
  orderName,
} from "../orderChangeViews.js";
import { parseCountInput, parsePriceInput } from "../parse.js";
import { answer, btn, removeTappedKeyboard, rows, withTyping } from "../ui.js";
import { EXPIRED } from "./fallback.js";

/** How long a New price / Reduce question waits for its typed answer. */
export const ASK_TIMEOUT_MS = 5 * 60_000;

/** An open question for a typed price or size (one per chat: the newest). */
interface TypedAsk {
  id: string;
  change: "price" | "reduce";
  orderId: string;
  until: number;
  prompt: { chatId: number; messageId: number };
}

/** A confirmation waiting for its Confirm. */
interface Pending {
  chatId: number;
  plan: ChangePlan;
  until: number;
  intent: OrderIntentInfo | null;
}

/** A resting order as a tap found it, with the outcome its prices are said in. */
type Found = OrderNow & { outcome: OutcomeSide; intent: OrderIntentInfo | null };

const MAX_PENDING = 50;
const nonce = () => randomBytes(4).toString("hex");

export function orderChangeFeature(kit: Kit): Composer<MyContext> {
  const c = new Composer<MyContext>();
  const changes = kit.deps.services.orderChanges;
  const tz = kit.deps.config.timeZone;
  const data = (p: string) => kit.buttons.data(p);
  const asks = new Map<number, TypedAsk>();
  const pending = new Map<string, Pending>();

  /** The order as a tap finds it; said and null when it is no longer there to change. */
  async function fresh(ctx: Context, orderId: string): Promise<Found | null> {
    const r = await withTyping(ctx, () => changes.read(orderId));
    if (r.kind === "notFound") {
      await kit.ui.say(
        ctx,
        "That order is not there any more; nothing was changed. /orders lists what rests.",
      );
      return null;
    }
    const intent = await kit.intents.of(r.order);
    if (r.kind === "gone") {
      await kit.ui.send(ctx, goneText(r.order, tz, intent));
      return null;
    }
    return { ...r, intent, outcome: intent?.outcome ?? r.order.outcomeSide };
  }

  /** Shows a plan's confirmation, or why there is none (with the nearest prices as buttons). */
  async function propose(ctx: Context, now: Found, p: PlanOutcome, askId?: string): Promise<boolean> {
    if (p.kind !== "plan") {
      const kb =
        p.kind === "offGrid" && askId
          ? rows(p.nearest.map((x) => btn(price(x), data(`omn:${askId}:${x}`))))
          : undefined;
      await kit.ui.send(ctx, noPlanText(p, now.market, now.outcome), kb);
      return false;
    }
    const key = nonce();
    const chatId = ctx.chat!.id;
    pending.set(key, {
      chatId,
      plan: p.plan,
      until: kit.now() + kit.deps.config.confirmTimeoutMs,
      intent: now.intent,
    });
    if (pending.size > MAX_PENDING) pending.delete(pending.keys().next().value!);
    await kit.ui.send(
      ctx,
      confirmText(p.plan, orderName(now.order, now.intent)),
      rows([btn("✅ Confirm", data(`omy:${key}`)), btn("Cancel", data(`omx:${key}`))]),
    );
    return true;
  }

  /** A change button: a tick is planned now; New price and Reduce open a typed question. */
  async function onChange(ctx: Context, change: OrderChange, orderId: string): Promise<void> {
    await answer(ctx);
    const now = await fresh(ctx, orderId);
    if (!now) return;
    if (change === "up" || change === "down") {
      await propose(ctx, now, tickPlan(now, now.outcome, change));
      return;
    }
    if (change === "price" && now.market.status !== "active") {
      await kit.ui.send(
        ctx,
        noPlanText({ kind: "closed", status: now.market.status }, now.market, now.outcome),
      );
      return;
    }
    const name = orderName(now.order, now.intent);
    const id = nonce();
    const text =
      change === "price"
        ? askPriceText(now.order, name, now.outcome, now.market)
        : askReduceText(now.order, name);
    await closeAsk(ctx.chat!.id, ctx);
    const m = await kit.ui.send(ctx, text, rows([btn("Cancel", data(`omq:${id}`))]));
    asks.set(ctx.chat!.id, {
      id,
      change,
      orderId,
      until: kit.now() + ASK_TIMEOUT_MS,
      prompt: { chatId: m.chat.id, messageId: m.message_id },
    });
  }

  /** Ends the chat's open question (its prompt loses its Cancel button). */
  async function closeAsk(chatId: number, ctx: Context): Promise<TypedAsk | undefined> {
    const a = asks.get(chatId);
    if (!a) return undefined;
    asks.delete(chatId);
    await ctx.api
      .editMessageReplyMarkup(a.prompt.chatId, a.prompt.messageId, { reply_markup: { inline_keyboard: [] } })
      .catch(() => undefined);
    return a;
  }

  /** A typed answer to the open question, read as a price or a count. */
  async function onTyped(ctx: Context, a: TypedAsk, text: string): Promise<void> {
    const parsed = a.change === "price" ? parsePriceInput(text) : parseCountInput(text);
    if (!parsed.ok) {
      await kit.ui.say(ctx, `${parsed.message} Nothing was changed; send another, or tap Cancel.`);
      return;
    }
    await onAnswer(ctx, a, parsed.value);
  }

  /** An answer (typed, or a nearest price tapped), checked against the order as it is now. */
  async function onAnswer(ctx: Context, a: TypedAsk, value: number): Promise<void> {
    const now = await fresh(ctx, a.orderId);
    if (!now) {
      await closeAsk(ctx.chat!.id, ctx);
      return;
    }
    const p =
      a.change === "price"
        ? pricePlan(now, now.outcome, value as Micros)
        : reducePlan(now, now.outcome, value as Centis);
    if (await propose(ctx, now, p, a.id)) await closeAsk(ctx.chat!.id, ctx);
  }

  /**
   * Confirm: used up by its first tap. A new price is an order at that price, so it passes the PIN
   * guard like one (the resting size × the new price); a smaller size never needs it.
   */
  async function onConfirm(ctx: Context, key: string): Promise<void> {
    const p = pending.get(key);
    pending.delete(key);
    const m = ctx.callbackQuery?.message;
    if (!p || !m || p.chatId !== ctx.chat?.id) {
      await answer(ctx, EXPIRED);
      await removeTappedKeyboard(ctx);
      return;
    }
    if (kit.now() > p.until) {
      await answer(ctx, EXPIRED);
      await kit.ui.editTapped(
        ctx,
        "This confirmation expired; nothing was changed. Tap the order's button again.",
      );
      return;
    }
    const at = { chatId: m.chat.id, messageId: m.message_id };
    const resting = centis(p.plan.toTotal - p.plan.filled);
    const subject = { order: mulPriceCount(p.plan.toPrice, resting) };
    // A smaller size only lowers risk: like a single cancel, it never waits for the PIN.
    const pin = p.plan.kind === "price" && kit.pin.need(ctx.from!.id, subject).kind !== "open";
    await answer(ctx, pin ? undefined : "Changing…");
    await kit.ui
      .editTapped(ctx, pin ? "Confirmed; the change waits for your PIN." : "Changing…")
      .catch(() => undefined);
    if (!pin) return send(ctx, p, at);
    const run = kit.guard("order-change", (c: Context) => send(c, p, at));
    const say = (c: Context, t: string) => kit.ui.say(c, t);
    const dropped = (c: Context) =>
      kit.ui.edit(
        c,
        at.chatId,
        at.messageId,
        "Not changed: the trading PIN was not given (or trading is locked).",
      );
    await kit.pin.require(
      ctx,
      subject,
      "to change the order's price",
      (c) => run(c, async () => {}),
      say,
      dropped,
    );
  }

  /** Sends a confirmed plan and shows what it did on the confirmation (a new message if that fails). */
  async function send(ctx: Context, p: Pending, at: { chatId: number; messageId: number }): Promise<void> {
    const r = await withTyping(ctx, () => changes.apply(p.plan));
    kit.log.info("order change", { orderId: p.plan.orderId, kind: p.plan.kind, outcome: r.kind });
    const html = applyText(r, tz, p.intent);
    await kit.ui.edit(ctx, at.chatId, at.messageId, html).catch(() => kit.ui.send(ctx, html));
  }

  c.on(
    "callback_query:data",
    kit.guard("order-change", async (ctx, next) => {
      const payload = kit.buttons.verify(ctx.callbackQuery.data);
      if (payload === null) return next();
      const change = parseOrderChange(payload);
      if (change) {
        const orderId = kit.buttons.deref(change.orderRef);
        if (orderId === null) return next();
        return onChange(ctx, change.change, orderId);
      }
      const m = /^om([yxqn]):([0-9a-f]+)(?::(\d+))?$/.exec(payload);
      if (!m) return next();
      const [, what, key, arg] = m;
      if (what === "y") return onConfirm(ctx, key!);
      if (what === "x") {
        // Only an open confirmation: a Cancel drawn under a used one must not overwrite its result.
        if (!pending.delete(key!)) {
          await answer(ctx, EXPIRED);
          return removeTappedKeyboard(ctx);
        }
        await answer(ctx);
        await kit.ui.editTapped(ctx, "Canceled; nothing was changed.");
        return;
      }
      const a = asks.get(ctx.chat?.id ?? 0);
      if (!a || a.id !== key || kit.now() > a.until || (what === "n" && arg === undefined)) {
        await answer(ctx, EXPIRED);
        await removeTappedKeyboard(ctx);
        return;
      }
      if (what === "q") {
        await answer(ctx);
        await closeAsk(ctx.chat!.id, ctx);
        await kit.ui.editTapped(ctx, "Canceled; nothing was changed.");
        return;
      }
      // A nearest valid price, offered after an off-grid one.
      await answer(ctx);
      await removeTappedKeyboard(ctx);
      await onAnswer(ctx, a, Number(arg));
    }),
  );

  c.on(
    "message:text",
    kit.guard("order-change", async (ctx, next) => {
      const a = asks.get(ctx.chat.id);
      if (!a) return next();
      if (kit.now() > a.until) {
        await closeAsk(ctx.chat.id, ctx);
        return next();
      }
      // A /buy or /sell (started from a button) asked its question after this one: the answer is its.
      const newer = kit.prompts.current(ctx.chat.id);
      if (newer && newer.messageId > a.prompt.messageId) {
        await closeAsk(ctx.chat.id, ctx);
        return next();
      }
      const text = ctx.message.text.trim();
      if (text.startsWith("/")) {
        await closeAsk(ctx.chat.id, ctx);
        if (!/^\/cancel(@\w+)?$/i.test(text)) return next();
        await kit.ui.say(ctx, "Stopped. Nothing was changed.");
        return;
      }
      await onTyped(ctx, a, text);
    }),
  );
  return c;
}
