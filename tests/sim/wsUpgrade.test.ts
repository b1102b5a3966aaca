/**
 * A client that resets its connection while the sim answers a WebSocket handshake (a reconnect loop
 * giving up, a phone losing signal) must not crash the sim: Node leaves upgrade sockets without an
 * error listener, so an unhandled ECONNRESET would end the process (the alert-latency bench saw it).
 */
import net from "node:net";
import { afterEach, expect, it } from "vitest";
import { startSim, type SimServer } from "../../src/sim/server.js";
import { SimClient } from "../support/simClient.js";

let sim: SimServer | null = null;

afterEach(async () => {
  await sim?.close();
  sim = null;
});

/** Sends a WebSocket handshake to `path` and resets the connection at once (TCP RST). */
function resetHandshake(port: number, path: string): Promise<void> {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1", () => {
      s.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
          "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
      );
      s.resetAndDestroy();
    });
    s.on("close", () => resolve());
    s.on("error", () => undefined);
  });
}

it("handshakes reset by the client (wrong path, no signature) leave the sim up", async () => {
  sim = await startSim({ livingMarket: false, rateLimit: false });
  const errors: unknown[] = [];
  const onError = (e: unknown) => errors.push(e);
  process.on("uncaughtException", onError);
  try {
    const port = Number(new URL(sim.wsUrl).port);
    for (let i = 0; i < 50; i++) {
      await resetHandshake(port, "/no-socket-here"); // answered 404
      await resetHandshake(port, "/trade-api/ws/v2"); // answered 401 (unsigned)
    }
    // The sim still answers, and no socket error escaped.
    const status = await new SimClient(sim).get("/exchange/status");
    expect(status.status).toBe(200);
    expect(errors).toEqual([]);
  } finally {
    process.off("uncaughtException", onError);
  }
});
