/**
 * Application and trade loggers (winston + daily rotating files).
 *
 * - `logger`: console (colourised text on a TTY, JSON lines otherwise) + `app-%DATE%.log` (all
 *   levels from `level` up) + `errors-%DATE%.log` (errors only).
 * - `tradeLogger`: the trade journal. JSON lines in `trades-%DATE%.log`, every level. Entries at
 *   level error are also forwarded to `logger`, so journal errors land in errors-%DATE%.log (and in
 *   the app log and console) as well as in the journal.
 *
 * Every transport sees records that went through the redaction format first.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import winston from "winston";
import type DailyRotateFile from "winston-daily-rotate-file";
import TransportStream from "winston-transport";
import { formatInZone } from "../domain/time.js";
import { Redactor, REDACTED } from "./redact.js";
import { privateRotatingFile } from "./privateFiles.js";
import { reportStorageFailure } from "../shared/storageHealth.js";

export type LoggerLevel = "error" | "warn" | "info" | "debug";

export interface CreateLoggerOptions {
  level: LoggerLevel;
  /** Folder for the log files; created if missing. */
  dir: string;
  /**
   * Console output. "auto": on, except under a test runner (VITEST set or NODE_ENV=test).
   * Text with colours when stdout is a TTY, JSON lines otherwise.
   */
  console: boolean | "auto";
  /** Exact strings to scrub from every record (bot token, Kalshi key id, ...). Strings shorter than 4 are ignored. */
  secrets: string[];
  /** Time zone of the `timestamp` field (ISO 8601 with offset). Default UTC. */
  timeZone?: string;
  /** Fields added to every app-log record, e.g. { env: "LIVE" }. */
  defaultMeta?: Record<string, unknown>;
  /** Rotation knobs; defaults are the production values. */
  maxSize?: string;
  maxFiles?: { app?: string; errors?: string; trades?: string };
}

export interface Loggers {
  logger: winston.Logger;
  tradeLogger: winston.Logger;
  /** Flushes and closes every transport. Safe to call more than once. */
  close(): Promise<void>;
}

export const LOG_FILE_PATTERNS = {
  app: "app-%DATE%.log",
  errors: "errors-%DATE%.log",
  trades: "trades-%DATE%.log",
} as const;

/** The winston format that scrubs secrets from message, every field (deep) and stacks. */
export function redactionFormat(secrets: readonly string[]): winston.Logform.Format {
  return winston.format((info) => {
    const r = Redactor.for(secrets);
    const rec = info as Record<string, unknown>;
    for (const key of Object.keys(rec)) {
      if (key === "level") continue;
      rec[key] = r.prop(key, rec[key], 0);
    }
    return info;
  })();
}

function stringifyMeta(meta: Record<string, unknown>): string {
  try {
    return JSON.stringify(meta, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
  } catch {
    return "[unserializable meta]";
  }
}

const consoleText = winston.format.printf((info) => {
  const { level, message, timestamp, stack, ...rest } = info as Record<string, unknown>;
  const msg = typeof message === "string" ? message : stringifyMeta({ message });
  const metaKeys = Object.keys(rest);
  const meta = metaKeys.length > 0 ? ` ${stringifyMeta(rest)}` : "";
  const trace = typeof stack === "string" && stack !== "" ? `\n${stack}` : "";
  return `${String(timestamp)} ${String(level)}: ${msg}${meta}${trace}`;
});

/** Sends level-error records of one logger into another (as fresh records, without winston symbols). */
class ForwardTransport extends TransportStream {
  constructor(
    private readonly target: winston.Logger,
    private readonly source: string,
  ) {
    super({ level: "error" });
  }

  override log(info: Record<string, unknown>, next: () => void): void {
    const copy: Record<string, unknown> = { source: this.source };
    for (const [k, v] of Object.entries(info)) if (k !== "timestamp") copy[k] = v;
    if (copy.message === undefined) copy.message = "(no message)";
    try {
      if (this.target.writable) this.target.log(copy as winston.LogEntry);
    } catch {
      // The target logger is closing; the record is already in the trade journal.
    }
    next();
  }
}

function consoleEnabled(opt: boolean | "auto"): boolean {
  if (opt !== "auto") return opt;
  return !(process.env.VITEST || process.env.NODE_ENV === "test");
}

/** Resolves at the first of `events` on `emitter`, or after `timeoutMs`; `kick` starts the work. */
function settleWithin(
  emitter: NodeJS.EventEmitter,
  events: string[],
  timeoutMs: number,
  kick: () => void,
): Promise<void> {
  return new Promise<void>((resolve) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(finish, timeoutMs);
    for (const e of events) emitter.once(e, finish);
    try {
      kick();
    } catch {
      finish();
    }
  });
}

function waitForClose(t: DailyRotateFile, timeoutMs: number): Promise<void> {
  const stream = (t as unknown as { logStream?: NodeJS.EventEmitter & { end(): void } }).logStream;
  if (!stream) return Promise.resolve();
  return settleWithin(stream, ["close", "error"], timeoutMs, () => stream.end());
}

function endLogger(l: winston.Logger, timeoutMs: number): Promise<void> {
  if (l.writableFinished) return Promise.resolve();
  return settleWithin(l, ["finish", "error"], timeoutMs, () => {
    if (!l.writableEnded) l.end();
  });
}

/** Creates the app logger and the trade logger. Call close() on shutdown (and in tests). */
export function createLogger(opts: CreateLoggerOptions): Loggers {
  const dir = path.resolve(opts.dir);
  mkdirSync(dir, { recursive: true });
  const timeZone = opts.timeZone ?? "UTC";
  const secrets = [...opts.secrets];
  const maxSize = opts.maxSize ?? "20m";
  const redaction = redactionFormat(secrets);

  const base = winston.format.combine(
    winston.format.errors({ stack: true }),
    winston.format.splat(),
    redaction,
    winston.format.timestamp({ format: () => formatInZone(Date.now(), timeZone) }),
  );

  const rotating = (pattern: string, maxFiles: string, level?: string, name?: string) =>
    privateRotatingFile({
      dirname: dir,
      filename: pattern,
      datePattern: "YYYY-MM-DD",
      zippedArchive: true,
      maxSize,
      maxFiles,
      auditFile: path.join(dir, `.${name ?? pattern.split("-")[0]}-audit.json`),
      format: winston.format.json(),
      ...(level ? { level } : {}),
    });

  const appFile = rotating(LOG_FILE_PATTERNS.app, opts.maxFiles?.app ?? "14d");
  const errorFile = rotating(LOG_FILE_PATTERNS.errors, opts.maxFiles?.errors ?? "30d", "error");
  const tradeFile = rotating(LOG_FILE_PATTERNS.trades, opts.maxFiles?.trades ?? "365d");
  const fileTransports = [tradeFile, appFile, errorFile];

  const transports: TransportStream[] = [appFile, errorFile];
  if (consoleEnabled(opts.console)) {
    const tty = Boolean(process.stdout.isTTY);
    transports.push(
      new winston.transports.Console({
        stderrLevels: ["error"],
        format: tty ? winston.format.combine(winston.format.colorize(), consoleText) : winston.format.json(),
      }),
    );
  }

  const logger = winston.createLogger({
    level: opts.level,
    format: base,
    transports,
    exitOnError: false,
    ...(opts.defaultMeta ? { defaultMeta: opts.defaultMeta } : {}),
  });

  const tradeLogger = winston.createLogger({
    level: "debug",
    format: base,
    transports: [tradeFile, new ForwardTransport(logger, "trade-journal")],
    exitOnError: false,
  });

  // A failing transport (disk full, folder removed) must not crash the bot through an unhandled
  // 'error' event; say so once on stderr, redacted.
  let reported = false;
  const onTransportError = (err: unknown) => {
    reportStorageFailure(String((err as { path?: unknown } | null)?.path ?? dir), err);
    if (reported) return;
    reported = true;
    const msg = err instanceof Error ? err.message : String(err);
    process.stderr.write(`logging failed: ${Redactor.for(secrets).string(msg)}\n`);
  };
  logger.on("error", onTransportError);
  tradeLogger.on("error", onTransportError);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      // Let records already handed to winston reach the transports before ending.
      await new Promise<void>((r) => setImmediate(r));
      await endLogger(tradeLogger, 5000);
      await endLogger(logger, 5000);
      await Promise.all(fileTransports.map((t) => waitForClose(t, 5000)));
    })();
    return closing;
  };

  return { logger, tradeLogger, close };
}

export { REDACTED };
