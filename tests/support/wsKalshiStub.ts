/**
 * A tiny Kalshi-like WebSocket server on 127.0.0.1 (ephemeral port) for tests and the benchmark.
 * It checks the signed handshake, answers `subscribe` commands, and lets a test push `fill` and
 * `user_order` messages, drop sockets, refuse handshakes, and go silent (no pings).
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { KeyObject } from "node:crypto";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import {
  HEADER_KEY,
  HEADER_SIGNATURE,
  HEADER_TIMESTAMP,
  verifyKalshiSignature,
  WS_PATH,
} from "../../src/exchange/kalshi/signer.js";
import { until } from "./until.js";

export interface WireFill {
  trade_id: string;
  order_id: string;
  market_ticker: string;
  is_taker: boolean;
  yes_price_dollars: string;
  count_fp: string;
  fee_cost: string;
  post_position_fp: string;
  outcome_side: "yes" | "no";
  book_side: "bid" | "ask";
  ts_ms: number;
  client_order_id?: string;
  exchange_index?: number;
}

export interface StubOptions {
  publicKey: KeyObject;
  keyId: string;
  /** Interval of server pings in ms (0 = no pings). Default 0. */
  pingIntervalMs?: number;
}

interface Client {
  ws: WebSocket;
  channels: Map<string, number>; // channel -> sid
}

export class WsKalshiStub {
  private readonly http: Server;
  private readonly wss: WebSocketServer;
  private readonly clients = new Set<Client>();
  private nextSid = 1;
  private refuseNext = 0;
  private refuseAll = false;
  private ignoreSubscribes = false;
  private pingTimer: NodeJS.Timeout | null = null;
  /** Handshakes accepted (signature valid). */
  connections = 0;
  /** Handshakes refused for a bad signature/key. */
  authFailures = 0;
  subscribeCommands: Array<{ channels: string[] }> = [];
  port = 0;

  constructor(private readonly opts: StubOptions) {
    this.http = createServer((_req, res) => {
      res.writeHead(404).end();
    });
    this.wss = new WebSocketServer({ noServer: true });
    this.http.on("upgrade", (req, socket, head) => {
      socket.on("error", () => undefined);
      if (this.refuseAll || this.refuseNext > 0) {
        if (this.refuseNext > 0) this.refuseNext--;
        socket.end("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n");
        return;
      }
      if (!this.checkAuth(req)) {
        this.authFailures++;
        socket.end("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n");
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onClient(ws));
    });
  }

  static async start(opts: StubOptions): Promise<WsKalshiStub> {
    const stub = new WsKalshiStub(opts);
    await new Promise<void>((resolve) => stub.http.listen(0, "127.0.0.1", resolve));
    stub.port = (stub.http.address() as AddressInfo).port;
    if (opts.pingIntervalMs) {
      stub.pingTimer = setInterval(() => {
        for (const c of stub.clients) c.ws.ping("heartbeat");
      }, opts.pingIntervalMs);
    }
    return stub;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}${WS_PATH}`;
  }

  /** Sockets open and subscribed to `fill`. */
  get subscribedClients(): number {
    let n = 0;
    for (const c of this.clients) if (c.channels.has("fill")) n++;
    return n;
  }

  private checkAuth(req: IncomingMessage): boolean {
    const key = req.headers[HEADER_KEY.toLowerCase()];
    const ts = req.headers[HEADER_TIMESTAMP.toLowerCase()];
    const sig = req.headers[HEADER_SIGNATURE.toLowerCase()];
    if (typeof key !== "string" || typeof ts !== "string" || typeof sig !== "string") return false;
    if (key !== this.opts.keyId) return false;
    if (new URL(req.url ?? "/", "http://x").pathname !== WS_PATH) return false;
    return verifyKalshiSignature(this.opts.publicKey, ts, "GET", WS_PATH, sig);
  }

  private onClient(ws: WebSocket): void {
    this.connections++;
    const client: Client = { ws, channels: new Map() };
    this.clients.add(client);
    ws.on("close", () => this.clients.delete(client));
    ws.on("error", () => undefined);
    ws.on("message", (data) => {
      let cmd: { id?: number; cmd?: string; params?: { channels?: string[] } };
      try {
        cmd = JSON.parse(data.toString()) as typeof cmd;
      } catch {
        return;
      }
      if (cmd.cmd !== "subscribe") {
        ws.send(JSON.stringify({ id: cmd.id, type: "error", msg: { code: 5, msg: "Unknown command" } }));
        return;
      }
      const channels = cmd.params?.channels ?? [];
      this.subscribeCommands.push({ channels });
      if (this.ignoreSubscribes) return;
      for (const ch of channels) {
        const sid = this.nextSid++;
        client.channels.set(ch, sid);
        ws.send(JSON.stringify({ id: cmd.id, type: "subscribed", msg: { channel: ch, sid } }));
      }
    });
  }

  /** Sends a fill to every socket subscribed to `fill`. Returns how many sockets got it. */
  sendFill(fill: WireFill): number {
    return this.broadcast("fill", "fill", fill);
  }

  sendUserOrder(order: Record<string, unknown>): number {
    return this.broadcast("user_orders", "user_order", order);
  }

  sendRaw(text: string): void {
    for (const c of this.clients) c.ws.send(text);
  }

  private broadcast(channel: string, type: string, msg: unknown): number {
    let n = 0;
    for (const c of this.clients) {
      const sid = c.channels.get(channel);
      if (sid === undefined) continue;
      c.ws.send(JSON.stringify({ type, sid, msg }));
      n++;
    }
    return n;
  }

  /**
   * Pings every open socket once and resolves when each has answered with a pong (so its ping handler
   * has run). Uses no timers, so it also works under fake timers.
   */
  async pingAll(): Promise<number> {
    const open = [...this.clients];
    await Promise.all(
      open.map(
        (c) =>
          new Promise<void>((resolve) => {
            c.ws.once("pong", () => resolve());
            c.ws.once("close", () => resolve());
            c.ws.ping("heartbeat");
          }),
      ),
    );
    return open.length;
  }

  /** Abruptly kills every socket (no close frame), like a network drop. */
  dropAll(): void {
    for (const c of this.clients) c.ws.terminate();
    this.clients.clear();
  }

  /** Refuses the next n handshakes with HTTP 503. */
  refuseNextHandshakes(n: number): void {
    this.refuseNext = n;
  }

  /** Refuses every handshake until called with false. */
  setRefuseAll(on: boolean): void {
    this.refuseAll = on;
  }

  /** Stops answering subscribe commands (a half-dead server). */
  setIgnoreSubscribes(on: boolean): void {
    this.ignoreSubscribes = on;
  }

  async close(): Promise<void> {
    if (this.pingTimer) clearInterval(this.pingTimer);
    for (const c of this.clients) c.ws.terminate();
    this.clients.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.http.closeAllConnections?.();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }
}

let fillSeq = 0;

/** A wire fill with sensible defaults; override what the test cares about. */
export function wireFill(over: Partial<WireFill> = {}): WireFill {
  fillSeq++;
  return {
    trade_id: `trade-${fillSeq}`,
    order_id: "order-1",
    market_ticker: "KXTEST-26NOV30-T1",
    is_taker: true,
    yes_price_dollars: "0.5500",
    count_fp: "10.00",
    fee_cost: "0.170000",
    post_position_fp: "10.00",
    outcome_side: "yes",
    book_side: "bid",
    ts_ms: Date.now(),
    ...over,
  };
}

/** A wire user_order message body. */
export function wireOrder(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    order_id: "order-1",
    user_id: "user-1",
    ticker: "KXTEST-26NOV30-T1",
    exchange_index: 0,
    status: "resting",
    side: "yes",
    is_yes: true,
    outcome_side: "yes",
    book_side: "bid",
    yes_price_dollars: "0.5500",
    fill_count_fp: "0.00",
    remaining_count_fp: "10.00",
    initial_count_fp: "10.00",
    taker_fill_cost_dollars: "0.000000",
    maker_fill_cost_dollars: "0.000000",
    taker_fees_dollars: "0.000000",
    maker_fees_dollars: "0.000000",
    client_order_id: "cid-1",
    created_time: null,
    created_ts_ms: Date.now(),
    ...over,
  };
}

/** Polls `cond` every 5 ms until it holds or `timeoutMs` passes (then throws with `what`). */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  await until(what, cond, timeoutMs, 5);
}
