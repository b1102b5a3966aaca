/**
 * The `user_orders` updates the self-check waits for: every order event of the stream is kept
 * from the moment it subscribed, so an update that arrives before the step starts waiting (the
 * sim answers fast) is not missed.
 */
import type { ExchangeStream, Order, StreamEvent } from "../exchange/port.js";
import { CheckFailed, Interrupted } from "./report.js";

export type OrderEvent = Extract<StreamEvent, { type: "order" }>;

export class OrderEvents {
  private readonly seen: OrderEvent[] = [];
  private readonly waiters = new Set<() => void>();
  private readonly off: () => void;

  constructor(
    stream: ExchangeStream,
    private readonly signal?: AbortSignal,
  ) {
    this.off = stream.on((e) => {
      if (e.type !== "order") return;
      this.seen.push(e);
      for (const w of [...this.waiters]) w();
    });
  }

  /** The first order event matching `pred` (already seen or still to come), or a FAIL after timeoutMs. */
  waitFor(pred: (o: Order) => boolean, timeoutMs: number): Promise<OrderEvent> {
    const hit = () => this.seen.find((e) => pred(e.order));
    const now = hit();
    if (now) return Promise.resolve(now);
    return new Promise<OrderEvent>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
        this.signal?.removeEventListener("abort", aborted);
      };
      const check = () => {
        const e = hit();
        if (e) {
          done();
          resolve(e);
        }
      };
      const aborted = () => {
        done();
        reject(new Interrupted());
      };
      const timer = setTimeout(() => {
        done();
        reject(new CheckFailed(`no user_orders update for this order within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(check);
      this.signal?.addEventListener("abort", aborted, { once: true });
    });
  }

  close(): void {
    this.off();
    this.waiters.clear();
  }
}
