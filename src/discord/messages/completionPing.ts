// Sends the reply that tells a requester their task finished, as a reply to the task's message
// through the channel route, mentioning that one user only. Each try carries the ping's nonce with
// enforce_nonce, so Discord answers a repeat within a few minutes with the first reply; a retry
// after a restart first looks for the reply among the channel's newest messages, which holds for
// longer than that.
import { type APIMessage, type REST, Routes } from "discord.js";
import type {
  CompletionPinger,
  CompletionPingOutcome,
  CompletionPingRequest,
} from "../../tracking/completionPing.js";
import { isAccessDenied, isRefusal } from "../discordErrors.js";

/** The reply is among the channel's newest messages: a restart comes within minutes. */
const SEARCHED_MESSAGES = 50;

export class RestCompletionPinger implements CompletionPinger {
  constructor(
    private readonly rest: REST,
    /** The bot's own user id, once logged in (its replies are looked for by author). */
    private readonly botUserId: () => string | undefined,
  ) {}

  async send(request: CompletionPingRequest): Promise<CompletionPingOutcome> {
    try {
      const earlier = request.retry ? await this.#findSent(request) : undefined;
      if (earlier) return { kind: "sent", messageId: earlier.id };
      const { payload } = request;
      const message = (await this.rest.post(Routes.channelMessages(request.channelId), {
        body: {
          content: payload.content,
          allowed_mentions: {
            users: payload.allowedMentions.users,
            replied_user: payload.allowedMentions.repliedUser,
          },
          message_reference: { message_id: request.replyTo, fail_if_not_exists: false },
          nonce: request.nonce,
          enforce_nonce: true,
        },
        signal: request.signal,
      })) as APIMessage;
      return { kind: "sent", messageId: message.id };
    } catch (error) {
      // Discord answered, and not with "later": the channel is gone, closed to the bot, or the like.
      if (isRefusal(error)) {
        return { kind: "refused", reason: `${error.status} ${error.code}: ${error.message}` };
      }
      throw error;
    }
  }

  /** The bot's reply to the task's message that mentions the requester, if a try before got through. */
  async #findSent(request: CompletionPingRequest): Promise<APIMessage | undefined> {
    const botUserId = this.botUserId();
    if (!botUserId) return undefined;
    let recent: APIMessage[];
    try {
      recent = (await this.rest.get(Routes.channelMessages(request.channelId), {
        query: new URLSearchParams({ limit: String(SEARCHED_MESSAGES) }),
        signal: request.signal,
      })) as APIMessage[];
    } catch (error) {
      // Without Read Message History it cannot be found: the nonce is all that guards then.
      if (isAccessDenied(error)) return undefined;
      throw error;
    }
    const mention = `<@${request.payload.allowedMentions.users[0]}>`;
    return recent.find(
      (message) =>
        message.author.id === botUserId &&
        message.message_reference?.message_id === request.replyTo &&
        message.content.includes(mention),
    );
  }
}
