/**
 * Kalshi WebSocket client for the private `fill` and `user_orders` channels (asyncapi 2.0.0).
 *
 * - Signed handshake: KALSHI-ACCESS-* headers over `ts + "GET" + "/trade-api/ws/v2"`.
 * - Heartbeat: `ws` answers the server's pings; a socket that sends neither a ping nor a message for
 *   `idleTimeoutMs` (default 25 s; Kalshi pings every 10 s) is considered dead and replaced.
 * - Reconnects with exponential backoff and jitter, and subscribes again on every new socket.
 *   `connected` is emitted once both subscriptions are acknowledged: listeners reconcile through REST then.
 * - Polling fallback: after `afterFailures` consecutive failed connections, polls `getFills` since the
 *   last seen fill and emits those fills as events, while the socket keeps being retried in the background.
 *   Polling stops as soon as a socket is subscribed again.
 */
import type { KeyObject } from "node:crypto";
import WebSocket from "ws";
import { backoffWithJitterMs } from "../../shared/async.js";
import {
  type ExchangePort,
  type ExchangeStream,
  type Fill,
  sortFillsOldestFirst,
  type StreamEvent,
  type StreamLogger,
} from "../port.js";

// Declared with the port (the alerts use them too); re-exported for the adapter's users.
export { sortFillsOldestFirst, type StreamLogger };
import { wsFillToDomain, wsUserOrderToDomain } from "./schemas.js";
import { wsLifecycleToDomain } from "./lifecycle.js";
import { signRequest, WS_PATH } from "./signer.js";

export interface KalshiStreamOptions {
  /** e.g. wss://external-api-ws.kalshi.com/trade-api/ws/v2, or the sim's ws://127.0.0.1:<port>/trade-api/ws/v2 */
  wsUrl: string;
  keyId: string;
  privateKey: KeyObject;
  logger?: StreamLogger;
  /** Reconnect delay: baseMs × 2^(failures−1), capped at maxMs, then "equal jitter" (50–100 %). */
  backoff?: { baseMs: number; maxMs: number };
  pollFallback?: {
    exchange: ExchangePort;
    intervalMs: number;
    /** Consecutive failed connections before polling starts (0 = poll from the start). */
    afterFailures: number;
    /** How far back each poll reaches before the last seen fill (default 60 s). */
    overlapMs?: number;
  };
  /** No ping and no message for this long = dead socket (default 25 000). */
  idleTimeoutMs?: number;
  /** Handshake + subscription acknowledgement deadline (default 10 000). */
  connectTimeoutMs?: number;
  /** A connection that stays subscribed this long resets the failure count (default 10 000). */
  stableAfterMs?: number;
  now?: () => number;
  random?: () => number;
  /** Also subscribe to market_lifecycle_v2 (every market's pause, close date, result, settlement). */
  marketLifecycle?: boolean;
}

const DEFAULT_BACKOFF = { baseMs: 500, maxMs: 30_000 };
const SEEN_LIMIT = 5000;
/** Kalshi WS error codes after which a subscription is gone (channel error, buffer overflow). */
const TERMINAL_ERROR_CODES = new Set([10, 25]);

export class KalshiStream implements ExchangeStream {
  private readonly listeners = new Set<(e: StreamEvent) => void>();
  private readonly log: StreamLogger;
  private readonly backoff: { baseMs: number; maxMs: number };
  private readonly idleTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly stableAfterMs: number;
  private readonly now: () => number;
  private readonly random: () => number;

  private ws: WebSocket | null = null;
  private closed = false;
  private subscribed = false;
  private failures = 0;
  private nextCmdId = 1;
  private pendingAcks = new Set<number>();
  private firstAttempt: Promise<void> | null = null;
  private resolveFirstAttempt: (() => void) | null = null;

  private reconnectTimer: NodeJS.Timeout | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private connectTimer: NodeJS.Timeout | null = null;
  private stableTimer: NodeJS.Timeout | null = null;

  private polling = false;
  private pollTimer: NodeJS.Timeout | null = null;
  private pollInFlight: Promise<void> | null = null;
  /** Fill ids this stream already emitted (socket or poll), so polling does not repeat them. */
  private readonly seen = new Set<string>();
  private lastFillTs: number | null = null;
  private startedAt = 0;

  constructor(private readonly opts: KalshiStreamOptions) {
    this.log = opts.logger ?? { info() {}, warn() {}, error() {} };
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF;
    this.idleTimeoutMs = opts.idleTimeoutMs ?? 25_000;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 10_000;
    this.stableAfterMs = opts.stableAfterMs ?? 10_000;
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
  }

  get connected(): boolean {
    return this.subscribed;
  }

  /** True while the polling fallback is active. */
  get pollingActive(): boolean {
    return this.polling;
  }

  /**
   * What is scheduled or under way besides the socket: a reconnect timer, a fallback poll (running or
   * waiting for its next tick). With both false and no socket, nothing more happens on its own; tests read
   * this instead of sleeping and counting what came.
   */
  get pending(): { reconnect: boolean; poll: boolean } {
    return {
      reconnect: this.reconnectTimer !== null,
      poll: this.pollTimer !== null || this.pollInFlight !== null,
    };
  }

  /** Resolves after the first connection attempt (success or failure); reconnects continue in the background. */
  start(): Promise<void> {
    if (this.closed) return Promise.reject(new Error("the stream was closed"));
    if (this.firstAttempt) return this.firstAttempt;
    this.startedAt = this.now();
    this.firstAttempt = new Promise<void>((resolve) => (this.resolveFirstAttempt = resolve));
    if (this.opts.pollFallback && this.opts.pollFallback.afterFailures <= 0) this.startPolling();
    this.connect();
    return this.firstAttempt;
  }

  on(listener: (e: StreamEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopPolling();
    this.clearTimers();
    const ws = this.ws;
    this.ws = null;
    const wasConnected = this.subscribed;
    this.subscribed = false;
    if (ws) {
      await new Promise<void>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        const t = setTimeout(() => {
          ws.terminate();
          resolve();
        }, 1000);
        ws.once("close", () => {
          clearTimeout(t);
          resolve();
        });
        if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
        else ws.close(1000, "client closing");
      });
    }
    if (this.pollInFlight) await this.pollInFlight.catch(() => undefined);
    this.resolveFirstAttempt?.();
    if (wasConnected) this.emit({ type: "disconnected" });
    this.listeners.clear();
  }

  // ---------------------------------------------------------------- socket

  private connect(): void {
    if (this.closed) return;
    this.reconnectTimer = null;
    const headers = signRequest(this.opts.privateKey, this.opts.keyId, "GET", WS_PATH, this.now());
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.opts.wsUrl, { headers, handshakeTimeout: this.connectTimeoutMs });
    } catch (e) {
      this.log.error("kalshi stream: bad WebSocket URL", { error: errText(e) });
      this.onSocketGone(null, errText(e));
      return;
    }
    this.ws = ws;
    this.subscribed = false;
    this.pendingAcks.clear();
    let failure: string | undefined;

    this.connectTimer = setTimeout(() => {
      failure = "timed out waiting for the subscriptions to be acknowledged";
      ws.terminate();
    }, this.connectTimeoutMs);

    ws.on("open", () => {
      this.touch();
      this.subscribe(ws, ["fill"]);
      this.subscribe(ws, ["user_orders"]);
      if (this.opts.marketLifecycle) this.subscribe(ws, ["market_lifecycle_v2"]);
    });
    ws.on("ping", () => this.touch());
    ws.on("pong", () => this.touch());
    ws.on("message", (data) => {
      this.touch();
      this.onMessage(ws, data.toString());
    });
    ws.on("unexpected-response", (_req, res) => {
      // 401 etc.: never log the headers we sent.
      failure = `handshake refused with HTTP ${res.statusCode ?? "?"}`;
      res.resume();
      ws.terminate();
    });
    ws.on("error", (e) => {
      failure ??= errText(e);
    });
    ws.on("close", (code) => {
      this.onSocketGone(ws, failure ?? `socket closed (code ${code})`);
    });
  }

  private subscribe(ws: WebSocket, channels: string[]): void {
    const id = this.nextCmdId++;
    this.pendingAcks.add(id);
    ws.send(JSON.stringify({ id, cmd: "subscribe", params: { channels } }));
  }

  private touch(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    const ws = this.ws;
    this.idleTimer = setTimeout(() => {
      if (ws && this.ws === ws) {
        this.log.warn("kalshi stream: no ping or message for a while, reconnecting", {
          idleMs: this.idleTimeoutMs,
        });
        ws.terminate();
      }
    }, this.idleTimeoutMs);
  }

  private onMessage(ws: WebSocket, text: string): void {
    let m: WireEnvelope;
    try {
      m = JSON.parse(text) as WireEnvelope;
    } catch {
      this.log.warn("kalshi stream: ignoring a frame that is not JSON");
      return;
    }
    if (!m || typeof m !== "object") return;
    switch (m.type) {
      case "subscribed": {
        if (typeof m.id === "number") this.pendingAcks.delete(m.id);
        if (this.pendingAcks.size === 0 && !this.subscribed && this.ws === ws) this.onSubscribed();
        return;
      }
      case "error": {
        const code = typeof m.msg?.code === "number" ? m.msg.code : null;
        this.log.warn("kalshi stream: server error", { code, msg: m.msg?.msg });
        if (code !== null && TERMINAL_ERROR_CODES.has(code)) ws.terminate();
        else if (typeof m.id === "number" && this.pendingAcks.has(m.id)) ws.terminate(); // subscribe refused
        return;
      }
      case "fill": {
        let parsed: ReturnType<typeof wsFillToDomain>;
        try {
          parsed = wsFillToDomain(m.msg);
        } catch (e) {
          this.log.error("kalshi stream: could not read a fill message", {
            tradeId: typeof m.msg?.trade_id === "string" ? m.msg.trade_id : undefined,
            error: errText(e),
          });
          return;
        }
        this.noteFill(parsed.fill);
        this.emit({ type: "fill", ...parsed });
        return;
      }
      case "user_order": {
        let parsed: ReturnType<typeof wsUserOrderToDomain>;
        try {
          parsed = wsUserOrderToDomain(m.msg);
        } catch (e) {
          this.log.warn("kalshi stream: could not read a user_order message", {
            orderId: typeof m.msg?.order_id === "string" ? m.msg.order_id : undefined,
            error: errText(e),
          });
          return;
        }
        if (!parsed) return; // status "unknown": the next update or the REST reads settle it
        this.emit({ type: "order", ...parsed });
        return;
      }
      case "market_lifecycle_v2":
        return this.onLifecycle(m.msg);
      default:
        return;
    }
  }

  private onLifecycle(msg: unknown): void {
    try {
      const event = wsLifecycleToDomain(msg);
      if (event) this.emit({ type: "lifecycle", event });
    } catch (e) {
      this.log.warn("kalshi stream: could not read a market_lifecycle_v2 message", { error: errText(e) });
    }
  }

  private onSubscribed(): void {
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = null;
    this.subscribed = true;
    this.stopPolling();
    this.log.info("kalshi stream: connected and subscribed");
    this.stableTimer = setTimeout(() => {
      this.failures = 0;
    }, this.stableAfterMs);
    this.resolveFirstAttempt?.();
    this.emit({ type: "connected" });
  }

  private onSocketGone(ws: WebSocket | null, reason: string): void {
    if (ws && this.ws !== ws) return; // an old socket
    this.ws = null;
    this.clearTimers();
    const wasConnected = this.subscribed;
    this.subscribed = false;
    if (this.closed) return;
    this.failures++;
    this.resolveFirstAttempt?.();
    if (wasConnected) {
      this.log.warn("kalshi stream: disconnected", { reason });
      this.emit({ type: "disconnected", error: reason });
    } else {
      this.log.warn("kalshi stream: connection failed", { reason, failures: this.failures });
    }
    const pf = this.opts.pollFallback;
    if (pf && this.failures >= pf.afterFailures) this.startPolling();
    const delay = backoffWithJitterMs(this.failures, this.backoff, this.random);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private clearTimers(): void {
    for (const t of [this.reconnectTimer, this.idleTimer, this.connectTimer, this.stableTimer]) {
      if (t) clearTimeout(t);
    }
    this.reconnectTimer = this.idleTimer = this.connectTimer = this.stableTimer = null;
  }

  // ---------------------------------------------------------------- polling fallback

  private startPolling(): void {
    const pf = this.opts.pollFallback;
    if (!pf || this.polling || this.closed) return;
    this.polling = true;
    this.log.warn("kalshi stream: polling fills while the socket is down", { intervalMs: pf.intervalMs });
    const tick = () => {
      if (!this.polling) return;
      this.pollInFlight = this.pollOnce().finally(() => {
        this.pollInFlight = null;
        if (this.polling) this.pollTimer = setTimeout(tick, pf.intervalMs);
      });
    };
    tick();
  }

  private stopPolling(): void {
    if (!this.polling) return;
    this.polling = false;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = null;
  }

  private async pollOnce(): Promise<void> {
    const pf = this.opts.pollFallback;
    if (!pf) return;
    const since = (this.lastFillTs ?? this.startedAt) - (pf.overlapMs ?? 60_000);
    let fills: Fill[];
    try {
      fills = await pf.exchange.getFills({ minTs: since });
    } catch (e) {
      this.log.warn("kalshi stream: polling fills failed", { error: errText(e) });
      return;
    }
    if (!this.polling) return; // the socket came back while we were asking; its backfill covers these
    for (const fill of sortFillsOldestFirst(fills)) {
      if (this.seen.has(fill.fillId)) continue;
      this.noteFill(fill);
      this.emit({ type: "fill", fill, postPosition: null, clientOrderId: null });
    }
  }

  private noteFill(fill: Fill): void {
    this.seen.add(fill.fillId);
    if (this.seen.size > SEEN_LIMIT) {
      const oldest = this.seen.values().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    if (this.lastFillTs === null || fill.createdTime > this.lastFillTs) this.lastFillTs = fill.createdTime;
  }

  private emit(e: StreamEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch (err) {
        this.log.error("kalshi stream: a listener threw", { error: errText(err) });
      }
    }
  }
}

// ------------------------------------------------------------------ wire parsing

interface WireEnvelope {
  type?: string;
  id?: number;
  sid?: number;
  msg?: Record<string, unknown> & { code?: unknown; msg?: unknown; trade_id?: unknown; order_id?: unknown };
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
