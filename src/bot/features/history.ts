import { Composer, InputFile } from "grammy";
import type { Kit, MyContext } from "../context.js";
import { envHeader, escapeHtml } from "../format.js";
import { parseRange } from "../parse.js";
import { withTyping } from "../ui.js";
import { historyTable, inRange } from "../views.js";
import { basename } from "node:path";

/**
 * /history [range] and /export [range]; ranges: 7d (default), 30d, <n>d, today, yesterday, or two
 * dates in the display zone. /history lists the newest first.
 */
export function historyFeature(kit: Kit): Composer<MyContext> {
  const c = new Composer<MyContext>();
  const { history, exporter } = kit.deps.services;
  const tz = kit.deps.config.timeZone;

  c.command(
    "history",
    kit.guard("history", async (ctx) => {
      const r = parseRange(ctx.match, kit.now(), tz);
      if (!r.ok) return kit.ui.say(ctx, r.message);
      const rep = await withTyping(ctx, () => history.report(r.value.fromMs, r.value.toMs));
      await kit.ui.send(ctx, historyTable(rep.rows, r.value.label, tz, rep.settlements));
    }),
  );

  c.command(
    "export",
    kit.guard("export", async (ctx) => {
      const r = parseRange(ctx.match, kit.now(), tz);
      if (!r.ok) return kit.ui.say(ctx, r.message);
      const res = await withTyping(ctx, () => exporter.exportCsv(r.value.fromMs, r.value.toMs));
      if (res.files.length === 0 || res.rows === 0) {
        return kit.ui.say(ctx, `No trades to export ${inRange(r.value.label)}.`);
      }
      const n = res.files.length;
      for (let i = 0; i < n; i++) {
        const file = res.files[i]!;
        const part = n > 1 ? ` · part ${i + 1} of ${n}` : "";
        const caption = `${envHeader(kit.ui.env)}\n${escapeHtml(
          `Trades, ${r.value.label}: ${res.rows} row${res.rows === 1 ? "" : "s"}, times in ${res.timeZone}${part}`,
        )}`;
        await ctx.replyWithChatAction("upload_document").catch(() => undefined);
        await ctx.replyWithDocument(new InputFile(file, basename(file)), { caption, parse_mode: "HTML" });
      }
    }),
  );
  return c;
}
