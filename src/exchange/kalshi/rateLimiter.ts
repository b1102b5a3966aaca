/**
 * Client-side rate budget mirroring Kalshi's token buckets (API.md §5): one bucket for reads, one
 * for writes (order create/cancel). A request that does not fit waits (FIFO) instead of drawing a
 * 429.
 *
 * Each bucket holds `capacity` tokens and refills at `refillRate` tokens/s. We apply it
 * conservatively: a spent token comes back exactly `capacity / refillRate` seconds after it was
 * spent (a sliding window). So at most `capacity` tokens are spent in any window of that length,
 * which never exceeds what Kalshi's own bucket allows even when our clock and theirs are not
 * aligned, while the long-run rate is still `refillRate`.
 *
 * A token is counted from the moment the request is let go, not from when Kalshi receives it, so a
 * request slowed by signing or connection set-up could reach Kalshi a little later than the next
 * window's requests expect. Each token therefore comes back TOKEN_RETURN_MARGIN_MS after its window.
 *
 * Basic tier (used until /account/limits is read): read 200 tokens/s holding 200, write 100
 * tokens/s holding 100 (the docs' 2-second write burst applies to the tiers above Basic): 20 reads
 * in any 1 s window, 10 default-cost writes in any 1 s window.
 *
 * What a request costs comes from EndpointCostTable: Kalshi's `GET /account/endpoint_costs` when it
 * could be read, else the documented costs (cancel 2, cancel-all 2, batch cancel 2 per item, batch
 * create 10 per item, every other endpoint 10).
 */
import type { BucketLimit, EndpointCost, EndpointCosts } from "../port.js";

export const DEFAULT_REQUEST_COST = 10;

/** The non-default costs the spec documents, used until /account/endpoint_costs is read. */
const DOCUMENTED_ENDPOINT_COSTS: EndpointCosts = {
  defaultCost: DEFAULT_REQUEST_COST,
  endpoints: [
    { method: "DELETE", path: "/portfolio/events/orders/{order_id}", cost: 2 },
    { method: "DELETE", path: "/portfolio/events/orders", cost: 2 },
    { method: "DELETE", path: "/portfolio/events/orders/batched", cost: 2 },
    { method: "POST", path: "/portfolio/events/orders/batched", cost: 10 },
  ],
};

/** Batch endpoints are billed per item ("total cost for a batch of N orders is N × cost"). */
const PER_ITEM = new Set([
  "DELETE /portfolio/events/orders/batched",
  "POST /portfolio/events/orders/batched",
]);

/**
 * "/trade-api/v2/portfolio/events/orders/{order_id}" and "/portfolio/events/orders/:id" both become
 * "/portfolio/events/orders/{}" (Kalshi's listing format is not pinned down by the spec).
 */
function normalizePath(path: string): string {
  const p = path.replace(/^.*\/trade-api\/v2(?=\/)/, "").replace(/\/+$/, "");
  return p
    .split("/")
    .map((seg) => (/^\{.*\}$/.test(seg) || seg.startsWith(":") ? "{}" : seg))
    .join("/");
}

function key(method: string, path: string): string {
  return `${method.toUpperCase()} ${normalizePath(path)}`;
}

/** Token cost per request (or per item, for batches), by "METHOD /path/{template}". */
export class EndpointCostTable {
  private readonly costs = new Map<string, number>();
  readonly defaultCost: number;

  constructor(source: EndpointCosts = DOCUMENTED_ENDPOINT_COSTS) {
    this.defaultCost = source.defaultCost > 0 ? source.defaultCost : DEFAULT_REQUEST_COST;
    for (const e of source.endpoints) this.costs.set(key(e.method, e.path), e.cost);
  }

  /** `endpoint` as "DELETE /portfolio/events/orders/{order_id}"; `items` for batch requests. */
  cost(endpoint: string, items = 1): number {
    const [method = "", path = ""] = endpoint.split(" ");
    const k = key(method, path);
    const unit = this.costs.get(k) ?? this.defaultCost;
    return PER_ITEM.has(`${method.toUpperCase()} ${path}`) ? unit * Math.max(1, items) : unit;
  }

  /** The per-item cost of a batch endpoint. */
  unitCost(endpoint: string): number {
    return this.cost(endpoint, 1);
  }

  get entries(): EndpointCost[] {
    return [...this.costs].map(([k, cost]) => {
      const [method = "", path = ""] = k.split(" ");
      return { method, path, cost };
    });
  }
}

/** Extra time before a spent token comes back (see above). */
export const TOKEN_RETURN_MARGIN_MS = 100;

/** Basic tier fallback when /account/limits cannot be read. */
export const BASIC_TIER_LIMITS: { read: BucketLimit; write: BucketLimit } = {
  read: { refillRate: 200, bucketCapacity: 200 },
  write: { refillRate: 100, bucketCapacity: 100 },
};

export class RateLimiterClosedError extends Error {
  constructor() {
    super("rate limiter closed");
    this.name = "RateLimiterClosedError";
  }
}

interface Waiter {
  cost: number;
  resolve: () => void;
  reject: (e: Error) => void;
}

export class TokenBucket {
  private capacity: number;
  private windowMs: number;
  /** Spends within the current window, oldest first. */
  private spends: Array<{ t: number; cost: number }> = [];
  private spent = 0;
  private queue: Waiter[] = [];
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    limit: BucketLimit,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.capacity = 0;
    this.windowMs = 1000;
    this.resize(limit);
  }

  /** Changes the budget (e.g. after reading /account/limits). Spent tokens stay spent. */
  resize(limit: BucketLimit): void {
    if (!(limit.refillRate > 0) || !(limit.bucketCapacity > 0)) {
      throw new RangeError("bucket refill rate and capacity must be positive");
    }
    this.capacity = limit.bucketCapacity;
    this.windowMs = (limit.bucketCapacity / limit.refillRate) * 1000;
    this.pump();
  }

  get limit(): BucketLimit {
    return { bucketCapacity: this.capacity, refillRate: (this.capacity * 1000) / this.windowMs };
  }

  /** Tokens available right now. */
  available(): number {
    this.expire(this.now());
    return this.capacity - this.spent;
  }

  /** Number of requests waiting. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Resolves once `cost` tokens are spent on the caller's behalf. FIFO. */
  take(cost: number = DEFAULT_REQUEST_COST): Promise<void> {
    if (this.closed) return Promise.reject(new RateLimiterClosedError());
    const c = Math.min(Math.max(cost, 0), this.capacity);
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ cost: c, resolve, reject });
      this.pump();
    });
  }

  /** Treats the whole bucket as just spent (after Kalshi answered 429). */
  exhaust(): void {
    const t = this.now();
    this.expire(t);
    const missing = this.capacity - this.spent;
    if (missing > 0) {
      this.spends.push({ t, cost: missing });
      this.spent += missing;
    }
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const q = this.queue;
    this.queue = [];
    for (const w of q) w.reject(new RateLimiterClosedError());
  }

  private expire(t: number): void {
    while (this.spends.length > 0) {
      const first = this.spends[0]!;
      if (first.t + this.windowMs + TOKEN_RETURN_MARGIN_MS > t) break;
      this.spends.shift();
      this.spent -= first.cost;
    }
    if (this.spends.length === 0) this.spent = 0;
  }

  private pump(): void {
    if (this.closed) return;
    const t = this.now();
    this.expire(t);
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      if (this.capacity - this.spent < head.cost) break;
      this.queue.shift();
      this.spends.push({ t, cost: head.cost });
      this.spent += head.cost;
      head.resolve();
    }
    if (this.queue.length > 0 && !this.timer) {
      // Wake when enough of the oldest spends have expired for the head to fit.
      const need = this.queue[0]!.cost - (this.capacity - this.spent);
      let freed = 0;
      let wakeAt = t;
      for (const s of this.spends) {
        freed += s.cost;
        wakeAt = s.t + this.windowMs + TOKEN_RETURN_MARGIN_MS;
        if (freed >= need) break;
      }
      this.timer = setTimeout(
        () => {
          this.timer = null;
          this.pump();
        },
        Math.max(1, Math.ceil(wakeAt - t)),
      );
    }
  }
}

export type BucketName = "read" | "write";

export class RateLimiter {
  readonly read: TokenBucket;
  readonly write: TokenBucket;

  constructor(limits: { read: BucketLimit; write: BucketLimit } = BASIC_TIER_LIMITS, now?: () => number) {
    this.read = new TokenBucket(limits.read, now);
    this.write = new TokenBucket(limits.write, now);
  }

  take(bucket: BucketName, cost: number = DEFAULT_REQUEST_COST): Promise<void> {
    return this[bucket].take(cost);
  }

  resize(limits: { read: BucketLimit; write: BucketLimit }): void {
    this.read.resize(limits.read);
    this.write.resize(limits.write);
  }

  close(): void {
    this.read.close();
    this.write.close();
  }
}
