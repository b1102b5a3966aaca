/**
 * The real stack on 127.0.0.1 for bot scenario tests: the simulated exchange (startSim, port 0,
 * living market off) → the real KalshiClient (signed HTTP) → createTradingServices (tmp dirs) →
 * createBot, talking to LocalBotApi in process. Nothing reaches the internet.
 *
 * `exchangeCalls` counts every ExchangePort method call the services make (a wrapped client), so a
 * test can prove that a stranger or a group chat caused no request at all. With `countRequests`,
 * `requests` logs every REST request on the wire ("GET /portfolio/fills", one per page) through
 * the counting proxy of tests/support/simStack.ts.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import winston from "winston";
import { createBot } from "../../src/bot/createBot.js";
import type { AlertSettingsStore, BotDeps } from "../../src/bot/deps.js";
import type { AlertMode } from "../../src/domain/alertMode.js";
import { parseDollars } from "../../src/domain/money.js";
import { describeExchangeError } from "../../src/exchange/errors.js";
import { KalshiClient } from "../../src/exchange/kalshi/client.js";
import { loadPrivateKey } from "../../src/exchange/kalshi/signer.js";
import type { ExchangePort } from "../../src/exchange/port.js";
import { USER as SIM_USER, type SimOrder } from "../../src/sim/engine.js";
import { type SimOptions, type SimServer, startSim } from "../../src/sim/server.js";
import { createTradingServices } from "../../src/trading/index.js";
import { LocalBotApi } from "../support/fakeTelegram.js";
import { startCountingProxy } from "../support/simStack.js";

export const USER = 1001;
export const STRANGER = 2002;
export const GROUP_CHAT = -5005;
export const CONFIRM_TIMEOUT_MS = 60_000;

class MemoryAlertSettings implements AlertSettingsStore {
  readonly modes = new Map<number, AlertMode>();
  async get(chatId: number): Promise<AlertMode> {
    return this.modes.get(chatId) ?? "on";
  }
  async set(chatId: number, mode: AlertMode): Promise<void> {
    this.modes.set(chatId, mode);
  }
}

function memoryLogger() {
  const entries: Record<string, unknown>[] = [];
  const stream = new Writable({
    objectMode: true,
    write(info: Record<string, unknown>, _enc, cb) {
      entries.push(info);
      cb();
    },
  });
  const logger = winston.createLogger({
    level: "debug",
    transports: [new winston.transports.Stream({ stream })],
  });
  return { entries, logger };
}

/** Counts calls of every method of the port (a "wrapped client"). */
function countingPort(inner: ExchangePort, calls: string[]): ExchangePort {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== "function") return v;
      return (...args: unknown[]) => {
        calls.push(String(prop));
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

export interface SimStackOptions {
  sim?: SimOptions;
  deps?: Partial<BotDeps>;
  /** KalshiClient per-attempt timeout (ms). */
  clientTimeoutMs?: number;
  /** Log every REST request the client sends in `requests` (through a counting proxy). */
  countRequests?: boolean;
}

export async function makeSimStack(opts: SimStackOptions = {}) {
  const dir = await mkdtemp(join(tmpdir(), "bot-sim-"));
  const cleanups: (() => Promise<unknown>)[] = [() => rm(dir, { recursive: true, force: true })];
  const close = async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  };
  try {
    const sim: SimServer = await startSim({ livingMarket: false, rateLimit: false, ...opts.sim });
    cleanups.push(() => sim.close());
    const requests: string[] = [];
    const proxy = opts.countRequests ? await startCountingProxy(new URL(sim.baseUrl), requests) : null;
    if (proxy) cleanups.push(() => proxy.close());
    const client = await KalshiClient.create({
      baseUrl: proxy ? `${proxy.url}${new URL(sim.baseUrl).pathname}` : sim.baseUrl,
      keyId: sim.keyId,
      privateKey: loadPrivateKey(sim.privateKeyPem),
      rateLimit: false,
      retry: { baseDelayMs: 1, maxDelayMs: 5 },
      timeoutMs: opts.clientTimeoutMs ?? 3000,
    });
    cleanups.push(() => client.close());
    const exchangeCalls: string[] = [];
    /** The services' and the bot's clock: real time plus a shift a test can add to. */
    const clock = { offsetMs: 0, now: () => Date.now() + clock.offsetMs };
    const services = createTradingServices({
      exchange: countingPort(client, exchangeCalls),
      config: {
        maxOrderContracts: 100,
        maxOrderCost: parseDollars("100"),
        confirmTimeoutMs: CONFIRM_TIMEOUT_MS,
        marketOrderSlippage: parseDollars("0.02"),
      },
      environment: "sim",
      timeZone: "America/New_York",
      logDir: join(dir, "logs"),
      dataDir: join(dir, "data"),
      now: clock.now,
    });
    cleanups.push(() => services.close());

    const api = new LocalBotApi();
    cleanups.push(() => api.close());
    const logs = memoryLogger();
    const bot = createBot({
      token: api.token,
      services,
      alertSettings: new MemoryAlertSettings(),
      config: {
        allowedUserIds: [USER],
        envTag: "SIM",
        confirmTimeoutMs: CONFIRM_TIMEOUT_MS,
        timeZone: "America/New_York",
      },
      logger: logs.logger,
      now: clock.now,
      botConfig: { botInfo: api.botInfo, client: { fetch: api.clientFetch } },
      describeError: (e) => describeExchangeError(e, "sim"),
      autoRetry: { maxDelaySeconds: 1 },
      ...opts.deps,
    });
    api.setHandler((u) => bot.handleUpdate(u));

    const userOrders = (): SimOrder[] =>
      Object.values(sim.engine.state.orders).filter((o) => o.accountId === SIM_USER);
    /** The user's signed position in a market (+YES / −NO), in centi-contracts. */
    const position = (ticker: string): number => sim.engine.position(SIM_USER, ticker).position;
    /** An open market of the fixtures, by series and ticker suffix (tickers carry dates). */
    const market = (series: string, suffix: string): string => {
      const m = sim.engine
        .markets()
        .find((x) => x.seriesTicker === series && x.status === "active" && x.ticker.endsWith(suffix));
      if (!m) throw new Error(`no active ${series} market ending in ${suffix}`);
      return m.ticker;
    };

    return {
      sim,
      client,
      services,
      api,
      bot,
      clock,
      dir,
      exchangeCalls,
      requests,
      logs: logs.entries,
      userOrders,
      position,
      market,
      /** The user types in their private chat. */
      say: (text: string) => api.sendText(USER, USER, text),
      tap: (label: string | RegExp) => api.tapButton(USER, USER, label),
      last: () => api.lastBotMessage(USER)!,
      texts: () => api.botMessages(USER).map((m) => m.text),
      buttons: () => (api.lastBotMessage(USER)?.replyMarkup?.inline_keyboard ?? []).flat().map((b) => b.text),
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

export type SimStack = Awaited<ReturnType<typeof makeSimStack>>;
