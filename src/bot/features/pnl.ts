/**
 * /pnl [7d|30d|90d|all]: realized P&L as a picture (daily bars, running total line), with the range's
 * total in the caption. The picture is drawn by the trading core (src/trading/pnl); this only parses
 * the range and sends the photo.
 */
import { Composer, InputFile } from "grammy";
import { displayUsd } from "../../domain/money.js";
import { PNL_RANGES, type PnlRange } from "../../trading/index.js";
import type { Kit, MyContext } from "../context.js";
import { envHeader, escapeHtml } from "../format.js";
import { withTyping } from "../ui.js";

const RANGE_WORDS: Record<PnlRange, string> = {
  "7d": "the last 7 days",
  "30d": "the last 30 days",
  "90d": "the last 90 days",
  all: "all time",
};

/** The range typed after /pnl (7d when none), or null when it is not one of the four. */
export function parsePnlRange(text: string): PnlRange | null {
  const t = text.trim().toLowerCase();
  if (t === "") return "7d";
  return (PNL_RANGES as readonly string[]).includes(t) ? (t as PnlRange) : null;
}

export function pnlFeature(kit: Kit): Composer<MyContext> {
  const c = new Composer<MyContext>();
  c.command(
    "pnl",
    kit.guard("pnl", async (ctx) => {
      const range = parsePnlRange(ctx.match);
      if (range === null) {
        return kit.ui.say(ctx, "Say /pnl 7d, /pnl 30d, /pnl 90d or /pnl all (the range of the chart).");
      }
      const pnl = kit.deps.services.pnl;
      if (!pnl) return kit.ui.say(ctx, "P&L charts are not available in this setup.");
      const chart = await withTyping(ctx, () => pnl.chart(range));
      const s = chart.series;
      const summary =
        s.events === 0
          ? `No trades closed or settled in ${RANGE_WORDS[range]}.`
          : `Realized P&L, ${RANGE_WORDS[range]}: ${displayUsd(s.total, { sign: true })} ` +
            `(${s.events} sell${s.events === 1 ? "" : "s"} or settlement${s.events === 1 ? "" : "s"}), days in ${kit.deps.config.timeZone}.`;
      await ctx.replyWithChatAction("upload_photo").catch(() => undefined);
      await ctx.replyWithPhoto(new InputFile(chart.png, `pnl-${range}.png`), {
        caption: `${envHeader(kit.ui.env)}\n${escapeHtml(summary)}`,
        parse_mode: "HTML",
      });
    }),
  );
  return c;
}
