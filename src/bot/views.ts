/** HTML bodies (without the environment header, which Ui adds) for the bot's cards. */
import {
  type Centis,
  type Micros,
  addMicros,
  complementPrice,
  displayCount,
  subMicros,
  ZERO_MICROS,
} from "../domain/money.js";
import type { Order, OutcomeSide } from "../exchange/port.js";
import type { OrderIntentInfo } from "./intents.js";
import type {
  HistoryRow,
  MarketInfo,
  MarketSearchHit,
  PlaceResult,
  PortfolioView,
  Quote,
} from "../trading/types.js";
import { b, code, contractsText, count, escapeHtml, fee, price, usd, when } from "./format.js";

const SIDE = (s: "yes" | "no") => s.toUpperCase();

export function marketLine(title: string, ticker: string): string {
  return `${b(title)}\n${code(ticker)}`;
}

/** YES and NO prices to buy at (asks) and sell at (bids). */
export function sidePrices(info: MarketInfo) {
  const m = info.market;
  const yesAsk = info.bestYesAsk ?? m.yesAsk;
  const yesBid = info.bestYesBid ?? m.yesBid;
  return {
    yesAsk,
    yesBid,
    noAsk: m.noAsk ?? (yesBid === null ? null : complementPrice(yesBid)),
    noBid: m.noBid ?? (yesAsk === null ? null : complementPrice(yesAsk)),
  };
}

export function marketCard(info: MarketInfo, timeZone: string): string {
  const m = info.market;
  const p = sidePrices(info);
  const lines = [
    marketLine(m.title, m.ticker),
    m.yesSubTitle ? `YES means: ${escapeHtml(m.yesSubTitle)}` : "",
    `Status: ${escapeHtml(m.status)}${m.closeTime ? ` · closes ${when(m.closeTime, timeZone)}` : ""}`,
    `YES: buy ${price(p.yesAsk)} · sell ${price(p.yesBid)}`,
    `NO: buy ${price(p.noAsk)} · sell ${price(p.noBid)}`,
    `Last ${price(m.lastPrice)} · spread ${price(info.spread)} · volume 24h ${count(m.volume24h)}`,
  ];
  return lines.filter(Boolean).join("\n");
}

export function searchList(words: string, hits: MarketSearchHit[], timeZone: string): string {
  if (hits.length === 0) return `No open markets match “${escapeHtml(words)}”. Try other words.`;
  const lines = [`Markets matching “${escapeHtml(words)}”:`];
  hits.forEach((h, i) => {
    lines.push(
      `${i + 1}. ${b(h.title)}${h.yesSubTitle ? " — " + escapeHtml(h.yesSubTitle) : ""}`,
      `    ${code(h.ticker)} · YES ${price(h.yesBid)}/${price(h.yesAsk)}${h.closeTime ? ` · closes ${when(h.closeTime, timeZone)}` : ""}`,
    );
  });
  return lines.join("\n");
}

/**
 * The sentence for a buy that sells the other outcome first ("This sells your 10 NO (closing them)
 * and buys 0 YES." / "Sells your 6 NO (closing them), then buys 4 YES."), in the present or past.
 */
export function closingSentence(
  closed: { outcome: "yes" | "no"; count: Centis },
  bought: { outcome: "yes" | "no"; count: Centis },
  tense: "quote" | "done",
): string {
  const sold = `${displayCount(closed.count)} ${SIDE(closed.outcome)}`;
  const opened = `${displayCount(bought.count)} ${SIDE(bought.outcome)}`;
  if (tense === "quote") {
    return bought.count === 0
      ? `This sells your ${sold} (closing them) and buys 0 ${SIDE(bought.outcome)}.`
      : `Sells your ${sold} (closing them), then buys ${opened}.`;
  }
  return bought.count === 0
    ? `Sold your ${sold} (closing them)`
    : `Sold your ${sold} (closing them), then bought ${opened}`;
}

/** One line naming a quoted order, e.g. "to buy 10 YES of Rain in NYC? (KX…) limit $0.42" (HTML). */
export function orderSummary(q: Quote): string {
  const i = q.intent;
  const how = i.kind === "limit" ? `limit ${price(q.price)}` : `at market, worst price ${price(q.price)}`;
  return `to ${i.action} ${contractsText(i.count)} ${SIDE(i.outcome)} of ${marketLine(q.marketTitle, i.ticker)} ${how}`;
}

export function quoteCard(q: Quote, confirmTimeoutMs: number): string {
  const i = q.intent;
  const verb = i.action === "buy" ? "Buy" : "Sell";
  const how = i.kind === "limit" ? `limit ${price(q.price)}` : `at market, worst price ${price(q.price)}`;
  const secs = Math.round(confirmTimeoutMs / 1000);
  const lines = [
    `<b>Please confirm</b>`,
    marketLine(q.marketTitle, i.ticker),
    `${b(`${verb} ${contractsText(i.count)} ${SIDE(i.outcome)}`)} ${how}`,
  ];
  const c = i.action === "buy" ? q.closes : undefined;
  if (c) {
    const opening = (i.count - c.count) as Centis;
    const other = SIDE(c.outcome);
    lines.push(
      escapeHtml(closingSentence(c, { outcome: i.outcome, count: opening }, "quote")),
      `Est. proceeds from your ${displayCount(c.count)} ${other}: ${usd(c.estimatedProceeds)} (at ${price(complementPrice(q.price))} or better)`,
    );
    if (opening > 0)
      lines.push(`Est. cost of ${displayCount(opening)} ${SIDE(i.outcome)}: ${usd(q.estimatedCost)}`);
  } else {
    lines.push(`${i.action === "buy" ? "Est. cost" : "Est. proceeds"}: ${usd(q.estimatedCost)}`);
  }
  const payoutParts =
    c && c.count < i.count
      ? ` (${usd(c.estimatedProceeds)} now + ${usd(subMicros(q.maxPayout, c.estimatedProceeds))} if ${SIDE(i.outcome)} wins)`
      : "";
  lines.push(
    `Est. fee: ${usd(q.estimatedFee)}`,
    `Max loss: ${usd(q.maxLoss)}`,
    `Max payout: ${usd(q.maxPayout)}${payoutParts}`,
    `Balance after: ${usd(q.balanceAfter)} (now ${usd(q.balance)})`,
    `Expires in ${secs} s`,
  );
  return lines.join("\n");
}

export function placedCard(q: Quote, r: PlaceResult): string {
  const i = q.intent;
  const verb = i.action === "buy" ? "Bought" : "Sold";
  const lines: string[] = [];
  const closed = i.action === "buy" && r.closed && r.closed.count > 0 ? r.closed : undefined;
  if (r.filledCount > 0 && closed) {
    const opened = (r.filledCount - closed.count) as Centis;
    const what = closingSentence(closed, { outcome: i.outcome, count: opened }, "done");
    // The order's average is a price of the intent's outcome; the closed side sold at its complement.
    const avg =
      opened === 0
        ? ` at avg ${price(r.averagePrice === null ? null : complementPrice(r.averagePrice))}`
        : `; average ${SIDE(i.outcome)} price ${price(r.averagePrice)}`;
    lines.push(`✅ ${b(what)}${avg}`);
  } else if (r.filledCount > 0) {
    lines.push(
      `✅ ${b(`${verb} ${contractsText(r.filledCount)} ${SIDE(i.outcome)}`)} at avg ${price(r.averagePrice)}`,
    );
  } else if (r.status === "resting") {
    lines.push(`✅ <b>Order placed</b>, nothing filled yet`);
  } else {
    lines.push(
      `<b>Nothing filled</b>: no one traded at ${price(q.price)} or better, so the order was canceled.`,
    );
  }
  lines.push(marketLine(q.marketTitle, i.ticker));
  lines.push(`Order id: ${code(r.orderId)}`);
  lines.push(`Fee: ${fee(r.fees)}`);
  if (r.restingCount > 0) {
    lines.push(`Resting: ${contractsText(r.restingCount)} at ${price(q.price)} (see /orders to cancel)`);
  }
  lines.push(`Status: ${escapeHtml(r.status)}`);
  return lines.join("\n");
}

export function portfolioCard(v: PortfolioView, timeZone: string): string {
  const lines = [`<b>Portfolio</b> · ${when(v.asOf, timeZone)}`];
  lines.push(`Cash: ${usd(v.balance)} · positions: ${usd(v.totalValue)}`);
  lines.push(`Unrealized P&amp;L: ${usd(v.totalUnrealized, { sign: true })}`);
  lines.push(
    `Realized P&amp;L: today ${usd(v.realized.today, { sign: true })} · 7d ${usd(v.realized.last7d, { sign: true })} · 30d ${usd(v.realized.last30d, { sign: true })} · all ${usd(v.realized.allTime, { sign: true })}`,
  );
  if (v.positions.length === 0) lines.push("", "No open positions.");
  else lines.push("");
  for (const p of v.positions) {
    lines.push(
      `${b(p.title)}`,
      `  ${code(p.ticker)} · ${contractsText(p.count)} ${SIDE(p.side)}${p.settled ? " (settled)" : ""}`,
      `  entry ${price(p.averageEntry)} · now ${price(p.markPrice)} · value ${p.value === null ? "–" : usd(p.value)} · P&amp;L ${p.unrealizedPnl === null ? "–" : usd(p.unrealizedPnl, { sign: true })}`,
    );
  }
  for (const n of v.notes) lines.push(`<i>${escapeHtml(n)}</i>`);
  return lines.join("\n");
}

function reading(o: Order, action: "buy" | "sell", outcome: OutcomeSide, withCount: boolean): string {
  const p = outcome === "yes" ? o.yesPrice : o.noPrice;
  const n = withCount ? `${displayCount(o.initialCount)} ` : "";
  return `${action === "buy" ? "Buy" : "Sell"} ${n}${SIDE(outcome)} @ ${price(p)}`;
}

/**
 * What a resting order does, in the user's words: "Sell 5 YES @ $0.90" when the intent is known;
 * otherwise both readings of its book side ("Buy NO @ $0.10 = Sell YES @ $0.90"), buy first.
 */
export function orderHeadline(o: Order, intent: OrderIntentInfo | null): string {
  if (intent) return reading(o, intent.action, intent.outcome, true);
  return o.bookSide === "bid"
    ? `${reading(o, "buy", "yes", false)} = ${reading(o, "sell", "no", false)}`
    : `${reading(o, "buy", "no", false)} = ${reading(o, "sell", "yes", false)}`;
}

export function orderLine(o: Order, timeZone: string, intent: OrderIntentInfo | null = null): string {
  return [
    `<b>${orderHeadline(o, intent)}</b> ${code(o.ticker)}`,
    `  ${count(o.remainingCount)} of ${count(o.initialCount)} left · placed ${when(o.createdTime, timeZone)}`,
    `  id ${code(o.orderId)}`,
  ].join("\n");
}

export function orderStatusCard(o: Order, timeZone: string, intent: OrderIntentInfo | null = null): string {
  const filledCost = addMicros(o.takerFillCost, o.makerFillCost);
  const fees = addMicros(o.takerFees, o.makerFees);
  return [
    `<b>Order ${escapeHtml(o.status)}</b>`,
    `<b>${orderHeadline(o, intent)}</b> ${code(o.ticker)} (limit)`,
    `Filled ${count(o.fillCount)} of ${count(o.initialCount)} (cost ${usd(filledCost)}, fees ${fee(fees)})`,
    `Resting ${count(o.remainingCount)}`,
    `Placed ${when(o.createdTime, timeZone)} · updated ${when(o.lastUpdateTime, timeZone)}`,
    `id ${code(o.orderId)}`,
  ].join("\n");
}

export function historyTable(rows: HistoryRow[], label: string, timeZone: string): string {
  if (rows.length === 0) return `No trades in the ${escapeHtml(label)}.`;
  const lines = [`<b>Trades</b> · ${escapeHtml(label)} · ${rows.length} fill${rows.length === 1 ? "" : "s"}`];
  let fees = ZERO_MICROS;
  let pnl = 0 as Micros;
  for (const r of rows) {
    fees = addMicros(fees, r.fee);
    if (r.realizedPnl !== null) pnl = addMicros(pnl, r.realizedPnl);
    lines.push(
      `${when(r.time, timeZone)} ${r.action === "buy" ? "Buy" : "Sell"} ${count(r.count)} ${SIDE(r.outcome)} ${code(r.ticker)} @ ${price(r.price)} fee ${fee(r.fee)}${r.realizedPnl !== null ? ` P&amp;L ${usd(r.realizedPnl, { sign: true })}` : ""}${r.source === "elsewhere" ? " (elsewhere)" : ""}`,
    );
  }
  lines.push(`Total fees ${fee(fees)} · realized ${usd(pnl, { sign: true })}`);
  return lines.join("\n");
}

export function positionButtonLabel(ticker: string, side: "yes" | "no", c: Centis): string {
  return `${ticker} ${SIDE(side)} ×${displayCount(c)}`;
}
