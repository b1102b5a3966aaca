/**
 * Fault injection, so tests can reproduce what the live exchange does on a bad day: a 500, a 429,
 * a request that never answers ("hang"), an order accepted whose answer is lost
 * ("drop_after_accept"), and added latency. Set through `SimServer` or `POST /sim/faults`.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { sleep } from "../shared/async.js";
import { bad } from "./orderRequests.js";

export type FaultKind = "500" | "429" | "hang" | "drop_after_accept";

export interface Fault {
  /** Exact path or prefix; with or without the /trade-api/v2 prefix. */
  path: string;
  method?: string;
  kind: FaultKind;
  /** How many matching requests it affects. */
  count: number;
}

export const FAULT_KINDS: readonly FaultKind[] = ["500", "429", "hang", "drop_after_accept"];

export class FaultTable {
  faults: Fault[] = [];

  add(f: Fault): void {
    this.faults.push({ ...f, method: f.method?.toUpperCase() });
  }

  clear(): void {
    this.faults = [];
  }

  /** The first fault matching this request, consuming one use of it. */
  take(method: string, fullPath: string, apiPath: string): Fault | null {
    for (const f of this.faults) {
      if (f.count <= 0) continue;
      if (f.method && f.method !== method.toUpperCase()) continue;
      const p = f.path;
      const hit = [fullPath, apiPath].some((x) => x.startsWith(p));
      if (!hit) continue;
      f.count -= 1;
      this.faults = this.faults.filter((x) => x.count > 0);
      return f;
    }
    return null;
  }
}

/** A fault as a caller asks for it: `count` defaults to one request. */
export interface FaultRequest {
  path: string;
  method?: string;
  kind: FaultKind;
  count?: number;
}

/** The faults and latency in force, and the requests parked by a "hang". */
export class FaultInjector {
  readonly table = new FaultTable();
  latencyMs = 0;
  private readonly hung = new Set<ServerResponse>();

  /** Adds a fault after checking it, with a 400 a tester can read. */
  add(f: FaultRequest): void {
    if (typeof f.path !== "string" || !f.path.startsWith("/")) throw bad("path must start with /");
    if (!FAULT_KINDS.includes(f.kind)) throw bad(`kind must be one of ${FAULT_KINDS.join(", ")}`);
    const count = f.count ?? 1;
    if (!Number.isInteger(count) || count < 1) throw bad("count must be a positive integer");
    this.table.add({ path: f.path, method: f.method, kind: f.kind, count } as Fault);
  }

  /** Waits the configured latency (none by default). */
  async delay(): Promise<void> {
    if (this.latencyMs > 0) await sleep(this.latencyMs);
  }

  /** Never answers this request; `releaseHung` (on close) drops the connection. */
  hang(req: IncomingMessage, res: ServerResponse): void {
    this.hung.add(res);
    res.on("close", () => this.hung.delete(res));
    req.resume();
  }

  releaseHung(): void {
    for (const res of this.hung) res.socket?.destroy();
    this.hung.clear();
  }
}
