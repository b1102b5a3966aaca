/**
 * Kalshi's public `ticker` channel for the markets the price alerts and watchlists follow, on a socket
 * of its own: the private stream (stream.ts) keeps its "connected once fill + user_orders are
 * acknowledged" contract untouched, and a change of followed markets never disturbs the fill alerts.
 *
 * - Subscribes only to the followed markets (`market_tickers`, `send_initial_snapshot` so the current
 *   prices arrive at once); with none followed it stays connected without a subscription (a `ticker`
 *   subscription without markets would stream every market).
 * - setMarkets() changes the subscription with `update_subscription` add_markets / delete_markets,
 *   or unsubscribes when nothing is left; on a new socket it subscribes again from scratch.
 * - `connected` is emitted once the subscription is acknowledged (or the socket is open when there is
 *   nothing to follow); listeners re-read prices through REST then (the gap's backfill).
 * - Reconnects with backoff and jitter; a socket silent (no ping, no frame) for `idleTimeoutMs` is replaced.
 */
import type { KeyObject } from "node:crypto";
import WebSocket from "ws";
import { z } from "zod";
import { backoffWithJitterMs } from "../../shared/async.js";
import type { Micros } from "../../domain/money.js";
import type { StreamLogger, TickerEvent, TickerFeed, TickerUpdate } from "../port.js";
import { dollars } from "./schemas.js";
import { signRequest, WS_PATH } from "./signer.js";

export interface KalshiTickerStreamOptions {
  wsUrl: string;
  keyId: string;
  privateKey: KeyObject;
  logger?: StreamLogger;
  backoff?: { baseMs: number; maxMs: number };
  /** No ping and no frame for this long = dead socket (default 25 000; Kalshi pings every 10 s). */
  idleTimeoutMs?: number;
  /** Handshake + acknowledgement deadline (default 10 000). */
  connectTimeoutMs?: number;
  now?: () => number;
  random?: () => number;
}

const TickerMsg = z.object({
  market_ticker: z.string().min(1),
  price_dollars: dollars,
  yes_bid_dollars: dollars,
  yes_ask_dollars: dollars,
  ts_ms: z.number().int(),
});

/** A `ticker` frame's msg as a TickerUpdate (an empty side, "0.0000" bid / "1.0000" ask, is null). */
export function wsTickerToDomain(msg: unknown): TickerUpdate {
  const w = TickerMsg.parse(msg);
  const none = (p: Micros, empty: (p: Micros) => boolean) => (empty(p) ? null : p);
  return {
    ticker: w.market_ticker,
    yesBid: none(w.yes_bid_dollars, (p) => p <= 0),
    yesAsk: none(w.yes_ask_dollars, (p) => p <= 0 || p >= 1_000_000),
    lastPrice: none(w.price_dollars, (p) => p <= 0),
    ts: w.ts_ms,
  };
}

interface Frame {
  type?: string;
  id?: number;
  sid?: number;
  msg?: Record<string, unknown> & { sid?: unknown; code?: unknown; msg?: unknown };
}

export class KalshiTickerStream implements TickerFeed {
  private readonly listeners = new Set<(e: TickerEvent) => void>();
  private readonly log: StreamLogger;
  private ws: WebSocket | null = null;
  private closed = false;
  private ready = false;
  private failures = 0;
  private nextId = 1;
  /** The markets wanted, and the ones the current subscription holds (as acknowledged or sent). */
  private wanted = new Set<string>();
  private held = new Set<string>();
  private sid: number | null = null;
  private subscribeId: number | null = null;
  /** Ids of subscription changes sent on this socket and not answered yet. */
  private unanswered = new Set<number>();
  private timers = new Set<NodeJS.Timeout>();
  private idleTimer: NodeJS.Timeout | null = null;
  private firstAttempt: Promise<void> | null = null;
  private resolveFirst: (() => void) | null = null;

  constructor(private readonly opts: KalshiTickerStreamOptions) {
    this.log = opts.logger ?? { info() {}, warn() {}, error() {} };
  }

  get connected(): boolean {
    return this.ready;
  }

  /** Connected, and every subscription change was answered: the server streams exactly the wanted markets. */
  get settled(): boolean {
    return this.ready && this.subscribeId === null && this.unanswered.size === 0;
  }

  start(): Promise<void> {
    if (this.closed) return Promise.reject(new Error("the ticker stream was closed"));
    this.firstAttempt ??= new Promise<void>((resolve) => {
      this.resolveFirst = resolve;
      this.connect();
    });
    return this.firstAttempt;
  }

  on(listener: (e: TickerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  setMarkets(tickers: readonly string[]): void {
    this.wanted = new Set(tickers);
    if (this.ready && this.ws) this.sync(this.ws);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (this.idleTimer) clearTimeout(this.idleTimer);
    const ws = this.ws;
    this.ws = null;
    const was = this.ready;
    this.ready = false;
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => (ws.terminate(), resolve()), 1000);
        ws.once("close", () => (clearTimeout(t), resolve()));
        if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
        else ws.close(1000, "client closing");
      });
    }
    this.resolveFirst?.();
    if (was) this.emit({ type: "disconnected" });
    this.listeners.clear();
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private connect(): void {
    if (this.closed) return;
    const headers = signRequest(
      this.opts.privateKey,
      this.opts.keyId,
      "GET",
      WS_PATH,
      (this.opts.now ?? Date.now)(),
    );
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.opts.wsUrl, {
        headers,
        handshakeTimeout: this.opts.connectTimeoutMs ?? 10_000,
      });
    } catch (e) {
      this.gone(null, e instanceof Error ? e.message : String(e));
      return;
    }
    this.ws = ws;
    this.sid = null;
    this.subscribeId = null;
    this.held.clear();
    this.unanswered.clear();
    let failure: string | undefined;
    const deadline = setTimeout(() => {
      failure = "timed out waiting for the ticker subscription";
      ws.terminate();
    }, this.opts.connectTimeoutMs ?? 10_000);
    ws.on("open", () => {
      this.touch(ws);
      if (this.wanted.size === 0) {
        clearTimeout(deadline);
        this.onReady();
      } else this.subscribe(ws);
    });
    ws.on("ping", () => this.touch(ws));
    ws.on("message", (data) => {
      this.touch(ws);
      if (this.onFrame(ws, data.toString())) clearTimeout(deadline);
    });
    ws.on("unexpected-response", (_req, res) => {
      failure = `handshake refused with HTTP ${res.statusCode ?? "?"}`;
      res.resume();
      ws.terminate();
    });
    ws.on("error", (e) => (failure ??= e.message));
    ws.on("close", (code) => {
      clearTimeout(deadline);
      this.gone(ws, failure ?? `socket closed (code ${code})`);
    });
  }

  private send(ws: WebSocket, cmd: string, params: Record<string, unknown>): number {
    const id = this.nextId++;
    if (cmd !== "subscribe") this.unanswered.add(id);
    ws.send(JSON.stringify({ id, cmd, params }));
    return id;
  }

  private subscribe(ws: WebSocket): void {
    this.held = new Set(this.wanted);
    this.subscribeId = this.send(ws, "subscribe", {
      channels: ["ticker"],
      market_tickers: [...this.held],
      send_initial_snapshot: true,
    });
  }

  /** Brings the subscription to the wanted markets. */
  private sync(ws: WebSocket): void {
    if (this.subscribeId !== null) return; // the ack's sync() follows
    if (this.sid === null) {
      if (this.wanted.size > 0) this.subscribe(ws);
      return;
    }
    const add = [...this.wanted].filter((t) => !this.held.has(t));
    const del = [...this.held].filter((t) => !this.wanted.has(t));
    if (this.wanted.size === 0) {
      this.send(ws, "unsubscribe", { sids: [this.sid] });
      this.sid = null;
      this.held.clear();
      return;
    }
    if (add.length)
      this.send(ws, "update_subscription", { sid: this.sid, action: "add_markets", market_tickers: add });
    if (del.length)
      this.send(ws, "update_subscription", { sid: this.sid, action: "delete_markets", market_tickers: del });
    this.held = new Set(this.wanted);
  }

  /** True once the frame shows the socket is usable (an ack). */
  private onFrame(ws: WebSocket, text: string): boolean {
    let f: Frame;
    try {
      f = JSON.parse(text) as Frame;
    } catch {
      return false;
    }
    if (!f || typeof f !== "object" || this.ws !== ws) return false;
    if (typeof f.id === "number" && f.type !== "ticker") this.unanswered.delete(f.id);
    if (f.type === "subscribed" && f.id === this.subscribeId) {
      this.sid = typeof f.msg?.sid === "number" ? f.msg.sid : null;
      this.subscribeId = null;
      if (!this.ready) this.onReady();
      this.sync(ws);
      return true;
    }
    if (f.type === "error") {
      this.log.warn("kalshi ticker stream: server error", { code: f.msg?.code, msg: f.msg?.msg });
      // A refused subscribe or a terminal channel error: start over on a new socket.
      if (f.id === this.subscribeId || f.msg?.code === 10 || f.msg?.code === 25) ws.terminate();
      return false;
    }
    if (f.type === "ticker") {
      try {
        const update = wsTickerToDomain(f.msg);
        if (this.wanted.has(update.ticker)) this.emit({ type: "ticker", update });
      } catch (e) {
        this.log.warn("kalshi ticker stream: could not read a ticker frame", {
          error: e instanceof Error ? e.message : String(e),
        });
      }
    }
    return false;
  }

  private onReady(): void {
    this.ready = true;
    this.failures = 0;
    this.resolveFirst?.();
    this.emit({ type: "connected" });
  }

  private touch(ws: WebSocket): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.ws === ws) ws.terminate();
    }, this.opts.idleTimeoutMs ?? 25_000);
  }

  private gone(ws: WebSocket | null, reason: string): void {
    if (ws && this.ws !== ws) return;
    this.ws = null;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const was = this.ready;
    this.ready = false;
    if (this.closed) return;
    this.failures++;
    this.resolveFirst?.();
    if (was) this.emit({ type: "disconnected", error: reason });
    else this.log.warn("kalshi ticker stream: connection failed", { reason, failures: this.failures });
    const delay = backoffWithJitterMs(
      this.failures,
      this.opts.backoff ?? { baseMs: 500, maxMs: 30_000 },
      this.opts.random ?? Math.random,
    );
    this.later(delay, () => this.connect());
  }

  private emit(e: TickerEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch (err) {
        this.log.error("kalshi ticker stream: a listener threw", {
          error: err instanceof Error ? err.message : String(err),
        });
      }
    }
  }
}
