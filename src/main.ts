/**
 * `npm start`: the Telegram bot. Reads .env and the environment, starts the exchange connection (the
 * built-in simulated exchange by default), the bot's long polling, fill alerts and the health endpoint.
 * SIGINT/SIGTERM stop polling, close exchange connections and flush logs, exiting within 5 s.
 */
import {
  ConfigurationError,
  loadConfig,
  loadDotenv,
  redactedConfigSummary,
  requireTelegramToken,
  TELEGRAM_TOKEN_MISSING,
} from "./config.js";
import { AppStartError, createApp, type App } from "./app.js";
import { checkWritableFolder } from "./shared/storageHealth.js";

const SHUTDOWN_DEADLINE_MS = 4_500;

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

async function main(): Promise<void> {
  loadDotenv();
  let config;
  let token: string;
  try {
    config = loadConfig();
    token = requireTelegramToken(config);
  } catch (e) {
    if (!(e instanceof ConfigurationError)) throw e;
    // Say everything at once: a missing token is reported next to any other problem.
    const problems = [...e.problems];
    if (!process.env.TELEGRAM_BOT_TOKEN?.trim() && !problems.includes(TELEGRAM_TOKEN_MISSING)) {
      problems.unshift(TELEGRAM_TOKEN_MISSING);
    }
    fail(new ConfigurationError(problems).message);
  }
  // A folder the bot cannot write: one sentence each, before anything starts (no stack trace).
  const unwritable = [
    checkWritableFolder("DATA_DIR", config.dataDir),
    checkWritableFolder("LOG_DIR", config.logDir),
  ].filter((s): s is string => s !== null);
  if (unwritable.length > 0) fail(`The bot cannot start: ${unwritable.join(" ")}`);
  let app: App;
  try {
    // While Telegram cannot be reached, say so on the console every attempt (first within seconds).
    app = await createApp({ config, token, onStartupNotice: (line) => console.error(line) });
    app.logger.info("configuration", { summary: redactedConfigSummary(config) });
  } catch (e) {
    fail(`The bot could not start: ${e instanceof Error ? e.message : String(e)}`);
  }
  let shuttingDown = false;
  const shutdown = (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    console.error(`${signal} received: stopping the bot...`);
    const deadline = setTimeout(() => process.exit(1), SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    app.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  try {
    await app.start();
  } catch (e) {
    await app.stop();
    // app.start() names the failed step (Telegram, fill alerts, health port) in one sentence.
    fail(
      e instanceof AppStartError
        ? e.message
        : `The bot could not start: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  console.error(`The bot is running (${config.envTag}). Stop it with Ctrl+C.`);
}

main().catch((e: unknown) => fail(`The bot stopped: ${e instanceof Error ? e.message : String(e)}`));
