/**
 * A Telegram Bot API server of our own, for tests and `npm run chat`: node:http on 127.0.0.1
 * (port 0), or in process through a grammY `client.fetch` adapter. It keeps each chat's messages
 * (text and inline keyboard, after edits), records every call, lets a test inject user messages and
 * button taps, and can answer a method with 429 or 500 a number of times.
 *
 * Supported methods: getMe, getUpdates (real long polling), sendMessage, editMessageText,
 * editMessageReplyMarkup, answerCallbackQuery, sendChatAction, sendDocument and sendPhoto (multipart;
 * a photo is kept like a document, marked `photo`), deleteMessage, setMyCommands, getMyCommands,
 * setWebhook, deleteWebhook, getWebhookInfo. Anything else → 404. As on Telegram, getUpdates answers
 * 409 while a webhook is set. A button's `style` (danger, success, primary) is kept with the keyboard;
 * any other value is refused with 400.
 */
import { EventEmitter } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import busboy from "busboy";
import type { ApiClientOptions } from "grammy";
import type { BotCommand, InlineKeyboardMarkup, MessageEntity, Update, UserFromGetMe } from "grammy/types";

export type ChatType = "private" | "group" | "supergroup" | "channel";

export interface RecordedCall {
  method: string;
  params: Record<string, unknown>;
  /** Result returned (or null for an error). */
  ok: boolean;
  errorCode?: number;
  description?: string;
}

export interface StoredDocument {
  fileName: string;
  bytes: Buffer;
  caption?: string;
  /** Sent with sendPhoto (a picture), not sendDocument. */
  photo?: boolean;
}

export interface ChatMessage {
  messageId: number;
  chatId: number;
  from: "bot" | "user";
  /** Text as Telegram shows it (HTML removed). */
  text: string;
  /** The text as sent (HTML when parse_mode is HTML). */
  raw: string;
  /** Formatting of `text` as Telegram reports it (from the HTML), UTF-16 offsets. */
  entities?: MessageEntity[];
  replyMarkup?: InlineKeyboardMarkup;
  document?: StoredDocument;
  date: number;
  edits: number;
  deleted?: boolean;
}

export interface CallbackAnswer {
  text?: string;
  showAlert?: boolean;
}

/**
 * An injected failure: an error answer (429 with retry_after, 500), a dropped connection (the socket is
 * closed without an answer; in process, fetch rejects), or a hang (no answer until the client gives up).
 */
export type FailureKind =
  { code: 429; retryAfter: number } | { code: 500 } | { code: "drop" } | { code: "hang" };

/** Thrown by route() for a dropped connection; serveHttp destroys the socket. */
class DroppedConnection extends Error {}

export interface LocalBotApiOptions {
  token?: string;
  botUsername?: string;
  /** Longest long poll the server will hold, seconds (default 30). */
  maxPollSeconds?: number;
}

type ApiResult =
  | { ok: true; result: unknown }
  | { ok: false; error_code: number; description: string; parameters?: { retry_after: number } };

class ApiFailure extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
  ) {
    super(description);
  }
}

const TEXT_LIMIT = 4096;
const CAPTION_LIMIT = 1024;
const ALLOWED_TAGS = new Set([
  "b",
  "strong",
  "i",
  "em",
  "u",
  "ins",
  "s",
  "strike",
  "del",
  "a",
  "code",
  "pre",
  "tg-spoiler",
  "span",
  "blockquote",
  "tg-emoji",
]);

/** Telegram-like HTML check: known tags, balanced, entities well formed. Returns the visible text. */
export function parseTelegramHtml(html: string): string {
  return parseTelegramHtmlEntities(html).text;
}

type Opened = { name: string; attrs: string; offset: number };

function entityOf(o: Opened, length: number, inPre: boolean): MessageEntity | null {
  const at = { offset: o.offset, length };
  switch (o.name) {
    case "b":
    case "strong":
      return { type: "bold", ...at };
    case "i":
    case "em":
      return { type: "italic", ...at };
    case "u":
    case "ins":
      return { type: "underline", ...at };
    case "s":
    case "strike":
    case "del":
      return { type: "strikethrough", ...at };
    case "tg-spoiler":
      return { type: "spoiler", ...at };
    case "span":
      return /class\s*=\s*"tg-spoiler"/.test(o.attrs) ? { type: "spoiler", ...at } : null;
    case "code":
      return inPre ? null : { type: "code", ...at };
    case "pre":
      return { type: "pre", ...at };
    case "blockquote":
      return { type: "blockquote", ...at };
    case "a": {
      const href = /href\s*=\s*"([^"]*)"/.exec(o.attrs)?.[1];
      return href ? { type: "text_link", ...at, url: parseTelegramHtml(href) } : null;
    }
    default:
      return null;
  }
}

/** Like parseTelegramHtml, plus the message entities Telegram would report for the HTML. */
export function parseTelegramHtmlEntities(html: string): { text: string; entities: MessageEntity[] } {
  const stack: string[] = [];
  const opened: Opened[] = [];
  const entities: MessageEntity[] = [];
  let out = "";
  let i = 0;
  while (i < html.length) {
    const ch = html[i]!;
    if (ch === "<") {
      const end = html.indexOf(">", i);
      if (end < 0) throw new ApiFailure(400, "Bad Request: can't parse entities: unclosed start tag");
      const tag = html.slice(i + 1, end);
      const m = /^(\/?)([a-z-]+)(\s[^>]*)?$/i.exec(tag);
      if (!m || !ALLOWED_TAGS.has(m[2]!.toLowerCase())) {
        throw new ApiFailure(400, `Bad Request: can't parse entities: unsupported start tag "${tag}"`);
      }
      const name = m[2]!.toLowerCase();
      if (m[1]) {
        if (stack.pop() !== name)
          throw new ApiFailure(400, `Bad Request: can't parse entities: unmatched end tag "${name}"`);
        const o = opened.pop()!;
        const e = entityOf(o, out.length - o.offset, stack.includes("pre"));
        if (e && e.length > 0) entities.push(e);
      } else {
        stack.push(name);
        opened.push({ name, attrs: m[3] ?? "", offset: out.length });
      }
      i = end + 1;
    } else if (ch === "&") {
      const m = /^&(lt|gt|amp|quot|#\d+|#x[0-9a-f]+);/i.exec(html.slice(i, i + 12));
      if (!m) throw new ApiFailure(400, "Bad Request: can't parse entities: bad character reference");
      const e = m[1]!.toLowerCase();
      out +=
        e === "lt"
          ? "<"
          : e === "gt"
            ? ">"
            : e === "amp"
              ? "&"
              : e === "quot"
                ? '"'
                : String.fromCodePoint(e.startsWith("#x") ? parseInt(e.slice(2), 16) : Number(e.slice(1)));
      i += m[0].length;
    } else if (ch === ">") {
      out += ch; // Telegram tolerates a bare ">"
      i++;
    } else {
      out += ch;
      i++;
    }
  }
  if (stack.length)
    throw new ApiFailure(400, `Bad Request: can't parse entities: unclosed tag "${stack.at(-1)}"`);
  entities.sort((a, b) => a.offset - b.offset || b.length - a.length);
  return { text: out, entities };
}

function num(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "string" && /^-?\d+$/.test(v)) return Number(v);
  throw new ApiFailure(400, "Bad Request: chat_id is empty or invalid");
}

export class LocalBotApi extends EventEmitter {
  readonly token: string;
  readonly botInfo: UserFromGetMe;
  readonly calls: RecordedCall[] = [];
  readonly callbackAnswers = new Map<string, CallbackAnswer>();
  commands: BotCommand[] = [];
  /** The webhook setWebhook registered (null: none, updates wait for getUpdates). */
  webhook: { url: string; secretToken?: string; allowedUpdates?: string[] } | null = null;
  private readonly chats = new Map<number, ChatMessage[]>();
  private readonly nextMessageId = new Map<number, number>();
  private readonly queue: Update[] = [];
  private nextUpdateId = 1;
  private nextCallbackId = 1;
  private readonly pollers = new Set<() => void>();
  private readonly failures = new Map<string, { kind: FailureKind; chatId?: number }[]>();
  private server?: http.Server;
  private handler?: (u: Update) => Promise<void>;
  private readonly maxPollSeconds: number;
  private now = () => Math.floor(Date.now() / 1000);

  constructor(opts: LocalBotApiOptions = {}) {
    super();
    this.token = opts.token ?? "123456:LOCAL-TEST-TOKEN";
    this.maxPollSeconds = opts.maxPollSeconds ?? 30;
    const id = Number(this.token.split(":")[0]) || 123456;
    this.botInfo = {
      id,
      is_bot: true,
      first_name: "Kalshi Trader (local)",
      username: opts.botUsername ?? "kalshi_local_bot",
      can_join_groups: false,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
      has_topics_enabled: false,
      allows_users_to_create_topics: false,
    } as UserFromGetMe;
  }

  // ---- lifecycle --------------------------------------------------------------------------

  /** Starts the HTTP server on 127.0.0.1 (ephemeral port); returns the apiRoot for grammY. */
  async listen(): Promise<string> {
    if (this.server) return this.apiRoot;
    const server = http.createServer((req, res) => void this.serveHttp(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    return this.apiRoot;
  }

  get apiRoot(): string {
    const addr = this.server?.address() as AddressInfo | null | undefined;
    if (!addr) throw new Error("LocalBotApi is not listening");
    return `http://127.0.0.1:${addr.port}`;
  }

  async close(): Promise<void> {
    for (const wake of [...this.pollers]) wake();
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /**
   * getUpdates long polls held open right now, waiting for an update. Lets a test see that a poll is
   * waiting (or was let go when its client left) instead of sleeping and assuming so.
   */
  get heldPolls(): number {
    return this.pollers.size;
  }

  /**
   * Deliver injected updates straight to a handler (e.g. `u => bot.handleUpdate(u)`) instead of
   * queueing them for getUpdates. Pass undefined to queue again.
   */
  setHandler(handler: ((u: Update) => Promise<void>) | undefined): void {
    this.handler = handler;
  }

  /** grammY `client.fetch` that answers in process (no sockets). */
  readonly fetch = async (
    input: unknown,
    init?: { body?: unknown; headers?: unknown; signal?: AbortSignal | null },
  ) => {
    const url = new URL(String(input instanceof URL ? input.href : input));
    const headers = new Headers((init?.headers ?? {}) as Record<string, string>);
    const body = await readBody(init?.body);
    const result = await this.route(
      url.pathname,
      headers.get("content-type") ?? "",
      body,
      init?.signal ?? undefined,
    );
    return new Response(JSON.stringify(result), {
      status: statusOf(result),
      headers: { "content-type": "application/json" },
    });
  };

  /** `fetch` typed for grammY: `new Bot(token, { botInfo: api.botInfo, client: { fetch: api.clientFetch } })`. */
  get clientFetch(): NonNullable<ApiClientOptions["fetch"]> {
    return this.fetch as unknown as NonNullable<ApiClientOptions["fetch"]>;
  }

  // ---- test controls ----------------------------------------------------------------------

  /** Answers the next `n` calls of `method` (only those for `opts.chatId`, if given) with the given failure. */
  failNext(method: string, n: number, kind: FailureKind, opts: { chatId?: number } = {}): void {
    const list = this.failures.get(method) ?? [];
    for (let i = 0; i < n; i++)
      list.push({ kind, ...(opts.chatId !== undefined ? { chatId: opts.chatId } : {}) });
    this.failures.set(method, list);
  }

  /**
   * The clock (unix seconds) for message dates; e.g. `() => real() - 600` makes what is sent now look
   * ten minutes old (a message typed while the bot was down). Undefined: the real clock.
   */
  setClock(nowSeconds: (() => number) | undefined): void {
    this.now = nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  }

  /** Injected failures not used yet. */
  pendingFailures(method: string): number {
    return this.failures.get(method)?.length ?? 0;
  }

  private takeFailure(method: string, params: Record<string, unknown>): FailureKind | undefined {
    const list = this.failures.get(method);
    const i = list?.findIndex((f) => f.chatId === undefined || f.chatId === Number(params.chat_id)) ?? -1;
    if (!list || i < 0) return undefined;
    return list.splice(i, 1)[0]!.kind;
  }

  /** A user types text in a chat. Returns the update (already handled when a handler is set). */
  async sendText(
    userId: number,
    chatId: number,
    text: string,
    opts: { chatType?: ChatType } = {},
  ): Promise<Update> {
    const chatType = opts.chatType ?? "private";
    const messageId = this.allocMessageId(chatId);
    const entities = text.startsWith("/")
      ? [{ type: "bot_command" as const, offset: 0, length: text.split(/\s/)[0]!.length }]
      : undefined;
    const msg = {
      message_id: messageId,
      date: this.now(),
      chat: this.chatObj(chatId, chatType, userId),
      from: { id: userId, is_bot: false, first_name: `User ${userId}` },
      text,
      ...(entities ? { entities } : {}),
    };
    this.store(chatId).push({ messageId, chatId, from: "user", text, raw: text, date: msg.date, edits: 0 });
    return this.deliver({ update_id: this.nextUpdateId++, message: msg } as Update);
  }

  /** A user taps an inline button with `data` on message `messageId`. */
  async tap(
    userId: number,
    chatId: number,
    messageId: number,
    data: string,
    opts: { chatType?: ChatType } = {},
  ): Promise<Update> {
    const chatType = opts.chatType ?? "private";
    const m = this.store(chatId).find((x) => x.messageId === messageId);
    const update = {
      update_id: this.nextUpdateId++,
      callback_query: {
        id: String(this.nextCallbackId++),
        from: { id: userId, is_bot: false, first_name: `User ${userId}` },
        chat_instance: String(chatId),
        data,
        message: {
          message_id: messageId,
          date: m?.date ?? this.now(),
          chat: this.chatObj(chatId, chatType, userId),
          from: { ...this.botInfo },
          text: m?.text ?? "",
          ...(m?.entities ? { entities: m.entities } : {}),
          ...(m?.replyMarkup ? { reply_markup: m.replyMarkup } : {}),
        },
      },
    } as Update;
    return this.deliver(update);
  }

  /** Taps the button whose label contains `label` on the newest bot message that has one. */
  async tapButton(userId: number, chatId: number, label: string | RegExp): Promise<Update> {
    const found = this.findButton(chatId, label);
    if (!found) throw new Error(`no button ${String(label)} in chat ${chatId}`);
    return this.tap(userId, chatId, found.messageId, found.data);
  }

  findButton(chatId: number, label: string | RegExp): { messageId: number; data: string } | undefined {
    const msgs = this.messages(chatId).filter((m) => m.from === "bot" && !m.deleted);
    for (let i = msgs.length - 1; i >= 0; i--) {
      for (const row of msgs[i]!.replyMarkup?.inline_keyboard ?? []) {
        for (const b of row) {
          const hit = typeof label === "string" ? b.text.includes(label) : label.test(b.text);
          if (hit && "callback_data" in b && b.callback_data)
            return { messageId: msgs[i]!.messageId, data: b.callback_data };
        }
      }
    }
    return undefined;
  }

  /**
   * Forgets the recorded calls and all but the last `keep` messages of each chat, so a long run (the
   * soak benchmark) does not grow this fake's memory; recent messages can still be edited.
   */
  trim(keep: number): void {
    this.calls.splice(0);
    for (const s of this.chats.values()) if (s.length > keep) s.splice(0, s.length - keep);
  }

  /** All messages of a chat (user and bot), in order, as they look now. */
  messages(chatId: number): ChatMessage[] {
    return [...(this.chats.get(chatId) ?? [])];
  }

  botMessages(chatId: number): ChatMessage[] {
    return this.messages(chatId).filter((m) => m.from === "bot" && !m.deleted);
  }

  lastBotMessage(chatId: number): ChatMessage | undefined {
    return this.botMessages(chatId).at(-1);
  }

  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Resolves with the first call (already made or future) of `method` matching `pred`. */
  waitForCall(
    method: string,
    pred: (c: RecordedCall) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<RecordedCall> {
    const done = this.calls.find((c) => c.method === method && pred(c));
    if (done) return Promise.resolve(done);
    return new Promise((resolve, reject) => {
      const onCall = (c: RecordedCall) => {
        if (c.method === method && pred(c)) {
          clearTimeout(timer);
          this.off("call", onCall);
          resolve(c);
        }
      };
      const timer = setTimeout(() => {
        this.off("call", onCall);
        reject(new Error(`timed out waiting for ${method}`));
      }, timeoutMs);
      this.on("call", onCall);
    });
  }

  // ---- internals --------------------------------------------------------------------------

  private chatObj(chatId: number, type: ChatType, userId: number) {
    return type === "private"
      ? { id: chatId, type, first_name: `User ${userId}` }
      : { id: chatId, type, title: `Chat ${chatId}` };
  }

  private store(chatId: number): ChatMessage[] {
    let s = this.chats.get(chatId);
    if (!s) {
      s = [];
      this.chats.set(chatId, s);
    }
    return s;
  }

  private allocMessageId(chatId: number): number {
    const n = this.nextMessageId.get(chatId) ?? 1;
    this.nextMessageId.set(chatId, n + 1);
    return n;
  }

  private async deliver(update: Update): Promise<Update> {
    if (this.handler) {
      await this.handler(update);
    } else {
      this.queue.push(update);
      for (const wake of [...this.pollers]) wake();
    }
    return update;
  }

  private async serveHttp(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const abort = new AbortController();
    res.on("close", () => abort.abort());
    try {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const result = await this.route(
        url.pathname,
        req.headers["content-type"] ?? "",
        Buffer.concat(chunks),
        abort.signal,
      );
      if (res.writableEnded || res.destroyed) return;
      res.writeHead(statusOf(result), { "content-type": "application/json" });
      res.end(JSON.stringify(result));
    } catch (e) {
      if (e instanceof DroppedConnection) {
        req.socket.destroy();
        return;
      }
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ ok: false, error_code: 500, description: String(e) }));
      }
    }
  }

  private async route(
    pathname: string,
    contentType: string,
    body: Buffer,
    signal?: AbortSignal,
  ): Promise<ApiResult> {
    const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(pathname);
    if (!m) return { ok: false, error_code: 404, description: "Not Found" };
    if (m[1] !== this.token) return { ok: false, error_code: 401, description: "Unauthorized" };
    const method = m[2]!;
    let params: Record<string, unknown>;
    let files = new Map<string, { fileName: string; bytes: Buffer }>();
    try {
      if (contentType.startsWith("multipart/form-data")) {
        ({ params, files } = await parseMultipart(contentType, body));
      } else {
        params = body.length ? (JSON.parse(body.toString("utf8")) as Record<string, unknown>) : {};
      }
    } catch {
      return { ok: false, error_code: 400, description: "Bad Request: could not read the request body" };
    }
    const failure = this.takeFailure(method, params);
    if (failure?.code === "drop" || failure?.code === "hang") {
      if (failure.code === "hang") await untilAborted(signal);
      const call: RecordedCall = {
        method,
        params,
        ok: false,
        errorCode: 0,
        description: `connection ${failure.code}`,
      };
      this.calls.push(call);
      this.emit("call", call);
      throw new DroppedConnection(`connection ${failure.code === "drop" ? "dropped" : "hung up"}`);
    }
    let result: ApiResult;
    if (failure) {
      result =
        failure.code === 429
          ? {
              ok: false,
              error_code: 429,
              description: `Too Many Requests: retry after ${failure.retryAfter}`,
              parameters: { retry_after: failure.retryAfter },
            }
          : { ok: false, error_code: 500, description: "Internal Server Error" };
    } else {
      try {
        result = { ok: true, result: await this.invoke(method, params, files, signal) };
      } catch (e) {
        if (!(e instanceof ApiFailure)) throw e;
        result = { ok: false, error_code: e.code, description: e.description };
      }
    }
    if (method !== "getUpdates") {
      const call: RecordedCall = {
        method,
        params,
        ok: result.ok,
        ...(result.ok ? {} : { errorCode: result.error_code, description: result.description }),
      };
      this.calls.push(call);
      this.emit("call", call);
    }
    return result;
  }

  private async invoke(
    method: string,
    p: Record<string, unknown>,
    files: Map<string, { fileName: string; bytes: Buffer }>,
    signal?: AbortSignal,
  ): Promise<unknown> {
    switch (method) {
      case "getMe":
        return this.botInfo;
      case "setWebhook": {
        const url = String(p.url ?? "");
        if (!url.startsWith("https://"))
          throw new ApiFailure(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook");
        this.webhook = {
          url,
          ...(typeof p.secret_token === "string" ? { secretToken: p.secret_token } : {}),
          ...(Array.isArray(p.allowed_updates) ? { allowedUpdates: p.allowed_updates as string[] } : {}),
        };
        return true;
      }
      case "deleteWebhook":
        this.webhook = null;
        return true;
      case "getWebhookInfo":
        return { url: this.webhook?.url ?? "", has_custom_certificate: false, pending_update_count: 0 };
      case "setMyCommands":
        this.commands = (p.commands as BotCommand[]) ?? [];
        return true;
      case "getMyCommands":
        return this.commands;
      case "getUpdates":
        if (this.webhook)
          throw new ApiFailure(
            409,
            "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
          );
        return this.getUpdates(p, signal);
      case "sendChatAction":
        num(p.chat_id);
        return true;
      case "answerCallbackQuery": {
        const id = String(p.callback_query_id ?? "");
        if (!id || Number(id) >= this.nextCallbackId)
          throw new ApiFailure(
            400,
            "Bad Request: query is too old and response timeout expired or query ID is invalid",
          );
        if (this.callbackAnswers.has(id))
          throw new ApiFailure(
            400,
            "Bad Request: query is too old and response timeout expired or query ID is invalid",
          );
        this.callbackAnswers.set(id, {
          ...(typeof p.text === "string" ? { text: p.text } : {}),
          ...(p.show_alert ? { showAlert: true } : {}),
        });
        return true;
      }
      case "sendMessage": {
        const chatId = num(p.chat_id);
        const raw = String(p.text ?? "");
        const { text, entities } =
          p.parse_mode === "HTML" ? parseTelegramHtmlEntities(raw) : { text: raw, entities: [] };
        if (text.trim() === "") throw new ApiFailure(400, "Bad Request: message text is empty");
        if (text.length > TEXT_LIMIT) throw new ApiFailure(400, "Bad Request: message is too long");
        return this.addBotMessage(chatId, { text, raw, entities, replyMarkup: markupOf(p.reply_markup) });
      }
      case "sendPhoto":
      case "sendDocument": {
        const chatId = num(p.chat_id);
        const photo = method === "sendPhoto";
        const ref = String((photo ? p.photo : p.document) ?? "");
        const file = ref.startsWith("attach://") ? files.get(ref.slice("attach://".length)) : undefined;
        if (!file)
          throw new ApiFailure(
            400,
            `Bad Request: there is no ${photo ? "photo" : "document"} in the request`,
          );
        const rawCaption = typeof p.caption === "string" ? p.caption : "";
        const caption = p.parse_mode === "HTML" ? parseTelegramHtml(rawCaption) : rawCaption;
        if (caption.length > CAPTION_LIMIT)
          throw new ApiFailure(400, "Bad Request: message caption is too long");
        return this.addBotMessage(chatId, {
          text: caption,
          raw: rawCaption,
          replyMarkup: markupOf(p.reply_markup),
          document: {
            fileName: file.fileName,
            bytes: file.bytes,
            ...(caption ? { caption } : {}),
            ...(photo ? { photo } : {}),
          },
        });
      }
      case "editMessageText": {
        const msg = this.findMessage(p);
        const raw = String(p.text ?? "");
        const { text, entities } =
          p.parse_mode === "HTML" ? parseTelegramHtmlEntities(raw) : { text: raw, entities: [] };
        if (text.trim() === "") throw new ApiFailure(400, "Bad Request: message text is empty");
        if (text.length > TEXT_LIMIT) throw new ApiFailure(400, "Bad Request: MESSAGE_TOO_LONG");
        const markup = markupOf(p.reply_markup);
        if (msg.text === text && JSON.stringify(msg.replyMarkup ?? null) === JSON.stringify(markup ?? null)) {
          throw new ApiFailure(
            400,
            "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
          );
        }
        msg.text = text;
        msg.raw = raw;
        if (entities.length) msg.entities = entities;
        else delete msg.entities;
        msg.replyMarkup = markup;
        msg.edits++;
        this.emit("edit", msg);
        return this.messageResult(msg);
      }
      case "editMessageReplyMarkup": {
        const msg = this.findMessage(p);
        const markup = markupOf(p.reply_markup);
        if (JSON.stringify(msg.replyMarkup ?? null) === JSON.stringify(markup ?? null)) {
          throw new ApiFailure(
            400,
            "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
          );
        }
        msg.replyMarkup = markup;
        msg.edits++;
        this.emit("edit", msg);
        return this.messageResult(msg);
      }
      case "deleteMessage": {
        // In a private chat a bot may delete the user's messages too (Telegram: within 48 hours).
        const msg = this.store(num(p.chat_id)).find((m) => m.messageId === num(p.message_id) && !m.deleted);
        if (!msg) throw new ApiFailure(400, "Bad Request: message to delete not found");
        msg.deleted = true;
        this.emit("delete", msg);
        return true;
      }
      default:
        throw new ApiFailure(404, `Not Found: method ${method} is not supported by LocalBotApi`);
    }
  }

  private findMessage(p: Record<string, unknown>): ChatMessage {
    const chatId = num(p.chat_id);
    const id = num(p.message_id);
    const msg = this.store(chatId).find((m) => m.messageId === id && !m.deleted);
    if (!msg) throw new ApiFailure(400, "Bad Request: message to edit not found");
    if (msg.from !== "bot") throw new ApiFailure(400, "Bad Request: message can't be edited");
    return msg;
  }

  private addBotMessage(
    chatId: number,
    m: {
      text: string;
      raw: string;
      entities?: MessageEntity[];
      replyMarkup: InlineKeyboardMarkup | undefined;
      document?: StoredDocument;
    },
  ) {
    const msg: ChatMessage = {
      messageId: this.allocMessageId(chatId),
      chatId,
      from: "bot",
      text: m.text,
      raw: m.raw,
      ...(m.entities?.length ? { entities: m.entities } : {}),
      date: this.now(),
      edits: 0,
      ...(m.replyMarkup ? { replyMarkup: m.replyMarkup } : {}),
      ...(m.document ? { document: m.document } : {}),
    };
    this.store(chatId).push(msg);
    this.emit("message", msg);
    return this.messageResult(msg);
  }

  private messageResult(msg: ChatMessage) {
    const chat = {
      id: msg.chatId,
      type: msg.chatId > 0 ? "private" : "group",
      ...(msg.chatId > 0 ? { first_name: "User" } : { title: "Chat" }),
    };
    const base = { message_id: msg.messageId, date: msg.date, chat, from: { ...this.botInfo } };
    const kb =
      msg.replyMarkup && msg.replyMarkup.inline_keyboard.length ? { reply_markup: msg.replyMarkup } : {};
    if (msg.document?.photo) {
      const size = { file_id: `photo-${msg.chatId}-${msg.messageId}`, file_unique_id: `p${msg.messageId}` };
      return {
        ...base,
        ...kb,
        photo: [{ ...size, width: 800, height: 450, file_size: msg.document.bytes.length }],
        ...(msg.document.caption ? { caption: msg.document.caption } : {}),
      };
    }
    if (msg.document) {
      return {
        ...base,
        ...kb,
        document: {
          file_id: `doc-${msg.chatId}-${msg.messageId}`,
          file_unique_id: `u${msg.messageId}`,
          file_name: msg.document.fileName,
          file_size: msg.document.bytes.length,
        },
        ...(msg.document.caption ? { caption: msg.document.caption } : {}),
      };
    }
    return { ...base, ...kb, text: msg.text, ...(msg.entities ? { entities: msg.entities } : {}) };
  }

  private async getUpdates(p: Record<string, unknown>, signal?: AbortSignal): Promise<Update[]> {
    const offset = typeof p.offset === "number" ? p.offset : 0;
    const limit = typeof p.limit === "number" ? Math.max(1, Math.min(100, p.limit)) : 100;
    const timeout = Math.min(typeof p.timeout === "number" ? p.timeout : 0, this.maxPollSeconds);
    // Confirm (drop) everything below offset.
    while (this.queue.length && this.queue[0]!.update_id < offset) this.queue.shift();
    if (this.queue.length || timeout <= 0) return this.queue.slice(0, limit);
    await new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.pollers.delete(wake);
        signal?.removeEventListener("abort", wake);
        resolve();
      };
      const timer = setTimeout(wake, timeout * 1000);
      this.pollers.add(wake);
      signal?.addEventListener("abort", wake);
    });
    if (signal?.aborted) return [];
    while (this.queue.length && this.queue[0]!.update_id < offset) this.queue.shift();
    return this.queue.slice(0, limit);
  }
}

/** Resolves when the signal aborts (never without one). */
function untilAborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    signal?.addEventListener("abort", () => resolve(), { once: true });
  });
}

function statusOf(r: ApiResult): number {
  return r.ok ? 200 : r.error_code;
}

/** The colours a button may have (Bot API `style`); anything else is refused as Telegram would. */
const BUTTON_STYLES = new Set(["danger", "success", "primary"]);

function markupOf(v: unknown): InlineKeyboardMarkup | undefined {
  if (v == null) return undefined;
  const o = (typeof v === "string" ? JSON.parse(v) : v) as Partial<InlineKeyboardMarkup>;
  if (!Array.isArray(o.inline_keyboard) || o.inline_keyboard.length === 0) return undefined;
  for (const b of o.inline_keyboard.flat() as { style?: unknown }[])
    if (b.style !== undefined && !BUTTON_STYLES.has(String(b.style)))
      throw new ApiFailure(400, `Bad Request: BUTTON_STYLE_INVALID: ${String(b.style)}`);
  return { inline_keyboard: o.inline_keyboard };
}

async function readBody(body: unknown): Promise<Buffer> {
  if (body == null) return Buffer.alloc(0);
  if (typeof body === "string") return Buffer.from(body, "utf8");
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (body instanceof Readable || (typeof body === "object" && Symbol.asyncIterator in body)) {
    const chunks: Buffer[] = [];
    for await (const c of body as AsyncIterable<Uint8Array | string>) chunks.push(Buffer.from(c));
    return Buffer.concat(chunks);
  }
  return Buffer.from(await new Response(body as ConstructorParameters<typeof Response>[0]).arrayBuffer());
}

function parseMultipart(
  contentType: string,
  body: Buffer,
): Promise<{ params: Record<string, unknown>; files: Map<string, { fileName: string; bytes: Buffer }> }> {
  return new Promise((resolve, reject) => {
    const params: Record<string, unknown> = {};
    const files = new Map<string, { fileName: string; bytes: Buffer }>();
    const bb = busboy({ headers: { "content-type": contentType } });
    bb.on("field", (name, value) => {
      let v: unknown = value;
      if (/^[[{]/.test(value)) {
        try {
          v = JSON.parse(value);
        } catch {
          v = value;
        }
      }
      params[name] = v;
    });
    bb.on("file", (name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () =>
        files.set(name, { fileName: info.filename ?? "file", bytes: Buffer.concat(chunks) }),
      );
    });
    bb.on("close", () => resolve({ params, files }));
    bb.on("error", reject);
    bb.end(body);
  });
}
