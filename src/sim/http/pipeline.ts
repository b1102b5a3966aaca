/**
 * One REST request's way through the sim, in Kalshi's order: control paths (loopback only), the
 * API prefix, injected latency and faults, the route (404/405), the signature (401), the token
 * bucket (429), then the handler; errors become Kalshi's error shape, anything unexpected a bare
 * 500 without internals. The order matters: for example, a refused signature costs no tokens.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type winston from "winston";
import { type Authenticate, type WallClock, wallNow } from "../auth.js";
import type { ControlHandlerFn } from "../control.js";
import { type SimEngine, SimError } from "../engine.js";
import type { Fault, FaultInjector } from "../faults.js";
import type { TokenBucket } from "../support.js";
import { REST_PREFIX, errorBody, parseJson, readBody, send, tooMany } from "./message.js";
import type { Route, Router } from "./router.js";

export interface PipelineDeps {
  engine: SimEngine;
  logger: winston.Logger;
  router: Router;
  authenticate: Authenticate;
  /** What the `Date` header of every answer says (Kalshi's does; a client can see its own clock is off). */
  wallClock: WallClock;
  /** The read and write token buckets; null when rate limiting is off. */
  buckets: { read: TokenBucket; write: TokenBucket } | null;
  faults: FaultInjector;
  control: ControlHandlerFn;
  flush: () => void;
  isClosed: () => boolean;
}

function isLoopback(addr: string | undefined): boolean {
  return addr === "127.0.0.1" || addr === "::1" || addr === "::ffff:127.0.0.1";
}

/** Answers an error: Kalshi's shape for a SimError, a logged bare 500 for anything else. */
function sendError(d: PipelineDeps, res: ServerResponse, e: unknown, method: string, path: string): void {
  if (e instanceof SimError) {
    send(res, { status: e.status, body: errorBody(e) });
    return;
  }
  d.logger.error("sim: request failed", { method, path, error: e instanceof Error ? e.message : String(e) });
  send(res, {
    status: 500,
    body: { error: { code: "internal_server_error", message: "internal server error" } },
  });
}

/** Applies a fault that acts before routing; true when the request is answered (or parked) here. */
function preRouteFault(
  d: PipelineDeps,
  fault: Fault | null,
  req: IncomingMessage,
  res: ServerResponse,
): boolean {
  if (fault?.kind === "500") {
    throw new SimError(500, "internal_server_error", "internal server error", "injected fault");
  }
  if (fault?.kind === "429") {
    send(res, tooMany);
    return true;
  }
  if (fault?.kind === "hang") {
    d.faults.hang(req, res);
    return true;
  }
  return false;
}

/** Signature, tokens, then the handler; sends the reply unless a drop_after_accept loses it. */
async function runRoute(
  d: PipelineDeps,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  match: { route: Route; rawParams: string[] },
  fault: Fault | null,
): Promise<void> {
  const { route, rawParams } = match;
  const method = (req.method ?? "GET").toUpperCase();
  let bodyText: string | null = null;
  const getBodyText = async (): Promise<string> => (bodyText ??= await readBody(req));
  if (route.auth) d.authenticate(req, method, url.pathname);
  if (d.buckets) {
    const cost = typeof route.cost === "number" ? route.cost : route.cost({ bodyText: await getBodyText() });
    if (!(route.bucket === "write" ? d.buckets.write : d.buckets.read).take(cost)) {
      send(res, tooMany);
      return;
    }
  }
  d.engine.checkSchedule();
  const reply = await route.handler({
    q: url.searchParams,
    params: rawParams.map((p) => decodeURIComponent(p)),
    body: async () => parseJson(await getBodyText()),
  });
  if (fault?.kind === "drop_after_accept") {
    d.flush();
    req.socket.destroy();
    return;
  }
  send(res, reply);
}

export function createRequestHandler(
  d: PipelineDeps,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const path = url.pathname;
    let fault: Fault | null = null;
    res.setHeader("Date", new Date(wallNow(d.wallClock)).toUTCString());
    try {
      if (path === "/sim" || path.startsWith("/sim/")) {
        if (!isLoopback(req.socket.remoteAddress))
          throw new SimError(403, "forbidden", "control endpoints are loopback only");
        send(res, await d.control(method, path, req));
        return;
      }
      if (!path.startsWith(REST_PREFIX + "/")) throw new SimError(404, "not_found", "not found");
      const apiPath = path.slice(REST_PREFIX.length);
      if (d.faults.latencyMs > 0) await d.faults.delay();
      if (d.isClosed()) return;
      fault = d.faults.table.take(method, path, apiPath);
      if (preRouteFault(d, fault, req, res)) return;
      await runRoute(d, req, res, url, d.router.match(method, apiPath), fault);
    } catch (e) {
      if (fault?.kind === "drop_after_accept") {
        // Processed (here: refused), and the answer is lost all the same.
        req.socket.destroy();
        return;
      }
      sendError(d, res, e, method, path);
    }
  };
}
