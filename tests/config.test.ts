import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { readFile } from "node:fs/promises";
import { parse as parseDotenv } from "dotenv";
import {
  CONFIG_KEYS,
  ConfigurationError,
  loadConfig,
  loadDotenv,
  redactedConfigSummary,
  requireTelegramToken,
  type AppConfig,
} from "../src/config.js";
import { parseDollars } from "../src/domain/money.js";
import { signRequest, verifyKalshiSignature, HEADER_SIGNATURE } from "../src/exchange/kalshi/signer.js";

const TOKEN = "1234567890:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq";
const KEY_ID = "a952bcbe-ec3b-4b5b-b8f9-11dae589608c";

let dir: string;
let pkcs1: string;
let pkcs8: string;
let publicKey: KeyObject;
let pemBody: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "config-test-"));
  const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
  publicKey = pair.publicKey;
  pkcs1 = pair.privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  pkcs8 = pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  pemBody = pkcs8.split("\n")[1]!;
  const enc8 = pair.privateKey
    .export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "pw" })
    .toString();
  const enc1 = pair.privateKey
    .export({ type: "pkcs1", format: "pem", cipher: "aes-256-cbc", passphrase: "pw" })
    .toString();
  const ec = generateKeyPairSync("ec", { namedCurve: "prime256v1" })
    .privateKey.export({ type: "pkcs8", format: "pem" })
    .toString();
  const pub = pair.publicKey.export({ type: "spki", format: "pem" }).toString();
  const truncated = pkcs8.split("\n").slice(0, 5).join("\n") + "\n-----END PRIVATE KEY-----\n";
  await Promise.all([
    writeFile(path.join(dir, "pkcs1.pem"), pkcs1),
    writeFile(path.join(dir, "pkcs8.pem"), pkcs8),
    writeFile(path.join(dir, "enc8.pem"), enc8),
    writeFile(path.join(dir, "enc1.pem"), enc1),
    writeFile(path.join(dir, "ec.pem"), ec),
    writeFile(path.join(dir, "public.pem"), pub),
    writeFile(path.join(dir, "x.pem"), "hello, this is not a key\n"),
    writeFile(path.join(dir, "truncated.pem"), truncated),
    mkdir(path.join(dir, "folder.pem")),
  ]);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const base = { TELEGRAM_ALLOWED_USER_IDS: "111" };

function load(env: Record<string, string | undefined>): AppConfig {
  return loadConfig({ ...base, ...env }, { cwd: dir });
}

function problemsOf(env: Record<string, string | undefined>, opts?: { noBase?: boolean }): string[] {
  try {
    loadConfig(opts?.noBase ? env : { ...base, ...env }, { cwd: dir });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigurationError);
    const err = e as ConfigurationError;
    // The message lists every problem.
    for (const p of err.problems) expect(err.message).toContain(p);
    return err.problems;
  }
  throw new Error("expected a ConfigurationError");
}

function live(env: Record<string, string | undefined> = {}) {
  return {
    KALSHI_ENVIRONMENT: "production",
    KALSHI_API_KEY: KEY_ID,
    KALSHI_PRIVATE_KEY_PATH: "./pkcs8.pem",
    ...env,
  };
}

describe("defaults", () => {
  it("starts in sim with documented defaults when only the allowed users are set", () => {
    const c = load({});
    expect(c.environment).toBe("sim");
    expect(c.envTag).toBe("SIM");
    expect(c.telegram).toEqual({ allowedUserIds: [111], connectTimeoutSeconds: 120 });
    expect(c.kalshi).toEqual({});
    expect(c.logLevel).toBe("info");
    expect(c.logDir).toBe(path.join(dir, "logs"));
    expect(c.dataDir).toBe(path.join(dir, "data"));
    expect(c.displayTimezone).toBe("UTC");
    expect(c.risk).toEqual({
      maxOrderContracts: 100,
      maxOrderCost: parseDollars("100"),
      confirmTimeoutMs: 60_000,
      marketOrderSlippage: parseDollars("0.05"),
    });
    expect(c.healthPort).toBeUndefined();
    expect(c.sim).toEqual({ port: 0, startingBalance: parseDollars("1000"), catalog: "fixtures" });
  });

  it("treats empty values as unset", () => {
    const c = load({
      KALSHI_ENVIRONMENT: "",
      LOG_LEVEL: " ",
      MAX_ORDER_CONTRACTS: "",
      TELEGRAM_BOT_TOKEN: "",
    });
    expect(c.environment).toBe("sim");
    expect(c.logLevel).toBe("info");
    expect(c.risk.maxOrderContracts).toBe(100);
    expect(c.telegram.token).toBeUndefined();
  });

  it("uses the recommended Kalshi hosts per environment", () => {
    const prod = load(live());
    expect(prod.kalshi.baseUrl).toBe("https://external-api.kalshi.com/trade-api/v2");
    expect(prod.kalshi.wsUrl).toBe("wss://external-api-ws.kalshi.com/trade-api/ws/v2");
    expect(prod.envTag).toBe("LIVE");
    const demo = load(live({ KALSHI_ENVIRONMENT: "demo" }));
    expect(demo.kalshi.baseUrl).toBe("https://external-api.demo.kalshi.co/trade-api/v2");
    expect(demo.kalshi.wsUrl).toBe("wss://external-api-ws.demo.kalshi.co/trade-api/ws/v2");
    expect(demo.envTag).toBe("DEMO");
  });

  it("honours URL overrides and drops a trailing slash", () => {
    const c = load({
      KALSHI_API_BASE_URL: "http://127.0.0.1:4010/trade-api/v2/",
      KALSHI_WS_URL: "ws://127.0.0.1:4010/trade-api/ws/v2",
      TELEGRAM_API_ROOT: "http://127.0.0.1:8081/",
    });
    expect(c.environment).toBe("sim");
    expect(c.kalshi.baseUrl).toBe("http://127.0.0.1:4010/trade-api/v2");
    expect(c.kalshi.wsUrl).toBe("ws://127.0.0.1:4010/trade-api/ws/v2");
    expect(c.telegram.apiRoot).toBe("http://127.0.0.1:8081");
  });
});

describe("environment", () => {
  it.each([
    ["sim", "sim"],
    ["SIM", "sim"],
    ["Demo", "demo"],
    ["sandbox", "demo"],
    ["SANDBOX", "demo"],
    ["production", "production"],
    ["PRODUCTION", "production"],
  ])("accepts %s as %s", (raw, expected) => {
    expect(load(live({ KALSHI_ENVIRONMENT: raw })).environment).toBe(expected);
  });

  it("rejects an unknown environment by name", () => {
    expect(problemsOf({ KALSHI_ENVIRONMENT: "live" })).toEqual([
      "KALSHI_ENVIRONMENT: 'live' is not one of sim, demo, production (use sim to practise without Kalshi)",
    ]);
  });
});

describe("Kalshi key", () => {
  it("loads a PKCS#1 key that signs requests Kalshi-style", () => {
    const c = load(live({ KALSHI_ENVIRONMENT: "demo", KALSHI_PRIVATE_KEY_PATH: "pkcs1.pem" }));
    expect(c.kalshi.keyId).toBe(KEY_ID);
    expect(c.kalshi.privateKeyPath).toBe(path.join(dir, "pkcs1.pem"));
    const h = signRequest(
      c.kalshi.privateKey!,
      KEY_ID,
      "GET",
      "/trade-api/v2/portfolio/balance",
      1_700_000_000_000,
    );
    expect(
      verifyKalshiSignature(
        publicKey,
        "1700000000000",
        "GET",
        "/trade-api/v2/portfolio/balance",
        h[HEADER_SIGNATURE],
      ),
    ).toBe(true);
  });

  it("loads a PKCS#8 key given as an absolute path", () => {
    const c = load(live({ KALSHI_PRIVATE_KEY_PATH: path.join(dir, "pkcs8.pem") }));
    expect(c.kalshi.privateKey?.asymmetricKeyType).toBe("rsa");
  });

  it("accepts KALSHI_API_SECRET as an alias holding the path", () => {
    const c = load(live({ KALSHI_PRIVATE_KEY_PATH: undefined, KALSHI_API_SECRET: "./pkcs1.pem" }));
    expect(c.kalshi.privateKey?.type).toBe("private");
    expect(c.kalshi.privateKeyPath).toBe(path.join(dir, "pkcs1.pem"));
  });

  it("names the alias in errors when the alias was used", () => {
    expect(problemsOf(live({ KALSHI_PRIVATE_KEY_PATH: undefined, KALSHI_API_SECRET: "./nope.pem" }))).toEqual(
      [`KALSHI_API_SECRET: no file at ./nope.pem (${path.join(dir, "nope.pem")})`],
    );
  });

  it("refuses two different key paths", () => {
    expect(problemsOf(live({ KALSHI_API_SECRET: "./pkcs1.pem" }))).toEqual([
      "KALSHI_API_SECRET: is set as well as KALSHI_PRIVATE_KEY_PATH and differs from it; keep only KALSHI_PRIVATE_KEY_PATH",
    ]);
  });

  it("does not need a key in sim, but checks one that is configured", () => {
    expect(load({}).kalshi.privateKey).toBeUndefined();
    expect(load({ KALSHI_PRIVATE_KEY_PATH: "pkcs8.pem" }).kalshi.privateKey).toBeDefined();
    expect(problemsOf({ KALSHI_PRIVATE_KEY_PATH: "./x.pem" })[0]).toMatch(
      /^KALSHI_PRIVATE_KEY_PATH: \.\/x\.pem/,
    );
  });

  it.each(["demo", "production"])("explains how to create a key when %s has none", (envName) => {
    expect(problemsOf({ KALSHI_ENVIRONMENT: envName })).toEqual([
      `KALSHI_API_KEY: missing; KALSHI_ENVIRONMENT=${envName} needs your API key id: create one on Kalshi under Account → API keys (the demo site demo.kalshi.co has its own keys, separate from production), then put the key id here`,
      `KALSHI_PRIVATE_KEY_PATH: missing; KALSHI_ENVIRONMENT=${envName} needs the path of the private key file (.pem) Kalshi let you download when you created the API key (create one on Kalshi under Account → API keys (the demo site demo.kalshi.co has its own keys, separate from production))`,
    ]);
  });

  const where = (f: string) => `./${f} (${path.join(dir, f)})`;

  it.each([
    ["kalshi.pem", (w: string) => `no file at ${w}`],
    ["folder.pem", (w: string) => `${w} is a folder, not a key file`],
    [
      "x.pem",
      (w: string) =>
        `${w} is not a PEM private key (expected -----BEGIN RSA PRIVATE KEY----- or -----BEGIN PRIVATE KEY-----)`,
    ],
    [
      "public.pem",
      (w: string) =>
        `${w} holds a public key; point it at the private key file Kalshi let you download when you created the key`,
    ],
    [
      "enc8.pem",
      (w: string) =>
        `${w} is encrypted with a passphrase; export the key without one (for example: openssl rsa -in encrypted.pem -out kalshi.pem)`,
    ],
    [
      "enc1.pem",
      (w: string) =>
        `${w} is encrypted with a passphrase; export the key without one (for example: openssl rsa -in encrypted.pem -out kalshi.pem)`,
    ],
    ["ec.pem", (w: string) => `${w} holds a ec key; Kalshi API keys are RSA keys`],
    [
      "truncated.pem",
      (w: string) =>
        `${w} could not be parsed as a private key (is the file complete? download it again if unsure)`,
    ],
  ])("reports a bad key file %s", (file, msg) => {
    expect(problemsOf(live({ KALSHI_PRIVATE_KEY_PATH: `./${file}` }))).toEqual([
      `KALSHI_PRIVATE_KEY_PATH: ${msg(where(file))}`,
    ]);
  });

  it("refuses key contents pasted where a path belongs, without echoing them", () => {
    const problems = problemsOf(live({ KALSHI_PRIVATE_KEY_PATH: pkcs8 }));
    expect(problems).toEqual([
      "KALSHI_PRIVATE_KEY_PATH: holds the key contents instead of a file path; save the key to a file (for example ./kalshi.pem) and put that path here",
    ]);
    expect(problems.join("\n")).not.toContain(pemBody);
  });

  it("refuses a key file path or key contents in KALSHI_API_KEY without echoing them", () => {
    const p1 = problemsOf(live({ KALSHI_API_KEY: "./pkcs8.pem" }));
    expect(p1).toEqual([
      "KALSHI_API_KEY: looks like a file path; it should hold the key id Kalshi shows next to the key, and the key file's path goes in KALSHI_PRIVATE_KEY_PATH",
    ]);
    const p2 = problemsOf(live({ KALSHI_API_KEY: pkcs1 }));
    expect(p2).toEqual([
      "KALSHI_API_KEY: holds private key contents; it should hold the key id Kalshi shows next to the key, and the key file's path goes in KALSHI_PRIVATE_KEY_PATH",
    ]);
    expect(p2.join("\n")).not.toContain(pkcs1.split("\n")[1]!);
  });
});

describe("telegram", () => {
  it("parses, trims and de-duplicates the allowed user ids", () => {
    expect(load({ TELEGRAM_ALLOWED_USER_IDS: " 12345, 67890 ,12345" }).telegram.allowedUserIds).toEqual([
      12345, 67890,
    ]);
  });

  it("refuses to start with no allowed users", () => {
    const msg =
      "TELEGRAM_ALLOWED_USER_IDS: is empty, so nobody could use the bot and it refuses to start; list the numeric Telegram user ids allowed to trade, separated by commas (message @userinfobot in Telegram to learn yours)";
    expect(problemsOf({}, { noBase: true })).toEqual([msg]);
    expect(problemsOf({ TELEGRAM_ALLOWED_USER_IDS: "" }, { noBase: true })).toEqual([msg]);
    expect(problemsOf({ TELEGRAM_ALLOWED_USER_IDS: " , ," }, { noBase: true })).toEqual([msg]);
  });

  it("names every id that is not a number", () => {
    expect(problemsOf({ TELEGRAM_ALLOWED_USER_IDS: "bob,123,-100200,@alice" })).toEqual([
      "TELEGRAM_ALLOWED_USER_IDS: 'bob' is not a numeric user id (message @userinfobot in Telegram to learn yours)",
      "TELEGRAM_ALLOWED_USER_IDS: '-100200' is not a numeric user id (message @userinfobot in Telegram to learn yours)",
      "TELEGRAM_ALLOWED_USER_IDS: '@alice' is not a numeric user id (message @userinfobot in Telegram to learn yours)",
    ]);
  });

  it("keeps the token but never echoes a malformed one", () => {
    expect(load({ TELEGRAM_BOT_TOKEN: TOKEN }).telegram.token).toBe(TOKEN);
    const bad = `"${TOKEN}"`;
    const problems = problemsOf({ TELEGRAM_BOT_TOKEN: bad });
    expect(problems).toEqual([
      "TELEGRAM_BOT_TOKEN: does not look like a bot token (expected digits, a colon, then letters and digits, exactly as @BotFather gave it, without quotes or spaces)",
    ]);
    expect(problems.join()).not.toContain(TOKEN);
  });

  it("requireTelegramToken explains @BotFather and npm run chat", () => {
    expect(requireTelegramToken(load({ TELEGRAM_BOT_TOKEN: TOKEN }))).toBe(TOKEN);
    let err: unknown;
    try {
      requireTelegramToken(load({}));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigurationError);
    const problems = (err as ConfigurationError).problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^TELEGRAM_BOT_TOKEN: missing/);
    expect(problems[0]).toContain("@BotFather");
    expect(problems[0]).toContain("/newbot");
    expect(problems[0]).toContain("npm run chat");
  });

  it("rejects a Bot API root that is not an http(s) URL", () => {
    expect(problemsOf({ TELEGRAM_API_ROOT: "localhost:8081" })).toEqual([
      "TELEGRAM_API_ROOT: 'localhost:8081' must start with http: or https:// (the address of your Bot API server)",
    ]);
  });
});

describe("other settings", () => {
  it("reads every optional setting", () => {
    const c = load({
      LOG_LEVEL: "DEBUG",
      LOG_DIR: "var/log",
      DATA_DIR: "/srv/trader",
      DISPLAY_TIMEZONE: "america/new_york",
      MAX_ORDER_CONTRACTS: "25",
      MAX_ORDER_COST_DOLLARS: "$1,250.50",
      CONFIRM_TIMEOUT_SECONDS: "3600",
      MARKET_ORDER_SLIPPAGE_DOLLARS: "0.015",
      HEALTH_PORT: "8080",
      SIM_PORT: "4010",
      SIM_STARTING_BALANCE_DOLLARS: "0",
      SIM_CATALOG: "live",
    });
    expect(c.logLevel).toBe("debug");
    expect(c.logDir).toBe(path.join(dir, "var/log"));
    expect(c.dataDir).toBe("/srv/trader");
    expect(c.displayTimezone).toBe("America/New_York");
    expect(c.risk).toEqual({
      maxOrderContracts: 25,
      maxOrderCost: 1_250_500_000,
      confirmTimeoutMs: 3_600_000,
      marketOrderSlippage: 15_000,
    });
    expect(c.healthPort).toBe(8080);
    expect(c.sim).toEqual({ port: 4010, startingBalance: 0, catalog: "live" });
  });

  it("HEALTH_PORT=0 disables the health endpoint", () => {
    expect(load({ HEALTH_PORT: "0" }).healthPort).toBeUndefined();
  });

  it("accepts the bounds of CONFIRM_TIMEOUT_SECONDS", () => {
    expect(load({ CONFIRM_TIMEOUT_SECONDS: "5" }).risk.confirmTimeoutMs).toBe(5000);
  });

  it("lists every bad value at once, each with its key and how to fix it", () => {
    expect(
      problemsOf({
        LOG_LEVEL: "verbose",
        DISPLAY_TIMEZONE: "Mars/Olympus",
        MAX_ORDER_CONTRACTS: "ten",
        MAX_ORDER_COST_DOLLARS: "0",
        CONFIRM_TIMEOUT_SECONDS: "4",
        MARKET_ORDER_SLIPPAGE_DOLLARS: "1",
        HEALTH_PORT: "70000",
        SIM_PORT: "-1",
        SIM_STARTING_BALANCE_DOLLARS: "lots",
        KALSHI_API_BASE_URL: "ftp://example.com",
        KALSHI_WS_URL: "https://example.com/ws",
      }),
    ).toEqual([
      "KALSHI_API_BASE_URL: 'ftp://example.com/' must start with http: or https:// (the REST address ending in /trade-api/v2)",
      "KALSHI_WS_URL: 'https://example.com/ws' must start with ws: or wss:// (the WebSocket address ending in /trade-api/ws/v2)",
      "LOG_LEVEL: 'verbose' is not one of error, warn, info, debug",
      "DISPLAY_TIMEZONE: 'Mars/Olympus' is not a time zone name; use an IANA name such as America/New_York, Europe/London or UTC",
      "MAX_ORDER_CONTRACTS: 'ten' is not a whole number",
      "MAX_ORDER_COST_DOLLARS: must be more than 0 (the most one order may cost, in dollars)",
      "CONFIRM_TIMEOUT_SECONDS: 4 is out of range; use a whole number from 5 to 3600 (seconds to tap Confirm before an order is dropped)",
      "MARKET_ORDER_SLIPPAGE_DOLLARS: must be more than 0 and less than 1 (dollars per contract above the best price, e.g. 0.05)",
      "HEALTH_PORT: 70000 is out of range; use a whole number from 0 to 65535 (0 turns the health endpoint off)",
      "SIM_PORT: '-1' is not a whole number (0 picks a free port)",
      "SIM_STARTING_BALANCE_DOLLARS: 'lots' is not a dollar amount (write it like 100 or 0.05)",
    ]);
  });

  it.each([
    [
      "MAX_ORDER_CONTRACTS",
      "0",
      "MAX_ORDER_CONTRACTS: 0 is out of range; use a whole number from 1 to 1000000",
    ],
    ["MAX_ORDER_CONTRACTS", "2.5", "MAX_ORDER_CONTRACTS: '2.5' is not a whole number"],
    [
      "MAX_ORDER_COST_DOLLARS",
      "-5",
      "MAX_ORDER_COST_DOLLARS: must be more than 0 (the most one order may cost, in dollars)",
    ],
    [
      "MARKET_ORDER_SLIPPAGE_DOLLARS",
      "0",
      "MARKET_ORDER_SLIPPAGE_DOLLARS: must be more than 0 and less than 1 (dollars per contract above the best price, e.g. 0.05)",
    ],
    [
      "CONFIRM_TIMEOUT_SECONDS",
      "3601",
      "CONFIRM_TIMEOUT_SECONDS: 3601 is out of range; use a whole number from 5 to 3600 (seconds to tap Confirm before an order is dropped)",
    ],
    ["SIM_STARTING_BALANCE_DOLLARS", "10.005", "SIM_STARTING_BALANCE_DOLLARS: must be whole cents"],
    [
      "SIM_CATALOG",
      "huge",
      "SIM_CATALOG: must be fixtures (the small readable catalog, the default) or live (Kalshi-sized)",
    ],
  ])("rejects %s=%s", (key, value, message) => {
    expect(problemsOf({ [key]: value })).toEqual([message]);
  });
});

describe("secrets stay out of messages and summaries", () => {
  it("a failing configuration never echoes the token, key id or key contents", () => {
    let err: ConfigurationError | undefined;
    try {
      loadConfig(
        {
          KALSHI_ENVIRONMENT: "production",
          TELEGRAM_BOT_TOKEN: TOKEN,
          KALSHI_API_KEY: KEY_ID,
          KALSHI_PRIVATE_KEY_PATH: "./truncated.pem",
          TELEGRAM_ALLOWED_USER_IDS: "me",
        },
        { cwd: dir },
      );
    } catch (e) {
      err = e as ConfigurationError;
    }
    expect(err?.problems).toHaveLength(2);
    const text = `${err?.message}\n${err?.stack}\n${JSON.stringify(err)}`;
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(KEY_ID);
    expect(text).not.toContain(pemBody);
  });

  it("a secret pasted into the wrong setting is not echoed back", () => {
    const problems = problemsOf({
      TELEGRAM_ALLOWED_USER_IDS: TOKEN,
      DISPLAY_TIMEZONE: KEY_ID,
      KALSHI_API_KEY: KEY_ID,
    });
    expect(problems).toEqual([
      "TELEGRAM_ALLOWED_USER_IDS: '[REDACTED]' is not a numeric user id (message @userinfobot in Telegram to learn yours)",
      "DISPLAY_TIMEZONE: '[REDACTED]' is not a time zone name; use an IANA name such as America/New_York, Europe/London or UTC",
    ]);
  });

  it("the start-up summary says what is set without showing it", () => {
    const c = load(
      live({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: "https://user:pw@bots.example.com" }),
    );
    const s = redactedConfigSummary(c);
    expect(s).toContain("environment=production (LIVE)");
    expect(s).toContain("kalshi.keyId=set");
    expect(s).toContain("telegram.token=set");
    expect(s).toContain("kalshi.rest=https://external-api.kalshi.com/trade-api/v2");
    expect(s).toContain("telegram.apiRoot=https://bots.example.com/");
    for (const secret of [TOKEN, KEY_ID, pemBody, "pw@"]) expect(s).not.toContain(secret);
    const sim = redactedConfigSummary(load({}));
    expect(sim).toContain("kalshi.keyId=missing");
    expect(sim).toContain("telegram.token=missing");
    expect(sim).toContain("kalshi.rest=in-process sim");
    expect(sim).toContain("sim.startingBalance=$1,000.00");
  });
});

describe("loadDotenv", () => {
  const keys = ["KTT_DOTENV_ONLY_IN_FILE", "KTT_DOTENV_ALREADY_SET"];
  afterEach(() => {
    for (const k of keys) delete process.env[k];
  });

  it("loads .env from the folder without overriding real variables", async () => {
    const d = await mkdtemp(path.join(dir, "dotenv-"));
    await writeFile(
      path.join(d, ".env"),
      "KTT_DOTENV_ONLY_IN_FILE=from-file\nKTT_DOTENV_ALREADY_SET=from-file\n",
    );
    process.env.KTT_DOTENV_ALREADY_SET = "from-shell";
    expect(loadDotenv({ cwd: d })).toBe(path.join(d, ".env"));
    expect(process.env.KTT_DOTENV_ONLY_IN_FILE).toBe("from-file");
    expect(process.env.KTT_DOTENV_ALREADY_SET).toBe("from-shell");
  });

  it("is fine without a .env file", async () => {
    const d = await mkdtemp(path.join(dir, "dotenv-none-"));
    expect(loadDotenv({ cwd: d })).toBeUndefined();
  });
});

describe(".env.example", () => {
  it("documents every setting and loads as is once a user id is filled in", async () => {
    const text = await readFile(path.join(import.meta.dirname, "..", ".env.example"), "utf8");
    const env = parseDotenv(text);
    const documented = CONFIG_KEYS.filter((k) => k !== "KALSHI_API_SECRET");
    expect(Object.keys(env).sort()).toEqual([...documented].sort());
    // The alias is explained in a comment rather than set.
    expect(text).toMatch(/^# .*KALSHI_API_SECRET/m);
    for (const key of documented) {
      const line = text.split("\n").findIndex((l) => l.startsWith(`${key}=`));
      const before = text.split("\n")[line - 1] ?? "";
      // Each key sits under a comment (possibly shared with the key above it).
      expect(before.startsWith("#") || /^[A-Z_]+=/.test(before), key).toBe(true);
    }
    const c = loadConfig({ ...env, TELEGRAM_ALLOWED_USER_IDS: "42" }, { cwd: dir });
    expect(c.environment).toBe("sim");
  });
});
