/**
 * The trade journal's file: JSON lines in <logDir>/trades-YYYY-MM-DD.log, older days gzipped,
 * owner-only. The app's own loggers (logger.ts) write the same file; this one is for when the trading
 * services run without them (tests, tools). The journal itself sees only its JournalLogger port.
 */
import winston from "winston";
import { privateRotatingFile } from "./privateFiles.js";

/** A winston logger writing JSON lines to `<logDir>/trades-YYYY-MM-DD.log`, older files gzipped. */
export function createJournalLogger(logDir: string, opts: { maxFiles?: string } = {}): winston.Logger {
  return winston.createLogger({
    level: "info",
    format: winston.format.json(),
    transports: [
      privateRotatingFile({
        dirname: logDir,
        filename: "trades-%DATE%.log",
        datePattern: "YYYY-MM-DD",
        zippedArchive: true,
        maxFiles: opts.maxFiles,
      }),
    ],
  });
}

/** Ends `logger` and waits until its file transports have flushed (each at most 2 s). */
export async function closeJournalLogger(logger: winston.Logger): Promise<void> {
  const transports = [...logger.transports];
  await new Promise<void>((res) => {
    logger.once("finish", () => res());
    logger.end();
  });
  // The rotating file transport flushes its file stream on close() and then emits "finish".
  await Promise.all(
    transports.map(
      (t) =>
        new Promise<void>((res) => {
          const timer = setTimeout(res, 2000);
          timer.unref();
          t.once("finish", () => {
            clearTimeout(timer);
            res();
          });
          (t as { close?: () => void }).close?.();
        }),
    ),
  );
}
