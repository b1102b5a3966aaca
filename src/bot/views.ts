/** HTML bodies (without the environment header, which Ui adds) for the bot's cards. */
import {
  type Centis,
  type Micros,
  addMicros,
  complementPrice,
  displayCount,
  mulPriceCount,
  ONE_DOLLAR,
  subMicros,
  ZERO_MICROS,
} from "../domain/money.js";
import type { Order, OutcomeSide } from "../exchange/port.js";
import type { SellShrinkOutcome } from "../trading/sellGuard.js";
import type { OrderIntentInfo } from "./intents.js";
import type {
  HistoryRow,
  MarketInfo,
  MarketSearchHit,
  PlaceResult,
  Quote,
  SettlementRow,
} from "../trading/types.js";
import { marketName, shortStrike } from "../domain/marketName.js";
import { closeTimeText } from "../domain/time.js";
import {
  avgPrice,
  b,
  code,
  contractsText,
  count,
  escapeHtml,
  exact,
  fee,
  price,
  usd,
  when,
} from "./format.js";
import { buttonLabel } from "./labels.js";

const SIDE = (s: "yes" | "no") => s.toUpperCase();

export function marketLine(title: string, ticker: string): string {
  return `${b(title)}\n${code(ticker)}`;
}

/**
 * YES and NO prices to buy at (asks) and sell at (bids), all four from the info's one reading (the
 * book; see MarketInfo). A missing price is "–", never filled in from another source.
 */
export function sidePrices(info: MarketInfo) {
  return {
    yesAsk: info.bestYesAsk,
    yesBid: info.bestYesBid,
    noAsk: info.bestNoAsk,
    noBid: info.bestNoBid,
  };
}

const SETTLED_STATUSES: ReadonlySet<string> = new Set(["determined", "finalized", "amended", "disputed"]);

/**
 * The card's status line: a settled market says how it settled and when ("Settled: NO won · Nov 24,
 * 10:00 EST"), an open one when it closes ("closes in 3 h, 17:00 EST").
 */
function statusLine(m: MarketInfo["market"], timeZone: string, now: number): string {
  if (SETTLED_STATUSES.has(m.status) && m.result !== "") {
    const result =
      m.result === "scalar" ? `paid ${price(m.settlementValue)} per YES` : `${SIDE(m.result)} won`;
    const at = m.settlementTime ?? m.closeTime ?? null;
    return `Settled: ${result}${at === null ? "" : ` · ${when(at, timeZone)}`}`;
  }
  const close = m.closeTime ? ` · ${escapeHtml(closeTimeText(m.closeTime, now, timeZone))}` : "";
  return `Status: ${escapeHtml(m.status)}${close}`;
}

export function marketCard(info: MarketInfo, timeZone: string, now: number): string {
  const m = info.market;
  const p = sidePrices(info);
  const lines = [
    marketLine(m.title, m.ticker),
    m.yesSubTitle ? `YES means: ${escapeHtml(m.yesSubTitle)}` : "",
    statusLine(m, timeZone, now),
    `YES: buy ${price(p.yesAsk)} · sell ${price(p.yesBid)}`,
    `NO: buy ${price(p.noAsk)} · sell ${price(p.noBid)}`,
    `Last ${price(m.lastPrice)} · spread ${price(info.spread)} · volume 24h ${count(m.volume24h)}`,
  ];
  return lines.filter(Boolean).join("\n");
}

export function searchList(words: string, hits: MarketSearchHit[], timeZone: string, now: number): string {
  if (hits.length === 0) return `No open markets match “${escapeHtml(words)}”. Try other words.`;
  const lines = [`Markets matching “${escapeHtml(words)}”:`];
  hits.forEach((h, i) => {
    lines.push(
      `${i + 1}. ${b(marketName(h))}`,
      `    ${code(h.ticker)}${h.yesBid !== null || h.yesAsk !== null ? ` · YES bid ${price(h.yesBid)} · ask ${price(h.yesAsk)}` : ""}${h.closeTime ? ` · ${escapeHtml(closeTimeText(h.closeTime, now, timeZone))}` : ""}`,
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

// The quote card lives in quoteCard.ts; re-exported so its importers keep one place to look.
export { quoteCard } from "./quoteCard.js";

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
        ? ` at avg ${avgPrice(r.averagePrice === null ? null : complementPrice(r.averagePrice))}`
        : `; average ${SIDE(i.outcome)} price ${avgPrice(r.averagePrice)}`;
    lines.push(`✅ ${b(what)}${avg}`);
  } else if (r.filledCount > 0) {
    lines.push(
      `✅ ${b(`${verb} ${contractsText(r.filledCount)} ${SIDE(i.outcome)}`)} at avg ${avgPrice(r.averagePrice)}`,
    );
  } else if (r.status === "resting") {
    lines.push(`✅ <b>Order placed</b>, nothing filled yet`);
  } else if (r.unfilled?.reason === "no_position") {
    lines.push(
      `<b>Nothing sold</b>: you no longer held any ${SIDE(i.outcome)} when the order reached Kalshi (sold elsewhere or by another user), so it was canceled.`,
    );
  } else if (r.unfilled?.reason === "no_liquidity") {
    lines.push(
      `<b>Nothing filled</b>: no one traded at ${price(q.price)} or better, so the order was canceled.`,
    );
  } else {
    lines.push(`<b>Nothing filled</b>, so the order was canceled.`);
  }
  const rest = (i.count - r.filledCount) as Centis;
  if (r.filledCount > 0 && r.unfilled && rest > 0) {
    lines.push(
      r.unfilled.reason === "no_position"
        ? `The other ${contractsText(rest)} were not sold: you held only ${contractsText((r.unfilled.held ?? r.filledCount) as Centis)}.`
        : `The other ${contractsText(rest)} did not fill: no one traded at ${price(q.price)} or better.`,
    );
  }
  if (r.cappedAtHolding !== undefined && r.alreadySelling !== undefined) {
    lines.push(
      `${contractsText(r.alreadySelling)} of your ${SIDE(i.outcome)} already rest to sell in other orders, so this sell is for ${contractsText(r.cappedAtHolding)}, not ${contractsText(i.count)}.`,
    );
  } else if (r.cappedAtHolding !== undefined) {
    lines.push(
      `You now hold only ${contractsText(r.cappedAtHolding)} ${SIDE(i.outcome)}, so the sell is for ${contractsText(r.cappedAtHolding)}, not ${contractsText(i.count)}.`,
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

/** The money lines /balance, /account and /portfolio share, so they never disagree (holdings.ts). */
export function holdingsLines(h: {
  cash: Micros;
  reserved: Micros;
  restingOrders: readonly unknown[];
  positionsValue: Micros;
  total: Micros;
}): string[] {
  const n = h.restingOrders.length;
  return [
    `Cash: ${usd(h.cash)}`,
    ...(n > 0 ? [`Reserved: ${usd(h.reserved)} in ${n} resting order${n === 1 ? "" : "s"}`] : []),
    `Positions: ${usd(h.positionsValue)} (at the bids you could sell at now)`,
    `Total: ${usd(h.total)}`,
  ];
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

/**
 * The money of an order's fills in the user's words. Kalshi's fill costs are in the price of the
 * order's own `outcome_side` (bid → YES, ask → NO; the sim books them so and `orderAverages` in the
 * client reads them so). A sell of YES rests as an ask, so its cost is the NO side's: what the user
 * received is the filled count × $1 − that cost ("Sell 10 YES" filled at $0.62: NO cost $3.80,
 * received $6.20). Amounts are exact, so sub-cent fills keep their digits.
 */
function filledMoney(o: Order, intent: OrderIntentInfo | null): string {
  const cost = addMicros(o.takerFillCost, o.makerFillCost);
  const received = subMicros(mulPriceCount(ONE_DOLLAR, o.fillCount), cost);
  if (intent?.action === "sell") return `received ${exact(received)}`;
  if (intent?.action === "buy") return `cost ${exact(cost)}`;
  const other: OutcomeSide = o.outcomeSide === "yes" ? "no" : "yes";
  return `${SIDE(o.outcomeSide)} cost ${exact(cost)} = ${SIDE(other)} received ${exact(received)}`;
}

export function orderStatusCard(o: Order, timeZone: string, intent: OrderIntentInfo | null = null): string {
  const fees = addMicros(o.takerFees, o.makerFees);
  const money = o.fillCount > 0 ? `${filledMoney(o, intent)}, fees ${fee(fees)}` : "";
  return [
    `<b>Order ${escapeHtml(o.status)}</b>`,
    `<b>${orderHeadline(o, intent)}</b> ${code(o.ticker)} (limit)`,
    `Filled ${count(o.fillCount)} of ${count(o.initialCount)}${money ? ` (${money})` : ""}`,
    `Resting ${count(o.remainingCount)}`,
    `Placed ${when(o.createdTime, timeZone)} · updated ${when(o.lastUpdateTime, timeZone)}`,
    `id ${code(o.orderId)}`,
  ].join("\n");
}

function settlementLine(r: SettlementRow, timeZone: string): string {
  const held = [
    r.yesCount > 0 ? `${count(r.yesCount)} YES` : "",
    r.noCount > 0 ? `${count(r.noCount)} NO` : "",
  ]
    .filter(Boolean)
    .join(" + ");
  const result =
    r.result === "yes" || r.result === "no"
      ? `${SIDE(r.result)} won`
      : r.result === "void"
        ? "voided"
        : "settled";
  return `${when(r.time, timeZone)} Settled ${held} ${code(r.ticker)}: ${result}, paid ${usd(r.revenue)} P&amp;L ${usd(r.realizedPnl, { sign: true })}`;
}

/** "in the last 7 days", "for today (America/New_York)", "for 2026-11-01 to 2026-11-24 (…)". */
export function inRange(label: string): string {
  return label.startsWith("last ") ? `in the ${label}` : `for ${label}`;
}

/**
 * /history: fills and settlements, newest first. "realized" is the P&L of closing sells and of
 * settlements in the range, the same events /portfolio's realized P&L adds up.
 */
export function historyTable(
  rows: HistoryRow[],
  label: string,
  timeZone: string,
  settlements: SettlementRow[] = [],
): string {
  if (rows.length === 0 && settlements.length === 0) return `No trades ${escapeHtml(inRange(label))}.`;
  const n = (k: number, what: string) => `${k} ${what}${k === 1 ? "" : "s"}`;
  const counted = settlements.length
    ? `${n(rows.length, "fill")}, ${n(settlements.length, "settlement")}`
    : n(rows.length, "fill");
  const lines = [`<b>Trades</b> · ${escapeHtml(label)} · ${counted}`];
  const timed: { time: number; line: string }[] = [];
  let fees = ZERO_MICROS;
  let tradePnl = 0 as Micros;
  let settledPnl = 0 as Micros;
  for (const r of rows) {
    fees = addMicros(fees, r.fee);
    if (r.realizedPnl !== null) tradePnl = addMicros(tradePnl, r.realizedPnl);
    timed.push({
      time: r.time,
      line: `${when(r.time, timeZone)} ${r.action === "buy" ? "Buy" : "Sell"} ${count(r.count)} ${SIDE(r.outcome)} ${code(r.ticker)} @ ${price(r.price)} fee ${fee(r.fee)}${r.realizedPnl !== null ? ` P&amp;L ${usd(r.realizedPnl, { sign: true })}` : ""}${r.source === "elsewhere" ? " (elsewhere)" : ""}`,
    });
  }
  for (const r of settlements) {
    settledPnl = addMicros(settledPnl, r.realizedPnl);
    timed.push({ time: r.time, line: settlementLine(r, timeZone) });
  }
  // Newest first: in time order (stable: a settlement after the fills of its instant), then reversed.
  timed.sort((a, b) => a.time - b.time).reverse();
  lines.push(...timed.map((t) => t.line));
  const realized = addMicros(tradePnl, settledPnl);
  const split = settlements.length
    ? ` (trades ${usd(tradePnl, { sign: true })}, settlements ${usd(settledPnl, { sign: true })})`
    : "";
  lines.push(`Total fees ${fee(fees)} · realized ${usd(realized, { sign: true })}${split}`);
  return lines.join("\n");
}

/**
 * A position's button: the strike first, then side and count, then the event's question as room
 * allows ("45° to 46° · YES ×10 · Highest…"); a market without a strike leads with its name.
 */
export function positionButtonLabel(p: {
  ticker: string;
  title: string;
  subTitle?: string;
  side: "yes" | "no";
  count: Centis;
}): string {
  const sub = p.subTitle?.trim() ?? "";
  const held = `${SIDE(p.side)} ×${displayCount(p.count)}`;
  if (!sub) return buttonLabel([p.title || p.ticker, held]);
  const question = p.title.endsWith(` — ${sub}`) ? p.title.slice(0, -` — ${sub}`.length) : p.title;
  return buttonLabel([shortStrike(sub), held, question]);
}

/**
 * What the holding guard did to a resting sell (src/trading/sellGuard.ts), in one sentence:
 * "Your resting sell of 10 YES in KX… was reduced to 4 because you now hold 4."
 */
export function sellShrinkText(s: SellShrinkOutcome): string {
  const what = `Your resting sell of ${displayCount(s.resting)} ${SIDE(s.outcome)} in ${code(s.ticker)}`;
  const why =
    s.held > 0 ? `you now hold ${displayCount(s.held)}` : `you no longer hold any ${SIDE(s.outcome)} there`;
  if (s.done === "decreased") return `${what} was reduced to ${displayCount(s.keep)} because ${why}.`;
  if (s.done === "canceled") return `${what} was canceled because ${why}.`;
  return `⚠️ ${what} should be ${s.keep > 0 ? `reduced to ${displayCount(s.keep)}` : "canceled"} because ${why}, but Kalshi refused (${escapeHtml(s.error ?? "unknown error")}). Cancel it in /orders, or it may open a ${s.outcome === "yes" ? "NO" : "YES"} position when it fills.`;
}
