/**
 * Application configuration: read once at start-up from the environment (and a `.env` file), checked
 * completely, and handed to the rest of the app as a typed, immutable object.
 *
 * Every problem is collected before anything is thrown, so the person setting the bot up sees the
 * whole list at once. Messages name the key and say how to fix it; they never contain the bot token,
 * the Kalshi key id or the private key contents.
 */
import type { KeyObject } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { config as dotenvConfig } from "dotenv";
import { z } from "zod";
import { displayUsd, parseDollars, MICROS_PER_DOLLAR, type Micros } from "./domain/money.js";
import { isValidTimeZone } from "./domain/time.js";
import { envTagOf, type Environment, type EnvTag } from "./domain/environment.js";
import { redactString } from "./logging/redact.js";
import { loadPrivateKey, PrivateKeyError } from "./exchange/kalshi/signer.js";
import { PIN_KEYS, type PinConfig, readPinConfig } from "./configPin.js";

export type LogLevel = "error" | "warn" | "info" | "debug";

export interface AppConfig {
  environment: Environment;
  /** Short tag shown on every chat message and log line: SIM, DEMO or LIVE. */
  envTag: EnvTag;
  telegram: {
    /** Missing is allowed so `npm run chat` works; the bot calls requireTelegramToken(). */
    token?: string;
    allowedUserIds: number[];
    /** Custom Bot API server, without a trailing slash. */
    apiRoot?: string;
    /** How long start-up keeps trying to reach Telegram before it gives up (default 120 s). */
    connectTimeoutSeconds?: number;
    /** Webhook mode (TELEGRAM_WEBHOOK_URL set); undefined: long polling, the default. */
    webhook?: WebhookConfig;
  };
  kalshi: {
    /** REST base including /trade-api/v2, no trailing slash. Undefined in sim: start the sim in-process. */
    baseUrl?: string;
    wsUrl?: string;
    keyId?: string;
    privateKey?: KeyObject;
    /** Absolute path of the PEM file the key was read from. */
    privateKeyPath?: string;
  };
  logLevel: LogLevel;
  /** Absolute paths. */
  logDir: string;
  dataDir: string;
  /** Canonical IANA name, e.g. "America/New_York". */
  displayTimezone: string;
  risk: {
    maxOrderContracts: number;
    maxOrderCost: Micros;
    confirmTimeoutMs: number;
    marketOrderSlippage: Micros;
  };
  /** Port of the health endpoint; undefined when disabled. */
  healthPort?: number;
  /** Lifecycle notices and the daily digest (absent: the defaults, 60 minutes and 21:00). */
  notices?: { closeNoticeMinutes: number; digestTime: { hour: number; minute: number } | null };
  sim: { port: number; startingBalance: Micros; catalog: "fixtures" | "live" };
  /** TRADE_PIN and its limits (src/configPin.ts); absent when no PIN is set. */
  pin?: PinConfig;
}

export interface WebhookConfig {
  /** The public https URL Telegram posts updates to (setWebhook). */
  url: string;
  /** Where the bot's own http server listens (a reverse proxy forwards to it). */
  port: number;
  host: string;
  /** TELEGRAM_WEBHOOK_SECRET; undefined: a random one is made at each start. */
  secret?: string;
}

export class ConfigurationError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    const head =
      problems.length === 1
        ? "The configuration has a problem:"
        : `The configuration has ${problems.length} problems:`;
    super(`${head}\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigurationError";
    this.problems = problems;
  }
}

const DEFAULT_URLS: Record<"demo" | "production", { baseUrl: string; wsUrl: string }> = {
  production: {
    baseUrl: "https://external-api.kalshi.com/trade-api/v2",
    wsUrl: "wss://external-api-ws.kalshi.com/trade-api/ws/v2",
  },
  demo: {
    baseUrl: "https://external-api.demo.kalshi.co/trade-api/v2",
    wsUrl: "wss://external-api-ws.demo.kalshi.co/trade-api/ws/v2",
  },
};

/** Every environment variable loadConfig reads (documented in .env.example and docs/config.md). */
export const CONFIG_KEYS = [
  "TELEGRAM_BOT_TOKEN",
  "TELEGRAM_ALLOWED_USER_IDS",
  "TELEGRAM_API_ROOT",
  "TELEGRAM_CONNECT_TIMEOUT_SECONDS",
  "TELEGRAM_WEBHOOK_URL",
  "TELEGRAM_WEBHOOK_SECRET",
  "WEBHOOK_PORT",
  "WEBHOOK_HOST",
  "KALSHI_ENVIRONMENT",
  "KALSHI_API_KEY",
  "KALSHI_PRIVATE_KEY_PATH",
  "KALSHI_API_SECRET",
  "KALSHI_API_BASE_URL",
  "KALSHI_WS_URL",
  "MAX_ORDER_CONTRACTS",
  "MAX_ORDER_COST_DOLLARS",
  "CONFIRM_TIMEOUT_SECONDS",
  "MARKET_ORDER_SLIPPAGE_DOLLARS",
  "LOG_LEVEL",
  "LOG_DIR",
  "DATA_DIR",
  "DISPLAY_TIMEZONE",
  "HEALTH_PORT",
  "SIM_PORT",
  "SIM_STARTING_BALANCE_DOLLARS",
  "SIM_CATALOG",
  ...PIN_KEYS,
  "CLOSE_NOTICE_MINUTES",
  "DIGEST_TIME",
] as const;
export type ConfigKey = (typeof CONFIG_KEYS)[number];

/**
 * Loads `.env` from `cwd` (default process.cwd()) into `process.env` without overriding variables
 * that are already set. A missing file is fine. Returns the path that was loaded, if any.
 */
export function loadDotenv(opts: { cwd?: string; path?: string } = {}): string | undefined {
  const file = opts.path ?? path.join(opts.cwd ?? process.cwd(), ".env");
  const result = dotenvConfig({ path: file, override: false, quiet: true });
  return result.error ? undefined : file;
}

// ---------------------------------------------------------------------------------------------
// Value schemas. Each takes the trimmed string (never empty) and reports problems without echoing
// anything secret.

type Issue = { message: string };

function fail(
  ctx: { addIssue: (i: { code: "custom"; message: string; input: unknown }) => void },
  m: string,
) {
  ctx.addIssue({ code: "custom", message: m, input: undefined });
  return z.NEVER;
}

const environmentSchema = z.string().transform((s, ctx): Environment => {
  const v = s.toLowerCase();
  if (v === "sim" || v === "demo" || v === "production") return v;
  if (v === "sandbox") return "demo";
  return fail(ctx, `'${s}' is not one of sim, demo, production (use sim to practise without Kalshi)`);
});

const logLevelSchema = z.string().transform((s, ctx): LogLevel => {
  const v = s.toLowerCase();
  if (v === "error" || v === "warn" || v === "info" || v === "debug") return v;
  return fail(ctx, `'${s}' is not one of error, warn, info, debug`);
});

function intSchema(min: number, max: number, hint = "") {
  return z.string().transform((s, ctx): number => {
    if (!/^\d+$/.test(s)) return fail(ctx, `'${s}' is not a whole number${hint}`);
    const n = Number(s);
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      return fail(ctx, `${s} is out of range; use a whole number from ${min} to ${max}${hint}`);
    }
    return n;
  });
}

/** "21:00" (24-hour, in DISPLAY_TIMEZONE), or "off". */
const digestTimeSchema = z.string().transform((s, ctx): { hour: number; minute: number } | null => {
  if (s.toLowerCase() === "off") return null;
  const m = /^(\d{1,2}):(\d{2})$/.exec(s);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) {
    return fail(
      ctx,
      `'${s}' is not a time of day; write it like 21:00 (24-hour, in DISPLAY_TIMEZONE), or off`,
    );
  }
  return { hour: Number(m[1]), minute: Number(m[2]) };
});

function dollarsSchema(check: (m: Micros) => string | null) {
  return z.string().transform((s, ctx): Micros => {
    const cleaned = s.replace(/^\$/, "").replace(/,/g, "");
    let m: Micros;
    try {
      m = parseDollars(cleaned);
    } catch {
      return fail(ctx, `'${s}' is not a dollar amount (write it like 100 or 0.05)`);
    }
    const problem = check(m);
    return problem ? fail(ctx, problem) : m;
  });
}

function urlSchema(schemes: string[], what: string) {
  return z.string().transform((s, ctx): string => {
    let u: URL;
    try {
      u = new URL(s);
    } catch {
      return fail(
        ctx,
        `'${safeUrl(s)}' is not a URL (expected ${what} starting with ${schemes.join(" or ")}//)`,
      );
    }
    if (!schemes.includes(u.protocol)) {
      return fail(ctx, `'${safeUrl(s)}' must start with ${schemes.join(" or ")}// (${what})`);
    }
    if (u.search || u.hash) return fail(ctx, `'${safeUrl(s)}' must not have a query string or #fragment`);
    return s.replace(/\/+$/, "");
  });
}

/** A URL for messages and logs: user:password stripped, never anything else secret-looking. */
function safeUrl(s: string): string {
  try {
    const u = new URL(s);
    if (u.username || u.password) {
      u.username = "";
      u.password = "";
    }
    return u.toString().replace(/\/bot\d+:[^/]*/g, "/bot[REDACTED]");
  } catch {
    return s.replace(/\/\/[^/@]*@/, "//").replace(/\/bot\d+:[^/]*/g, "/bot[REDACTED]");
  }
}

const USER_ID_HINT = "message @userinfobot in Telegram to learn yours";

const userIdsSchema = z.string().transform((s, ctx): number[] => {
  const parts = s.split(/[\s,;]+/).filter((p) => p.length > 0);
  const ids: number[] = [];
  let bad = false;
  for (const p of parts) {
    const n = Number(p);
    if (!/^\d+$/.test(p) || !Number.isSafeInteger(n) || n === 0) {
      ctx.addIssue({
        code: "custom",
        message: `'${p}' is not a numeric user id (${USER_ID_HINT})`,
        input: undefined,
      });
      bad = true;
    } else if (!ids.includes(n)) {
      ids.push(n);
    }
  }
  if (bad) return z.NEVER;
  if (ids.length === 0) return fail(ctx, emptyUserIdsMessage());
  return ids;
});

function emptyUserIdsMessage(): string {
  return `is empty, so nobody could use the bot and it refuses to start; list the numeric Telegram user ids allowed to trade, separated by commas (${USER_ID_HINT})`;
}

const botTokenSchema = z.string().transform((s, ctx): string => {
  // Shape only; the value is never echoed.
  if (!/^\d+:[A-Za-z0-9_-]+$/.test(s)) {
    return fail(
      ctx,
      "does not look like a bot token (expected digits, a colon, then letters and digits, exactly as @BotFather gave it, without quotes or spaces)",
    );
  }
  return s;
});

const keyIdSchema = z.string().transform((s, ctx): string => {
  if (/-----BEGIN/.test(s)) {
    return fail(
      ctx,
      "holds private key contents; it should hold the key id Kalshi shows next to the key, and the key file's path goes in KALSHI_PRIVATE_KEY_PATH",
    );
  }
  if (/[\\/]/.test(s) || /\.(pem|key|txt)$/i.test(s)) {
    return fail(
      ctx,
      "looks like a file path; it should hold the key id Kalshi shows next to the key, and the key file's path goes in KALSHI_PRIVATE_KEY_PATH",
    );
  }
  if (/\s/.test(s)) return fail(ctx, "contains spaces; copy the key id again exactly as Kalshi shows it");
  return s;
});

function parseWith<T>(
  problems: string[],
  key: string,
  raw: string | undefined,
  schema: z.ZodType<T, string>,
): T | undefined {
  if (raw === undefined) return undefined;
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  for (const issue of r.error.issues as Issue[]) problems.push(`${key}: ${issue.message}`);
  return undefined;
}

/** Telegram's rule for secret_token: 1-256 characters A-Z, a-z, 0-9, _ and -. */
const webhookSecretSchema = z.string().transform((s, ctx): string => {
  if (!/^[A-Za-z0-9_-]{1,256}$/.test(s)) {
    return fail(
      ctx,
      "may hold only letters, digits, _ and - (1 to 256 of them); leave it empty to get a random one at each start",
    );
  }
  return s;
});

/** Webhook settings: only with TELEGRAM_WEBHOOK_URL (https, as Telegram requires); else long polling. */
function parseWebhook(
  problems: string[],
  get: (k: ConfigKey) => string | undefined,
): WebhookConfig | undefined {
  const url = parseWith(
    problems,
    "TELEGRAM_WEBHOOK_URL",
    get("TELEGRAM_WEBHOOK_URL"),
    urlSchema(["https:"], "the public address Telegram sends updates to; Telegram accepts only https"),
  );
  const port = parseWith(
    problems,
    "WEBHOOK_PORT",
    get("WEBHOOK_PORT"),
    intSchema(0, 65535, " (the local port your reverse proxy forwards the webhook to; 0 picks a free one)"),
  );
  const secret = parseWith(
    problems,
    "TELEGRAM_WEBHOOK_SECRET",
    get("TELEGRAM_WEBHOOK_SECRET"),
    webhookSecretSchema,
  );
  if (url === undefined) {
    if (get("TELEGRAM_WEBHOOK_URL") === undefined && (port !== undefined || secret !== undefined)) {
      problems.push(
        "TELEGRAM_WEBHOOK_URL: missing, but WEBHOOK_PORT or TELEGRAM_WEBHOOK_SECRET is set; set the public https address for webhook mode, or remove those settings to use long polling",
      );
    }
    return undefined;
  }
  return {
    url,
    port: port ?? 8787,
    host: get("WEBHOOK_HOST") ?? "127.0.0.1",
    ...(secret !== undefined ? { secret } : {}),
  };
}

// ---------------------------------------------------------------------------------------------

function resolveUserPath(p: string, cwd: string): string {
  if (p === "~") return homedir();
  if (p.startsWith("~/")) return path.join(homedir(), p.slice(2));
  return path.resolve(cwd, p);
}

const KEY_HELP =
  "create one on Kalshi under Account → API keys (the demo site demo.kalshi.co has its own keys, separate from production)";

/** Reads and parses the PEM private key. Returns a problem sentence (without the key name) on failure. */
function readPrivateKeyFile(shown: string, abs: string): KeyObject | string {
  const where = shown === abs ? shown : `${shown} (${abs})`;
  let text: string;
  try {
    const st = statSync(abs);
    if (st.isDirectory()) return `${where} is a folder, not a key file`;
    if (st.size > 64 * 1024) return `${where} is too large to be a PEM private key`;
    text = readFileSync(abs, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return `no file at ${where}`;
    if (code === "EACCES" || code === "EPERM") return `cannot read ${where} (permission denied)`;
    return `cannot read ${where}${code ? ` (${code})` : ""}`;
  }
  try {
    return loadPrivateKey(text);
  } catch (e) {
    if (e instanceof PrivateKeyError) return `${where} ${e.problem}`;
    throw e;
  }
}

/**
 * Reads and checks the whole configuration. Throws ConfigurationError listing every problem.
 * Relative paths are resolved against opts.cwd (default process.cwd()).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, opts: { cwd?: string } = {}): AppConfig {
  const cwd = opts.cwd ?? process.cwd();
  const problems: string[] = [];
  const get = (k: ConfigKey): string | undefined => {
    const v = env[k]?.trim();
    return v === undefined || v === "" ? undefined : v;
  };

  // Environment ------------------------------------------------------------------------------
  const environment: Environment =
    parseWith(problems, "KALSHI_ENVIRONMENT", get("KALSHI_ENVIRONMENT"), environmentSchema) ?? "sim";
  const envIsBad = get("KALSHI_ENVIRONMENT") !== undefined && problems.length > 0;

  // Telegram -----------------------------------------------------------------------------------
  const token = parseWith(problems, "TELEGRAM_BOT_TOKEN", get("TELEGRAM_BOT_TOKEN"), botTokenSchema);
  const idsRaw = get("TELEGRAM_ALLOWED_USER_IDS");
  let allowedUserIds: number[] = [];
  if (idsRaw === undefined) {
    problems.push(`TELEGRAM_ALLOWED_USER_IDS: ${emptyUserIdsMessage()}`);
  } else {
    allowedUserIds = parseWith(problems, "TELEGRAM_ALLOWED_USER_IDS", idsRaw, userIdsSchema) ?? [];
  }
  const apiRoot = parseWith(
    problems,
    "TELEGRAM_API_ROOT",
    get("TELEGRAM_API_ROOT"),
    urlSchema(["http:", "https:"], "the address of your Bot API server"),
  );
  const connectTimeoutSeconds =
    parseWith(
      problems,
      "TELEGRAM_CONNECT_TIMEOUT_SECONDS",
      get("TELEGRAM_CONNECT_TIMEOUT_SECONDS"),
      intSchema(1, 3600, " (seconds start-up keeps trying to reach Telegram)"),
    ) ?? 120;

  const webhook = parseWebhook(problems, get);

  // Kalshi -------------------------------------------------------------------------------------
  const baseOverride = parseWith(
    problems,
    "KALSHI_API_BASE_URL",
    get("KALSHI_API_BASE_URL"),
    urlSchema(["http:", "https:"], "the REST address ending in /trade-api/v2"),
  );
  const wsOverride = parseWith(
    problems,
    "KALSHI_WS_URL",
    get("KALSHI_WS_URL"),
    urlSchema(["ws:", "wss:"], "the WebSocket address ending in /trade-api/ws/v2"),
  );
  const defaults = environment === "sim" ? undefined : DEFAULT_URLS[environment];
  const baseUrl = baseOverride ?? defaults?.baseUrl;
  const wsUrl = wsOverride ?? defaults?.wsUrl;

  const needsKey = environment !== "sim" && !envIsBad;
  const keyIdRaw = get("KALSHI_API_KEY");
  const keyId = parseWith(problems, "KALSHI_API_KEY", keyIdRaw, keyIdSchema);
  if (keyIdRaw === undefined && needsKey) {
    problems.push(
      `KALSHI_API_KEY: missing; KALSHI_ENVIRONMENT=${environment} needs your API key id: ${KEY_HELP}, then put the key id here`,
    );
  }

  const pathPrimary = get("KALSHI_PRIVATE_KEY_PATH");
  const pathAlias = get("KALSHI_API_SECRET");
  let keyPathKey = "KALSHI_PRIVATE_KEY_PATH";
  let keyPathRaw = pathPrimary;
  if (pathPrimary === undefined && pathAlias !== undefined) {
    keyPathKey = "KALSHI_API_SECRET";
    keyPathRaw = pathAlias;
  } else if (pathPrimary !== undefined && pathAlias !== undefined && pathPrimary !== pathAlias) {
    problems.push(
      "KALSHI_API_SECRET: is set as well as KALSHI_PRIVATE_KEY_PATH and differs from it; keep only KALSHI_PRIVATE_KEY_PATH",
    );
  }
  let privateKey: KeyObject | undefined;
  let privateKeyPath: string | undefined;
  if (keyPathRaw !== undefined) {
    if (/-----BEGIN/.test(keyPathRaw) || keyPathRaw.length > 1024) {
      problems.push(
        `${keyPathKey}: holds the key contents instead of a file path; save the key to a file (for example ./kalshi.pem) and put that path here`,
      );
    } else {
      privateKeyPath = resolveUserPath(keyPathRaw, cwd);
      const r = readPrivateKeyFile(keyPathRaw, privateKeyPath);
      if (typeof r === "string") problems.push(`${keyPathKey}: ${r}`);
      else privateKey = r;
    }
  } else if (needsKey) {
    problems.push(
      `KALSHI_PRIVATE_KEY_PATH: missing; KALSHI_ENVIRONMENT=${environment} needs the path of the private key file (.pem) Kalshi let you download when you created the API key (${KEY_HELP})`,
    );
  }

  // Files, logging, display ----------------------------------------------------------------------
  const logLevel = parseWith(problems, "LOG_LEVEL", get("LOG_LEVEL"), logLevelSchema) ?? "info";
  const logDir = resolveUserPath(get("LOG_DIR") ?? "./logs", cwd);
  const dataDir = resolveUserPath(get("DATA_DIR") ?? "./data", cwd);
  let displayTimezone = "UTC";
  const tzRaw = get("DISPLAY_TIMEZONE");
  if (tzRaw !== undefined) {
    if (isValidTimeZone(tzRaw)) {
      displayTimezone = new Intl.DateTimeFormat("en-US", { timeZone: tzRaw }).resolvedOptions().timeZone;
    } else {
      problems.push(
        `DISPLAY_TIMEZONE: '${tzRaw}' is not a time zone name; use an IANA name such as America/New_York, Europe/London or UTC`,
      );
    }
  }

  // Risk limits --------------------------------------------------------------------------------
  const maxOrderContracts =
    parseWith(problems, "MAX_ORDER_CONTRACTS", get("MAX_ORDER_CONTRACTS"), intSchema(1, 1_000_000)) ?? 100;
  const maxOrderCost =
    parseWith(
      problems,
      "MAX_ORDER_COST_DOLLARS",
      get("MAX_ORDER_COST_DOLLARS"),
      dollarsSchema((m) =>
        m <= 0
          ? "must be more than 0 (the most one order may cost, in dollars)"
          : m > 1e15
            ? "is too large"
            : null,
      ),
    ) ?? parseDollars("100");
  const confirmSeconds =
    parseWith(
      problems,
      "CONFIRM_TIMEOUT_SECONDS",
      get("CONFIRM_TIMEOUT_SECONDS"),
      intSchema(5, 3600, " (seconds to tap Confirm before an order is dropped)"),
    ) ?? 60;
  const marketOrderSlippage =
    parseWith(
      problems,
      "MARKET_ORDER_SLIPPAGE_DOLLARS",
      get("MARKET_ORDER_SLIPPAGE_DOLLARS"),
      dollarsSchema((m) =>
        m <= 0 || m >= MICROS_PER_DOLLAR
          ? "must be more than 0 and less than 1 (dollars per contract above the best price, e.g. 0.05)"
          : null,
      ),
    ) ?? parseDollars("0.05");

  // Ports and sim --------------------------------------------------------------------------------
  const healthPortRaw = parseWith(
    problems,
    "HEALTH_PORT",
    get("HEALTH_PORT"),
    intSchema(0, 65535, " (0 turns the health endpoint off)"),
  );
  const healthPort = healthPortRaw === undefined || healthPortRaw === 0 ? undefined : healthPortRaw;
  const simCatalogRaw = (get("SIM_CATALOG") ?? "").trim().toLowerCase();
  if (simCatalogRaw && simCatalogRaw !== "live" && simCatalogRaw !== "fixtures")
    problems.push(
      "SIM_CATALOG: must be fixtures (the small readable catalog, the default) or live (Kalshi-sized)",
    );
  const simCatalog = simCatalogRaw === "live" ? "live" : "fixtures";
  const simPort =
    parseWith(problems, "SIM_PORT", get("SIM_PORT"), intSchema(0, 65535, " (0 picks a free port)")) ?? 0;
  const startingBalance =
    parseWith(
      problems,
      "SIM_STARTING_BALANCE_DOLLARS",
      get("SIM_STARTING_BALANCE_DOLLARS"),
      dollarsSchema((m) =>
        m < 0
          ? "must not be negative"
          : m > 1e15
            ? "is too large"
            : m % 10_000 !== 0
              ? "must be whole cents"
              : null,
      ),
    ) ?? parseDollars("1000");

  const pin = readPinConfig(get, problems);
  const closeNoticeMinutes =
    parseWith(
      problems,
      "CLOSE_NOTICE_MINUTES",
      get("CLOSE_NOTICE_MINUTES"),
      intSchema(0, 10_080, " (minutes before a market you are in closes; 0 turns the notice off)"),
    ) ?? 60;
  const digestTime = parseWith(problems, "DIGEST_TIME", get("DIGEST_TIME"), digestTimeSchema);

  if (problems.length > 0) {
    // Safety net: a secret pasted into the wrong setting must not be echoed back either.
    const secrets = [get("TELEGRAM_BOT_TOKEN"), keyIdRaw, get("TELEGRAM_WEBHOOK_SECRET")].filter(
      (x): x is string => x !== undefined,
    );
    throw new ConfigurationError(problems.map((p) => redactString(p, secrets)));
  }

  const config: AppConfig = {
    environment,
    envTag: envTagOf(environment),
    telegram: {
      ...(token !== undefined ? { token } : {}),
      allowedUserIds,
      ...(apiRoot !== undefined ? { apiRoot } : {}),
      connectTimeoutSeconds,
      ...(webhook !== undefined ? { webhook } : {}),
    },
    kalshi: {
      ...(baseUrl !== undefined ? { baseUrl } : {}),
      ...(wsUrl !== undefined ? { wsUrl } : {}),
      ...(keyId !== undefined ? { keyId } : {}),
      ...(privateKey !== undefined ? { privateKey } : {}),
      ...(privateKeyPath !== undefined ? { privateKeyPath } : {}),
    },
    logLevel,
    logDir,
    dataDir,
    displayTimezone,
    risk: {
      maxOrderContracts,
      maxOrderCost,
      confirmTimeoutMs: confirmSeconds * 1000,
      marketOrderSlippage,
    },
    ...(healthPort !== undefined ? { healthPort } : {}),
    notices: {
      closeNoticeMinutes,
      digestTime: digestTime === undefined ? { hour: 21, minute: 0 } : digestTime,
    },
    sim: { port: simPort, startingBalance, catalog: simCatalog },
    ...(pin ? { pin } : {}),
  };
  return config;
}

/** The bot token, or a ConfigurationError saying how to get one. */
/** The problem text for a missing bot token: how to get one, and how to try the bot without one. */
export const TELEGRAM_TOKEN_MISSING =
  "TELEGRAM_BOT_TOKEN: missing; the Telegram bot needs one. In Telegram, message @BotFather, send /newbot, follow the steps and put the token it gives you here. To try the bot locally without Telegram, run `npm run chat`";

export function requireTelegramToken(config: AppConfig): string {
  const token = config.telegram.token;
  if (token === undefined || token === "") {
    throw new ConfigurationError([TELEGRAM_TOKEN_MISSING]);
  }
  return token;
}

/** One start-up log line describing the configuration. Contains no secrets. */
export function redactedConfigSummary(config: AppConfig): string {
  const k = config.kalshi;
  const parts = [
    `environment=${config.environment} (${config.envTag})`,
    `kalshi.rest=${k.baseUrl ? safeUrl(k.baseUrl) : "in-process sim"}`,
    `kalshi.ws=${k.wsUrl ? safeUrl(k.wsUrl) : config.environment === "sim" && !k.baseUrl ? "in-process sim" : "none"}`,
    `kalshi.keyId=${k.keyId ? "set" : "missing"}`,
    `kalshi.privateKey=${k.privateKey ? `loaded from ${k.privateKeyPath ?? "?"}` : "missing"}`,
    `telegram.token=${config.telegram.token ? "set" : "missing"}`,
    `telegram.allowedUsers=${config.telegram.allowedUserIds.length}`,
    `telegram.apiRoot=${config.telegram.apiRoot ? safeUrl(config.telegram.apiRoot) : "default"}`,
    `telegram.updates=${config.telegram.webhook ? `webhook ${safeUrl(config.telegram.webhook.url)} (port ${config.telegram.webhook.port}, secret ${config.telegram.webhook.secret ? "set" : "random"})` : "long polling"}`,
    `logLevel=${config.logLevel}`,
    `logDir=${config.logDir}`,
    `dataDir=${config.dataDir}`,
    `timezone=${config.displayTimezone}`,
    `maxOrder=${config.risk.maxOrderContracts} contracts/${displayUsd(config.risk.maxOrderCost, { exact: true })}`,
    `confirmTimeout=${config.risk.confirmTimeoutMs / 1000}s`,
    `slippage=${displayUsd(config.risk.marketOrderSlippage, { exact: true })}`,
    `healthPort=${config.healthPort ?? "off"}`,
    `tradePin=${config.pin ? `on (orders above ${displayUsd(config.pin.above, { exact: true })}, every ${config.pin.ttlMs / 60_000} min)` : "off"}`,
  ];
  if (config.environment === "sim") {
    parts.push(
      `sim.port=${config.sim.port === 0 ? "auto" : config.sim.port}`,
      `sim.startingBalance=${displayUsd(config.sim.startingBalance)}`,
    );
  }
  return parts.join(" ");
}
