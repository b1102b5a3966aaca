/**
 * Webhook mode: Telegram POSTs each update to a public https URL (a reverse proxy forwards it here).
 * grammY's adapter for node:http (`webhookCallback(…, "http", { secretToken })`) reads the body and
 * answers 401 to any request without the right `X-Telegram-Bot-Api-Secret-Token`, before anything is
 * handled. What it accepts goes to the same per-chat queue long polling fills (src/bot/polling.ts), so
 * the answer to Telegram goes out at once and one slow chat never holds up another.
 *
 * Telegram delivers at least once: an update whose answer it did not see (a timeout, a proxy hiccup)
 * comes again with the same update_id. grammY does not dedupe, so a bounded set of recent update_ids
 * drops repeats (a /buy must not place two orders).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { webhookCallback, type Bot } from "grammy";
import type { Update } from "grammy/types";

/** update_ids remembered against re-delivery; Telegram re-sends within minutes, never thousands back. */
export const RECENT_UPDATE_IDS = 2_000;

/** Remembers the last `size` ids; `seen` says whether an id came before (and records it). */
export class RecentIds {
  private readonly ids = new Set<number>();
  constructor(private readonly size = RECENT_UPDATE_IDS) {}

  seen(id: number): boolean {
    if (this.ids.has(id)) return true;
    this.ids.add(id);
    // A Set iterates in insertion order: the first one is the oldest.
    if (this.ids.size > this.size) this.ids.delete(this.ids.values().next().value as number);
    return false;
  }
}

export interface WebhookServerOptions {
  port: number;
  host: string;
  /** Only requests to this path are updates (the path of TELEGRAM_WEBHOOK_URL). */
  path: string;
  secretToken: string;
  /**
   * Takes one accepted, first-time update (the app: the per-chat queue). Must not block. Updates that
   * come before open() wait, in order, and are passed on by open().
   */
  accept: (update: Update) => void;
  /** Called for each request refused for a missing or wrong secret (logged without the secret). */
  onRefused?: () => void;
  onError?: (error: unknown) => void;
}

export interface WebhookServer {
  port: number;
  /** Updates accepted so far (not counting repeats); health shows when the last one came. */
  lastUpdateAt: number | null;
  /** Start passing updates on (start-up first delivers what it owes from before a restart). */
  open(): void;
  close(): Promise<void>;
}

/** The part of a Bot that grammY's webhookCallback uses; here it hands updates to `accept`. */
function receiverFor(accept: (u: Update) => void, recent: RecentIds, onAccepted: () => void): Bot {
  const receiver = {
    isRunning: () => false,
    init: async () => undefined,
    handleUpdate: async (update: Update) => {
      if (typeof update?.update_id !== "number" || recent.seen(update.update_id)) return;
      onAccepted();
      accept(update);
    },
  };
  return receiver as unknown as Bot;
}

/** Starts listening; rejects with one sentence naming the port when it cannot. */
export function startWebhookServer(opts: WebhookServerOptions): Promise<WebhookServer> {
  const recent = new RecentIds();
  let lastUpdateAt: number | null = null;
  let held: Update[] | null = [];
  const accept = (u: Update) => (held ? held.push(u) : opts.accept(u));
  const handle = webhookCallback(
    receiverFor(accept, recent, () => (lastUpdateAt = Date.now())),
    "http",
    { secretToken: opts.secretToken, onTimeout: "return" },
  );
  const server = http.createServer((req, res) => {
    const path = (req.url ?? "/").split("?", 1)[0];
    if (path !== opts.path) {
      res.writeHead(404).end();
      return;
    }
    if (req.method !== "POST") {
      res.writeHead(405, { allow: "POST" }).end();
      return;
    }
    res.once("finish", () => {
      if (res.statusCode === 401) opts.onRefused?.();
    });
    handle(req, res).catch((e: unknown) => {
      // A body that is not JSON: nothing to handle; Telegram never sends one.
      opts.onError?.(e);
      if (!res.headersSent) res.writeHead(400);
      res.end();
    });
  });
  server.keepAliveTimeout = 5_000;
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      server.close();
      const why =
        e.code === "EADDRINUSE"
          ? `port ${opts.port} is already in use; set WEBHOOK_PORT to a free port`
          : e.code === "EACCES"
            ? `port ${opts.port} needs more rights; use a port above 1024`
            : `the server could not listen (${e.code ?? "unknown error"})`;
      reject(new Error(`The webhook server could not start: ${why}.`));
    };
    server.once("error", onError);
    server.listen(opts.port, opts.host, () => {
      server.off("error", onError);
      server.on("error", (e) => opts.onError?.(e));
      let closing: Promise<void> | undefined;
      resolve({
        port: (server.address() as AddressInfo).port,
        get lastUpdateAt() {
          return lastUpdateAt;
        },
        open() {
          const waiting = held ?? [];
          held = null;
          for (const u of waiting) opts.accept(u);
        },
        close() {
          closing ??= new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          });
          return closing;
        },
      });
    });
  });
}
