import { generateKeyPairSync } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import winston from "winston";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLogger, type Loggers } from "../../src/logging/logger.js";

const TOKEN = "7012345678:AAF3kq9ZxY_wv-1234567890abcdefghijklmn";
const KEY_ID = "a952bcbe-ec3b-4b5b-b8f9-11dae589608c";

let dir: string;
let open: Loggers[] = [];

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "logger-test-"));
});

afterEach(async () => {
  await Promise.all(open.map((l) => l.close()));
  open = [];
  await rm(dir, { recursive: true, force: true });
});

function make(opts: Partial<Parameters<typeof createLogger>[0]> = {}): Loggers {
  const l = createLogger({ level: "info", dir, console: false, secrets: [TOKEN, KEY_ID], ...opts });
  open.push(l);
  return l;
}

type Line = Record<string, unknown>;

async function readLogs(): Promise<{
  files: string[];
  app: Line[];
  errors: Line[];
  trades: Line[];
  raw: string;
}> {
  const files = (await readdir(dir)).sort();
  const read = async (prefix: string): Promise<Line[]> => {
    const f = files.filter((n) => new RegExp(`^${prefix}-\\d{4}-\\d{2}-\\d{2}\\.log$`).test(n));
    expect(f, `one ${prefix} file`).toHaveLength(1);
    const text = await readFile(path.join(dir, f[0]!), "utf8");
    return text
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as Line);
  };
  let raw = "";
  for (const f of files) raw += await readFile(path.join(dir, f), "utf8");
  return { files, app: await read("app"), errors: await read("errors"), trades: await read("trades"), raw };
}

describe("createLogger", () => {
  it("writes app, errors and trades files as JSON lines, with journal errors in the errors file too", async () => {
    const { logger, tradeLogger, close } = make();
    logger.debug("too chatty");
    logger.info("bot started", { env: "SIM" });
    logger.warn("reconnecting");
    logger.error("order failed", { ticker: "KXBTC" });
    tradeLogger.info("order placed", { ticker: "KXBTC", count: "10.00" });
    tradeLogger.error("journal write failed", { orderId: "o-1" });
    await close();

    const { app, errors, trades } = await readLogs();
    expect(app.map((l) => [l.level, l.message])).toEqual([
      ["info", "bot started"],
      ["warn", "reconnecting"],
      ["error", "order failed"],
      ["error", "journal write failed"],
    ]);
    expect(app[0]!.env).toBe("SIM");
    expect(errors.map((l) => l.message)).toEqual(["order failed", "journal write failed"]);
    expect(errors[1]).toMatchObject({ source: "trade-journal", orderId: "o-1" });
    expect(trades.map((l) => [l.level, l.message])).toEqual([
      ["info", "order placed"],
      ["error", "journal write failed"],
    ]);
    expect(trades[0]).toMatchObject({ ticker: "KXBTC", count: "10.00" });
    for (const l of [...app, ...errors, ...trades]) expect(typeof l.timestamp).toBe("string");
  });

  it("leaves no secret in any file: message, meta, nested meta, error stacks, bot URLs, PEM", async () => {
    const pem = generateKeyPairSync("rsa", { modulusLength: 1024 })
      .privateKey.export({ type: "pkcs1", format: "pem" })
      .toString();
    const pemLine = pem.split("\n")[1]!;
    const { logger, tradeLogger, close } = make();
    logger.info(`using key ${KEY_ID}`);
    logger.info("request", {
      url: `https://api.telegram.org/bot${TOKEN}/getUpdates`,
      headers: { "KALSHI-ACCESS-KEY": KEY_ID, "KALSHI-ACCESS-SIGNATURE": "c2lnbmF0dXJlLXZhbHVl" },
      deep: { deeper: [{ text: `key file: ${pem}` }] },
    });
    logger.error(new Error(`telegram said no to bot${TOKEN}`));
    logger.error("while signing", { err: new Error(`bad key ${KEY_ID}`) });
    logger.warn("formatted %s", TOKEN);
    tradeLogger.error(`journal broken for ${KEY_ID}`, { pem });
    await close();

    const { raw, app, errors } = await readLogs();
    expect(raw).not.toContain(TOKEN);
    expect(raw).not.toContain(KEY_ID);
    expect(raw).not.toContain(pemLine);
    expect(raw).not.toContain("c2lnbmF0dXJlLXZhbHVl");
    expect(raw).toContain("[REDACTED]");
    // The rest of each record survives.
    expect(app[1]).toMatchObject({
      url: "https://api.telegram.org/bot[REDACTED]/getUpdates",
      headers: { "KALSHI-ACCESS-KEY": "[REDACTED]", "KALSHI-ACCESS-SIGNATURE": "[REDACTED]" },
      deep: { deeper: [{ text: "key file: [REDACTED]\n" }] },
    });
    const stackRecord = errors.find((l) => String(l.message).startsWith("telegram said no"));
    expect(stackRecord?.stack).toMatch(/^Error: telegram said no to bot\[REDACTED\]\n\s+at /);
    const nested = errors.find((l) => l.message === "while signing") as { err: { stack: string } };
    expect(nested.err.stack).toMatch(/^Error: bad key \[REDACTED\]/);
    expect(app.find((l) => l.level === "warn")?.message).toBe("formatted [REDACTED]");
  });

  it("flushes everything written before close, and close can be called twice", async () => {
    const { logger, tradeLogger, close } = make();
    for (let i = 0; i < 500; i++) logger.info(`line ${i}`);
    for (let i = 0; i < 200; i++) tradeLogger.info(`trade ${i}`);
    await Promise.all([close(), close()]);
    // Read synchronously right away: nothing may still be pending once close() has resolved.
    const count = (prefix: string) =>
      readdirSync(dir)
        .filter((f) => f.startsWith(prefix))
        .map((f) => readFileSync(path.join(dir, f), "utf8").split("\n").filter(Boolean).length)
        .reduce((a, b) => a + b, 0);
    expect(count("app-")).toBe(500);
    expect(count("trades-")).toBe(200);
    await close();
  });

  it("respects the level for the app log but always keeps the trade journal", async () => {
    const { logger, tradeLogger, close } = make({ level: "error" });
    logger.info("hidden");
    logger.warn("hidden too");
    logger.error("shown");
    tradeLogger.info("fill recorded");
    await close();
    const { app, trades } = await readLogs();
    expect(app.map((l) => l.message)).toEqual(["shown"]);
    expect(trades.map((l) => l.message)).toEqual(["fill recorded"]);
  });

  it("stamps records with ISO 8601 time in the display zone", async () => {
    const { logger, close } = make({ timeZone: "Asia/Kolkata" });
    logger.info("hello");
    await close();
    const { app } = await readLogs();
    expect(app[0]!.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+05:30$/);
  });

  it("adds a console transport only when asked ('auto' is off under the test runner)", () => {
    const hasConsole = (l: Loggers) =>
      l.logger.transports.some((t) => t instanceof winston.transports.Console);
    expect(hasConsole(make({ console: "auto" }))).toBe(false);
    expect(hasConsole(make({ console: false }))).toBe(false);
    expect(hasConsole(make({ console: true }))).toBe(true);
  });
});

describe("log files are private", () => {
  it("creates app, errors and trades logs 0600 and tightens files an older version left 0644", async () => {
    const { writeFileSync, statSync } = await import("node:fs");
    const old = path.join(dir, "app-2026-01-01.log");
    writeFileSync(old, "{}\n", { mode: 0o644 });
    const { logger, tradeLogger, close } = make();
    logger.error("position 10 YES", { ticker: "KXA-1" });
    tradeLogger.info("order_placed", { ticker: "KXA-1" });
    await close();
    const logs = readdirSync(dir).filter((n) => n.endsWith(".log"));
    expect(logs.length).toBeGreaterThanOrEqual(4);
    for (const n of logs) expect(statSync(path.join(dir, n)).mode & 0o777, n).toBe(0o600);
  });
});
