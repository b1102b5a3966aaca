/**
 * The text of each alert, as Telegram HTML: the formatting (format.ts) fed with the lookups, and a
 * plain fallback when formatting fails, so that one odd fill or order never blocks a chat's queue.
 */
import type { Centis } from "../domain/money.js";
import type { ExchangePort, StreamLogger } from "../exchange/port.js";
import { withTimeout } from "../shared/async.js";
import {
  escapeHtml,
  type FillForMessage,
  formatCancelMessage,
  formatFillMessage,
  formatSettlementMessage,
  type MessageContext,
} from "./format.js";
import type { AlertLookups } from "./lookups.js";
import { formatPriceNotice } from "./price/notice.js";
import type { AlertAction } from "./sink.js";
import { formatDigestMessage, formatLifecycleMessage } from "./noticeFormat.js";
import { renderPnlChart } from "../trading/index.js";
import type { Notice } from "./state.js";
import { errText } from "./timeouts.js";

const FALLBACK: Partial<Record<Notice["kind"], string>> = {
  settlement: "A market you held has settled",
  lifecycle: "A market you are in has changed",
  digest: "Your daily digest",
  chart: "Your P&amp;L chart",
};

export class AlertRenderer {
  constructor(
    private readonly ctx: MessageContext,
    private readonly lookups: AlertLookups,
    private readonly exchange: ExchangePort,
    private readonly log: StreamLogger,
    /** Longest wait for the position shown in a cancel message (default 2000 ms). */
    private readonly lookupTimeoutMs = 2000,
  ) {}

  get envTag(): string {
    return this.ctx.envTag;
  }

  /** One message for the fills of one order (the first fill, or a coalesced burst). */
  async fills(orderId: string, items: FillForMessage[]): Promise<string> {
    const first = items[0]!.fill;
    const [title, order] = await Promise.all([
      this.lookups.title(first.ticker),
      this.lookups.orderProgress(orderId),
    ]);
    const shown = items.reduce((n, i) => n + i.fill.count, 0);
    if (order && order.initialCount > 0 && shown > order.initialCount) {
      // Cannot happen with fills de-duplicated by id; say so loudly if it ever does.
      this.log.error("alerts: the fills shown for an order add up to more than its size", {
        orderId,
        shown,
        size: order.initialCount,
      });
    }
    try {
      return formatFillMessage(this.ctx, title, items, order);
    } catch (e) {
      // Never let one odd fill block the queue: say what we can.
      this.log.error("alerts: could not format a fill message", { orderId, error: errText(e) });
      return `${escapeHtml(this.ctx.envTag)}\n<b>Filled</b>: order ${escapeHtml(orderId)} · ${escapeHtml(title)} · ${items.length} fill(s) (details could not be shown)`;
    }
  }

  /** A notice sent on its own (settlement or cancel), with a plain text when it cannot be formatted. */
  async single(n: Notice): Promise<string> {
    return this.singleOrThrow(n).catch((e: unknown) => {
      this.log.error("alerts: could not format an alert", { key: n.key, error: errText(e) });
      return `${escapeHtml(this.ctx.envTag)}\n${FALLBACK[n.kind] ?? "An order was canceled by the exchange"} (details could not be shown).`;
    });
  }

  private async singleOrThrow(n: Notice): Promise<string> {
    const title = (ticker: string) => this.lookups.title(ticker);
    if (n.kind === "price") return formatPriceNotice(this.ctx, await title(n.alert.ticker), n);
    if (n.kind === "priceGone") return formatPriceNotice(this.ctx, await title(n.ticker), n);
    if (n.kind === "settlement") {
      return formatSettlementMessage(this.ctx, await title(n.settlement.ticker), n.settlement, n.pnl);
    }
    if (n.kind === "lifecycle") return formatLifecycleMessage(this.ctx, await title(n.fact.ticker), n.fact);
    if (n.kind === "digest") return formatDigestMessage(this.ctx, n.digest, n.late);
    if (n.kind === "chart") return `${escapeHtml(this.ctx.envTag)}\n${escapeHtml(n.caption)}`;
    if (n.kind === "cancel") {
      const position = await this.positionOf(n.order.ticker);
      const intent = await this.lookups.intentFor(n.order.orderId, n.order.clientOrderId);
      const t = await title(n.order.ticker);
      return formatCancelMessage(this.ctx, t, n.order, n.reason, position, n.at, intent);
    }
    const t = await title(n.fill.ticker);
    return formatFillMessage(this.ctx, t, [n], await this.lookups.orderProgress(n.fill.orderId));
  }

  /** The buttons under a price alert: Buy YES, Buy NO, and Sell when the market is held. */
  async actions(n: Notice): Promise<AlertAction[] | undefined> {
    if (n.kind !== "price") return undefined;
    const ticker = n.alert.ticker;
    const out: AlertAction[] = [
      { kind: "buy", side: "yes", ticker },
      { kind: "buy", side: "no", ticker },
    ];
    const held = await this.positionOf(ticker);
    if (held !== null && held !== 0) out.push({ kind: "sell", side: held > 0 ? "yes" : "no", ticker });
    return out;
  }

  /** The picture a notice carries (a chart), or null. */
  async photo(n: Notice): Promise<Buffer | null> {
    if (n.kind !== "chart") return null;
    try {
      return await renderPnlChart(n.series, { envTag: this.ctx.envTag, timeZone: this.ctx.timeZone });
    } catch (e) {
      this.log.error("alerts: could not draw a chart; sending its caption alone", { error: errText(e) });
      return null;
    }
  }

  /** The market's position now (0 when none is listed), or null when it cannot be read in time. */
  private async positionOf(ticker: string): Promise<Centis | null> {
    try {
      const rows = await withTimeout(
        this.exchange.getPositions({ ticker }),
        this.lookupTimeoutMs,
        "getPositions",
      );
      return rows.find((r) => r.ticker === ticker)?.position ?? (0 as Centis);
    } catch {
      return null;
    }
  }
}
