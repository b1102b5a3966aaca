/**
 * "Cancel all" on /orders: a confirmation, then Kalshi's cancel-all endpoint (PIN-guarded like every
 * bulk action), then what it canceled. Kalshi warns that the endpoint may also cancel orders placed
 * in the minute after it, so the confirmation says so; the result lists what was canceled, which of
 * those were placed after the question, and what rests now.
 */
import { randomBytes } from "node:crypto";
import { Composer, type Context } from "grammy";
import type { Order, OrderRef } from "../../exchange/port.js";
import type { CancelAllResult } from "../../trading/types.js";
import { runBulk } from "../bulkAction.js";
import type { Kit, MyContext } from "../context.js";
import { type Keyboard, answer, btn, removeTappedKeyboard, rows } from "../ui.js";
import { code, count } from "../format.js";
import { orderHeadline, orderLine } from "../views.js";
import { EXPIRED } from "./fallback.js";

const CHOSE_YES = "Cancel all resting orders? <b>Yes</b>";
/** Said on a card whose action waited for the trading PIN and will not run. */
const PIN_NOT_GIVEN = "Not done: the trading PIN was not given (or trading is locked).";
/** At most this many canceled orders are listed one by one (the rest are counted). */
const LISTED_MAX = 20;

export const CANCEL_ALL_WARNING =
  "Kalshi's cancel-all may also cancel orders placed in the minute after it, from any app or device on this account.";

/** The list shown again after "No" (the orders feature renders it). */
export type ListAgain = (note: string) => Promise<{ html: string; kb?: Keyboard }>;

export function cancelAllFeature(kit: Kit, listAgain: ListAgain): Composer<MyContext> {
  const c = new Composer<MyContext>();
  const { executor } = kit.deps.services;
  const tz = kit.deps.config.timeZone;
  const data = (p: string) => kit.buttons.data(p);
  /** Open questions, each with the orders it listed; each can be answered once. */
  const pending = new Map<string, OrderRef[]>();
  function ask(listed: OrderRef[]): string {
    const q = randomBytes(6).toString("hex");
    pending.set(q, listed);
    if (pending.size > 20) pending.delete(pending.keys().next().value!);
    return q;
  }

  /** After "Yes" (and the PIN when one is asked): the question shows progress, then the result. */
  async function run(ctx: Context, listed: OrderRef[], at?: { chatId: number; messageId: number }) {
    const show = (html: string) =>
      at ? kit.ui.edit(ctx, at.chatId, at.messageId, html) : kit.ui.send(ctx, html).then(() => undefined);
    await show(`${CHOSE_YES}\nCanceling…`).catch(() => undefined);
    let r: CancelAllResult;
    try {
      r = await executor.cancelAll(listed);
    } catch (e) {
      const html = `${CHOSE_YES}\nI could not confirm that they were canceled. Send /orders to see what is still resting.`;
      await show(html).catch(() => undefined);
      throw e; // the guard logs it and sends the reason
    }
    kit.log.info("all orders canceled", {
      canceled: r.canceled.length,
      unlisted: r.unlisted.length,
      resting: r.resting?.length ?? null,
    });
    const html = `${CHOSE_YES}\n${await resultText(r)}`;
    await show(html).catch(async (e: unknown) => {
      kit.log.warn("edit after a cancel failed; sending the text as a new message", { error: String(e) });
      await kit.ui.send(ctx, html);
    });
  }

  /** One bullet per order (at most LISTED_MAX): a full line for what rests, a short one for what went. */
  async function lines(orders: Order[], gone: boolean): Promise<string[]> {
    const intents = await kit.intents.ofAll(orders);
    const out = orders.slice(0, LISTED_MAX).map((o, i) => {
      const intent = intents[i] ?? null;
      if (!gone) return `• ${orderLine(o, tz, intent)}`;
      return `• <b>${orderHeadline(o, intent)}</b> ${code(o.ticker)} · ${count(o.remainingCount)} of ${count(o.initialCount)} ${o.remainingCount === 100 ? "was" : "were"} resting`;
    });
    if (orders.length > LISTED_MAX) out.push(`… and ${orders.length - LISTED_MAX} more.`);
    return out;
  }

  /** What the cancel-all did: the orders it canceled (those placed after the question marked), what rests. */
  async function resultText(r: CancelAllResult): Promise<string> {
    const n = r.canceled.length;
    const out = [
      n === 0
        ? r.filled.length > 0
          ? "Nothing was canceled."
          : "Nothing was resting any more; nothing was canceled."
        : `Canceled ${n} order${n === 1 ? "" : "s"}.`,
    ];
    if (n > 0) out.push(...(await lines(r.canceled, true)));
    const f = r.filled.length;
    if (f > 0) {
      out.push(
        `⚠️ ${f} order${f === 1 ? "" : "s"} filled before the cancel reached ${f === 1 ? "it" : "them"}; /portfolio shows what you hold now:`,
        ...(await lines(r.filled, false)),
      );
    }
    const late = r.unlisted.length;
    if (late > 0) {
      out.push(
        `⚠️ ${late} of them ${late === 1 ? "was" : "were"} placed after the list was shown (${late === 1 ? "it was" : "they were"} resting when you said Yes).`,
      );
    }
    if (r.resting === null) out.push("I could not read what rests now. Send /orders to see.");
    else if (r.resting.length > 0) {
      const m = r.resting.length;
      out.push(
        `${m} order${m === 1 ? " is" : "s are"} resting now (placed since, or not canceled); Kalshi may still cancel orders placed within a minute of the cancel-all:`,
        ...(await lines(r.resting, false)),
        "Send /orders to see them.",
      );
    }
    return out.join("\n");
  }

  c.on(
    "callback_query:data",
    kit.guard("orders-cancel-all", async (ctx, next) => {
      const p = kit.buttons.verify(ctx.callbackQuery.data);
      if (p === "oca") {
        await answer(ctx);
        const open = await executor.openOrders();
        const n = open.length;
        if (n === 0) return kit.ui.editTapped(ctx, "No resting orders.");
        const q = ask(open.map((o) => ({ orderId: o.orderId, ticker: o.ticker })));
        await kit.ui.editTapped(
          ctx,
          `Cancel all ${n} resting order${n === 1 ? "" : "s"}?\n<i>${CANCEL_ALL_WARNING}</i>`,
          rows([btn("Yes, cancel all", data(`ocy:${q}`), { style: "danger" }), btn("No", data(`ocn:${q}`))]),
        );
        return;
      }
      const choice = p === null ? null : /^oc([yn]):(\w+)$/.exec(p);
      if (!choice) return next();
      const listed = pending.get(choice[2]!);
      if (!pending.delete(choice[2]!)) {
        // The question was already answered (a double tap, or a resent update): do nothing twice.
        await answer(ctx, EXPIRED);
        await removeTappedKeyboard(ctx);
        return;
      }
      if (choice[1] === "n") {
        await answer(ctx);
        const v = await listAgain("Cancel all: <b>No</b>. Nothing was canceled.");
        await kit.ui.editTapped(ctx, v.html, v.kb);
        return;
      }
      await answer(ctx, kit.pin.enabled ? undefined : "Canceling all…");
      // The question loses its buttons at once and shows the choice, so it cannot be tapped twice.
      if (kit.pin.enabled) await kit.ui.editTapped(ctx, CHOSE_YES);
      await runBulk(kit, ctx, {
        handler: "orders-cancel-all",
        purpose: "to cancel all resting orders",
        dropped: `${CHOSE_YES}\n${PIN_NOT_GIVEN} Nothing was canceled.`,
        run: (x, at) => run(x, listed ?? [], at),
      });
    }),
  );
  return c;
}
