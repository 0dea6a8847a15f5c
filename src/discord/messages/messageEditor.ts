// Edits tracked messages. A message that answers an interaction goes through that interaction's
// webhook route while its token is valid: those requests are outside the bot's global limit, each
// token with its own bucket. Every other edit (and any once the token is near its 15 minutes, or
// refused) goes through the channel message endpoint, which never expires while the bot can see
// the channel, paced under the global limit by the scheduler.
//
// Edits are the bot's hot path (thousands of tracked messages): they go over a keep-alive pool of
// their own instead of discord.js's REST client, whose per-request bookkeeping cost about three
// times the CPU. The scheduler already does what discord.js would (buckets from the headers, one
// edit per bucket at a time, the global limit); a 429 is handed back to it to send again.
// An edit that uploads the task's media goes as multipart through discord.js (rare: final
// states only); should Discord refuse the files, the message is edited without them.
import { DiscordAPIError, type RawFile, type REST, Routes } from "discord.js";
import { Pool } from "undici";
import type { TaskMessagePayload } from "../../render/renderTaskMessage.js";
import {
  channelLane,
  type EditLane,
  type EditOutcome,
  type InteractionReply,
  type MessageEditor,
  type MessageTarget,
} from "../../tracking/editScheduler.js";
import {
  ACCESS_DENIED_CODES,
  GONE_CODES,
  isAccessDenied,
  isMessageGone,
  isRefusal,
} from "../discordErrors.js";

/** The REST body for a rendered payload (discord.js option names -> API field names). */
export function toRestBody(payload: TaskMessagePayload) {
  return {
    content: payload.content,
    embeds: payload.embeds,
    components: payload.components,
    allowed_mentions: { parse: [] },
    // New files are listed by their upload placeholder (files[n]); without `attachments` an edit
    // keeps the files the message has.
    ...(payload.uploads
      ? {
          attachments: payload.uploads.files.map((file, index) => ({
            id: String(index),
            filename: file.name,
          })),
        }
      : {}),
  };
}

/** The multipart parts of an edit's uploads, in placeholder order. */
export function toRawFiles(payload: TaskMessagePayload): RawFile[] {
  return (payload.uploads?.files ?? []).map((file, index) => ({
    key: `files[${index}]`,
    name: file.name,
    contentType: file.contentType,
    data: file.data,
  }));
}

/** How long Discord accepts an interaction's token. */
export const INTERACTION_TOKEN_LIFETIME_MS = 15 * 60_000;

/**
 * Edits move to the channel route this long before the token expires: an edit may wait its turn
 * and be retried, and the bot's clock may run ahead of Discord's.
 */
export const INTERACTION_TOKEN_MARGIN_MS = 90_000;

/** True while `reply`'s token may still be used for an edit started at `now`. */
export function interactionTokenUsable(reply: InteractionReply, now: number): boolean {
  return now < reply.createdAt + INTERACTION_TOKEN_LIFETIME_MS - INTERACTION_TOKEN_MARGIN_MS;
}

const TOKEN_LANE = "token:";

/** Discord's error answer, as far as the editor needs it. */
export class DiscordEditError extends Error {
  override name = "DiscordEditError";
  constructor(
    readonly status: number,
    readonly code: number | undefined,
    /** The route without ids or tokens, e.g. "PATCH /channels/:id/messages/:id". */
    readonly route: string,
  ) {
    super(`Discord answered ${status}${code === undefined ? "" : ` (code ${code})`} to ${route}`);
  }
}

export interface RestMessageEditorOptions {
  /** discord.js's client: edits that upload files go through it as multipart. */
  rest: REST;
  /** REST base such as "https://discord.com/api" (no version). */
  apiUrl?: string;
  /** The bot token, for the channel route (interaction routes use their own token). */
  token: string;
  userAgent?: string;
  timeoutMs?: number;
  /** The bot's budget shared with its other processes (see tracking/sharedGlobalLimit.ts). */
  acquireGlobal?: () => Promise<void>;
  /** Told of every answer (for metrics): the path carries ids and tokens, template it first. */
  onResponse?: (method: string, path: string, status: number, headers: HeaderReader) => void;
  now?: () => number;
}

export interface HeaderReader {
  get(name: string): string | null;
}

/** Discord's current REST version, as discord.js uses it. */
const API_VERSION = "v10";

export class RestMessageEditor implements MessageEditor {
  /** When each lane's bucket (a channel's, a token's) refills, once Discord said it is empty. */
  readonly #refillAt = new Map<string, number>();
  /** Tokens Discord refused (expired or unknown): their messages go by the channel route. */
  readonly #refused = new Set<string>();
  /** Until when Discord said the bot is over its global limit. */
  #globalUntil = 0;
  readonly #pool: Pool;
  readonly #basePath: string;
  readonly #headers: Record<string, string>;
  readonly #authorization: string;
  readonly #now: () => number;
  readonly #onResponse: RestMessageEditorOptions["onResponse"];
  readonly #rest: REST;
  readonly acquireGlobal: (() => Promise<void>) | undefined;

  constructor(options: RestMessageEditorOptions) {
    this.#rest = options.rest;
    const base = new URL(options.apiUrl ?? "https://discord.com/api");
    this.#basePath = `${base.pathname.replace(/\/+$/, "")}/${API_VERSION}`;
    const timeoutMs = options.timeoutMs ?? 15_000;
    this.#pool = new Pool(base.origin, {
      connections: 64,
      keepAliveTimeout: 30_000,
      connectTimeout: Math.min(timeoutMs, 10_000),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    this.#headers = {
      "content-type": "application/json",
      "user-agent": options.userAgent ?? "DiscordBot (https://github.com/mjrelay, 0.1) mjrelay",
    };
    this.#authorization = `Bot ${options.token}`;
    this.#now = options.now ?? Date.now;
    this.#onResponse = options.onResponse;
    this.acquireGlobal = options.acquireGlobal;
  }

  #noteBucket(lane: string, headers: HeaderReader): void {
    const remaining = Number(headers.get("x-ratelimit-remaining") ?? Number.NaN);
    const resetAfter = Number(headers.get("x-ratelimit-reset-after") ?? Number.NaN);
    if (remaining === 0 && Number.isFinite(resetAfter)) {
      this.#refillAt.set(lane, Date.now() + resetAfter * 1000);
    } else {
      this.#refillAt.delete(lane);
    }
  }

  #usableToken(target: MessageTarget): InteractionReply | undefined {
    const reply = target.interaction;
    if (!reply || this.#refused.has(reply.token)) return undefined;
    return interactionTokenUsable(reply, this.#now()) ? reply : undefined;
  }

  laneOf(target: MessageTarget): EditLane {
    const reply = this.#usableToken(target);
    return reply ? { key: TOKEN_LANE + reply.token, global: false } : channelLane(target.channelId);
  }

  readyAt(laneKey: string): number {
    return this.#refillAt.get(laneKey) ?? 0;
  }

  globalReadyAt(): number {
    return this.#globalUntil;
  }

  async edit(
    target: MessageTarget,
    payload: TaskMessagePayload,
    lane: EditLane = this.laneOf(target),
  ): Promise<EditOutcome | "token-refused" | "rate-limited"> {
    const onToken = lane.key.startsWith(TOKEN_LANE);
    const reply = onToken ? this.#usableToken(target) : undefined;
    // Queued for the token while it was valid, but too old by now.
    if (onToken && !reply) return "token-refused";
    if (payload.uploads) return this.#editWithFiles(target, payload, reply);
    return this.#editPlain(target, payload, lane, reply);
  }

  async #editPlain(
    target: MessageTarget,
    payload: TaskMessagePayload,
    lane: EditLane,
    reply: InteractionReply | undefined,
  ): Promise<EditOutcome | "token-refused" | "rate-limited"> {
    const body = JSON.stringify(toRestBody(payload));
    if (reply) {
      const answer = await this.#patch(
        `/webhooks/${reply.applicationId}/${reply.token}/messages/${reply.message}`,
        body,
        lane.key,
        false,
      );
      if (answer.status < 300 || answer.status === 429)
        return answer.status === 429 ? "rate-limited" : "edited";
      // 401 (50027, the token expired) or 404 (unknown webhook or message): the channel route
      // decides whether the message still exists.
      if (answer.status === 401 || answer.status === 404) {
        this.#refused.add(reply.token);
        this.#refillAt.delete(lane.key);
        return "token-refused";
      }
      throw new DiscordEditError(answer.status, answer.code, "PATCH /webhooks/:id/:token/messages/:id");
    }
    const answer = await this.#patch(
      `/channels/${target.channelId}/messages/${target.messageId}`,
      body,
      lane.key,
      true,
    );
    if (answer.status < 300) return "edited";
    if (answer.status === 429) return "rate-limited";
    if (answer.code !== undefined && GONE_CODES.has(answer.code)) return "gone";
    if (answer.code !== undefined && ACCESS_DENIED_CODES.has(answer.code)) return "forbidden";
    throw new DiscordEditError(answer.status, answer.code, "PATCH /channels/:id/messages/:id");
  }

  /** An edit with uploads, as multipart through discord.js; without the files if Discord refuses them. */
  async #editWithFiles(
    target: MessageTarget,
    payload: TaskMessagePayload,
    reply: InteractionReply | undefined,
  ): Promise<EditOutcome | "token-refused" | "rate-limited"> {
    const uploads = payload.uploads;
    const route = reply
      ? Routes.webhookMessage(reply.applicationId, reply.token, reply.message)
      : Routes.channelMessage(target.channelId, target.messageId);
    try {
      await this.#rest.patch(route, {
        body: toRestBody(payload),
        files: toRawFiles(payload),
        ...(reply ? { auth: false } : {}),
      });
      return "edited";
    } catch (error) {
      if (reply && error instanceof DiscordAPIError && (error.status === 401 || error.status === 404)) {
        this.#refused.add(reply.token);
        return "token-refused";
      }
      if (isMessageGone(error)) return "gone";
      // Discord refused the upload itself (too large, not allowed here, a bad file), not a hiccup.
      if (uploads && isRefusal(error)) {
        if (uploads.withoutFiles === null) return "edited-without-files";
        const lane = reply ? { key: TOKEN_LANE + reply.token, global: false } : channelLane(target.channelId);
        const outcome = await this.#editPlain(target, uploads.withoutFiles, lane, reply);
        return outcome === "edited" ? "edited-without-files" : outcome;
      }
      if (isAccessDenied(error)) return "forbidden";
      // discord.js's error carries the request's URL: with a token in it, it must not reach a log.
      if (reply && error instanceof DiscordAPIError) {
        throw new DiscordEditError(
          error.status,
          Number(error.code),
          "PATCH /webhooks/:id/:token/messages/:id",
        );
      }
      throw error;
    }
  }

  /** Sends one PATCH; reads the bucket headers; the error code of a refusal. */
  async #patch(
    path: string,
    body: string,
    lane: string,
    authorized: boolean,
  ): Promise<{ status: number; code: number | undefined }> {
    const response = await this.#pool.request({
      method: "PATCH",
      path: this.#basePath + path,
      headers: authorized ? { ...this.#headers, authorization: this.#authorization } : this.#headers,
      body,
    });
    const status = response.statusCode;
    const headers: HeaderReader = {
      get: (name) => {
        const value = response.headers[name];
        return value === undefined ? null : Array.isArray(value) ? (value[0] ?? null) : value;
      },
    };
    this.#onResponse?.("PATCH", path, status, headers);
    if (status === 429) {
      const retryAfter = Number(headers.get("retry-after") ?? Number.NaN);
      const until = Date.now() + (Number.isFinite(retryAfter) ? retryAfter * 1000 : 1000);
      if (headers.get("x-ratelimit-global") !== null) this.#globalUntil = Math.max(this.#globalUntil, until);
      else this.#refillAt.set(lane, until);
    } else this.#noteBucket(lane, headers);
    if (status < 300) {
      await response.body.dump();
      return { status, code: undefined };
    }
    const text = await response.body.text().catch(() => "");
    let code: number | undefined;
    try {
      const parsed = JSON.parse(text) as { code?: unknown };
      code = typeof parsed.code === "number" ? parsed.code : undefined;
    } catch {}
    return { status, code };
  }

  async close(): Promise<void> {
    await this.#pool.close();
  }
}
