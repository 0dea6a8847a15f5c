// Edits tracked messages through the channel message endpoint, which (unlike an interaction
// token) never expires while the bot can see the channel.
import { type REST, Routes } from "discord.js";
import type { TaskMessagePayload } from "../render/renderTaskMessage.js";
import type { EditOutcome, MessageEditor, MessageTarget } from "../tracking/editScheduler.js";
import { isMessageGone } from "./discordErrors.js";

/** The REST body for a rendered payload (discord.js option names -> API field names). */
export function toRestBody(payload: TaskMessagePayload) {
  return {
    content: payload.content,
    embeds: payload.embeds,
    components: payload.components,
    allowed_mentions: { parse: [] },
  };
}

export class RestMessageEditor implements MessageEditor {
  constructor(private readonly rest: REST) {}

  async edit(target: MessageTarget, payload: TaskMessagePayload): Promise<EditOutcome> {
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
