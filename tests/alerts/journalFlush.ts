/**
 * Ends a journal logger (createJournalLogger) and resolves once its files are written: the logger's
 * "finish" comes when its transports took every line, the rotating file's own stream finishes after
 * that. Waiting for that stream (instead of a pause) makes reading the journal back right away safe.
 */
import type winston from "winston";

interface RotatingFileTransport {
  logStream?: { end(cb: () => void): void };
}

export async function endJournalLogger(logger: winston.Logger): Promise<void> {
  const transports = [...logger.transports] as unknown as RotatingFileTransport[];
  await new Promise<void>((resolve) => {
    logger.on("finish", () => resolve());
    logger.end();
  });
  // end() again on a finished file stream calls back at once (with an error we do not need).
  await Promise.all(
    transports.map(
      (t) => new Promise<void>((resolve) => (t.logStream ? t.logStream.end(() => resolve()) : resolve())),
    ),
  );
}
