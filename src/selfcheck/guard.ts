/**
 * The self-check must never leave an order behind. Every order it creates is registered here
 * BEFORE the create is sent (by client_order_id), so that clean-up can find it even when the
 * create's answer never came (look-up by client_order_id) and cancel it by id, routed by its
 * market — after a failed step, on Ctrl-C, or at the end of a run. Clean-up never uses "cancel
 * all": the account may hold the user's own orders.
 */
import { displayCount } from "../domain/money.js";
import type { ExchangePort } from "../exchange/port.js";
import { errorText } from "./report.js";

interface Tracked {
  ticker: string;
  /** Every client_order_id the order had (an amend may give it a new one). */
  clientOrderIds: Set<string>;
  orderId: string | null;
  open: boolean;
}

export interface CleanupOutcome {
  ticker: string;
  /** The order id, or the client_order_id when the create's answer never came. */
  ref: string;
  /** Still resting after clean-up (a failure to report loudly). */
  leftBehind: boolean;
  said: string;
}

export class OrderGuard {
  private readonly tracked: Tracked[] = [];

  constructor(private readonly exchange: ExchangePort) {}

  creating(clientOrderId: string, ticker: string): void {
    this.tracked.push({ ticker, clientOrderIds: new Set([clientOrderId]), orderId: null, open: true });
  }

  created(clientOrderId: string, orderId: string): void {
    const t = this.tracked.find((x) => x.clientOrderIds.has(clientOrderId));
    if (t) t.orderId = orderId;
  }

  renamed(orderId: string, clientOrderId: string): void {
    this.tracked.find((x) => x.orderId === orderId)?.clientOrderIds.add(clientOrderId);
  }

  canceled(orderId: string): void {
    const t = this.tracked.find((x) => x.orderId === orderId);
    if (t) t.open = false;
  }

  /** Every client_order_id this run used. */
  clientOrderIds(): Set<string> {
    return new Set(this.tracked.flatMap((t) => [...t.clientOrderIds]));
  }

  /** Orders this run created that may still rest. */
  get open(): number {
    return this.tracked.filter((t) => t.open).length;
  }

  /** Cancels every order that may still rest; safe to call more than once. */
  async cleanup(): Promise<CleanupOutcome[]> {
    const out: CleanupOutcome[] = [];
    for (const t of this.tracked.filter((x) => x.open)) out.push(await this.settle(t));
    return out;
  }

  private async settle(t: Tracked): Promise<CleanupOutcome> {
    const ref = () => t.orderId ?? [...t.clientOrderIds][0]!;
    try {
      if (!t.orderId) {
        const found = (await this.exchange.getOrders({ ticker: t.ticker })).find(
          (o) => o.clientOrderId !== null && t.clientOrderIds.has(o.clientOrderId),
        );
        if (!found) {
          t.open = false;
          return { ticker: t.ticker, ref: ref(), leftBehind: false, said: "the create never reached Kalshi" };
        }
        t.orderId = found.orderId;
      }
      try {
        const r = await this.exchange.cancelOrder(t.orderId, t.ticker);
        t.open = false;
        return {
          ticker: t.ticker,
          ref: ref(),
          leftBehind: false,
          said: `canceled (reduced by ${displayCount(r.reducedBy)})`,
        };
      } catch (e) {
        // Already gone (canceled by a step that failed after sending, or filled): read it back.
        const o = await this.exchange.getOrder(t.orderId);
        if (o.status === "resting") throw e;
        t.open = false;
        return { ticker: t.ticker, ref: ref(), leftBehind: false, said: `already ${o.status}` };
      }
    } catch (e) {
      return { ticker: t.ticker, ref: ref(), leftBehind: true, said: errorText(e) };
    }
  }
}
