// A fake Discord on 127.0.0.1: REST under /api/v10 and a gateway, enough for the real discord.js
// client to log in, receive interactions and send messages. It records every request, refuses
// bodies Discord would refuse (see discordRules.ts) and, when asked, rate-limits like Discord.
import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { type WebSocket, WebSocketServer } from "ws";
import { validateAgainstSpec, validateMessagePayload, validateModal } from "./discordRules.js";

export { validateMessagePayload } from "./discordRules.js";

type Json = Record<string, unknown>;

export interface RecordedRequest {
  method: string;
  /** Decoded, without the /api/v10 prefix. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | undefined>;
  body: unknown;
  status: number;
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
  mentions: [];
  mention_roles: [];
  pinned: boolean;
  tts: boolean;
  message_reference?: Json;
  interaction_metadata?: Json;
  /** Test bookkeeping (not sent by Discord): the interaction it answers, and if only its user sees it. */
  interactionId?: string;
  ephemeral: boolean;
  edits: number;
  history: Json[];
}

export interface InteractionRecord {
  id: string;
  token: string;
  type: number;
  channelId: string;
  userId: string;
  callbacks: { type: number; data?: Json }[];
  responseMessageId?: string;
  followUps: string[];
  modal?: Json;
}

export interface RateLimitOptions {
  perRoute?: { limit: number; windowMs: number };
  global?: { limit: number; windowMs: number };
}

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
  /** Skip OpenAPI validation (the benchmark's hot path); the cross-field rules still apply. */
  skipSpecValidation?: boolean;
}

interface UserOptions {
  userId?: string;
  username?: string;
  roles?: string[];
  permissions?: string;
  appPermissions?: string;
  channelId?: string;
  attachments?: Record<string, { url: string; filename: string; content_type: string; size: number }>;
}

const ALL_PERMISSIONS = "2248473465835073";
const ALICE = "900000000000000101";
let snowflakeCounter = 0n;

/** Ids that look like Discord's (time-ordered, 18–19 digits) and never collide in one process. */
function snowflake(): string {
  snowflakeCounter += 1n;
  return String(((BigInt(Date.now()) - 1420070400000n) << 22n) + (snowflakeCounter % 4194304n));
}

interface Bucket {
  count: number;
  resetAt: number;
  hash: string;
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
  apiUrl = "";
  gatewayUrl = "";
  /** Keep only counts, not bodies, of requests (benchmark). */
  recordBodies = true;
  readonly #options: FakeDiscordOptions;
  readonly #channels: Set<string>;
  readonly #deletedChannels = new Set<string>();
  readonly #revokedChannels = new Set<string>();
  readonly #byToken = new Map<string, InteractionRecord>();
  readonly #files = new Map<string, { contentType: string; bytes: Buffer }>();
  readonly #events = new EventEmitter();
  readonly #faults: {
    method?: string;
    path?: RegExp | string;
    reply: { status: number; body?: unknown };
    count: number;
  }[] = [];
  readonly #buckets = new Map<string, Bucket>();
  #global: Bucket = { count: 0, resetAt: 0, hash: "global" };
  readonly #sockets = new Map<WebSocket, { shard: number; seq: number }>();
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

  /** A file a user uploads with a command option; served like Discord's CDN. */
  addAttachment(
    filename: string,
    contentType: string,
    bytes: Buffer,
    declaredSize = bytes.length,
  ): { url: string; filename: string; content_type: string; size: number } {
    const path = `/attachments/${snowflake()}/${filename}`;
    this.#files.set(path, { contentType, bytes });
    return {
      url: this.apiUrl.replace(/\/api$/, "") + path,
      filename,
      content_type: contentType,
      size: declaredSize,
    };
  }

  editsOf(messageId: string): number {
    return this.messages.get(messageId)?.edits ?? 0;
  }

  deleteMessage(messageId: string): void {
    this.messages.delete(messageId);
    this.#events.emit("change");
  }

  deleteChannel(channelId: string): void {
    this.#deletedChannels.add(channelId);
  }

  revokeAccess(channelId: string): void {
    this.#revokedChannels.add(channelId);
  }

  failNext(
    match: { method?: string; path?: RegExp | string },
    reply: { status: number; body?: unknown },
    count = 1,
  ): void {
    this.#faults.push({ ...match, reply, count });
  }

  // ---- driving the bot as a user -----------------------------------------------------------------

  sendCommand(
    name: string,
    options: Record<string, string | number | boolean> | Json[] = {},
    user: UserOptions = {},
  ): Promise<InteractionRecord> {
    const list = Array.isArray(options)
      ? options
      : Object.entries(options).map(([optionName, value]) => ({
          name: optionName,
          type: typeof value === "number" ? 4 : typeof value === "boolean" ? 5 : 3,
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
    if (!message) throw new Error(`fake Discord has no message ${messageId}`);
    return this.#dispatchInteraction(
      3,
      { custom_id: customId, component_type: 2 },
      {
        channelId: message.channel_id,
        ...user,
      },
      this.#publicMessage(message),
    );
  }

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
    return this.#dispatchInteraction(
      5,
      { custom_id: customId, components },
      user,
      message && this.#publicMessage(message),
    );
  }

  /** Closes every gateway connection with a resumable code; discord.js reconnects. */
  disconnectAll(): void {
    for (const ws of this.#sockets.keys()) ws.close(4000, "test disconnect");
  }

  // ---- waiting -----------------------------------------------------------------------------------

  waitFor<T>(check: () => T | undefined | null | false, { timeoutMs = 10_000 } = {}): Promise<T> {
    return new Promise((resolve, reject) => {
      const attempt = () => {
        let value: T | undefined | null | false;
        try {
          value = check();
        } catch {
          value = undefined;
        }
        if (value) {
          cleanup();
          resolve(value);
        }
      };
      const timer = setInterval(attempt, 10);
      const deadline = setTimeout(() => {
        cleanup();
        const last = this.requests
          .slice(-6)
          .map((r) => `${r.method} ${r.path} -> ${r.status}${r.problems ? ` ${r.problems.join("; ")}` : ""}`)
          .join("\n  ");
        reject(
          new Error(`fake Discord: condition not met within ${timeoutMs} ms; last requests:\n  ${last}`),
        );
      }, timeoutMs);
      const cleanup = () => {
        clearInterval(timer);
        clearTimeout(deadline);
        this.#events.off("change", attempt);
      };
      this.#events.on("change", attempt);
      attempt();
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
    for (const ws of this.#sockets.keys()) ws.terminate();
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
    const state = this.#sockets.get(ws);
    if (payload.op === 0 && state) {
      state.seq += 1;
      payload.s = state.seq;
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
        return;
      }
      if (frame.op === 1) ws.send(JSON.stringify({ op: 11, d: null, s: null, t: null }));
      else if (frame.op === 2) this.#identify(ws, frame.d ?? {});
      else if (frame.op === 6) ws.send(JSON.stringify({ op: 9, d: false, s: null, t: null }));
    });
    ws.on("close", () => {
      this.#sockets.delete(ws);
      this.#events.emit("change");
    });
  }

  #identify(ws: WebSocket, data: Json): void {
    if (data.token !== this.token && data.token !== `Bot ${this.token}`) {
      ws.close(4004, "Authentication failed.");
      return;
    }
    const [shardId, shardCount] = Array.isArray(data.shard) ? (data.shard as number[]) : [0, 1];
    this.#sockets.set(ws, { shard: shardId ?? 0, seq: 0 });
    this.identified.push(shardId ?? 0);
    const hasGuild = (shardId ?? 0) === this.#guildShard() || (shardCount ?? 1) === 1;
    this.#send(ws, {
      op: 0,
      t: "READY",
      d: {
        v: 10,
        user: { ...this.#botUser(), verified: true, flags: 0, mfa_enabled: false },
        guilds: hasGuild ? [{ id: this.guildId, unavailable: true }] : [],
        session_id: `s${snowflake()}`,
        resume_gateway_url: this.gatewayUrl,
        shard: [shardId ?? 0, shardCount ?? 1],
        application: { id: this.applicationId, flags: 0 },
      },
    });
    if (hasGuild) this.#send(ws, { op: 0, t: "GUILD_CREATE", d: this.#guild() });
    this.#events.emit("change");
  }

  #guild(): Json {
    return {
      id: this.guildId,
      name: "Test Guild",
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
      preferred_locale: "en-US",
      nsfw_level: 0,
      large: false,
      member_count: 3,
      unavailable: false,
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

  #channel(id: string, position = 0): Json {
    return {
      id,
      type: 0,
      guild_id: this.guildId,
      name: `mj-${position}`,
      position,
      permission_overwrites: [],
      nsfw: false,
      parent_id: null,
    };
  }

  #publicMessage(message: FakeMessage): Json {
    const { interactionId: _i, ephemeral: _e, edits: _n, history: _h, ...rest } = message;
    return rest;
  }

  async #dispatchInteraction(
    type: number,
    data: Json,
    user: UserOptions,
    message?: Json,
  ): Promise<InteractionRecord> {
    const id = snowflake();
    const token = `itok${id}${randomBytes(8).toString("hex")}`;
    const channelId = user.channelId ?? this.channelId;
    const userId = user.userId ?? ALICE;
    const record: InteractionRecord = { id, token, type, channelId, userId, callbacks: [], followUps: [] };
    this.interactions.set(id, record);
    this.#byToken.set(token, record);
    const socket = [...this.#sockets.entries()].find(([, state]) => state.shard === this.#guildShard())?.[0];
    if (!socket) throw new Error("no gateway connection for the guild's shard: is the bot logged in?");
    const permissions = user.permissions ?? ALL_PERMISSIONS;
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
        guild: { id: this.guildId, locale: "en-US", features: [] },
        guild_locale: "en-US",
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
        locale: "en-US",
        app_permissions: user.appPermissions ?? ALL_PERMISSIONS,
        entitlements: [],
        authorizing_integration_owners: { "0": this.guildId },
        context: 0,
        ...(message ? { message } : {}),
      },
    });
    return record;
  }

  // ---- REST --------------------------------------------------------------------------------------

  #createMessage(
    channelId: string,
    body: Json,
    meta: { interactionId?: string; ephemeral?: boolean },
  ): FakeMessage {
    const interaction = meta.interactionId ? this.interactions.get(meta.interactionId) : undefined;
    const message: FakeMessage = {
      id: snowflake(),
      channel_id: channelId,
      author: this.#botUser(),
      content: typeof body.content === "string" ? body.content : "",
      embeds: Array.isArray(body.embeds) ? (body.embeds as Json[]) : [],
      components: Array.isArray(body.components) ? (body.components as Json[]) : [],
      attachments: [],
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      type: body.message_reference ? 19 : 0,
      flags: Number(body.flags ?? 0),
      mentions: [],
      mention_roles: [],
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
      history: [],
    };
    this.messages.set(message.id, message);
    this.#events.emit("change");
    return message;
  }

  #editMessage(message: FakeMessage, body: Json): FakeMessage {
    message.history.push({
      content: message.content,
      embeds: message.embeds,
      components: message.components,
    });
    if (body.content !== undefined) message.content = String(body.content ?? "");
    if (body.embeds !== undefined) message.embeds = (body.embeds as Json[] | null) ?? [];
    if (body.components !== undefined) message.components = (body.components as Json[] | null) ?? [];
    if (body.flags !== undefined) message.flags = Number(body.flags);
    message.edits += 1;
    message.edited_timestamp = new Date().toISOString();
    this.#events.emit("change");
    return message;
  }

  #rateLimit(method: string, path: string, res: ServerResponse): boolean {
    const limits = this.#options.rateLimits;
    if (!limits) return false;
    const now = Date.now();
    const interactionRoute = path.startsWith("/interactions/");
    if (limits.global && !interactionRoute) {
      if (now >= this.#global.resetAt)
        this.#global = { count: 0, resetAt: now + limits.global.windowMs, hash: "global" };
      if (this.#global.count >= limits.global.limit) {
        const retry = (this.#global.resetAt - now) / 1000;
        res.writeHead(429, {
          "content-type": "application/json",
          "retry-after": String(Math.ceil(retry)),
          "x-ratelimit-global": "true",
          "x-ratelimit-scope": "global",
        });
        res.end(JSON.stringify({ message: "You are being rate limited.", retry_after: retry, global: true }));
        return true;
      }
      this.#global.count += 1;
    }
    if (!limits.perRoute) return false;
    // Discord's buckets keep the major parameter (channel, webhook) and fold the other ids.
    const route = path
      .replace(/^\/(channels|guilds)\/(\d+)/, "/$1/$2")
      .replace(/\/messages\/\d+/, "/messages/:id")
      .replace(/^\/webhooks\/(\d+)\/[^/]+/, "/webhooks/$1/:token");
    const key = `${method} ${route}`;
    let bucket = this.#buckets.get(key);
    if (!bucket || now >= bucket.resetAt) {
      bucket = {
        count: 0,
        resetAt: now + limits.perRoute.windowMs,
        hash: bucket?.hash ?? randomBytes(8).toString("hex"),
      };
      this.#buckets.set(key, bucket);
    }
    const resetAfter = Math.max(0, bucket.resetAt - now) / 1000;
    const headers = {
      "x-ratelimit-limit": String(limits.perRoute.limit),
      "x-ratelimit-remaining": String(Math.max(0, limits.perRoute.limit - bucket.count - 1)),
      "x-ratelimit-reset": String(bucket.resetAt / 1000),
      "x-ratelimit-reset-after": resetAfter.toFixed(3),
      "x-ratelimit-bucket": bucket.hash,
    };
    if (bucket.count >= limits.perRoute.limit) {
      res.writeHead(429, {
        ...headers,
        "x-ratelimit-remaining": "0",
        "content-type": "application/json",
        "retry-after": String(Math.ceil(resetAfter)),
        "x-ratelimit-scope": "user",
      });
      res.end(
        JSON.stringify({ message: "You are being rate limited.", retry_after: resetAfter, global: false }),
      );
      return true;
    }
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
    let body: unknown;
    const type = req.headers["content-type"] ?? "";
    if (type.startsWith("multipart/form-data")) {
      const match = /name="payload_json"\r\n(?:[^\r\n]*\r\n)*\r\n([\s\S]*?)\r\n--/.exec(raw.toString("utf8"));
      body = match?.[1] ? JSON.parse(match[1]) : {};
    } else if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString("utf8"));
      } catch {
        body = raw.toString("utf8");
      }
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
      status: 0,
      at: Date.now(),
    };
    this.requests.push(recorded);
    const reply = (status: number, answer?: unknown) => {
      recorded.status = status;
      if (answer === undefined) res.writeHead(status).end();
      else res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(answer));
      this.#events.emit("change");
    };
    try {
      const fault = this.#faults.find(
        (f) =>
          (!f.method || f.method === method) &&
          (!f.path || (typeof f.path === "string" ? path === f.path : f.path.test(path))),
      );
      if (fault) {
        fault.count -= 1;
        if (fault.count <= 0) this.#faults.splice(this.#faults.indexOf(fault), 1);
        return reply(fault.reply.status, fault.reply.body);
      }
      if (this.#rateLimit(method, path, res)) {
        recorded.status = 429;
        this.rateLimited.push(recorded);
        this.#events.emit("change");
        return;
      }
      this.#route(method, path, url.searchParams, (body ?? {}) as Json, headers, reply, recorded);
    } catch (error) {
      console.error("fake Discord bug:", error);
      reply(500, { code: 0, message: String(error) });
    }
  }

  #reject(
    recorded: RecordedRequest,
    problems: string[],
    reply: (status: number, body?: unknown) => void,
  ): void {
    recorded.problems = problems;
    this.rejected.push(recorded);
    reply(400, {
      code: 50035,
      message: "Invalid Form Body",
      errors: { _errors: problems.map((message) => ({ code: "INVALID", message })) },
    });
  }

  #route(
    method: string,
    path: string,
    query: URLSearchParams,
    body: Json,
    headers: Record<string, string | undefined>,
    reply: (status: number, body?: unknown) => void,
    recorded: RecordedRequest,
  ): void {
    const interactionCallback = /^\/interactions\/(\d+)\/([^/]+)\/callback$/.exec(path);
    const webhook = /^\/webhooks\/(\d+)\/([^/]+)(?:\/messages\/([^/]+))?$/.exec(path);
    const authenticated = headers.authorization === `Bot ${this.token}`;
    if (!interactionCallback && !webhook && !authenticated)
      return reply(401, { code: 0, message: "401: Unauthorized" });
    const check = (template: string, messageBody: boolean) => {
      const problems = [
        ...(this.#options.skipSpecValidation ? [] : validateAgainstSpec(template, method, body)),
        ...(messageBody ? validateMessagePayload(body) : []),
      ];
      if (problems.length > 0) {
        this.#reject(recorded, problems, reply);
        return false;
      }
      return true;
    };

    if (path === "/gateway/bot" && method === "GET") {
      return reply(200, {
        url: this.gatewayUrl,
        shards: this.#shardCount(),
        session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 },
      });
    }
    if (path === "/users/@me") return reply(200, this.#botUser());
    if (path === "/applications/@me")
      return reply(200, { id: this.applicationId, name: "mjrelay", flags: 0, bot: this.#botUser() });
    const commands = /^\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands$/.exec(path);
    if (commands && method === "PUT") {
      const template = commands[2]
        ? "/applications/{application_id}/guilds/{guild_id}/commands"
        : "/applications/{application_id}/commands";
      if (!check(template, false)) return;
      const list = (Array.isArray(body) ? body : []) as Json[];
      const target = commands[2] ? this.guildCommands : this.commands;
      target.splice(
        0,
        target.length,
        ...list.map((command) => ({
          ...command,
          id: snowflake(),
          application_id: this.applicationId,
          version: snowflake(),
        })),
      );
      return reply(200, target);
    }

    const channel = /^\/channels\/(\d+)(\/messages(?:\/(\d+))?)?$/.exec(path);
    if (channel?.[1]) {
      const channelId = channel[1];
      if (this.#deletedChannels.has(channelId) || !this.#channels.has(channelId))
        return reply(404, { code: 10003, message: "Unknown Channel" });
      if (this.#revokedChannels.has(channelId)) return reply(403, { code: 50001, message: "Missing Access" });
      if (!channel[2]) return reply(200, this.#channel(channelId));
      const messageId = channel[3];
      if (!messageId && method === "POST") {
        if (!check("/channels/{channel_id}/messages", true)) return;
        return reply(200, this.#publicMessage(this.#createMessage(channelId, body, {})));
      }
      const message = messageId ? this.messages.get(messageId) : undefined;
      if (!message || message.channel_id !== channelId)
        return reply(404, { code: 10008, message: "Unknown Message" });
      if (method === "GET") return reply(200, this.#publicMessage(message));
      if (method === "DELETE") {
        this.messages.delete(message.id);
        return reply(204);
      }
      if (method === "PATCH") {
        if (!check("/channels/{channel_id}/messages/{message_id}", true)) return;
        return reply(200, this.#publicMessage(this.#editMessage(message, body)));
      }
    }

    if (interactionCallback && method === "POST") {
      const record = this.interactions.get(interactionCallback[1] as string);
      if (!record || record.token !== interactionCallback[2])
        return reply(404, { code: 10062, message: "Unknown interaction" });
      if (record.callbacks.length > 0)
        return reply(400, { code: 40060, message: "Interaction has already been acknowledged." });
      if (!check("/interactions/{interaction_id}/{interaction_token}/callback", false)) return;
      const type = Number(body.type);
      const data = (body.data ?? {}) as Json;
      if ((type === 4 || type === 7) && !this.#passes(validateMessagePayload(data), recorded, reply)) return;
      if (type === 9 && !this.#passes(validateModal(data), recorded, reply)) return;
      record.callbacks.push({ type, data });
      let message: FakeMessage | undefined;
      const ephemeral = (Number(data.flags ?? 0) & 64) !== 0;
      if (type === 4 || type === 5) {
        message = this.#createMessage(
          record.channelId,
          type === 4 ? data : { content: "", flags: Number(data.flags ?? 0) | 128 },
          {
            interactionId: record.id,
            ephemeral,
          },
        );
        record.responseMessageId = message.id;
      } else if (type === 9) {
        record.modal = data;
        this.#events.emit("change");
      } else {
        this.#events.emit("change");
      }
      if (query.get("with_response") !== "true") return reply(204);
      return reply(200, {
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
        resource: { type, ...(message && type === 4 ? { message: this.#publicMessage(message) } : {}) },
      });
    }

    if (webhook) {
      const record = this.#byToken.get(webhook[2] as string);
      if (!record || webhook[1] !== this.applicationId)
        return reply(404, { code: 10015, message: "Unknown Webhook" });
      const target = webhook[3];
      if (!target && method === "POST") {
        if (!check("/webhooks/{webhook_id}/{webhook_token}", true)) return;
        const message = this.#createMessage(record.channelId, body, {
          interactionId: record.id,
          ephemeral: (Number(body.flags ?? 0) & 64) !== 0,
        });
        record.followUps.push(message.id);
        return query.get("wait") === "true" ? reply(200, this.#publicMessage(message)) : reply(204);
      }
      const messageId = target === "@original" ? record.responseMessageId : target;
      const message = messageId ? this.messages.get(messageId) : undefined;
      if (!message) return reply(404, { code: 10008, message: "Unknown Message" });
      if (method === "GET") return reply(200, this.#publicMessage(message));
      if (method === "DELETE") {
        this.messages.delete(message.id);
        this.#events.emit("change");
        return reply(204);
      }
      if (method === "PATCH") {
        if (!check("/webhooks/{webhook_id}/{webhook_token}/messages/@original", true)) return;
        message.flags &= ~128;
        return reply(200, this.#publicMessage(this.#editMessage(message, body)));
      }
    }
    reply(404, { code: 0, message: "404: Not Found" });
  }

  #passes(
    problems: string[],
    recorded: RecordedRequest,
    reply: (status: number, body?: unknown) => void,
  ): boolean {
    if (problems.length === 0) return true;
    this.#reject(recorded, problems, reply);
    return false;
  }
}

export function startFakeDiscord(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  return new FakeDiscord(options).listen();
}
