/**
 * What the bot tests trade on: the real trading services (createTradingServices, as src/app.ts
 * composes them) over the in-process exchange double (tests/support/simExchange.ts), so a bot test
 * checks the bot against the executor's, portfolio's, history's and export's own rules. Every service
 * call is recorded (`calls`, `callsTo`) and can be made to fail (`failing`, `placeError`): those are
 * the only fakes here.
 */
import { join } from "node:path";
import winston from "winston";
import { Writable } from "node:stream";
import {
  type Centis,
  type Micros,
  ONE_DOLLAR,
  complementPrice,
  contracts,
  micros,
  parseDollars,
} from "../../src/domain/money.js";
import type { Order } from "../../src/exchange/port.js";
import { UserError } from "../../src/trading/types.js";
import type { BotServices } from "../../src/bot/deps.js";
import { USER as SIM_USER } from "../../src/sim/engine.js";
import { createExportService } from "../../src/trading/export.js";
import { type ExecutorConfig, type TradingServices, createTradingServices } from "../../src/trading/index.js";
import type { HistoryRow } from "../../src/trading/types.js";
import { SimExchange } from "../support/simExchange.js";

export const c = (n: number) => contracts(n);
export const usd = (s: string): Micros => parseDollars(s);

export interface WorldMarket {
  ticker: string;
  title: string;
  yesSubTitle?: string;
  yesBid: Micros | null;
  yesAsk: Micros | null;
  status?: "active" | "closed" | "finalized";
}

export interface ServiceCall {
  service: string;
  method: string;
  args: unknown[];
}

/** Deep enough that no bot test's order walks the book. */
const DEPTH = 10_000;

export class SimWorld {
  readonly exchange: SimExchange;
  readonly calls: ServiceCall[] = [];
  /** Makes every call of a method throw (e.g. "portfolio.view"). */
  readonly failing = new Map<string, unknown>();
  /**
   * The next Confirm meets this failure. An exchange error is injected into the exchange's next
   * create, before it acts (the real executor then decides what the user is told); a UserError
   * stands for the executor's own refusal and comes back as its `rejected` outcome.
   */
  placeError: unknown = null;
  readonly services: BotServices & Pick<TradingServices, "close">;
  readonly exportDir: string;
  private readonly rebuildExporter: (maxBytes: number) => BotServices["exporter"];
  /** The export service behind `services.exporter` (replaced by maxExportBytes). */
  private exporterImpl: BotServices["exporter"];

  constructor(
    readonly clock: { now: () => number },
    dataDir: string,
    opts: { maxExportBytes?: number; limits?: Partial<ExecutorConfig> } = {},
  ) {
    this.exchange = new SimExchange({ now: clock.now, balance: "100" });
    this.exportDir = join(dataDir, "exports");
    const real = createTradingServices({
      exchange: this.exchange,
      config: {
        maxOrderContracts: 1000,
        maxOrderCost: micros(1000 * ONE_DOLLAR),
        confirmTimeoutMs: 60_000,
        marketOrderSlippage: micros(20_000),
        ...opts.limits,
      },
      environment: "sim",
      timeZone: "America/New_York",
      logDir: join(dataDir, "logs"),
      dataDir,
      journalLogger: winston.createLogger({
        transports: [
          new winston.transports.Stream({ stream: new Writable({ write: (_c, _e, cb) => cb() }) }),
        ],
      }),
      now: clock.now,
      ...(opts.maxExportBytes ? { maxExportBytes: opts.maxExportBytes } : {}),
    });
    this.exporterImpl = real.exporter;
    this.rebuildExporter = (maxBytes) =>
      createExportService({
        history: real.history,
        dataDir,
        timeZone: "America/New_York",
        environment: "sim",
        now: clock.now,
        maxBytes,
      });
    this.services = {
      executor: this.recorded("executor", real.executor),
      orderChanges: this.recorded("orderChanges", real.orderChanges),
      markets: this.recorded("markets", real.markets),
      portfolio: this.recorded("portfolio", real.portfolio),
      account: this.recorded("account", real.account),
      history: this.recorded("history", real.history),
      pnl: this.recorded("pnl", real.pnl),
      exporter: this.recorded("exporter", {
        exportCsv: (fromMs: number, toMs: number) => this.exporterImpl.exportCsv(fromMs, toMs),
      }),
      close: () => real.close(),
    };
  }

  /** Later exports are split into files of at most this many bytes. */
  set maxExportBytes(n: number) {
    this.exporterImpl = this.rebuildExporter(n);
  }

  get executor() {
    return this.services.executor;
  }

  /** The service's methods, each recorded and subject to `failing` (and `placeError`). */
  private recorded<T extends object>(service: string, impl: T): T {
    const out = {} as Record<string, unknown>;
    for (const [method, fn] of Object.entries(impl)) {
      if (typeof fn !== "function") continue;
      out[method] = async (...args: unknown[]) => {
        this.calls.push({ service, method, args });
        const f = this.failing.get(`${service}.${method}`);
        if (f !== undefined) throw f;
        if (service === "executor" && method === "place" && this.placeError !== null) {
          const e = this.placeError;
          this.placeError = null;
          if (e instanceof UserError) return { kind: "rejected", code: e.code, cause: e };
          this.exchange.failNext("createOrder", e as Error);
        }
        return (fn as (...a: unknown[]) => unknown).apply(impl, args);
      };
    }
    return out as T;
  }

  callsTo(service: string, method?: string): ServiceCall[] {
    return this.calls.filter((x) => x.service === service && (!method || x.method === method));
  }

  /** A market with a deep book at these best prices. */
  addMarket(m: WorldMarket): void {
    this.exchange.addMarket({
      ticker: m.ticker,
      title: m.title,
      yesSubTitle: m.yesSubTitle ?? "",
      closeTime: this.clock.now() + 86_400_000,
    });
    this.setPrices(m.ticker, m.yesBid, m.yesAsk);
    if (m.status && m.status !== "active") this.exchange.markets.get(m.ticker)!.status = m.status;
  }

  /** Replaces the market's book: a deep YES bid at `yesBid`, a deep NO bid at $1 − `yesAsk`. */
  setPrices(ticker: string, yesBid: Micros | null, yesAsk: Micros | null): void {
    this.exchange.setBook(ticker, {
      yes: yesBid === null ? [] : [[yesBid, DEPTH]],
      no: yesAsk === null ? [] : [[complementPrice(yesAsk), DEPTH]],
    });
  }

  get balance(): Micros {
    return this.exchange.balance;
  }

  set balance(v: Micros) {
    this.exchange.setBalance(v);
  }

  /** Cash per exchange shard (the account's total is their sum). */
  setShards(byShard: Record<number, Micros>): void {
    const u = this.exchange.engine.account(SIM_USER);
    u.shardBalances = { ...byShard };
    u.balance = micros(Object.values(byShard).reduce((a, b) => a + b, 0));
  }

  set regionExpiration(v: number | null) {
    this.exchange.regionExpiration = v;
  }

  /** Open (non-zero) positions by ticker. */
  get positions(): Map<string, unknown> {
    return new Map([...this.exchange.positions].filter(([, p]) => p.position !== 0));
  }

  /** Orders on the exchange, oldest first. */
  get createdOrders(): Order[] {
    return this.exchange.orders;
  }

  /** A resting order placed elsewhere (the website), without or with a client_order_id; its id. */
  restElsewhere(o: {
    side: "bid" | "ask";
    yesPrice: Micros;
    count: Centis;
    clientOrderId: string | null;
    ticker: string;
  }): string {
    const r = this.exchange.engine.placeOrder(SIM_USER, {
      ticker: o.ticker,
      side: o.side,
      price: o.yesPrice,
      count: o.count,
      tif: "good_till_canceled",
      ...(o.clientOrderId ? { clientOrderId: o.clientOrderId } : {}),
    });
    return r.order.orderId;
  }

  /** A fill that happened some time ago, placed elsewhere (for /history and /export). */
  addPastFill(row: Partial<HistoryRow> & { time: number; ticker: string }): void {
    const outcome = row.outcome ?? "yes";
    const price = row.price ?? micros(500_000);
    const yesPrice = outcome === "yes" ? price : complementPrice(price);
    const buy = (row.action ?? "buy") === "buy";
    this.exchange.addFill({
      ticker: row.ticker,
      side: (outcome === "yes") === buy ? "bid" : "ask",
      yesPrice,
      count: ((row.count ?? contracts(1)) / 100).toString(),
      fee: row.fee ?? micros(20_000),
      time: row.time,
      ...(row.orderId ? { orderId: row.orderId } : {}),
    });
  }
}
