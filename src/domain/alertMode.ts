/**
 * A chat's fill-alert preference, shared by the alerts use case (which honours it) and the bot
 * (which offers it as /alerts buttons).
 * - on: every alert, with a notification sound;
 * - silent: every alert, delivered without sound (Telegram's disable_notification);
 * - off: no alert messages; fills are still journaled and marked delivered.
 */
export type AlertMode = "on" | "silent" | "off";
export const ALERT_MODES: readonly AlertMode[] = ["on", "silent", "off"];
export const DEFAULT_ALERT_MODE: AlertMode = "on";

export function isAlertMode(x: unknown): x is AlertMode {
  return typeof x === "string" && (ALERT_MODES as readonly string[]).includes(x);
}
