/**
 * `GET /portfolio/orders/queue_positions` as the sim answers it, in one place for the REST route and
 * the tests' exchange double (tests/support/simExchange.ts), so both refuse and answer alike.
 *
 * Kalshi answers only with a filter: `market_tickers` (a comma list) or `event_ticker` (both: an
 * order must match both); a request with neither is refused (400), as the live exchange does. Only
 * the account's own resting orders are listed; `queue_position_fp` counts the contracts resting
 * before the order at its price (engine: OrderBooks.ahead).
 */
import { formatCount } from "../domain/money.js";
import { type SimEngine, USER } from "./engine.js";
import { bad, subaccountField } from "./orderRequests.js";

export function queuePositionsToWire(engine: SimEngine, q: URLSearchParams): Record<string, unknown> {
  subaccountField(q.get("subaccount"));
  const tickers = new Set(
    (q.get("market_tickers") ?? "")
      .split(",")
      .map((t) => t.trim())
      .filter(Boolean),
  );
  const event = q.get("event_ticker")?.trim() ?? "";
  if (tickers.size === 0 && !event) throw bad("market_tickers or event_ticker is required");
  const rows = Object.values(engine.state.orders)
    .filter((o) => o.accountId === USER && o.status === "resting")
    .filter((o) => tickers.size === 0 || tickers.has(o.ticker))
    .filter((o) => !event || engine.findMarket(o.ticker)?.eventTicker === event)
    .sort((a, b) => a.seq - b.seq);
  return {
    queue_positions: rows.map((o) => ({
      order_id: o.orderId,
      market_ticker: o.ticker,
      queue_position_fp: formatCount(engine.queuePosition(o)),
    })),
  };
}
