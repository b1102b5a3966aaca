/**
 * "Close all" on /portfolio: one confirmation card lists every market sell it would place (worst
 * price, expected proceeds) and what cannot be sold now; only its Confirm (and the trading PIN, as
 * for Cancel all) places anything, then each sell once (src/trading/closeAll.ts) and the card becomes
 * the ONE result message with a line per position. Each card can be answered once: a double tap, a
 * resent update or a tap after a restart places nothing more. A Confirm after the prices expired
 * sells nothing and shows a freshly priced card.
 *
 * Payloads: pca ask · pcy:<id> confirm · pcn:<id> cancel.
 */
import { randomBytes } from "node:crypto";
import { Composer, type Context } from "grammy";
import { type ClosePlan, closeAll, planCloseAll } from "../../trading/closeAll.js";
import { runBulk } from "../bulkAction.js";
import type { Kit, MyContext } from "../context.js";
import { closeAllCard, closeAllResult } from "../closeAllViews.js";
import { sellable } from "../portfolioPages.js";
import { answer, btn, removeTappedKeyboard, rows, withTyping } from "../ui.js";
import { EXPIRED } from "./fallback.js";

const KEPT_CARDS = 20;

interface OpenCard {
  plan: ClosePlan;
  html: string;
}

export function closeAllFeature(kit: Kit): Composer<MyContext> {
  const c = new Composer<MyContext>();
  const { executor, portfolio } = kit.deps.services;
  const timeoutMs = kit.deps.config.confirmTimeoutMs;
  const data = (p: string) => kit.buttons.data(p);
  /** Open confirmation cards; each is taken out by its first answer. */
  const open = new Map<string, OpenCard>();

  /** Prices a sell of every open position and sends the confirmation card. */
  async function offer(ctx: Context): Promise<void> {
    const v = await withTyping(ctx, () => portfolio.view());
    const targets = v.positions
      .filter(sellable)
      .map((p) => ({ ticker: p.ticker, title: p.title, outcome: p.side, count: p.count }));
    if (targets.length === 0) return void (await kit.ui.say(ctx, "You have no open positions to close."));
    const plan = await withTyping(ctx, () => planCloseAll(executor, targets));
    const html = closeAllCard(plan, kit.describe, timeoutMs);
    if (plan.planned.length === 0) return void (await kit.ui.send(ctx, html));
    const id = randomBytes(6).toString("hex");
    open.set(id, { plan, html });
    if (open.size > KEPT_CARDS) open.delete(open.keys().next().value!);
    await kit.ui.send(
      ctx,
      html,
      rows([btn("✅ Confirm", data(`pcy:${id}`), { style: "danger" }), btn("Cancel", data(`pcn:${id}`))]),
    );
  }

  /** After Confirm (and the PIN): the sells, then the card edited into the result (a new message if it cannot be). */
  async function sell(ctx: Context, card: OpenCard, at: { chatId: number; messageId: number }) {
    const show = (html: string) =>
      kit.ui.edit(ctx, at.chatId, at.messageId, html).catch(async (e: unknown) => {
        kit.log.warn("edit after close all failed; sending the text as a new message", { error: String(e) });
        await kit.ui.send(ctx, html);
      });
    if (kit.now() > card.plan.expiresAt) {
      await show(`${card.html}\n<b>These prices expired; nothing was sold.</b> Fresh ones are below.`);
      return offer(ctx);
    }
    for (const p of card.plan.planned) kit.intents.remember(p.quote.clientOrderId, p.quote.intent);
    const results = await withTyping(ctx, () => closeAll(executor, card.plan.planned));
    kit.log.info("close all", {
      orders: results.length,
      outcomes: results.map((r) => r.outcome.kind),
      skipped: card.plan.skipped.length,
    });
    await show(closeAllResult(results, card.plan.skipped, kit.describe));
  }

  c.on(
    "callback_query:data",
    kit.guard("close-all", async (ctx, next) => {
      const p = kit.buttons.verify(ctx.callbackQuery.data);
      if (p === "pca") {
        await answer(ctx, "Pricing your positions…");
        return offer(ctx);
      }
      const m = p ? /^pc([yn]):([0-9a-f]+)$/.exec(p) : null;
      if (!m) return next();
      const card = open.get(m[2]!);
      if (!card || !open.delete(m[2]!)) {
        // Answered before (a double tap, a resent update) or from before a restart: nothing twice.
        await answer(ctx, EXPIRED);
        return removeTappedKeyboard(ctx);
      }
      if (m[1] === "n") {
        await answer(ctx);
        return kit.ui.editTapped(ctx, `${card.html}\n→ <b>Canceled</b>. Nothing was sold.`);
      }
      await answer(ctx, kit.pin.enabled ? undefined : "Selling…");
      // The card loses its buttons at once and shows the choice, so it cannot be confirmed twice.
      const doing = kit.pin.enabled ? "" : " Selling…";
      await kit.ui.editTapped(ctx, `${card.html}\n→ <b>Confirmed</b>.${doing}`);
      await runBulk(kit, ctx, {
        handler: "close-all",
        purpose: "to close all positions",
        dropped: `${card.html}\n→ Not done: the trading PIN was not given (or trading is locked). Nothing was sold.`,
        // The result is the card itself: without the tapped message there is nowhere to show it.
        run: (cx, at) => (at ? sell(cx, card, at) : Promise.resolve()),
      });
    }),
  );
  return c;
}
