/**
 * The shapes of the alerts' files in DATA_DIR (alert state, alert settings, order outbox), checked
 * when they are loaded at start (src/shared/stateFile.ts moves a file of another shape aside). They
 * check what the loaders rely on; fields added later pass through untouched. Money and counts are
 * plain integers on disk (their brands are compile-time only).
 */
import { z } from "zod";

const int = z.number().int();
const chatId = z.number().int();

const fill = z.looseObject({
  fillId: z.string(),
  orderId: z.string(),
  ticker: z.string(),
  count: int,
  yesPrice: int,
  noPrice: int,
  createdTime: z.number(),
});

const notice = z.discriminatedUnion("kind", [
  z.looseObject({ kind: z.literal("fill"), key: z.string(), fill }),
  z.looseObject({
    kind: z.literal("cancel"),
    key: z.string(),
    order: z.looseObject({ orderId: z.string(), ticker: z.string() }),
    reason: z.string(),
    at: z.number(),
  }),
  z.looseObject({
    kind: z.literal("settlement"),
    key: z.string(),
    settlement: z.looseObject({ ticker: z.string(), settledTime: z.number() }),
  }),
  z.looseObject({
    kind: z.literal("price"),
    key: z.string(),
    alert: z.looseObject({ id: z.string(), ticker: z.string() }),
    price: int,
    at: z.number(),
  }),
  z.looseObject({
    kind: z.literal("lifecycle"),
    key: z.string(),
    fact: z.looseObject({ ticker: z.string(), step: z.string(), at: z.number() }),
  }),
  z.looseObject({ kind: z.literal("digest"), key: z.string(), digest: z.looseObject({}), late: z.boolean() }),
  z.looseObject({ kind: z.literal("chart"), key: z.string(), series: z.unknown(), caption: z.string() }),
  z.looseObject({
    kind: z.literal("priceGone"),
    key: z.string(),
    ticker: z.string(),
    alerts: z.array(z.looseObject({ id: z.string() })),
    at: z.number(),
  }),
]);

const editInFlight = z.looseObject({ messageId: int, shown: z.array(z.unknown()) });

export const alertStateSchema = z.object({
  version: z.literal(1),
  fillCursorTs: z.number().nullable(),
  lastFillTs: z.number().nullable(),
  settlementCursorTs: z.number().nullable(),
  known: z.array(z.tuple([z.string(), z.number()])),
  pending: z.array(
    z.looseObject({
      notice,
      chats: z.array(chatId),
      sending: z.array(chatId).optional(),
      edits: z.record(z.string(), editInFlight).optional(),
    }),
  ),
});

export const alertSettingsSchema = z.object({
  version: z.literal(1),
  chats: z.record(z.string(), z.string()),
});

const card = z.looseObject({
  id: z.string(),
  chatId,
  messageId: int,
  ticker: z.string(),
  summary: z.string(),
  stage: z.enum(["quoted", "confirmed", "result"]),
  at: z.number(),
});

const owner = z.looseObject({ chatId, clientOrderId: z.string(), at: z.number() });

export const outboxSchema = z.object({
  version: z.literal(1),
  cards: z.array(card),
  owners: z.array(z.tuple([z.string(), owner])),
});
