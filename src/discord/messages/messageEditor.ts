// Edits tracked messages. A message that answers an interaction goes through that interaction's
// webhook route while its token is valid: those requests are outside the bot's global limit, each
// token with its own bucket. Every other edit (and any once the token is near its 15 minutes, or
// refused) goes through the channel message endpoint, which never expires while the bot can see
// the channel, paced under the global limit by the scheduler.
import { DiscordAPIError, type REST, Routes } from "discord.js";
import type { TaskMessagePayload } from "../../render/renderTaskMessage.js";
import type {
  EditLane,
  EditOutcome,
  InteractionReply,
  MessageEditor,
  MessageTarget,
} from "../../tracking/editScheduler.js";
import { isMessageGone } from "../discordErrors.js";

/** The REST body for a rendered payload (discord.js option names -> API field names). */
export function toRestBody(payload: TaskMessagePayload) {
  return {
    content: payload.content,
    embeds: payload.embeds,
    components: payload.components,
    allowed_mentions: { parse: [] },
  };
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

const CHANNEL_MESSAGE = /^\/channels\/(\d+)\/messages\/\d+$/;
const WEBHOOK_MESSAGE = /^\/webhooks\/\d+\/([^/]+)\/messages\/[^/]+$/;
const TOKEN_LANE = "token:";

/** A failed edit through an interaction token, told without the token. */
export class InteractionEditError extends Error {
  override name = "InteractionEditError";
  readonly status: number | undefined;
  readonly code: number | string | undefined;
  constructor(cause: unknown) {
    const status = cause instanceof DiscordAPIError ? cause.status : undefined;
    const code = cause instanceof DiscordAPIError ? cause.code : undefined;
    const what = status === undefined ? (cause instanceof Error ? cause.name : "error") : `HTTP ${status}`;
    super(
      `editing through the interaction token failed (${what}${code === undefined ? "" : `, code ${code}`})`,
    );
    this.status = status;
    this.code = code;
  }
}

export interface RestMessageEditorOptions {
  /**
   * The client for interaction webhook routes: one without discord.js's own global limit, as
   * Discord does not count those routes against it. Without it they go through `rest`.
   */
  interactionRest?: REST;
  /** The bot's budget shared with its other processes (see tracking/sharedGlobalLimit.ts). */
  acquireGlobal?: () => Promise<void>;
  now?: () => number;
}

export class RestMessageEditor implements MessageEditor {
  /** When each lane's bucket (a channel's, a token's) refills, once Discord said it is empty. */
  readonly #refillAt = new Map<string, number>();
  /** Tokens Discord refused (expired or unknown): their messages go by the channel route. */
  readonly #refused = new Set<string>();
  /** Until when Discord said the bot is over its global limit. */
  #globalUntil = 0;
  readonly #interactionRest: REST;
  readonly #now: () => number;
  readonly acquireGlobal: (() => Promise<void>) | undefined;

  constructor(
    private readonly rest: REST,
    options: RestMessageEditorOptions = {},
  ) {
    this.#interactionRest = options.interactionRest ?? rest;
    this.#now = options.now ?? Date.now;
    this.acquireGlobal = options.acquireGlobal;
    // Discord announces every bucket's state in X-RateLimit-* headers: read them, so the scheduler
    // holds edits for an exhausted lane instead of queueing them (or meeting a 429).
    rest.on("response", (request, response) => {
      if (response.status === 429 && response.headers.get("x-ratelimit-global") !== null) {
        // discord.js holds every request until then and sends them all at once: feeding it more
        // meanwhile would only make that burst bigger.
        const retryAfter = Number(response.headers.get("retry-after"));
        if (Number.isFinite(retryAfter)) {
          this.#globalUntil = Math.max(this.#globalUntil, Date.now() + retryAfter * 1000);
        }
      }
      if (request.method !== "PATCH") return;
      const channelId = CHANNEL_MESSAGE.exec(String(request.path))?.[1];
      if (channelId) this.#noteBucket(channelId, response.headers);
    });
    this.#interactionRest.on("response", (request, response) => {
      if (request.method !== "PATCH") return;
      const token = WEBHOOK_MESSAGE.exec(String(request.path))?.[1];
      if (token) this.#noteBucket(TOKEN_LANE + token, response.headers);
    });
  }

  #noteBucket(lane: string, headers: { get(name: string): string | null }): void {
    const remaining = Number(headers.get("x-ratelimit-remaining"));
    const resetAfter = Number(headers.get("x-ratelimit-reset-after"));
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
    return reply ? { key: TOKEN_LANE + reply.token, global: false } : { key: target.channelId, global: true };
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
  ): Promise<EditOutcome | "token-refused"> {
    if (lane.key.startsWith(TOKEN_LANE)) {
      const reply = this.#usableToken(target);
      // Queued for the token while it was valid, but too old by now.
      if (!reply) return "token-refused";
      try {
        await this.#interactionRest.patch(
          Routes.webhookMessage(reply.applicationId, reply.token, reply.message),
          {
            body: toRestBody(payload),
            auth: false,
          },
        );
        return "edited";
      } catch (error) {
        // 401 (50027, the token expired) or 404 (unknown webhook or message): the channel route
        // decides whether the message still exists.
        if (error instanceof DiscordAPIError && (error.status === 401 || error.status === 404)) {
          this.#refused.add(reply.token);
          this.#refillAt.delete(TOKEN_LANE + reply.token);
          return "token-refused";
        }
        // discord.js's error carries the request's URL, token included: it must not reach a log.
        throw new InteractionEditError(error);
      }
    }
    try {
      await this.rest.patch(Routes.channelMessage(target.channelId, target.messageId), {
        body: toRestBody(payload),
      });
      return "edited";
    } catch (error) {
      if (isMessageGone(error)) return "gone";
      throw error;
    }
  }
}
