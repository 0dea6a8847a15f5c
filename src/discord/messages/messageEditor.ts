// Edits tracked messages through the channel message endpoint, which (unlike an interaction
// token) never expires while the bot can see the channel. An edit that uploads the task's media
// goes as multipart; should Discord refuse the files, the message is edited without them.
import { DiscordAPIError, type RawFile, type REST, Routes } from "discord.js";
import type { TaskMessagePayload } from "../../render/renderTaskMessage.js";
import type { EditOutcome, MessageEditor, MessageTarget } from "../../tracking/editScheduler.js";
import { isAccessDenied, isMessageGone } from "../discordErrors.js";

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

/** Discord answered the upload itself with a refusal (too large, not allowed here, a bad file), not a hiccup. */
function refusedUpload(error: unknown): boolean {
  return (
    error instanceof DiscordAPIError && error.status >= 400 && error.status < 500 && error.status !== 429
  );
}

const CHANNEL_MESSAGE = /^\/channels\/(\d+)\/messages\/\d+$/;

export class RestMessageEditor implements MessageEditor {
  /** When each channel's edit bucket refills, once Discord said it is empty. */
  readonly #refillAt = new Map<string, number>();
  /** Until when Discord said the bot is over its global limit. */
  #globalUntil = 0;

  constructor(private readonly rest: REST) {
    // Discord announces every bucket's state in X-RateLimit-* headers: read them, so the scheduler
    // holds edits for an exhausted channel instead of queueing them (or meeting a 429).
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
      if (!channelId) return;
      const remaining = Number(response.headers.get("x-ratelimit-remaining"));
      const resetAfter = Number(response.headers.get("x-ratelimit-reset-after"));
      if (remaining === 0 && Number.isFinite(resetAfter)) {
        this.#refillAt.set(channelId, Date.now() + resetAfter * 1000);
      } else {
        this.#refillAt.delete(channelId);
      }
    });
  }

  readyAt(channelId: string): number {
    return this.#refillAt.get(channelId) ?? 0;
  }

  globalReadyAt(): number {
    return this.#globalUntil;
  }

  async edit(target: MessageTarget, payload: TaskMessagePayload): Promise<EditOutcome> {
    const route = Routes.channelMessage(target.channelId, target.messageId);
    const uploads = payload.uploads;
    try {
      await this.rest.patch(route, {
        body: toRestBody(payload),
        ...(uploads ? { files: toRawFiles(payload) } : {}),
      });
      return "edited";
    } catch (error) {
      if (isMessageGone(error)) return "gone";
      if (uploads && refusedUpload(error)) return this.#editWithoutFiles(target, uploads.withoutFiles);
      if (isAccessDenied(error)) return "forbidden";
      throw error;
    }
  }

  async #editWithoutFiles(target: MessageTarget, payload: TaskMessagePayload | null): Promise<EditOutcome> {
    if (payload === null) return "edited-without-files";
    try {
      await this.rest.patch(Routes.channelMessage(target.channelId, target.messageId), {
        body: toRestBody(payload),
      });
      return "edited-without-files";
    } catch (error) {
      if (isMessageGone(error)) return "gone";
      if (isAccessDenied(error)) return "forbidden";
      throw error;
    }
  }
}
