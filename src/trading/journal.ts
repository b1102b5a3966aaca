/**
 * The trade journal: one JSON line per event in trades-%DATE%.log (written through the JournalLogger
 * port), and a reader for those files (plain and .gz) so history can tell the bot's own orders from
 * orders placed elsewhere.
 */
import { besidePendingIo } from "../shared/async.js";
import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import { type Centis, type Micros, formatCount, formatDollars } from "../domain/money.js";
import { formatInZone } from "../domain/time.js";
import type { BookSide, Fill, OutcomeSide, TimeInForce } from "../exchange/port.js";
import type { Environment } from "../domain/environment.js";
import type { TradeAction } from "./types.js";

export const JOURNAL_EVENTS = [
  "order_submitted",
  "order_placed",
  "order_rejected",
  "order_unknown",
  "order_canceled",
  "fill",
  "error",
] as const;
export type JournalEventType = (typeof JOURNAL_EVENTS)[number];

/** What callers hand to record(): domain types, converted to strings on the way out. */
export type JournalEvent =
  | {
      type: "order_submitted";
      ticker: string;
      clientOrderId: string;
      outcome: OutcomeSide;
      action: TradeAction;
      kind: "market" | "limit";
      count: Centis;
      /** Price of `outcome` (the limit, or the worst price of a market order). */
      price: Micros;
      side: BookSide;
      yesPrice: Micros;
      timeInForce: TimeInForce;
      reduceOnly: boolean;
    }
  | {
      type: "order_placed";
      ticker: string;
      clientOrderId: string;
      orderId: string;
      status: string;
      filledCount: Centis;
      restingCount: Centis;
      averagePrice: Micros | null;
      fees: Micros;
    }
  | { type: "order_rejected"; ticker: string; clientOrderId: string; reason: string; code?: string }
  /**
   * The create failed in a way that leaves open whether the exchange took the order (timeout, 5xx
   * after the request went out) and a lookup by client order id found nothing yet. The order may
   * still show up later under this clientOrderId; it is then the bot's.
   */
  | { type: "order_unknown"; ticker: string; clientOrderId: string; reason: string; code?: string }
  | {
      type: "order_canceled";
      orderId: string;
      ticker?: string;
      clientOrderId?: string | null;
      canceledCount: Centis;
    }
  | {
      type: "fill";
      fillId: string;
      orderId: string;
      ticker: string;
      clientOrderId?: string | null;
      outcome: OutcomeSide;
      side: BookSide;
      count: Centis;
      yesPrice: Micros;
      fee: Micros;
      isTaker: boolean;
      /** Epoch ms of the fill at the exchange. */
      fillTime?: number;
    }
  | {
      type: "error";
      message: string;
      context?: string;
      ticker?: string;
      orderId?: string;
      clientOrderId?: string;
    };

/** One line as written (and read back). Amounts are decimal strings: dollars "0.5600", counts "10.00". */
export interface JournalEntry {
  type: JournalEventType;
  time: string;
  environment: Environment;
  ticker?: string;
  clientOrderId?: string;
  orderId?: string;
  fillId?: string;
  [key: string]: unknown;
}

export interface TradeJournal {
  /**
   * Records an event. With `soon`, its line is formatted and logged on the next turn of the event loop
   * (the order path: the logger's work, about a third of a bare signed POST, then runs while the order
   * POST is on the wire); what `recorded` knows is updated at once either way, and lines keep their order.
   */
  record(event: JournalEvent, opts?: { soon?: boolean }): void;
  /** Writes the lines still waiting (`soon`) now: before the logger closes. */
  flush(): void;
  /**
   * Order ids and client order ids this process has recorded (placed, submitted or unknown), and the
   * `order_unknown` client order ids not yet tied to an order id.
   */
  readonly recorded: {
    orderIds: ReadonlySet<string>;
    clientOrderIds: ReadonlySet<string>;
    unknownOrders: ReadonlyMap<string, UnknownOrder>;
  };
}

/** An `order_unknown` entry: the exchange may hold an order with this client order id. */
export interface UnknownOrder {
  clientOrderId: string;
  ticker: string;
  /** Epoch ms of the entry (the create was sent just before). */
  at: number;
}

/**
 * Where the journal's lines go (the logger port): one call per line, `message` the event type, the
 * entry's fields beside it. A winston logger fits; src/logging builds the daily file one.
 */
export interface JournalLogger {
  log(line: { level: "info" | "error"; message: string } & Record<string, unknown>): unknown;
}

export interface TradeJournalDeps {
  logger: JournalLogger;
  /** Also gets the `error` events (the app log), so a failure shows where the operator looks. */
  errorLogger?: JournalLogger;
  environment: Environment;
  timeZone: string;
  now?: () => number;
  /** How many fill ids to remember for dedupe (default 10,000). */
  fillMemory?: number;
}

const d = (m: Micros) => formatDollars(m);
const c = (n: Centis) => formatCount(n);

/** The journal event for an exchange fill (REST or WebSocket), e.g. from the alerts helper. */
export function fillEvent(fill: Fill, clientOrderId: string | null = null): JournalEvent {
  return {
    type: "fill",
    fillId: fill.fillId,
    orderId: fill.orderId,
    ticker: fill.ticker,
    clientOrderId,
    outcome: fill.outcomeSide,
    side: fill.bookSide,
    count: fill.count,
    yesPrice: fill.yesPrice,
    fee: fill.fee,
    isTaker: fill.isTaker,
    fillTime: fill.createdTime,
  };
}

function toFields(e: JournalEvent, timeZone: string): Record<string, unknown> {
  switch (e.type) {
    case "order_submitted":
      return {
        ticker: e.ticker,
        clientOrderId: e.clientOrderId,
        outcome: e.outcome,
        action: e.action,
        kind: e.kind,
        count: c(e.count),
        price: d(e.price),
        side: e.side,
        yesPrice: d(e.yesPrice),
        timeInForce: e.timeInForce,
        reduceOnly: e.reduceOnly,
      };
    case "order_placed":
      return {
        ticker: e.ticker,
        clientOrderId: e.clientOrderId,
        orderId: e.orderId,
        status: e.status,
        filledCount: c(e.filledCount),
        restingCount: c(e.restingCount),
        averagePrice: e.averagePrice === null ? null : d(e.averagePrice),
        fees: d(e.fees),
      };
    case "order_rejected":
    case "order_unknown":
      return { ticker: e.ticker, clientOrderId: e.clientOrderId, reason: e.reason, code: e.code ?? null };
    case "order_canceled":
      return {
        ticker: e.ticker ?? null,
        orderId: e.orderId,
        clientOrderId: e.clientOrderId ?? null,
        canceledCount: c(e.canceledCount),
      };
    case "fill":
      return {
        ticker: e.ticker,
        fillId: e.fillId,
        orderId: e.orderId,
        clientOrderId: e.clientOrderId ?? null,
        outcome: e.outcome,
        side: e.side,
        count: c(e.count),
        yesPrice: d(e.yesPrice),
        fee: d(e.fee),
        isTaker: e.isTaker,
        fillTime: e.fillTime === undefined ? null : formatInZone(e.fillTime, timeZone),
      };
    case "error":
      return {
        ticker: e.ticker ?? null,
        orderId: e.orderId ?? null,
        clientOrderId: e.clientOrderId ?? null,
        message: e.message,
        context: e.context ?? null,
      };
  }
}

export function createTradeJournal(deps: TradeJournalDeps): TradeJournal {
  const now = deps.now ?? Date.now;
  const maxFills = deps.fillMemory ?? 10_000;
  const seenFills = new Set<string>();
  const recorded: OrderMemory = {
    orderIds: new Set<string>(),
    clientOrderIds: new Set<string>(),
    unknownOrders: new Map<string, UnknownOrder>(),
  };
  /** Lines of `soon` records (and those after them), written on the next turn of the event loop. */
  const waiting: (() => void)[] = [];
  const flush = () => waiting.splice(0).forEach((w) => w());
  return {
    recorded,
    record(event, opts = {}) {
      if (event.type === "fill") {
        if (seenFills.has(event.fillId)) return;
        seenFills.add(event.fillId);
        if (seenFills.size > maxFills) {
          // Sets iterate in insertion order: drop the oldest.
          const oldest = seenFills.values().next().value;
          if (oldest !== undefined) seenFills.delete(oldest);
        }
      }
      const at = now();
      noteOrders(recorded, event, at);
      const writeLine = () => writeJournalLine(deps, event, at);
      // Lines keep their order: once one waits, the next ones queue behind it.
      if (opts.soon || waiting.length > 0) {
        if (waiting.push(writeLine) === 1) void besidePendingIo(flush);
      } else writeLine();
    },
    flush,
  };
}

/** What the journal knows of this run's orders (for history and unknown outcomes). */
interface OrderMemory {
  orderIds: Set<string>;
  clientOrderIds: Set<string>;
  unknownOrders: Map<string, UnknownOrder>;
}

function noteOrders(recorded: OrderMemory, event: JournalEvent, at: number): void {
  const { orderIds, clientOrderIds, unknownOrders } = recorded;
  if ("orderId" in event && typeof event.orderId === "string" && event.type !== "error")
    addNewest(orderIds, event.orderId);
  if (
    (event.type === "order_submitted" || event.type === "order_placed" || event.type === "order_unknown") &&
    typeof event.clientOrderId === "string"
  )
    addNewest(clientOrderIds, event.clientOrderId);
  if (event.type === "order_unknown") {
    unknownOrders.set(event.clientOrderId, { clientOrderId: event.clientOrderId, ticker: event.ticker, at });
  } else if ("orderId" in event && typeof event.orderId === "string" && event.clientOrderId) {
    // The order turned up (placed by a retry, a fill from the stream, a cancel): no longer unknown.
    unknownOrders.delete(event.clientOrderId);
  }
}

/**
 * Ids this run remembers, the newest ORDER_MEMORY: older ones are in the journal files, which
 * loadJournalIndex reads (the soak bench saw the sets grow by every fill's order id, without end).
 */
const ORDER_MEMORY = 10_000;

function addNewest(ids: Set<string>, id: string): void {
  ids.delete(id);
  ids.add(id);
  if (ids.size > ORDER_MEMORY) ids.delete(ids.values().next().value!);
}

/** One JSON line: the event's fields as strings, its time in the display zone. */
function writeJournalLine(deps: TradeJournalDeps, event: JournalEvent, at: number): void {
  const entry = {
    type: event.type,
    time: formatInZone(at, deps.timeZone),
    environment: deps.environment,
    ...toFields(event, deps.timeZone),
  };
  const level = event.type === "error" ? "error" : "info";
  deps.logger.log({ level, message: event.type, ...entry });
  if (event.type === "error" && deps.errorLogger)
    deps.errorLogger.log({ level, message: event.type, ...entry });
}

const JOURNAL_FILE = /^trades-.*\.log(?:\.gz)?$/;

async function journalFiles(logDir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(logDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  return names.filter((n) => JOURNAL_FILE.test(n)).sort();
}

/**
 * A key that changes whenever a journal file in `logDir` is added, removed or written: callers that cache
 * what they read from the journal re-read it only when the key changed.
 */
export async function journalFilesKey(logDir: string): Promise<string> {
  const names = await journalFiles(logDir);
  const stats = await Promise.all(
    names.map(async (n) => {
      try {
        const s = await stat(join(logDir, n));
        return `${n}:${s.size}:${s.mtimeMs}`;
      } catch {
        return `${n}:gone`;
      }
    }),
  );
  return stats.join("|");
}

async function* readLines(path: string): AsyncIterable<string> {
  const file = createReadStream(path);
  const input = path.endsWith(".gz") ? file.pipe(createGunzip()) : file;
  const rl = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const line of rl) yield line;
  } finally {
    rl.close();
    file.destroy();
  }
}

function isEntry(x: unknown): x is JournalEntry {
  return (
    typeof x === "object" &&
    x !== null &&
    typeof (x as { type?: unknown }).type === "string" &&
    (JOURNAL_EVENTS as readonly string[]).includes((x as { type: string }).type)
  );
}

/** Every journal entry in `logDir` (trades-*.log and trades-*.log.gz), oldest file first. Bad lines are skipped. */
export async function* readJournal(logDir: string): AsyncIterable<JournalEntry> {
  for (const name of await journalFiles(logDir)) {
    try {
      for await (const line of readLines(join(logDir, name))) {
        if (!line.trim()) continue;
        let parsed: unknown;
        try {
          parsed = JSON.parse(line);
        } catch {
          continue;
        }
        if (isEntry(parsed)) yield parsed;
      }
    } catch {
      // A truncated .gz (still being written by the rotator) ends the file, not the scan.
      continue;
    }
  }
}

export interface JournalIndex {
  orderIds: ReadonlySet<string>;
  clientOrderIds: ReadonlySet<string>;
  /**
   * `order_unknown` entries whose client order id no later entry tied to an order id: the exchange
   * may hold such an order (history looks them up once to count them as the bot's).
   */
  unknownOrders?: ReadonlyMap<string, UnknownOrder>;
}

/** Order ids and client order ids the bot placed, from the journal files. */
export async function loadJournalIndex(logDir: string): Promise<JournalIndex> {
  const orderIds = new Set<string>();
  const clientOrderIds = new Set<string>();
  const unknownOrders = new Map<string, UnknownOrder>();
  const resolved = new Set<string>();
  for await (const e of readJournal(logDir)) {
    if (
      e.type === "order_placed" ||
      e.type === "order_submitted" ||
      e.type === "fill" ||
      e.type === "order_canceled"
    ) {
      if (typeof e.orderId === "string") orderIds.add(e.orderId);
      if (typeof e.clientOrderId === "string") clientOrderIds.add(e.clientOrderId);
      if (typeof e.orderId === "string" && typeof e.clientOrderId === "string") resolved.add(e.clientOrderId);
    } else if (e.type === "order_unknown" && typeof e.clientOrderId === "string") {
      clientOrderIds.add(e.clientOrderId);
      const at = Date.parse(e.time);
      unknownOrders.set(e.clientOrderId, {
        clientOrderId: e.clientOrderId,
        ticker: typeof e.ticker === "string" ? e.ticker : "",
        at: Number.isFinite(at) ? at : 0,
      });
    }
  }
  for (const id of resolved) unknownOrders.delete(id);
  return { orderIds, clientOrderIds, unknownOrders };
}

/**
 * A cached index provider: re-reads the journal only when the files changed, and always includes what
 * this process recorded (the current file may not be flushed yet).
 */
export function journalIndexProvider(logDir: string, journal?: TradeJournal): () => Promise<JournalIndex> {
  let key = "";
  let cached: JournalIndex = { orderIds: new Set(), clientOrderIds: new Set(), unknownOrders: new Map() };
  return async () => {
    const k = await journalFilesKey(logDir);
    if (k !== key) {
      cached = await loadJournalIndex(logDir);
      key = k;
    }
    if (!journal) return cached;
    // A stale entry (the order turned up since) costs history one cached lookup, nothing else.
    const unknownOrders = new Map([...(cached.unknownOrders ?? []), ...journal.recorded.unknownOrders]);
    return {
      orderIds: new Set([...cached.orderIds, ...journal.recorded.orderIds]),
      clientOrderIds: new Set([...cached.clientOrderIds, ...journal.recorded.clientOrderIds]),
      unknownOrders,
    };
  };
}
