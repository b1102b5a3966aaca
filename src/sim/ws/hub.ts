/**
 * The sim's WebSocket endpoint: signed upgrades on Kalshi's path (401/404 otherwise), one session
 * per connection, heartbeat pings, and the feeds from the engine. `drop()` lets tests cut every
 * connection the way a network blip does.
 */
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type RawData } from "ws";
import type { Authenticate } from "../auth.js";
import { type SimEngine, SimError } from "../engine.js";
import { type Json, WS_PATH, errorBody } from "../http/message.js";
import { handleCommand } from "./commands.js";
import { feedEngineEvents } from "./feeds.js";
import { feedLifecycleEvents } from "./lifecycle.js";
import type { Session } from "./session.js";

export interface WsHub {
  /** Terminates every connection; returns how many there were. */
  drop(): number;
  close(): Promise<void>;
}

function rejectUpgrade(socket: Duplex, status: number, body: Json): void {
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${status === 401 ? "Unauthorized" : "Not Found"}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
}

export function attachWebSockets(
  server: Server,
  engine: SimEngine,
  authenticate: Authenticate,
  pingIntervalMs: number,
): WsHub {
  const wss = new WebSocketServer({ noServer: true });
  const sessions = new Set<Session>();
  feedEngineEvents(engine, sessions);
  feedLifecycleEvents(engine, sessions);

  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node leaves an upgrade socket without an error listener: a client that resets it while the
    // answer is written (ECONNRESET) would otherwise crash the process.
    socket.on("error", () => socket.destroy());
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname !== WS_PATH)
      return rejectUpgrade(socket, 404, errorBody(new SimError(404, "not_found", "not found")));
    try {
      authenticate(req, "GET", url.pathname);
    } catch (e) {
      return rejectUpgrade(socket, 401, errorBody(e as SimError));
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const s: Session = { ws, subs: new Map(), nextSid: 1 };
      sessions.add(s);
      ws.on("message", (data: RawData) => handleCommand(engine, s, data.toString()));
      ws.on("close", () => sessions.delete(s));
      ws.on("error", () => sessions.delete(s));
    });
  });
  const pingTimer = setInterval(() => {
    for (const s of sessions) if (s.ws.readyState === s.ws.OPEN) s.ws.ping("heartbeat");
  }, pingIntervalMs);
  pingTimer.unref();

  return {
    drop: () => {
      const n = sessions.size;
      for (const s of sessions) s.ws.terminate();
      return n;
    },
    close: async () => {
      clearInterval(pingTimer);
      for (const s of sessions) s.ws.terminate();
      sessions.clear();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
