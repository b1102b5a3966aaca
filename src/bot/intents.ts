/**
 * What the user meant by a resting order. Kalshi's single book only says bid (buy YES = sell NO) or
 * ask (sell YES = buy NO); "Sell 5 YES @ $0.90" rests as an ask that reads "NO at $0.10". The bot
 * remembers the intent of every order it sends (by client order id) and, for orders of an earlier
 * run, asks `BotDeps.orderIntent` (the app wires the trade journal). Unknown orders show both readings.
 */
import type { BookSide, Order, OutcomeSide } from "../exchange/port.js";

export interface OrderIntentInfo {
  action: "buy" | "sell";
  outcome: OutcomeSide;
}

export interface OrderIntentRef {
  orderId?: string | null;
  clientOrderId?: string | null;
}

/** The user's intent for an order, or null when it is not known. */
export type OrderIntentLookup = (ref: OrderIntentRef) => Promise<OrderIntentInfo | null>;

/** Whether `intent` can be how an order on `bookSide` was meant: bid = BUY YES or SELL NO; ask = SELL YES or BUY NO. */
export function intentFitsBook(bookSide: BookSide, intent: OrderIntentInfo): boolean {
  const yesExposure = (intent.action === "buy") === (intent.outcome === "yes");
  return yesExposure === (bookSide === "bid");
}

const MAX_REMEMBERED = 2_000;

export class OrderIntents {
  private readonly byClientId = new Map<string, OrderIntentInfo>();

  constructor(
    private readonly fallback?: OrderIntentLookup,
    private readonly onError?: (e: unknown) => void,
  ) {}

  /** Called just before an order is sent. */
  remember(clientOrderId: string, intent: OrderIntentInfo): void {
    this.byClientId.set(clientOrderId, { action: intent.action, outcome: intent.outcome });
    if (this.byClientId.size > MAX_REMEMBERED) {
      const oldest = this.byClientId.keys().next().value;
      if (oldest !== undefined) this.byClientId.delete(oldest);
    }
  }

  /** The intent of `o` when known and consistent with its book side; null otherwise (never throws). */
  async of(o: Order): Promise<OrderIntentInfo | null> {
    let found = o.clientOrderId ? this.byClientId.get(o.clientOrderId) : undefined;
    if (!found && this.fallback) {
      try {
        found = (await this.fallback({ orderId: o.orderId, clientOrderId: o.clientOrderId })) ?? undefined;
      } catch (e) {
        this.onError?.(e);
      }
    }
    return found && intentFitsBook(o.bookSide, found) ? found : null;
  }

  /** Intents of many orders, in order. */
  async ofAll(orders: readonly Order[]): Promise<(OrderIntentInfo | null)[]> {
    return Promise.all(orders.map((o) => this.of(o)));
  }
}
