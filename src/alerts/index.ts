export { createFillAlerts } from "./service.js";
export type { FillAlerts, FillAlertsOptions, FillAlertsStatus, FillJournal } from "./service.js";
export { AlertDeliveryError } from "./sink.js";
export type { AlertSink } from "./sink.js";
export { createAlertSettingsStore } from "./settings.js";
export type { AlertSettings, AlertSettingsStore } from "./settings.js";
export { envTagFor } from "./format.js";
export { journalIntentLookup, intentFits } from "./intent.js";
export type { OrderIntent, OrderIntentLookup, OrderRef } from "./intent.js";
