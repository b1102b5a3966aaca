/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * A tiny signed client for tests against the sim (the project's full Kalshi client lives on
 * another branch). REST over fetch, WebSocket over ws, both signed with signRequest.
 */
import WebSocket from "ws";
import { loadPrivateKey, signRequest } from "../../src/exchange/kalshi/signer.js";
import type { SimServer } from "../../src/sim/server.js";

export interface SimResponse<T = any> {
  status: number;
  body: T;
  text: string;
}

export interface SignOptions {
  /** Override the signing time (ms). */
  nowMs?: number;
  /** Sign a different path than requested (to produce a bad signature). */
  signPath?: string;
  unsigned?: boolean;
}

export class SimClient {
  private key;
  constructor(readonly sim: Pick<SimServer, "baseUrl" | "wsUrl" | "controlUrl" | "keyId" | "privateKeyPem">) {
    this.key = loadPrivateKey(sim.privateKeyPem);
  }

  headers(method: string, url: string, o: SignOptions = {}): Record<string, string> {
    if (o.unsigned) return {};
    const signUrl = o.signPath ?? url;
    return { ...signRequest(this.key, this.sim.keyId, method, signUrl, o.nowMs ?? Date.now()) };
  }
  async request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    o: SignOptions = {},
  ): Promise<SimResponse<T>> {
    const url = this.sim.baseUrl + path;
    const res = await fetch(url, {
      method,
      headers: {
        ...this.headers(method, url, o),
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed as T, text };
  }

  get<T = any>(path: string, o?: SignOptions): Promise<SimResponse<T>> {
    return this.request<T>("GET", path, undefined, o);
  }

  post<T = any>(path: string, body: unknown, o?: SignOptions): Promise<SimResponse<T>> {
    return this.request<T>("POST", path, body, o);
  }

  del<T = any>(path: string, body?: unknown, o?: SignOptions): Promise<SimResponse<T>> {
    return this.request<T>("DELETE", path, body, o);
  }

  /** POST /portfolio/events/orders with sensible defaults. */
  order(o: {
    ticker: string;
    side: "bid" | "ask";
    price: string;
    count: string;
    time_in_force?: string;
    client_order_id?: string;
    post_only?: boolean;
    reduce_only?: boolean;
  }): Promise<SimResponse> {
    return this.post("/portfolio/events/orders", {
      time_in_force: "good_till_canceled",
      self_trade_prevention_type: "taker_at_cross",
      client_order_id: crypto.randomUUID(),
      ...o,
    });
  }
  async control<T = any>(method: string, path: string, body?: unknown): Promise<SimResponse<T>> {
    const res = await fetch(this.sim.controlUrl + path, {
      method,
      headers: body !== undefined ? { "content-type": "application/json" } : {},
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, text };
  }

  /** Opens a signed WebSocket and collects every JSON message. */
  async ws(o: SignOptions = {}): Promise<WsHandle> {
    const headers = this.headers("GET", this.sim.wsUrl, o);
    const ws = new WebSocket(this.sim.wsUrl, { headers });
    const handle = new WsHandle(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
      ws.once("unexpected-response", (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    });
    return handle;
  }
}

export class WsHandle {
  messages: any[] = [];
  private waiters: { pred: (m: any) => boolean; resolve: (m: any) => void }[] = [];
  closed: Promise<void>;

  constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const m: unknown = JSON.parse(data.toString());
      this.messages.push(m);
      this.waiters = this.waiters.filter((w) => {
        if (w.pred(m)) {
          w.resolve(m);
          return false;
        }
        return true;
      });
    });
    this.closed = new Promise((resolve) => ws.once("close", () => resolve()));
  }

  send(cmd: unknown): void {
    this.ws.send(JSON.stringify(cmd));
  }

  /** Resolves with the first message (already received or future) matching `pred`. */
  next(pred: (m: any) => boolean, timeoutMs = 5000): Promise<any> {
    const seen = this.messages.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error("timed out waiting for a WebSocket message")), timeoutMs);
      this.waiters.push({
        pred,
        resolve: (m) => {
          clearTimeout(t);
          resolve(m);
        },
      });
    });
  }

  close(): void {
    this.ws.terminate();
  }
}
