/**
 * app.start(): the webhook listener (webhook mode), first contact with Telegram, the order results
 * owed from before a restart, then updates, fill alerts, price alerts, the one-time notice of damaged
 * state files, the resting-sell guard and the health endpoint. A failing step throws an AppStartError
 * naming it in one sentence; a stop() that came meanwhile makes the rest start nothing.
 */
import { join } from "node:path";
import { AppStartError } from "./startError.js";
import { connectTelegram } from "../bot/connect.js";
import { startWebhookServer } from "../bot/webhook.js";
import { tellStateNotices } from "../bot/stateNotices.js";
import { startHealthServer, type HealthReport } from "../health.js";
import { watchSellGuard } from "../trading/sellGuard.js";
import type { Parts } from "./parts.js";

export async function startApp(p: Parts, check: () => Promise<HealthReport>): Promise<void> {
  const { live, logger } = p;
  await startWebhook(p);
  await connect(p);
  // app.stop() came while starting: start nothing more (it would run after everything was closed).
  if (live.stopped) return;
  // Results owed from before a restart, and cards a restart cut off, go out before any update.
  await p.outbox.start();
  if (live.stopped) return;
  // Updates sent while the bot was down are kept and answered (late commands say so).
  if (live.webhook) live.webhook.open();
  else p.poller.start();
  try {
    await p.alerts.start();
  } catch (e) {
    throw new AppStartError("alerts", `The fill alerts could not start: ${p.says(e)}.`, { cause: e });
  }
  if (live.stopped) return;
  await p.priceWatch.start();
  // Every state file is loaded by now: tell the owner(s) once what a damaged one cost them.
  await tellStateNotices({
    sendMessage: (chatId, html) => p.bot.api.sendMessage(chatId, html, { parse_mode: "HTML" }),
    chatIds: p.config.telegram.allowedUserIds,
    dirs: [p.config.dataDir, join(p.config.dataDir, "sim")],
    envTag: p.config.envTag,
    logger,
  });
  if (live.stopped) return;
  live.stopSellGuard = watchSellGuard({
    guard: p.sellGuard,
    stream: p.stream,
    onShrunk: (outs) => {
      logger.info("resting sells shrunk to the holding", { changes: outs.length });
      return p.tellShrinks(outs);
    },
    onError: (e) => logger.warn("resting-sell guard check failed", { error: e }),
  });
  await startHealth(p, check);
  logger.info("bot started", { environment: p.config.environment });
}

/** Webhook mode: listening first, so a taken port fails before Telegram is told where to send. */
async function startWebhook(p: Parts): Promise<void> {
  const hook = p.config.telegram.webhook;
  if (!hook || !p.webhookSecret) return;
  try {
    p.live.webhook = await startWebhookServer({
      port: hook.port,
      host: hook.host,
      path: new URL(hook.url).pathname,
      secretToken: p.webhookSecret,
      accept: (u) => p.poller.enqueue(u),
      onRefused: () => p.logger.warn("webhook request refused: missing or wrong secret token"),
      onError: (e) => p.logger.warn("webhook request failed", { error: p.says(e) }),
    });
  } catch (e) {
    throw new AppStartError("webhook", p.says(e), { cause: e });
  }
  p.logger.info("webhook server listening", { port: p.live.webhook.port });
}

async function connect(p: Parts): Promise<void> {
  const hook = p.config.telegram.webhook;
  try {
    await connectTelegram(p.bot, {
      ...(hook && p.webhookSecret ? { webhook: { url: hook.url, secretToken: p.webhookSecret } } : {}),
      timeoutMs: (p.config.telegram.connectTimeoutSeconds ?? 120) * 1000,
      ...p.opts.telegram?.connect,
      describe: p.says,
      onRetry: (line) => {
        p.logger.warn(line);
        p.opts.onStartupNotice?.(line);
      },
    });
  } catch (e) {
    const why = e instanceof Error ? e.message : p.says(e);
    throw new AppStartError(
      "telegram",
      `The bot could not connect to Telegram: ${why}. Check TELEGRAM_BOT_TOKEN and the network.`,
      { cause: e },
    );
  }
}

async function startHealth(p: Parts, check: () => Promise<HealthReport>): Promise<void> {
  const { config } = p;
  if (config.healthPort === undefined) return;
  try {
    p.live.health = await startHealthServer({
      port: config.healthPort,
      check,
      logger: p.logger,
      environment: config.environment,
      secrets: p.secrets,
    });
  } catch (e) {
    // startHealthServer rejects with one sentence naming the port and what to do.
    const said = p.says(e);
    throw new AppStartError(
      "health",
      said.startsWith("The health endpoint") ? said : `The health endpoint could not start: ${said}.`,
      { cause: e },
    );
  }
  p.logger.info("health endpoint listening", { url: p.live.health.url });
}
