/**
 * "Again" on the result card of a filled (or partly filled) order (issue 13): one tap opens the same
 * order — market, side, count, kind and limit price — through the normal trade conversation, so it
 * gets a fresh quote with Confirm and nothing is placed without it. The order rides in the button's
 * signed data ("ag:bym_1000_0_TICKER"; a long one through `Buttons.ref`), so a forged tap fails the
 * signature (the catch-all answers it), and a stale one (the card's button already used, or a ref
 * from before a restart) is answered "expired" and opens nothing.
 */
import type { Context, Middleware } from "grammy";
import type { InlineKeyboardMarkup } from "grammy/types";
import type { Centis, Micros } from "../../domain/money.js";
import type { OrderIntent, Quote } from "../../trading/types.js";
import type { Kit, MyContext } from "../context.js";
import { parseTicker } from "../parse.js";
import { answer, btn, removeTappedKeyboard, rows, tappedHasKeyboard, tappedHtml } from "../ui.js";
import type { TradeStart } from "./tradeSteps.js";

const PREFIX = "ag:";
/** The quote card's line above its figures while the repeated count stands. */
export const AGAIN_NOTE = "Again: the same order as before, freshly quoted.";
const EXPIRED = "This button has expired.";

/** The order in a few characters: action, side, kind; count (centi-contracts); limit (micros, 0: none); ticker. */
export function againSpec(i: OrderIntent): string {
  return `${i.action[0]}${i.outcome[0]}${i.kind[0]}_${i.count}_${i.limitPrice ?? 0}_${i.ticker}`;
}

/** The trade start a spec stands for; null when it is not one (whole contracts, a limit within $0–$1). */
export function parseAgainSpec(spec: string): TradeStart | null {
  const m = /^([bs])([yn])([ml])_(\d{1,9})_(\d{1,7})_(.+)$/.exec(spec);
  if (!m) return null;
  const count = Number(m[4]);
  const limit = Number(m[5]);
  const ticker = parseTicker(m[6]!);
  if (!ticker.ok || count <= 0 || count % 100 !== 0) return null;
  const limitOrder = m[3] === "l";
  if (limitOrder && (limit <= 0 || limit >= 1_000_000)) return null;
  return {
    action: m[1] === "b" ? "buy" : "sell",
    ticker: ticker.value,
    outcome: m[2] === "y" ? "yes" : "no",
    count: count as Centis,
    ...(limitOrder ? { kind: "limit" as const, limit: limit as Micros } : { kind: "market" as const }),
    note: AGAIN_NOTE,
  };
}

/** The result card's keyboard: one Again button. */
export function againKeyboard(kit: Kit, q: Quote): InlineKeyboardMarkup {
  return rows([btn("🔁 Again", kit.buttons.data(`${PREFIX}${kit.buttons.ref(againSpec(q.intent))}`))]);
}

/**
 * Puts Again under a result card that shows a fill. Only once the outbox has the result on the card
 * (else a later delivery would edit the button away, or it would sit under the old quote). Cosmetic:
 * a refused edit is logged and the result stands.
 */
export async function offerAgain(
  octx: Context,
  kit: Kit,
  card: { chatId: number; messageId: number },
  q: Quote,
): Promise<void> {
  if (kit.outbox.owes(q.clientOrderId)) return;
  try {
    await octx.api.editMessageReplyMarkup(card.chatId, card.messageId, {
      reply_markup: againKeyboard(kit, q),
    });
  } catch (e) {
    kit.log.warn("could not add Again to a result card", {
      error: e instanceof Error ? e.message : String(e),
    });
  }
}

/**
 * The card a button was tapped on keeps its text, shows the choice ("→ Buy YES") and loses its
 * buttons, in one edit (the buttons alone go when the text is not at hand).
 */
export async function showChoice(kit: Kit, ctx: Context, choice: string): Promise<void> {
  const card = tappedHtml(ctx, kit.ui.env);
  if (card === null) return removeTappedKeyboard(ctx);
  await kit.ui.editTapped(ctx, `${card}\n→ ${choice}`).catch(() => removeTappedKeyboard(ctx));
}

/** Answers Again taps: the same order through `enter` (the trade conversation), freshly quoted. */
export function againTaps(
  kit: Kit,
  enter: (ctx: MyContext, start: TradeStart) => Promise<void>,
): Middleware<MyContext> {
  return kit.guard("again", async (ctx: MyContext, next) => {
    const payload = kit.buttons.verify(ctx.callbackQuery?.data);
    if (!payload?.startsWith(PREFIX)) return next();
    const spec = kit.buttons.deref(payload.slice(PREFIX.length));
    const start = spec === null ? null : parseAgainSpec(spec);
    // Used already (the card lost its button) or from before a restart: nothing opens.
    if (start === null || !tappedHasKeyboard(ctx)) {
      await answer(ctx, EXPIRED);
      await removeTappedKeyboard(ctx);
      return;
    }
    await answer(ctx);
    await showChoice(kit, ctx, "Again");
    await enter(ctx, start);
  });
}
