// A fake Discord on 127.0.0.1: REST under /api/v10 and a gateway, enough for the real discord.js
// client to log in, receive interactions and send messages. It records every request, refuses
// bodies Discord would refuse (see discordRules.ts) and, when asked, rate-limits like Discord.
import { createHash, randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { type WebSocket, WebSocketServer } from "ws";
import { waitForCondition } from "../waitForCondition.js";
import { validateMessagePayload, validateModal } from "./discordRules.js";

export { validateMessagePayload } from "./discordRules.js";

type Json = Record<string, unknown>;

/** Problems in `body` for `method template` (e.g. `PATCH /channels/{channel_id}/messages/{message_id}`). */
export type SpecRules = (template: string, method: string, body: unknown) => string[];

export interface RecordedFile {
  /** The multipart field, e.g. `files[0]`. */
  field: string;
  filename: string;
  contentType: string;
  size: number;
}

export interface RecordedRequest {
  method: string;
  /** Decoded, without the /api/v10 prefix. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | undefined>;
  /** Parsed JSON; for multipart uploads, the parsed `payload_json`. */
  body: unknown;
  /** The file parts of a multipart upload. */
  files?: RecordedFile[];
  status: number;
  /** Which limit a 429 came from. */
  rateLimitScope?: "global" | "route";
  /** Why the fake refused the body (status 400, code 50035). */
  problems?: string[];
  at: number;
}

export interface FakeMessage {
  id: string;
  channel_id: string;
  author: Json;
  content: string;
  embeds: Json[];
  components: Json[];
  attachments: Json[];
  timestamp: string;
  edited_timestamp: string | null;
  type: number;
  flags: number;
  /** The users it pings: those its content mentions and its allowed_mentions let through. */
  mentions: Json[];
  mention_roles: [];
  mention_everyone: boolean;
  /** As sent (Discord echoes it); with enforce_nonce a repeat gets this message back. */
  nonce?: string | number;
  pinned: boolean;
  tts: boolean;
  message_reference?: Json;
  interaction_metadata?: Json;
  /** Test bookkeeping (not sent by Discord): the interaction it answers, and if only its user sees it. */
  interactionId?: string;
  ephemeral: boolean;
  /** Edits applied (channel PATCH, webhook PATCH, callback type 7). */
  edits: number;
  /** Edits that left content, embeds, components, attachments and flags as they were. */
  unchangedEdits: number;
  /** Every earlier version, oldest first. */
  history: Json[];
}

export interface InteractionRecord {
  id: string;
  token: string;
  /** Date.now() when it was created: its token works for `interactionTokenLifetimeMs` from then. */
  createdAt: number;
  type: number;
  channelId: string;
  userId: string;
  /** The message a clicked component (or a modal opened from it) is on. */
  messageId?: string;
  callbacks: { type: number; data?: Json }[];
  responseMessageId?: string;
  followUps: string[];
  modal?: Json;
}

export interface RateLimitOptions {
  perRoute?: { limit: number; windowMs: number };
  global?: { limit: number; windowMs: number };
  /**
   * Each interaction token's bucket on its webhook routes (default 5 per 2 s, as Discord announces
   * for them); those routes never count against `global`.
   */
  interactionToken?: { limit: number; windowMs: number };
}

/** Discord's webhook-route bucket for one interaction token. */
const INTERACTION_TOKEN_LIMIT = { limit: 5, windowMs: 2000 };

export interface FakeDiscordOptions {
  token?: string;
  applicationId?: string;
  botUserId?: string;
  guildId?: string;
  channelIds?: string[];
  /** Role ids that exist in the guild besides @everyone. */
  roleIds?: string[];
  shards?: number;
  rateLimits?: RateLimitOptions;
  /** How long an interaction token works on webhook routes (default 15 minutes, as on Discord). */
  interactionTokenLifetimeMs?: number;
  /**
   * Problems a request body has by Discord's OpenAPI description, given its route template (the
   * tests pass test/support/discordSpec.ts); without it only the rules beyond the spec apply.
   */
  specRules?: SpecRules;
  /** Largest file an upload may carry (Discord's default for bots: 10 MiB); larger ones get 413. */
  uploadLimitBytes?: number;
  /** Names clients see (the sandbox page); by default "Test Guild" and mj-<position>. */
  guildName?: string;
  channelNames?: Record<string, string>;
  /** The server's preferred locale (GUILD_CREATE's preferred_locale, interactions' guild_locale); en-US by default. */
  guildLocale?: string;
}

export interface UserOptions {
  userId?: string;
  username?: string;
  roles?: string[];
  /** Bit set of the member's permissions in the channel, as a decimal string. */
  permissions?: string;
  appPermissions?: string;
  channelId?: string;
  /** The member's Discord client language (the interaction's `locale`); en-US by default. */
  locale?: string;
  /**
   * How long ago the interaction was created (its id's time and its token's age): an interaction
   * that reaches the bot with part of its token's 15 minutes spent, as after a long outage.
   */
  createdAgoMs?: number;
  /** Attachment options of a slash command, by option name. */
  attachments?: Record<string, { url: string; filename: string; content_type: string; size: number }>;
}

export interface FaultReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const ALL_PERMISSIONS = "2248473465835073";
const UPLOAD_LIMIT_BYTES = 10 * 1024 * 1024;
const ALICE = "900000000000000101";
const EPHEMERAL = 64;
const LOADING = 128;
/** Discord: a nonce with enforce_nonce is "checked for uniqueness in the past few minutes". */
const NONCE_WINDOW_MS = 5 * 60 * 1000;
let snowflakeCounter = 0n;

/** Ids that look like Discord's (time-ordered, 18–19 digits) and never collide in one process. */
function snowflake(at = Date.now()): string {
  snowflakeCounter += 1n;
  return String(((BigInt(at) - 1420070400000n) << 22n) + (snowflakeCounter % 4194304n));
}

// ---- what Discord refuses, by route ---------------------------------------------------------------

// Discord's rules for command names: lowercase where the script has case, 1–32 characters.
const COMMAND_NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

// The locales Discord accepts as keys of name_localizations and description_localizations.
const DISCORD_LOCALES = new Set(
  "id da de en-GB en-US es-ES es-419 fr hr it lt hu nl no pl pt-BR ro fi sv-SE vi tr cs el bg ru uk hi th zh-CN ja zh-TW ko".split(
    " ",
  ),
);

/** A localizations map: known locale keys, texts of 1 to `max` characters. */
function localizationProblems(map: unknown, at: string, max: number, problems: string[]): void {
  if (map === undefined || map === null) return;
  if (typeof map !== "object") {
    problems.push(`${at}: must be an object`);
    return;
  }
  for (const [locale, text] of Object.entries(map as Json)) {
    if (!DISCORD_LOCALES.has(locale)) problems.push(`${at}.${locale}: not a Discord locale`);
    if (typeof text !== "string" || text.length < 1 || text.length > max)
      problems.push(`${at}.${locale}: 1 to ${max} characters`);
  }
}

function nameProblems(item: Json, at: string, problems: string[]): void {
  const name = String(item.name ?? "");
  if (!COMMAND_NAME.test(name) || name !== name.toLowerCase())
    problems.push(`${at}.name: 1 to 32 lowercase characters`);
  const description = String(item.description ?? "");
  if (description.length < 1 || description.length > 100)
    problems.push(`${at}.description: 1 to 100 characters`);
  localizationProblems(item.name_localizations, `${at}.name_localizations`, 32, problems);
  localizationProblems(item.description_localizations, `${at}.description_localizations`, 100, problems);
}

function choiceProblems(choices: unknown, at: string, problems: string[]): void {
  if (!Array.isArray(choices)) return;
  for (const [i, choice] of (choices as Json[]).entries()) {
    const name = String(choice.name ?? "");
    if (name.length < 1 || name.length > 100) problems.push(`${at}[${i}].name: 1 to 100 characters`);
    localizationProblems(choice.name_localizations, `${at}[${i}].name_localizations`, 100, problems);
  }
}

function optionProblems(options: unknown, at: string, problems: string[]): void {
  if (!Array.isArray(options)) return;
  let optionalSeen = false;
  for (const [i, option] of (options as Json[]).entries()) {
    nameProblems(option, `${at}[${i}]`, problems);
    if (option.required === true && optionalSeen)
      problems.push(`${at}[${i}].required: required options must come before optional ones`);
    if (option.required !== true) optionalSeen = true;
    choiceProblems(option.choices, `${at}[${i}].choices`, problems);
    if (option.type === 1 || option.type === 2)
      optionProblems(option.options, `${at}[${i}].options`, problems);
  }
}

/** Command registration (PUT): Discord wants descriptions on slash commands; the spec does not say so. */
function commandProblems(body: unknown): string[] {
  if (!Array.isArray(body)) return ["body: must be an array of commands"];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const [i, command] of (body as Json[]).entries()) {
    if (command === null || typeof command !== "object") {
      problems.push(`${i}: must be an object`);
      continue;
    }
    const type = Number(command.type ?? 1);
    const name = String(command.name ?? "");
    if (type === 1) nameProblems(command, String(i), problems);
    else if (command.description)
      problems.push(`${i}.description: must be empty for user and message commands`);
    optionProblems(command.options, `${i}.options`, problems);
    if (seen.has(`${type}:${name}`)) problems.push(`${i}.name: duplicated (${name})`);
    seen.add(`${type}:${name}`);
  }
  return problems;
}

/** Interaction callbacks: replies and updates are message bodies, type 9 is a modal. */
function callbackProblems(body: unknown): string[] {
  const callback = (body ?? {}) as Json;
  if (callback.type === 4 || callback.type === 7) return validateMessagePayload(callback.data ?? {});
  if (callback.type === 9) return validateModal(callback.data);
  return [];
}

// Each route with a body Discord checks: its path template in the spec, and the rules beyond it.
const BODY_RULES: [string, (body: unknown) => string[]][] = [
  ["POST /channels/{channel_id}/messages", validateMessagePayload],
  ["PATCH /channels/{channel_id}/messages/{message_id}", validateMessagePayload],
  ["POST /interactions/{interaction_id}/{interaction_token}/callback", callbackProblems],
  ["POST /webhooks/{webhook_id}/{webhook_token}", validateMessagePayload],
  ["PATCH /webhooks/{webhook_id}/{webhook_token}/messages/@original", validateMessagePayload],
  ["PATCH /webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", validateMessagePayload],
  ["PUT /applications/{application_id}/commands", commandProblems],
  ["PUT /applications/{application_id}/guilds/{guild_id}/commands", commandProblems],
];
const BODY_ROUTES = BODY_RULES.map(([route, rules]) => {
  const [method = "", template = ""] = route.split(" ");
  return { method, template, rules, pattern: new RegExp(`^${template.replace(/\{\w+\}/g, "[^/]+")}$`) };
});

/**
 * What Discord would refuse in `body` sent to `method path` (path decoded, without /api/v10):
 * the route's request schema from Discord's OpenAPI description plus the rules it cannot state.
 * Routes without a body rule answer [].
 */
export function validateRequest(
  method: string,
  path: string,
  body: unknown,
  specRules?: SpecRules,
): string[] {
  const route = BODY_ROUTES.find((r) => r.method === method && r.pattern.test(path));
  if (!route) return [];
  return [...(specRules?.(route.template, method, body) ?? []), ...route.rules(body)];
}

/**
 * Discord's `errors` object nests by field (`components.0.components.1.emoji._errors`); discord.js
 * flattens it into the error message, so a refusal reads like Discord's own.
 */
function formBodyErrors(problems: string[]): Json {
  const errors: Json = {};
  for (const problem of problems) {
    const match = /^([\w[\].@]+): (.*)$/.exec(problem) ?? /^\/(\S+) (.*)$/.exec(problem);
    let node = errors;
    for (const key of (match?.[1] ?? "").split(/[.[\]/]+/).filter(Boolean)) {
      node[key] ??= {};
      node = node[key] as Json;
    }
    const message = match?.[2] ?? problem;
    const code = message.includes("BUTTON_COMPONENT_INVALID_EMOJI")
      ? "BUTTON_COMPONENT_INVALID_EMOJI"
      : "INVALID";
    node._errors = [...((node._errors as Json[] | undefined) ?? []), { code, message }];
  }
  return errors;
}

// ---- multipart uploads ----------------------------------------------------------------------------

interface Upload extends RecordedFile {
  bytes: Buffer;
}

/** Splits a multipart/form-data body into `payload_json` and its files (what discord.js sends for uploads). */
function parseMultipart(raw: Buffer, contentType: string): { body: unknown; files: Upload[] } {
  const boundary = /boundary="?([^";]+)"?/.exec(contentType)?.[1];
  const files: Upload[] = [];
  let body: unknown = {};
  if (!boundary) return { body, files };
  const delimiter = Buffer.from(`--${boundary}`);
  let start = raw.indexOf(delimiter);
  while (start !== -1) {
    const next = raw.indexOf(delimiter, start + delimiter.length);
    if (next === -1) break;
    const part = raw.subarray(start + delimiter.length + 2, next - 2);
    const split = part.indexOf("\r\n\r\n");
    const head = part.subarray(0, split).toString("utf8");
    const content = part.subarray(split + 4);
    const field = /name="([^"]*)"/.exec(head)?.[1] ?? "";
    const filename = /filename="([^"]*)"/.exec(head)?.[1];
    if (field === "payload_json") body = JSON.parse(content.toString("utf8"));
    else if (filename !== undefined) {
      const type = /content-type:\s*([^\r\n]+)/i.exec(head)?.[1] ?? "application/octet-stream";
      files.push({ field, filename, contentType: type, size: content.length, bytes: Buffer.from(content) });
    }
    start = next;
  }
  return { body, files };
}

/**
 * Embed images and thumbnails given as `attachment://<filename>` point at that file of the
 * message once Discord has it (also a file kept from an earlier upload); others stay as sent.
 */
function resolveAttachmentUrls(embeds: Json[], attachments: Json[]): Json[] {
  return embeds.map((embed) => {
    const resolved: Json = { ...embed };
    for (const part of ["image", "thumbnail"] as const) {
      const media = embed[part] as Json | undefined;
      const url = typeof media?.url === "string" ? media.url : "";
      if (!url.startsWith("attachment://")) continue;
      const file = attachments.find((a) => a.filename === url.slice("attachment://".length));
      if (file)
        resolved[part] = {
          ...media,
          url: file.url,
          proxy_url: file.proxy_url,
          content_type: file.content_type,
        };
    }
    return resolved;
  });
}

// ---- mentions ----------------------------------------------------------------------------------------

/** Who a message body pings: the users its content mentions that allowed_mentions lets through (all without it). */
function mentionedUserIds(body: Json): string[] {
  const content = typeof body.content === "string" ? body.content : "";
  const ids = [...new Set([...content.matchAll(/<@!?(\d{17,20})>/g)].map((match) => match[1] as string))];
  const allowed = body.allowed_mentions as Json | null | undefined;
  if (!allowed) return ids;
  if (Array.isArray(allowed.parse) && allowed.parse.includes("users")) return ids;
  const users = Array.isArray(allowed.users) ? allowed.users.map(String) : [];
  return ids.filter((id) => users.includes(id));
}

/** Whether a message body pings @everyone or @here. */
function mentionsEveryone(body: Json): boolean {
  const content = typeof body.content === "string" ? body.content : "";
  if (!/@(everyone|here)\b/.test(content)) return false;
  const allowed = body.allowed_mentions as Json | null | undefined;
  return !allowed || (Array.isArray(allowed.parse) && allowed.parse.includes("everyone"));
}

function mentionedUser(id: string): Json {
  return { id, username: `user${id.slice(-3)}`, discriminator: "0", global_name: null, avatar: null };
}

// ---- the fake --------------------------------------------------------------------------------------

interface Bucket {
  count: number;
  resetAt: number;
  hash: string;
}

interface Session {
  id: string;
  shard: number;
  seq: number;
}

type Reply = (status: number, body?: unknown, headers?: Record<string, string>) => void;

interface Exchange {
  method: string;
  path: string;
  query: URLSearchParams;
  body: Json;
  uploads: Upload[];
  recorded: RecordedRequest;
  reply: Reply;
}

export class FakeDiscord {
  readonly token: string;
  readonly applicationId: string;
  readonly botUserId: string;
  readonly guildId: string;
  readonly requests: RecordedRequest[] = [];
  readonly rejected: RecordedRequest[] = [];
  readonly rateLimited: RecordedRequest[] = [];
  readonly messages = new Map<string, FakeMessage>();
  readonly interactions = new Map<string, InteractionRecord>();
  readonly commands: Json[] = [];
  readonly guildCommands: Json[] = [];
  /** Shard ids that identified, in order. */
  readonly identified: number[] = [];
  /** Shard ids that resumed a session, in order. */
  readonly resumed: number[] = [];
  apiUrl = "";
  gatewayUrl = "";
  /** Keep only counts, not bodies, of requests (benchmark). */
  recordBodies = true;
  readonly #options: FakeDiscordOptions;
  readonly #channels: Set<string>;
  #guildLocale: string;
  readonly #deletedChannels = new Set<string>();
  readonly #revokedChannels = new Set<string>();
  readonly #expired = new Set<string>();
  readonly #byToken = new Map<string, InteractionRecord>();
  /** Messages created with enforce_nonce, by nonce. */
  readonly #nonces = new Map<string, { messageId: string; at: number }>();
  readonly #files = new Map<string, { contentType: string; bytes: Buffer }>();
  readonly #events = new EventEmitter();
  readonly #faults: { method?: string; path?: RegExp | string; reply: FaultReply; count: number }[] = [];
  readonly #delays: { method?: string; path?: RegExp | string; ms: number; count: number }[] = [];
  readonly #buckets = new Map<string, Bucket>();
  #global: Bucket = { count: 0, resetAt: 0, hash: "global" };
  readonly #sessions = new Map<string, Session>();
  readonly #sockets = new Map<WebSocket, Session>();
  readonly #tcp = new Set<Socket>();
  readonly #server = createServer((req, res) => void this.#handle(req, res));
  readonly #wss = new WebSocketServer({ noServer: true });

  constructor(options: FakeDiscordOptions = {}) {
    this.#options = options;
    this.token = options.token ?? `fake-bot-token-${randomBytes(16).toString("hex")}`;
    this.applicationId = options.applicationId ?? "900000000000000002";
    this.botUserId = options.botUserId ?? "900000000000000001";
    this.guildId = options.guildId ?? "900000000000000010";
    this.#channels = new Set(options.channelIds ?? ["900000000000000020"]);
    this.#guildLocale = options.guildLocale ?? "en-US";
    this.#events.setMaxListeners(0);
    this.#server.on("connection", (socket) => {
      this.#tcp.add(socket);
      socket.on("close", () => this.#tcp.delete(socket));
    });
    this.#server.on("upgrade", (req, socket, head) => {
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#onGateway(ws));
    });
  }

  get channelId(): string {
    return [...this.#channels][0] as string;
  }

  /** Live gateway sockets that identified or resumed. */
  get connections(): number {
    return this.#sockets.size;
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    const port = (this.#server.address() as AddressInfo).port;
    this.apiUrl = `http://127.0.0.1:${port}/api`;
    this.gatewayUrl = `ws://127.0.0.1:${port}`;
    return this;
  }

  get guildLocale(): string {
    return this.#guildLocale;
  }

  /** The gateway connection of the shard the guild is on, once the bot is logged in. */
  #guildSocket(): WebSocket | undefined {
    return [...this.#sockets.entries()].find(([, state]) => state.shard === this.#guildShard())?.[0];
  }

  /** The server's admins change its preferred locale: the bot hears GUILD_UPDATE, as from Discord. */
  setGuildLocale(locale: string): void {
    this.#guildLocale = locale;
    const socket = this.#guildSocket();
    if (socket) this.#send(socket, { op: 0, t: "GUILD_UPDATE", d: this.#guild() });
  }

  addChannel(id: string): void {
    this.#channels.add(id);
  }

  channelMessages(channelId: string): FakeMessage[] {
    return [...this.messages.values()].filter((m) => m.channel_id === channelId && !m.ephemeral);
  }

  /** A message that exists in a channel without the bot having sent it now (benchmark seeding). */
  seedMessage(channelId: string, content = ""): FakeMessage {
    return this.#createMessage(channelId, { content }, {});
  }

  /**
   * A slash command's reply that exists without the bot having answered it now (benchmark
   * seeding): the message and the interaction whose token can edit it.
   */
  seedInteractionReply(
    channelId: string,
    content = "",
  ): { message: FakeMessage; interaction: InteractionRecord } {
    const id = snowflake();
    const record: InteractionRecord = {
      id,
      token: `itok${id}${randomBytes(8).toString("hex")}`,
      createdAt: Date.now(),
      type: 2,
      channelId,
      userId: ALICE,
      callbacks: [{ type: 4, data: { content } }],
      followUps: [],
    };
    const message = this.#createMessage(channelId, { content }, { interactionId: id });
    record.responseMessageId = message.id;
    this.interactions.set(id, record);
    this.#byToken.set(record.token, record);
    return { message, interaction: record };
  }

  /** A file a user uploads with a command option; served like Discord's CDN. */
  addAttachment(
    filename: string,
    contentType: string,
    bytes: Buffer,
    declaredSize = bytes.length,
  ): { url: string; filename: string; content_type: string; size: number } {
    const url = this.#serveFile(filename, contentType, bytes);
    return { url, filename, content_type: contentType, size: declaredSize };
  }

  editsOf(messageId: string): number {
    return this.messages.get(messageId)?.edits ?? 0;
  }

  /** The user deleted it: later requests for it answer 404 Unknown Message (10008). */
  deleteMessage(messageId: string): void {
    this.messages.delete(messageId);
    this.#events.emit("change");
  }

  /** Its routes answer 404 Unknown Channel (10003). */
  deleteChannel(channelId: string): void {
    this.#deletedChannels.add(channelId);
  }

  /** Its routes answer 403 Missing Access (50001), as when the bot's role loses the channel. */
  revokeAccess(channelId: string): void {
    this.#revokedChannels.add(channelId);
  }

  /** The bot's access to the channel is back (after revokeAccess). */
  restoreAccess(channelId: string): void {
    this.#revokedChannels.delete(channelId);
  }

  /** The token's 15 minutes are over: callbacks answer 10062, webhook routes 401 with 50027. */
  expireInteraction(interactionId: string): void {
    this.#expired.add(interactionId);
  }

  /**
   * The next `count` requests that match are carried out at once (a message is created, an edit
   * applied) but answered only after `ms`: a bot that dies meanwhile never learns the outcome.
   */
  delayNext(match: { method?: string; path?: RegExp | string }, ms: number, count = 1): void {
    this.#delays.push({ ...match, ms, count });
  }

  /** The next `count` requests that match get `reply` instead of their normal answer. */
  failNext(match: { method?: string; path?: RegExp | string }, reply: FaultReply, count = 1): void {
    this.#faults.push({ ...match, reply, count });
  }

  // ---- driving the bot as a user -----------------------------------------------------------------

  sendCommand(
    name: string,
    options: Record<string, string | number | boolean> | Json[] = {},
    user: UserOptions = {},
  ): Promise<InteractionRecord> {
    const list = Array.isArray(options)
      ? [...options]
      : Object.entries(options).map(([optionName, value]) => ({
          name: optionName,
          type:
            typeof value === "number"
              ? Number.isInteger(value)
                ? 4
                : 10
              : typeof value === "boolean"
                ? 5
                : 3,
          value,
        }));
    const attachments: Json = {};
    for (const [optionName, attachment] of Object.entries(user.attachments ?? {})) {
      const id = snowflake();
      attachments[id] = { id, ...attachment, proxy_url: attachment.url };
      list.push({ name: optionName, type: 11, value: id });
    }
    const data: Json = { id: snowflake(), name, type: 1, options: list };
    if (Object.keys(attachments).length > 0) data.resolved = { attachments };
    return this.#dispatchInteraction(2, data, user);
  }

  /** A subcommand (e.g. /mjfeed enable). */
  sendSubcommand(name: string, subcommand: string, user: UserOptions = {}): Promise<InteractionRecord> {
    return this.sendCommand(name, [{ name: subcommand, type: 1, options: [] }], user);
  }

  clickButton(messageId: string, customId: string, user: UserOptions = {}): Promise<InteractionRecord> {
    const message = this.messages.get(messageId);
    if (!message) return Promise.reject(new Error(`fake Discord has no message ${messageId}`));
    return this.#dispatchInteraction(
      3,
      { custom_id: customId, component_type: 2 },
      { channelId: message.channel_id, ...user },
      message,
    );
  }

  /** A modal submitted in the classic shape (an action row per text input); `messageId` if opened from a button. */
  submitModal(
    customId: string,
    fields: Record<string, string>,
    user: UserOptions & { messageId?: string } = {},
  ): Promise<InteractionRecord> {
    const components = Object.entries(fields).map(([id, value]) => ({
      type: 1,
      components: [{ type: 4, custom_id: id, value }],
    }));
    const message = user.messageId ? this.messages.get(user.messageId) : undefined;
    return this.#dispatchInteraction(5, { custom_id: customId, components }, user, message);
  }

  /** Closes every gateway connection with a resumable code; discord.js reconnects and resumes. */
  disconnectAll(): void {
    for (const ws of this.#sockets.keys()) ws.close(4000, "test disconnect");
  }

  // ---- waiting -----------------------------------------------------------------------------------

  /** Calls `listener` after every change the fake records (messages, callbacks, gateway); returns its remover. */
  onChange(listener: () => void): () => void {
    this.#events.on("change", listener);
    return () => this.#events.off("change", listener);
  }

  /** Resolves with the first truthy value of `check`, re-checked on every change and every 10 ms. */
  waitFor<T>(check: () => T | undefined | null | false, { timeoutMs = 10_000 } = {}): Promise<T> {
    return waitForCondition(this.#events, check, timeoutMs, (lastError) => {
      const last = this.requests
        .slice(-6)
        .map((r) => `${r.method} ${r.path} -> ${r.status}${r.problems ? ` ${r.problems.join("; ")}` : ""}`)
        .join("\n  ");
      const thrown = lastError ? `\nthe condition last threw: ${String(lastError)}` : "";
      return `fake Discord: condition not met within ${timeoutMs} ms${thrown}\nlast requests:\n  ${last || "(none)"}`;
    });
  }

  waitForRequest(
    predicate: (r: RecordedRequest) => boolean,
    options?: { timeoutMs?: number },
  ): Promise<RecordedRequest> {
    return this.waitFor(() => this.requests.find(predicate), options);
  }

  waitForMessage(
    predicate: (m: FakeMessage) => boolean,
    options?: { timeoutMs?: number },
  ): Promise<FakeMessage> {
    return this.waitFor(() => [...this.messages.values()].find(predicate), options);
  }

  async close(): Promise<void> {
    for (const ws of this.#wss.clients) ws.terminate();
    this.#wss.close();
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
      for (const socket of this.#tcp) socket.destroy();
    });
  }

  // ---- gateway -----------------------------------------------------------------------------------

  #botUser(): Json {
    return {
      id: this.botUserId,
      username: "mjrelay",
      discriminator: "0",
      global_name: null,
      avatar: null,
      bot: true,
    };
  }

  #shardCount(): number {
    return this.#options.shards ?? 1;
  }

  #guildShard(): number {
    return Number((BigInt(this.guildId) >> 22n) % BigInt(this.#shardCount()));
  }

  #send(ws: WebSocket, payload: Json): void {
    const session = this.#sockets.get(ws);
    if (payload.op === 0 && session) {
      session.seq += 1;
      payload.s = session.seq;
    }
    ws.send(JSON.stringify(payload));
  }

  #onGateway(ws: WebSocket): void {
    ws.send(JSON.stringify({ op: 10, d: { heartbeat_interval: 45_000 }, s: null, t: null }));
    ws.on("message", (raw) => {
      let frame: { op?: number; d?: Json };
      try {
        frame = JSON.parse(raw.toString()) as { op?: number; d?: Json };
      } catch {
        ws.close(4002, "Error while decoding payload.");
        return;
      }
      if (frame.op === 1) ws.send(JSON.stringify({ op: 11, d: null, s: null, t: null }));
      else if (frame.op === 2) this.#identify(ws, frame.d ?? {});
      else if (frame.op === 6) this.#resume(ws, frame.d ?? {});
    });
    ws.on("close", () => {
      this.#sockets.delete(ws);
      this.#events.emit("change");
    });
  }

  #authenticates(ws: WebSocket, token: unknown): boolean {
    if (token === this.token || token === `Bot ${this.token}`) return true;
    ws.close(4004, "Authentication failed.");
    return false;
  }

  #identify(ws: WebSocket, data: Json): void {
    if (!this.#authenticates(ws, data.token)) return;
    const [shardId = 0, shardCount = 1] = Array.isArray(data.shard) ? (data.shard as number[]) : [];
    const session: Session = { id: `s${snowflake()}`, shard: shardId, seq: 0 };
    this.#sessions.set(session.id, session);
    this.#sockets.set(ws, session);
    this.identified.push(shardId);
    const hasGuild = shardId === this.#guildShard() || shardCount === 1;
    this.#send(ws, {
      op: 0,
      t: "READY",
      d: {
        v: 10,
        user: { ...this.#botUser(), verified: true, flags: 0, mfa_enabled: false },
        guilds: hasGuild ? [{ id: this.guildId, unavailable: true }] : [],
        session_id: session.id,
        resume_gateway_url: this.gatewayUrl,
        shard: [shardId, shardCount],
        application: { id: this.applicationId, flags: 0 },
      },
    });
    // discord.js is not ready until every guild READY lists as unavailable has arrived.
    if (hasGuild) this.#send(ws, { op: 0, t: "GUILD_CREATE", d: this.#guild() });
    this.#events.emit("change");
  }

  #resume(ws: WebSocket, data: Json): void {
    if (!this.#authenticates(ws, data.token)) return;
    const session = this.#sessions.get(String(data.session_id));
    if (!session) {
      // Not resumable: discord.js answers op 9 (d: false) with a fresh IDENTIFY.
      ws.send(JSON.stringify({ op: 9, d: false, s: null, t: null }));
      return;
    }
    // Nothing is replayed: the fake never dispatches to a shard that has no socket.
    this.#sockets.set(ws, session);
    this.resumed.push(session.shard);
    this.#send(ws, { op: 0, t: "RESUMED", d: {} });
    this.#events.emit("change");
  }

  #guild(): Json {
    return {
      id: this.guildId,
      name: this.#options.guildName ?? "Test Guild",
      icon: null,
      owner_id: ALICE,
      afk_timeout: 300,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      features: [],
      mfa_level: 0,
      system_channel_flags: 0,
      premium_tier: 0,
      preferred_locale: this.#guildLocale,
      nsfw_level: 0,
      large: false,
      member_count: 3,
      unavailable: false,
      joined_at: "2026-11-24T04:29:47.349Z",
      roles: [this.guildId, ...(this.#options.roleIds ?? [])].map((id, position) => ({
        id,
        name: position === 0 ? "@everyone" : `role-${position}`,
        color: 0,
        hoist: false,
        position,
        permissions: position === 0 ? ALL_PERMISSIONS : "0",
        managed: false,
        mentionable: false,
        flags: 0,
      })),
      emojis: [],
      stickers: [],
      members: [],
      presences: [],
      voice_states: [],
      threads: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
      channels: [...this.#channels].map((id, position) => this.#channel(id, position)),
    };
  }

  #channel(id: string, position = [...this.#channels].indexOf(id)): Json {
    return {
      id,
      type: 0,
      guild_id: this.guildId,
      name: this.#options.channelNames?.[id] ?? `mj-${position}`,
      position,
      permission_overwrites: [],
      nsfw: false,
      parent_id: null,
    };
  }

  #publicMessage(message: FakeMessage): Json {
    const { interactionId: _i, ephemeral: _e, edits: _n, unchangedEdits: _u, history: _h, ...rest } = message;
    return rest;
  }

  async #dispatchInteraction(
    type: number,
    data: Json,
    user: UserOptions,
    message?: FakeMessage,
  ): Promise<InteractionRecord> {
    const createdAt = Date.now() - (user.createdAgoMs ?? 0);
    const id = snowflake(createdAt);
    const token = `itok${id}${randomBytes(8).toString("hex")}`;
    const channelId = user.channelId ?? this.channelId;
    const userId = user.userId ?? ALICE;
    const record: InteractionRecord = {
      id,
      token,
      createdAt,
      type,
      channelId,
      userId,
      ...(message ? { messageId: message.id } : {}),
      callbacks: [],
      followUps: [],
    };
    const socket = this.#guildSocket();
    if (!socket) throw new Error("no gateway connection for the guild's shard: is the bot logged in?");
    this.interactions.set(id, record);
    this.#byToken.set(token, record);
    const permissions = user.permissions ?? ALL_PERMISSIONS;
    const locale = user.locale ?? "en-US";
    this.#send(socket, {
      op: 0,
      t: "INTERACTION_CREATE",
      d: {
        id,
        application_id: this.applicationId,
        token,
        version: 1,
        type,
        data,
        guild_id: this.guildId,
        channel_id: channelId,
        channel: { id: channelId, type: 0, guild_id: this.guildId, name: "mj", permissions },
        guild: { id: this.guildId, locale: this.#guildLocale, features: [] },
        guild_locale: this.#guildLocale,
        member: {
          user: {
            id: userId,
            username: user.username ?? `user${userId.slice(-3)}`,
            discriminator: "0",
            global_name: null,
            avatar: null,
          },
          roles: user.roles ?? [],
          joined_at: "2026-11-24T04:29:47.641Z",
          deaf: false,
          mute: false,
          flags: 0,
          permissions,
          avatar: null,
          nick: null,
        },
        locale,
        app_permissions: user.appPermissions ?? ALL_PERMISSIONS,
        // Without entitlements discord.js throws from the event handler and ends the process.
        entitlements: [],
        authorizing_integration_owners: { "0": this.guildId },
        context: 0,
        ...(message ? { message: this.#publicMessage(message) } : {}),
      },
    });
    return record;
  }

  // ---- messages ----------------------------------------------------------------------------------

  #serveFile(filename: string, contentType: string, bytes: Buffer): string {
    const path = `/attachments/${snowflake()}/${encodeURIComponent(filename)}`;
    this.#files.set(path, { contentType, bytes });
    return this.apiUrl.replace(/\/api$/, "") + path;
  }

  /** The attachments a body keeps (by id) and uploads (`{id: "<n>"}` matched to the part `files[n]`). */
  #attachments(body: Json, uploads: Upload[], current: Json[]): Json[] {
    const listed = Array.isArray(body.attachments) ? (body.attachments as Json[]) : [];
    const result: Json[] = [];
    for (const entry of listed) {
      const kept = current.find((a) => a.id === String(entry.id));
      const upload = uploads.find((u) => u.field === `files[${String(entry.id)}]`);
      if (kept) result.push(kept);
      else if (upload) {
        const url = this.#serveFile(upload.filename, upload.contentType, upload.bytes);
        result.push({
          id: snowflake(),
          filename: upload.filename,
          size: upload.size,
          url,
          proxy_url: url,
          content_type: upload.contentType,
          ...(typeof entry.description === "string" ? { description: entry.description } : {}),
        });
      }
    }
    return result;
  }

  #createMessage(
    channelId: string,
    body: Json,
    meta: { interactionId?: string; ephemeral?: boolean; uploads?: Upload[] },
  ): FakeMessage {
    const interaction = meta.interactionId ? this.interactions.get(meta.interactionId) : undefined;
    const message: FakeMessage = {
      id: snowflake(),
      channel_id: channelId,
      author: this.#botUser(),
      content: typeof body.content === "string" ? body.content : "",
      embeds: [],
      components: Array.isArray(body.components) ? (body.components as Json[]) : [],
      attachments: this.#attachments(body, meta.uploads ?? [], []),
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      type: body.message_reference ? 19 : 0,
      flags: Number(body.flags ?? 0),
      mentions: mentionedUserIds(body).map(mentionedUser),
      mention_roles: [],
      mention_everyone: mentionsEveryone(body),
      ...(typeof body.nonce === "string" || typeof body.nonce === "number" ? { nonce: body.nonce } : {}),
      pinned: false,
      tts: false,
      ...(body.message_reference ? { message_reference: body.message_reference as Json } : {}),
      ...(interaction
        ? {
            interaction_metadata: {
              id: interaction.id,
              type: interaction.type,
              user: {
                id: interaction.userId,
                username: `user${interaction.userId.slice(-3)}`,
                discriminator: "0",
                avatar: null,
              },
              authorizing_integration_owners: { "0": this.guildId },
            },
          }
        : {}),
      ...(meta.interactionId ? { interactionId: meta.interactionId } : {}),
      ephemeral: meta.ephemeral ?? false,
      edits: 0,
      unchangedEdits: 0,
      history: [],
    };
    message.embeds = resolveAttachmentUrls(
      Array.isArray(body.embeds) ? (body.embeds as Json[]) : [],
      message.attachments,
    );
    this.messages.set(message.id, message);
    this.#events.emit("change");
    return message;
  }

  #editMessage(message: FakeMessage, body: Json, uploads: Upload[] = []): FakeMessage {
    const version = (m: FakeMessage): Json => ({
      content: m.content,
      embeds: m.embeds,
      components: m.components,
      attachments: m.attachments,
      flags: m.flags,
    });
    const before = version(message);
    message.history.push(before);
    if (body.content !== undefined) {
      message.content = String(body.content ?? "");
      message.mentions = mentionedUserIds(body).map(mentionedUser);
      message.mention_everyone = mentionsEveryone(body);
    }
    if (body.components !== undefined) message.components = (body.components as Json[] | null) ?? [];
    if (body.attachments !== undefined)
      message.attachments = this.#attachments(body, uploads, message.attachments);
    if (body.embeds !== undefined)
      message.embeds = resolveAttachmentUrls((body.embeds as Json[] | null) ?? [], message.attachments);
    // Discord keeps flags it manages (ephemeral) and drops the loading state once the deferral is filled.
    if (body.flags !== undefined) message.flags = Number(body.flags) | (message.flags & EPHEMERAL);
    message.flags &= ~LOADING;
    message.edits += 1;
    if (JSON.stringify(version(message)) === JSON.stringify(before)) message.unchangedEdits += 1;
    message.edited_timestamp = new Date().toISOString();
    this.#events.emit("change");
    return message;
  }

  // ---- REST --------------------------------------------------------------------------------------

  /** Answers 429 when a limit is reached, saying which; false when the request may go on. */
  #rateLimit(method: string, path: string, res: ServerResponse): "global" | "route" | false {
    const limits = this.#options.rateLimits;
    if (!limits) return false;
    const now = Date.now();
    const limited = (retryAfter: number, global: boolean, headers: Record<string, string>) => {
      res.writeHead(429, {
        ...headers,
        "content-type": "application/json",
        // discord.js waits for the header, not the JSON: Discord sends whole seconds there.
        "retry-after": String(Math.ceil(retryAfter)),
        "x-ratelimit-scope": global ? "global" : "user",
        ...(global ? { "x-ratelimit-global": "true" } : {}),
      });
      res.end(JSON.stringify({ message: "You are being rate limited.", retry_after: retryAfter, global }));
      return global ? ("global" as const) : ("route" as const);
    };
    // Interaction responses (callbacks and their webhook routes) are outside the global limit.
    if (limits.global && !/^\/(interactions|webhooks)\//.test(path)) {
      if (now >= this.#global.resetAt)
        this.#global = { count: 0, resetAt: now + limits.global.windowMs, hash: "global" };
      if (this.#global.count >= limits.global.limit)
        return limited((this.#global.resetAt - now) / 1000, true, {});
      this.#global.count += 1;
    }
    const interactionRoute = /^\/webhooks\//.test(path);
    const routeLimit = interactionRoute
      ? (limits.interactionToken ?? INTERACTION_TOKEN_LIMIT)
      : limits.perRoute;
    if (!routeLimit) return false;
    // Discord's buckets keep the major parameter (channel, guild, webhook id and token) and fold
    // the other ids: every message of one channel shares the edit bucket, and so do the messages
    // of one interaction token.
    const parts = path.split("/");
    const major =
      parts[1] === "channels" || parts[1] === "guilds"
        ? 2
        : /^(webhooks|interactions)$/.test(parts[1] ?? "")
          ? 3
          : 0;
    const key = `${method} ${parts.map((p, i) => (i > major && /^\d{5,}$/.test(p) ? ":id" : p)).join("/")}`;
    let bucket = this.#buckets.get(key);
    if (!bucket || now >= bucket.resetAt) {
      const hash = bucket?.hash ?? createHash("sha1").update(key).digest("hex").slice(0, 16);
      bucket = { count: 0, resetAt: now + routeLimit.windowMs, hash };
      this.#buckets.set(key, bucket);
    }
    const resetAfter = Math.max(0, bucket.resetAt - now) / 1000;
    const headers = {
      "x-ratelimit-limit": String(routeLimit.limit),
      "x-ratelimit-remaining": String(Math.max(0, routeLimit.limit - bucket.count - 1)),
      "x-ratelimit-reset": (bucket.resetAt / 1000).toFixed(3),
      "x-ratelimit-reset-after": resetAfter.toFixed(3),
      "x-ratelimit-bucket": bucket.hash,
    };
    if (bucket.count >= routeLimit.limit)
      return limited(resetAfter, false, { ...headers, "x-ratelimit-remaining": "0" });
    bucket.count += 1;
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    return false;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? "/", "http://x");
    const file = url.pathname.startsWith("/attachments/") ? this.#files.get(url.pathname) : undefined;
    if (file) {
      // The CDN: attachment downloads are not API requests and are not recorded.
      res.writeHead(200, { "content-type": file.contentType, "content-length": String(file.bytes.length) });
      res.end(file.bytes);
      return;
    }
    const path = decodeURIComponent(url.pathname).replace(/^\/api(\/v\d+)?/, "");
    const method = req.method ?? "GET";
    const raw = Buffer.concat(chunks);
    const type = req.headers["content-type"] ?? "";
    let body: unknown;
    let uploads: Upload[] = [];
    try {
      if (type.startsWith("multipart/form-data")) ({ body, files: uploads } = parseMultipart(raw, type));
      else if (raw.length > 0) body = JSON.parse(raw.toString("utf8"));
    } catch {
      body = raw.toString("utf8");
    }
    const headers: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(req.headers))
      headers[name] = Array.isArray(value) ? value.join(", ") : value;
    const recorded: RecordedRequest = {
      method,
      path,
      query: url.searchParams,
      headers,
      body: this.recordBodies ? body : undefined,
      ...(uploads.length > 0 ? { files: uploads.map(({ bytes: _b, ...meta }) => meta) } : {}),
      status: 0,
      at: Date.now(),
    };
    this.requests.push(recorded);
    const matches = (f: { method?: string; path?: RegExp | string }) =>
      (!f.method || f.method === method) &&
      (!f.path || (typeof f.path === "string" ? path === f.path : f.path.test(path)));
    const delay = this.#delays.find(matches);
    if (delay) {
      delay.count -= 1;
      if (delay.count <= 0) this.#delays.splice(this.#delays.indexOf(delay), 1);
    }
    const send: Reply = (status, answer, extra: Record<string, string> = {}) => {
      recorded.status = status;
      if (res.destroyed) return;
      // A 204 carries no body and no content-type: discord.js would try to parse empty JSON.
      if (answer === undefined) res.writeHead(status, extra).end();
      else
        res.writeHead(status, { ...extra, "content-type": "application/json" }).end(JSON.stringify(answer));
      this.#events.emit("change");
    };
    const reply: Reply = delay
      ? (status, answer, extra) => void setTimeout(() => send(status, answer, extra), delay.ms).unref()
      : send;
    try {
      const fault = this.#faults.find(matches);
      if (fault) {
        fault.count -= 1;
        if (fault.count <= 0) this.#faults.splice(this.#faults.indexOf(fault), 1);
        if (fault.reply.status === 429) this.rateLimited.push(recorded);
        return reply(fault.reply.status, fault.reply.body, fault.reply.headers);
      }
      const limit = this.#options.uploadLimitBytes ?? UPLOAD_LIMIT_BYTES;
      if (uploads.some((upload) => upload.size > limit)) {
        return reply(413, { code: 40005, message: "Request entity too large" });
      }
      const scope = this.#rateLimit(method, path, res);
      if (scope) {
        recorded.status = 429;
        recorded.rateLimitScope = scope;
        this.rateLimited.push(recorded);
        this.#events.emit("change");
        return;
      }
      const exchange = {
        method,
        path,
        query: url.searchParams,
        body: (body ?? {}) as Json,
        uploads,
        recorded,
        reply,
      };
      this.#route(exchange, headers.authorization === `Bot ${this.token}`);
    } catch (error) {
      console.error("fake Discord bug:", error);
      reply(500, { code: 0, message: String(error) });
    }
  }

  /** Refuses the body with Discord's 50035 when it breaks a rule (or `extra` names one); true when it passes. */
  #valid(x: Exchange, extra: string[] = []): boolean {
    const problems = [...validateRequest(x.method, x.path, x.body, this.#options.specRules), ...extra];
    if (problems.length === 0) return true;
    x.recorded.problems = problems;
    this.rejected.push(x.recorded);
    x.reply(400, { code: 50035, message: "Invalid Form Body", errors: formBodyErrors(problems) });
    return false;
  }

  #route(x: Exchange, authenticated: boolean): void {
    const { method, path, reply } = x;
    // Interaction tokens are their own credential: those routes need no bot token.
    if (/^\/interactions\//.test(path)) return this.#callback(x);
    if (/^\/webhooks\//.test(path)) return this.#webhook(x);
    if (!authenticated) return reply(401, { code: 0, message: "401: Unauthorized" });
    if (path === "/gateway/bot" && method === "GET") {
      return reply(200, {
        url: this.gatewayUrl,
        shards: this.#shardCount(),
        session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 },
      });
    }
    if (path === "/users/@me" && method === "GET") return reply(200, this.#botUser());
    if (path === "/applications/@me" && method === "GET")
      return reply(200, { id: this.applicationId, name: "mjrelay", flags: 0, bot: this.#botUser() });
    const commands = /^\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands$/.exec(path);
    if (commands && method === "PUT" && commands[1] === this.applicationId) {
      if (!this.#valid(x)) return;
      const target = commands[2] ? this.guildCommands : this.commands;
      const list = (x.body as unknown as Json[]).map((command) => ({
        ...command,
        id: snowflake(),
        application_id: this.applicationId,
        version: snowflake(),
        ...(commands[2] ? { guild_id: commands[2] } : {}),
      }));
      target.splice(0, target.length, ...list);
      return reply(200, target);
    }
    const channel = /^\/channels\/(\d+)(\/messages(?:\/(\d+))?)?$/.exec(path);
    if (channel?.[1]) return this.#channelRoute(x, channel[1], Boolean(channel[2]), channel[3]);
    reply(404, { code: 0, message: "404: Not Found" });
  }

  #channelRoute(x: Exchange, channelId: string, messages: boolean, messageId: string | undefined): void {
    const { method, reply } = x;
    if (this.#deletedChannels.has(channelId) || !this.#channels.has(channelId))
      return reply(404, { code: 10003, message: "Unknown Channel" });
    if (this.#revokedChannels.has(channelId)) return reply(403, { code: 50001, message: "Missing Access" });
    if (!messages) return method === "GET" ? reply(200, this.#channel(channelId)) : this.#notFound(x);
    if (!messageId) {
      if (method === "GET") return reply(200, this.#history(channelId, x.query));
      if (method !== "POST") return this.#notFound(x);
      if (!this.#valid(x)) return;
      const nonce = x.body.enforce_nonce === true ? x.body.nonce : undefined;
      const key = typeof nonce === "string" || typeof nonce === "number" ? String(nonce) : undefined;
      const earlier = key === undefined ? undefined : this.#nonces.get(key);
      const repeated =
        earlier && Date.now() - earlier.at < NONCE_WINDOW_MS
          ? this.messages.get(earlier.messageId)
          : undefined;
      if (repeated) return reply(200, this.#publicMessage(repeated));
      const created = this.#createMessage(channelId, x.body, { uploads: x.uploads });
      if (key !== undefined) this.#nonces.set(key, { messageId: created.id, at: Date.now() });
      return reply(200, this.#publicMessage(created));
    }
    const message = this.messages.get(messageId);
    if (!message || message.channel_id !== channelId || message.ephemeral)
      return reply(404, { code: 10008, message: "Unknown Message" });
    this.#messageVerb(x, message);
  }

  /** A channel's messages, newest first, as Discord lists them (`limit` 1–100, default 50; `before`, `after`). */
  #history(channelId: string, query: URLSearchParams): Json[] {
    const limit = Math.min(100, Math.max(1, Number(query.get("limit") ?? 50) || 50));
    const before = query.get("before");
    const after = query.get("after");
    return this.channelMessages(channelId)
      .filter((m) => (!before || BigInt(m.id) < BigInt(before)) && (!after || BigInt(m.id) > BigInt(after)))
      .sort((a, b) => (BigInt(b.id) > BigInt(a.id) ? 1 : -1))
      .slice(0, limit)
      .map((m) => this.#publicMessage(m));
  }

  /** GET, PATCH or DELETE of one message (channel and webhook routes alike). */
  #messageVerb(x: Exchange, message: FakeMessage): void {
    if (x.method === "GET") return x.reply(200, this.#publicMessage(message));
    if (x.method === "DELETE") {
      this.messages.delete(message.id);
      return x.reply(204);
    }
    if (x.method !== "PATCH") return this.#notFound(x);
    if (!this.#valid(x)) return;
    x.reply(200, this.#publicMessage(this.#editMessage(message, x.body, x.uploads)));
  }

  #notFound(x: Exchange): void {
    x.reply(404, { code: 0, message: "404: Not Found" });
  }

  #callback(x: Exchange): void {
    const { reply, body } = x;
    const match = /^\/interactions\/(\d+)\/([^/]+)\/callback$/.exec(x.path);
    if (!match || x.method !== "POST") return this.#notFound(x);
    const record = this.interactions.get(match[1] as string);
    if (!record || record.token !== match[2] || this.#expired.has(record.id))
      return reply(404, { code: 10062, message: "Unknown interaction" });
    if (record.callbacks.length > 0)
      return reply(400, { code: 40060, message: "Interaction has already been acknowledged." });
    const type = Number(body.type);
    const data = (body.data ?? {}) as Json;
    const ephemeral = (Number(data.flags ?? 0) & EPHEMERAL) !== 0;
    const source = record.messageId ? this.messages.get(record.messageId) : undefined;
    const noMessage =
      (type === 6 || type === 7) && !source ? ["type: the interaction has no message to update"] : [];
    if (!this.#valid(x, noMessage)) return;
    record.callbacks.push({ type, data });
    let message: FakeMessage | undefined;
    if (type === 4 || type === 5) {
      // A deferral is a real message in the loading state until the first edit of @original.
      const shown = type === 4 ? data : { content: "", flags: Number(data.flags ?? 0) | LOADING };
      message = this.#createMessage(record.channelId, shown, {
        interactionId: record.id,
        ephemeral,
        uploads: x.uploads,
      });
      record.responseMessageId = message.id;
    } else if (source && (type === 6 || type === 7)) {
      // After deferUpdate/update, @original is the message the component is on.
      record.responseMessageId = source.id;
      if (type === 7) message = this.#editMessage(source, data, x.uploads);
    } else if (type === 9) record.modal = data;
    this.#events.emit("change");
    if (x.query.get("with_response") !== "true") return reply(204);
    reply(200, {
      interaction: {
        id: record.id,
        type: record.type,
        ...(message
          ? {
              response_message_id: message.id,
              response_message_loading: type === 5,
              response_message_ephemeral: ephemeral,
            }
          : {}),
      },
      // Discord includes the message only for CHANNEL_MESSAGE_WITH_SOURCE and UPDATE_MESSAGE.
      resource: {
        type,
        ...(message && (type === 4 || type === 7) ? { message: this.#publicMessage(message) } : {}),
      },
    });
  }

  #webhook(x: Exchange): void {
    const { method, reply, body } = x;
    const match = /^\/webhooks\/(\d+)\/([^/]+)(?:\/messages\/([^/]+))?$/.exec(x.path);
    const record = match ? this.#byToken.get(match[2] as string) : undefined;
    // Discord answers an unknown webhook token with 10015, an interaction token past its 15 minutes with 50027.
    if (!match || !record || match[1] !== this.applicationId)
      return reply(404, { code: 10015, message: "Unknown Webhook" });
    const lifetime = this.#options.interactionTokenLifetimeMs ?? 15 * 60_000;
    if (this.#expired.has(record.id) || Date.now() - record.createdAt > lifetime)
      return reply(401, { code: 50027, message: "Invalid Webhook Token" });
    const target = match[3];
    if (!target) {
      if (method !== "POST") return this.#notFound(x);
      if (!this.#valid(x)) return;
      const message = this.#createMessage(record.channelId, body, {
        interactionId: record.id,
        ephemeral: (Number(body.flags ?? 0) & EPHEMERAL) !== 0,
        uploads: x.uploads,
      });
      record.followUps.push(message.id);
      return x.query.get("wait") === "true" ? reply(200, this.#publicMessage(message)) : reply(204);
    }
    const messageId = target === "@original" ? record.responseMessageId : target;
    const owned = messageId === record.responseMessageId || record.followUps.includes(messageId ?? "");
    const message = messageId && owned ? this.messages.get(messageId) : undefined;
    if (!message) return reply(404, { code: 10008, message: "Unknown Message" });
    // A token outlives neither its channel nor its message.
    if (this.#deletedChannels.has(message.channel_id))
      return reply(404, { code: 10003, message: "Unknown Channel" });
    this.#messageVerb(x, message);
  }
}

export function startFakeDiscord(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  return new FakeDiscord(options).listen();
}
