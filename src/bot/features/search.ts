/**
 * /search <words> over the local event index (one result per event; an event with several strikes
 * opens a strike picker) and /browse: categories → series → open events by close time → card.
 * Ranking and browsing read nothing from the exchange; an event's markets are read (one request)
 * only when it is opened.
 */
import { Composer, type Context } from "grammy";
import type { InlineKeyboardButton } from "grammy/types";
import type { Market } from "../../exchange/port.js";
import type { IndexedEvent, SearchService } from "../../trading/index.js";
import type { Kit, MyContext } from "../context.js";
import { BUTTON_LABEL_MAX, buttonLabel, HALF_BUTTON_LABEL_MAX } from "../labels.js";
import { answer, btn, rows, withTyping } from "../ui.js";
import {
  categoriesText,
  eventHitsText,
  eventsText,
  seriesText,
  eventHitLabel,
  hitButtonLabel,
  strikeButtonLabel,
  strikePickerText,
} from "../searchViews.js";
import { searchList } from "../views.js";
import { sendMarketCard } from "./market.js";

const MAX_HITS = 8;
const MAX_STRIKES = 30;
const MAX_SERIES = 20;
const MAX_EVENTS = 15;
const USAGE = "Send /search <words>, for example /search highest temperature NYC. Or browse by category:";

/** "\n12 more series, less traded, not shown: find one with /search <words>." ("" when none). */
const more = (n: number, what: string): string =>
  n > 0 ? `\n${n} more ${what}, not shown: find one with /search &lt;words&gt;.` : "";

const buttonData = (kit: Kit, kind: string, value: string) =>
  kit.buttons.data(`${kind}:${kit.buttons.ref(value)}`);

/** A button that opens the event: its card when it has one market, else its strike picker. */
function eventButton(kit: Kit, label: string, e: IndexedEvent, strike?: string): InlineKeyboardButton {
  const only = strike ?? (e.strikes.length === 1 ? e.strikes[0]?.[0] : undefined);
  return btn(buttonLabel([label]), only ? buttonData(kit, "mk", only) : buttonData(kit, "se", e.eventTicker));
}

/** An event's open markets as strike buttons (its card when it has just one). */
export async function sendStrikeList(
  kit: Kit,
  ctx: Context,
  title: string,
  markets: Market[],
): Promise<void> {
  if (markets.length === 1) return sendMarketCard(kit, ctx, markets[0]!.ticker);
  const shown = markets.slice(0, MAX_STRIKES);
  // Two strikes a row when every label fits half a button whole; else one a row with more room.
  const half = shown.every((m) => strikeButtonLabel(m, 99).length <= HALF_BUTTON_LABEL_MAX);
  const per = half ? 2 : 1;
  const buttons = shown.map((m) =>
    btn(
      strikeButtonLabel(m, half ? HALF_BUTTON_LABEL_MAX : BUTTON_LABEL_MAX),
      buttonData(kit, "mk", m.ticker),
    ),
  );
  const kb: InlineKeyboardButton[][] = [];
  for (let i = 0; i < buttons.length; i += per) kb.push(buttons.slice(i, i + per));
  let text = strikePickerText(title, markets, kit.deps.config.timeZone, kit.now());
  if (markets.length > shown.length)
    text += `\n${markets.length - shown.length} more: send /market with a ticker from this event.`;
  await kit.ui.send(ctx, text, kb.length ? rows(...kb) : undefined);
}

/** A series' open events, closing soonest first, each a button (from the event index). */
export async function sendSeriesEvents(kit: Kit, ctx: Context, search: SearchService, series: string) {
  const { rows: events, seriesTitle, asOf } = await search.eventsIn(series);
  const shown = events.slice(0, MAX_EVENTS);
  const kb = shown.map((e, i) => [eventButton(kit, `${i + 1}. ${e.title}`, e)]);
  await kit.ui.send(
    ctx,
    eventsText(seriesTitle, shown, asOf, kit.now(), kit.deps.config.timeZone) +
      more(
        events.length - shown.length,
        `event${events.length - shown.length === 1 ? "" : "s"}, closing later`,
      ),
    kb.length ? rows(...kb) : undefined,
  );
}

export function searchFeature(kit: Kit): Composer<MyContext> {
  const c = new Composer<MyContext>();
  const tz = kit.deps.config.timeZone;
  const search = kit.deps.services.search;
  const data = (kind: string, value: string) => buttonData(kit, kind, value);
  const browseButton = () => rows([btn("Browse", kit.buttons.data("br:"))]);

  async function strikePicker(ctx: Context, eventTicker: string): Promise<void> {
    if (!search) return;
    const [event, markets] = await withTyping(ctx, () =>
      Promise.all([search.event(eventTicker), search.eventMarkets(eventTicker)]),
    );
    await sendStrikeList(kit, ctx, event?.title ?? eventTicker, markets);
  }

  /** Without the event index (tests' fake services): market rows from the market service. */
  async function marketList(ctx: Context, words: string): Promise<void> {
    const hits = (await withTyping(ctx, () => kit.deps.services.markets.search(words, MAX_HITS))).slice(
      0,
      MAX_HITS,
    );
    const kb = hits.map((h, i) => [btn(hitButtonLabel(i, h), data("mk", h.ticker))]);
    await kit.ui.send(ctx, searchList(words, hits, tz, kit.now()), hits.length ? rows(...kb) : undefined);
  }

  async function categories(ctx: Context): Promise<void> {
    if (!search) {
      await kit.ui.say(ctx, "Browsing is not available here.");
      return;
    }
    const { rows: cats, asOf } = await withTyping(ctx, () => search.categories());
    const kb = cats.map((r) => [
      btn(buttonLabel([r.category, `(${r.events})`], BUTTON_LABEL_MAX, " "), data("bc", r.category)),
    ]);
    await kit.ui.send(ctx, categoriesText(cats, asOf, kit.now()), kb.length ? rows(...kb) : undefined);
  }

  c.command(
    "search",
    kit.guard("search", async (ctx) => {
      const words = ctx.match.trim();
      if (!words) return kit.ui.say(ctx, USAGE, search ? browseButton() : undefined);
      if (!search) return marketList(ctx, words);
      const { hits, asOf } = await withTyping(ctx, () => search.search(words, MAX_HITS));
      const kb = hits.map((h, i) => [
        eventButton(
          kit,
          eventHitLabel(i, h),
          h.event,
          h.strikeTickers.length === 1 ? h.strikeTickers[0] : undefined,
        ),
      ]);
      await kit.ui.send(
        ctx,
        eventHitsText(words, hits, asOf, kit.now(), tz),
        kb.length ? rows(...kb) : undefined,
      );
    }),
  );

  c.command(
    "browse",
    kit.guard("browse", async (ctx) => {
      if (ctx.match.trim())
        return kit.ui.say(ctx, "Send /browse on its own; to find words, use /search <words>.");
      await categories(ctx);
    }),
  );

  c.on(
    "callback_query:data",
    kit.guard("browse", async (ctx, next) => {
      const p = kit.buttons.verify(ctx.callbackQuery.data);
      const kind = p?.slice(0, 3);
      if (!p || !search || !["br:", "bc:", "bs:", "se:"].includes(kind ?? "")) return next();
      const value = kit.buttons.deref(p.slice(3));
      await answer(ctx);
      if (kind === "br:") return categories(ctx);
      if (!value) return kit.ui.say(ctx, "This button has expired. Send /browse or /search again.");
      if (kind === "se:") return strikePicker(ctx, value);
      if (kind === "bc:") {
        const { rows: series, asOf } = await search.seriesIn(value);
        const kb = series
          .slice(0, MAX_SERIES)
          .map((s) => [
            btn(buttonLabel([s.title, `(${s.events})`], BUTTON_LABEL_MAX, " "), data("bs", s.ticker)),
          ]);
        return kit.ui.send(
          ctx,
          seriesText(value, series.length, asOf, kit.now()) +
            more(series.length - kb.length, "series, less traded"),
          kb.length ? rows(...kb) : undefined,
        );
      }
      await sendSeriesEvents(kit, ctx, search, value);
    }),
  );
  return c;
}
