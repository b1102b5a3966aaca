/**
 * /watch, /unwatch, /watchlist and /alert, and the buttons that go with them: the card's ☆ Watch and
 * 🔔 Alert (side → level), the watchlist's Refresh, a price alert's Sell, and /alerts' delete taps.
 * Every button is signed (src/bot/buttons.ts) and acts only for the chat it was tapped in.
 *
 * Button payloads (≤ 55 bytes with the ticker): wt:<t> toggle watch · wr refresh · pa:<t> alert menu ·
 * pk:<y|n|m>:<t> levels for a side · pl:<y|n>:<g|l>:<cents>:<t> set a level · pm:<cents>:<t> set a
 * move · pd:<id> delete · ps:<y|n>:<t> sell.
 */
import { Composer, type Context } from "grammy";
import type { OutcomeSide } from "../../exchange/port.js";
import { type Micros, MICROS_PER_CENT } from "../../domain/money.js";
import type { AlertSpec, PriceWatch } from "../../alerts/price/service.js";
import { ALERT_USAGE, parseAlertArgs } from "../alertArgs.js";
import type { Kit, MyContext } from "../context.js";
import { code } from "../format.js";
import { parseTicker } from "../parse.js";
import { answer, btn, rows, withTyping } from "../ui.js";
import { alertOutcomeText, watchlistText, watchOutcomeText } from "../watchViews.js";
import { enterTrade } from "./trade.js";
import { cardKeyboard } from "./market.js";

const NOT_HERE = "Watchlists and price alerts are not available in this setup.";
const side = (s: string): OutcomeSide => (s === "y" ? "yes" : "no");

/** The keyboard under /watchlist: one button per market (opens its card) and Refresh. */
function watchlistKeyboard(kit: Kit, tickers: string[]) {
  return rows(...tickers.map((t) => [btn(t, kit.buttons.data(`mk:${kit.buttons.ref(t)}`))]), [
    btn("↻ Refresh", kit.buttons.data("wr")),
  ]);
}

async function showWatchlist(kit: Kit, pw: PriceWatch, ctx: Context, edit: boolean): Promise<void> {
  const chatId = ctx.chat!.id;
  const list = await withTyping(ctx, () => pw.watchlist(chatId));
  const text = watchlistText(list, kit.deps.config.timeZone, kit.now());
  const kb = list.length
    ? watchlistKeyboard(
        kit,
        list.map((r) => r.ticker),
      )
    : undefined;
  if (edit) await kit.ui.editTapped(ctx, text, kb);
  else await kit.ui.send(ctx, text, kb);
}

/** Level buttons for a side: 5¢ and 10¢ either side of its price now. */
function levelKeyboard(kit: Kit, s: "y" | "n", now: Micros | null, ref: string) {
  if (now === null) return undefined;
  const c = Math.round(now / MICROS_PER_CENT);
  const pick = (op: "g" | "l", d: number) => {
    const lv = op === "g" ? c + d : c - d;
    if (lv < 1 || lv > 99) return [];
    return [btn(`${op === "g" ? "≥" : "≤"} ${lv}¢`, kit.buttons.data(`pl:${s}:${op}:${lv}:${ref}`))];
  };
  return rows([...pick("g", 5), ...pick("g", 10)], [...pick("l", 5), ...pick("l", 10)]);
}

export function watchFeature(kit: Kit): Composer<MyContext> {
  const c = new Composer<MyContext>();
  const pw = kit.deps.priceWatch;
  const tickerArg = (ctx: MyContext, usage: string) => {
    const arg = String(ctx.match ?? "").trim();
    if (!arg) return { ok: false as const, message: usage };
    return parseTicker(arg.split(/\s+/)[0]!);
  };

  c.command(
    "watch",
    kit.guard("watch", async (ctx) => {
      if (!pw) return kit.ui.say(ctx, NOT_HERE);
      const t = tickerArg(ctx, "Send /watch TICKER, for example /watch KXHIGHNY-26NOV25-B45.");
      if (!t.ok) return kit.ui.say(ctx, t.message);
      await kit.ui.send(ctx, watchOutcomeText(await withTyping(ctx, () => pw.watch(ctx.chat.id, t.value))));
    }),
  );
  c.command(
    "unwatch",
    kit.guard("unwatch", async (ctx) => {
      if (!pw) return kit.ui.say(ctx, NOT_HERE);
      const t = tickerArg(ctx, "Send /unwatch TICKER; /watchlist shows what you watch.");
      if (!t.ok) return kit.ui.say(ctx, t.message);
      const removed = pw.unwatch(ctx.chat.id, t.value);
      await kit.ui.send(
        ctx,
        removed ? `☆ Stopped watching ${code(t.value)}.` : `${code(t.value)} is not on your watchlist.`,
      );
    }),
  );
  c.command(
    "watchlist",
    kit.guard("watchlist", (ctx) => (pw ? showWatchlist(kit, pw, ctx, false) : kit.ui.say(ctx, NOT_HERE))),
  );
  c.command(
    "alert",
    kit.guard("alert", async (ctx) => {
      if (!pw) return kit.ui.say(ctx, NOT_HERE);
      if (!ctx.match.trim()) return kit.ui.say(ctx, ALERT_USAGE);
      const p = parseAlertArgs(ctx.match);
      if (!p.ok) return kit.ui.say(ctx, p.message);
      const out = await withTyping(ctx, () => pw.addAlert(ctx.chat.id, p.value.ticker, p.value.spec));
      await kit.ui.send(ctx, alertOutcomeText(out));
    }),
  );

  c.on(
    "callback_query:data",
    kit.guard("watch-buttons", async (ctx, next) => {
      const p = kit.buttons.verify(ctx.callbackQuery.data);
      const m = p === "wr" ? ["wr", "wr", ""] : p ? /^(wt|pa|pk|pl|pm|ps):(.+)$/.exec(p) : null;
      if (!m || !ctx.chat || !pw) return next();
      const [, kind, rest] = m as unknown as [string, string, string];
      const tail = (s: string) => kit.buttons.deref(s);
      const chatId = ctx.chat.id;
      switch (kind) {
        case "wr":
          await answer(ctx, "Refreshed");
          return showWatchlist(kit, pw, ctx, true);
        case "wt": {
          const ticker = tail(rest);
          if (!ticker) return next();
          const was = pw.isWatching(chatId, ticker);
          const out = was ? null : await pw.watch(chatId, ticker);
          if (was) pw.unwatch(chatId, ticker);
          const now = pw.isWatching(chatId, ticker);
          await answer(ctx, now ? "★ Watching" : was ? "☆ Removed from your watchlist" : undefined);
          if (out && out.kind !== "added") await kit.ui.send(ctx, watchOutcomeText(out));
          const msg = ctx.callbackQuery.message;
          if (msg)
            await ctx.api
              .editMessageReplyMarkup(chatId, msg.message_id, {
                reply_markup: cardKeyboard(kit, ticker, true, now),
              })
              .catch(() => undefined);
          return;
        }
        case "pa": {
          const ticker = tail(rest);
          if (!ticker) return next();
          await answer(ctx);
          const ref = kit.buttons.ref(ticker);
          return kit.ui.send(
            ctx,
            `🔔 Price alert for ${code(ticker)}: which price should I watch?\nOr type /alert ${ticker} yes >= 0.40.`,
            rows(
              [
                btn("YES price", kit.buttons.data(`pk:y:${ref}`)),
                btn("NO price", kit.buttons.data(`pk:n:${ref}`)),
              ],
              [btn("Any 5¢ move", kit.buttons.data(`pm:5:${ref}`))],
            ),
          );
        }
        case "pk": {
          const [s, r] = [rest.slice(0, 1), rest.slice(2)];
          const ticker = tail(r);
          if (!ticker || (s !== "y" && s !== "n")) return next();
          await answer(ctx);
          const info = await withTyping(ctx, () => kit.deps.services.markets.info(ticker));
          const now = s === "y" ? info.bestYesAsk : info.bestNoAsk;
          const kb = levelKeyboard(kit, s, now, kit.buttons.ref(ticker));
          const label = s === "y" ? "YES" : "NO";
          const text = kb
            ? `${label} costs ${now === null ? "–" : `${Math.round(now / MICROS_PER_CENT)}¢`} now. Alert me when it is:`
            : `${label} has no price right now. Type /alert ${ticker} ${side(s)} >= 0.40 to set a level.`;
          return kit.ui.editTapped(ctx, `🔔 ${code(ticker)}\n${text}`, kb);
        }
        case "pl":
        case "pm": {
          const parts = rest.split(":");
          const spec: AlertSpec | null =
            kind === "pm"
              ? { kind: "move", step: (Number(parts[0]) * MICROS_PER_CENT) as Micros }
              : parts.length >= 4
                ? {
                    kind: "level",
                    side: side(parts[0]!),
                    op: parts[1] === "g" ? ">=" : "<=",
                    level: (Number(parts[2]) * MICROS_PER_CENT) as Micros,
                  }
                : null;
          const ticker = tail(parts.slice(kind === "pm" ? 1 : 3).join(":"));
          if (!spec || !ticker) return next();
          await answer(ctx);
          const out = await withTyping(ctx, () => pw.addAlert(chatId, ticker, spec));
          return kit.ui.editTapped(ctx, alertOutcomeText(out));
        }
        case "ps": {
          const [s, r] = [rest.slice(0, 1), rest.slice(2)];
          const ticker = tail(r);
          if (!ticker || (s !== "y" && s !== "n")) return next();
          await answer(ctx);
          await enterTrade(kit, ctx, { action: "sell", ticker, outcome: side(s) });
          return;
        }
      }
      return next();
    }),
  );
  return c;
}
