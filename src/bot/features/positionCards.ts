/**
 * Position cards on /portfolio: under each position a row Sell 25% · 50% · All · Count, each opening
 * the normal trade conversation (its quote, its Confirm): a button never places an order itself.
 * 25%, 50% and All preset a market sell of that many (rounded down to whole contracts, said on the
 * quote), so a position is sold in two taps (All → Confirm); Count asks how many, then Market/Limit.
 * A button carries the count it was shown with: when the position is gone or its count changed, the
 * tap sells nothing and shows the position as it is now, with fresh buttons.
 *
 * Long portfolios page (portfolioPages.ts): ◀ ▶ edit the message to another page of the same reading,
 * kept in memory, so every page's buttons are the ones of the positions it shows.
 *
 * Payloads (signed, ≤ 55 bytes): pr[:<page>] refresh · pp:<list>:<page> another page ·
 * sp:<q|h|a|c>:<y|n>:<count base 36>:<ticker ref> sell 25% / 50% / all / a count.
 */
import { randomBytes } from "node:crypto";
import { Composer, type Context } from "grammy";
import type { InlineKeyboardButton } from "grammy/types";
import { type Centis, displayCount } from "../../domain/money.js";
import type { OutcomeSide } from "../../exchange/port.js";
import type { PortfolioView, PositionView } from "../../trading/types.js";
import type { Kit, MyContext } from "../context.js";
import { code, envHeader, TELEGRAM_TEXT_LIMIT } from "../format.js";
import { offeredParts, partNote, partOf, portfolioPages, positionCard, sellable } from "../portfolioPages.js";
import { answer, btn, rows, withTyping } from "../ui.js";
import { enterTrade, type TradeStart } from "./trade.js";

/** What a stale sell button shows above the position as it is now. */
export const CHANGED = "This position has changed; here is the current one:";
const PART_CODE: Record<string, number> = { q: 25, h: 50 };
const KEPT_READINGS = 10;

export function positionCardsFeature(kit: Kit) {
  const { portfolio } = kit.deps.services;
  const tz = kit.deps.config.timeZone;
  const data = (p: string) => kit.buttons.data(p);
  /** Each shown reading of the portfolio, so ◀ ▶ page through what the first page was read with. */
  const readings = new Map<string, PortfolioView>();
  // Room for the environment header with a page mark, and its newline.
  const room = TELEGRAM_TEXT_LIMIT - envHeader(kit.ui.env, { n: 99, of: 99 }).length - 1;

  function keep(v: PortfolioView): string {
    const id = randomBytes(4).toString("hex");
    readings.set(id, v);
    if (readings.size > KEPT_READINGS) readings.delete(readings.keys().next().value!);
    return id;
  }

  /** The four sell buttons of a position; `n` prefixes them on a numbered page. */
  function sellRow(p: PositionView, n: number | null): InlineKeyboardButton[] {
    const tail = `${p.side[0]}:${p.count.toString(36)}:${kit.buttons.ref(p.ticker)}`;
    const label = (s: string) => (n === null ? s : `${n} · ${s}`);
    const parts = offeredParts(p).map((pct) =>
      btn(label(n === null ? `Sell ${pct}%` : `${pct}%`), data(`sp:${pct === 25 ? "q" : "h"}:${tail}`)),
    );
    return [
      ...parts,
      btn(label(n === null ? "Sell all" : "All"), data(`sp:a:${tail}`)),
      btn(label("Count"), data(`sp:c:${tail}`)),
    ];
  }

  /** Page `page` (1-based, clamped) of a reading: its body and keyboard. */
  function render(v: PortfolioView, list: string, page: number) {
    const pages = portfolioPages(v, tz, room);
    const k = Math.min(Math.max(page, 1), pages.length);
    const pg = pages[k - 1]!;
    const nav: InlineKeyboardButton[] = [];
    if (k > 1) nav.push(btn(`◀ Page ${k - 1}`, data(`pp:${list}:${k - 1}`)));
    if (k < pages.length) nav.push(btn(`Page ${k + 1} ▶`, data(`pp:${list}:${k + 1}`)));
    const open = v.positions.filter(sellable).length;
    const kb = rows(
      [btn("🔄 Refresh", data(pages.length > 1 ? `pr:${k}` : "pr"))],
      ...pg.positions.filter(({ p }) => sellable(p)).map(({ n, p }) => sellRow(p, n)),
      nav,
      open > 0 ? [btn(`Close all (${open})…`, data("pca"))] : [],
    );
    return { html: pg.html, kb };
  }

  /** Reads the portfolio and shows page `page`: a new message, or the tapped one edited. */
  async function show(ctx: Context, edit: boolean, page = 1): Promise<void> {
    const v = await withTyping(ctx, () => portfolio.view());
    const r = render(v, keep(v), page);
    if (edit) await kit.ui.editTapped(ctx, r.html, r.kb);
    else await kit.ui.send(ctx, r.html, r.kb);
  }

  /** A stale button: nothing is sold; the position as it is now, with its own buttons. */
  async function changed(ctx: Context, side: OutcomeSide, ticker: string, v: PortfolioView) {
    const now = v.positions.find((p) => p.ticker === ticker && sellable(p));
    kit.log.info("stale position button", { ticker, now: now?.count ?? 0 });
    if (!now) {
      const sentence = `This position has changed: you no longer hold any ${side.toUpperCase()} in ${code(ticker)}. Nothing was sold.`;
      return void (await kit.ui.send(ctx, sentence));
    }
    const card = `${CHANGED}\n\n${positionCard(now, v.restingOrders)}`;
    await kit.ui.send(ctx, card, rows(sellRow(now, null)));
  }

  /**
   * A sell button: what is held in its market must still be what the card showed (one positions
   * read; the whole portfolio only to show a changed position), else nothing is sold.
   */
  async function sellTapped(ctx: MyContext, op: string, side: OutcomeSide, shown: Centis, ticker: string) {
    await answer(ctx);
    const same = (p: { side: OutcomeSide; count: Centis } | null | undefined) =>
      !!p && p.side === side && p.count === shown;
    const held = portfolio.held ? await withTyping(ctx, () => portfolio.held!(ticker)) : undefined;
    if (!same(held)) {
      const v = await withTyping(ctx, () => portfolio.view());
      if (!same(v.positions.find((p) => p.ticker === ticker && sellable(p))))
        return changed(ctx, side, ticker, v);
    }
    const start: TradeStart = { action: "sell", ticker, outcome: side };
    if (op === "a") {
      // A fraction of a contract (bought elsewhere) stays: orders here are whole contracts.
      const whole = partOf(shown, 100).whole;
      const note =
        whole === shown
          ? undefined
          : `You hold ${displayCount(shown)}: selling ${displayCount(whole)} (orders here are in whole contracts; rounded down).`;
      Object.assign(start, { count: whole, kind: "market", ...(note ? { note } : {}) });
    }
    const pct = PART_CODE[op];
    if (pct !== undefined) {
      const count = partOf(shown, pct).whole;
      Object.assign(start, { count, kind: "market", note: partNote(shown, pct) });
    }
    await enterTrade(kit, ctx, start);
  }

  const c = new Composer<MyContext>();
  c.on(
    "callback_query:data",
    kit.guard("portfolio-refresh", async (ctx, next) => {
      const p = kit.buttons.verify(ctx.callbackQuery.data);
      const refresh = p ? /^pr(?::(\d+))?$/.exec(p) : null;
      if (refresh) {
        await answer(ctx, "Refreshing…");
        return show(ctx, true, Number(refresh[1] ?? 1));
      }
      const turn = p ? /^pp:([0-9a-f]+):(\d+)$/.exec(p) : null;
      if (!turn) return next();
      await answer(ctx);
      const v = readings.get(turn[1]!);
      // A reading from before a restart (or pushed out by newer ones): read again.
      if (!v) return show(ctx, true, Number(turn[2]));
      const r = render(v, turn[1]!, Number(turn[2]));
      await kit.ui.editTapped(ctx, r.html, r.kb);
    }),
  );
  c.on(
    "callback_query:data",
    kit.guard("portfolio-sell", async (ctx, next) => {
      const p = kit.buttons.verify(ctx.callbackQuery.data);
      const m = p ? /^sp:([qhac]):([yn]):([0-9a-z]+):(.+)$/.exec(p) : null;
      const ticker = m ? kit.buttons.deref(m[4]!) : null;
      if (!m || !ticker) return next();
      const shown = parseInt(m[3]!, 36) as Centis;
      await sellTapped(ctx, m[1]!, m[2] === "y" ? "yes" : "no", shown, ticker);
    }),
  );
  return { composer: c, show };
}
