// Answers a click that an earlier click already handled: where the result is, or the prompt form
// again when upstream is still waiting for it. Nothing is submitted upstream.
import { type ButtonInteraction, MessageFlags, type ModalSubmitInteraction } from "discord.js";
import type { ClickRecord } from "../../tracking/store.js";
import type { BotContext } from "../context.js";
import { messageLink } from "../messages/postTask.js";
import { buildPromptModal, modalClickKey } from "./promptModal.js";

export async function answerEarlierClick(
  interaction: ButtonInteraction | ModalSubmitInteraction,
  earlier: ClickRecord,
  context: BotContext,
): Promise<void> {
  if (earlier.status === "modal") {
    const submitted = await context.clicks.get(modalClickKey(earlier.modalTaskId));
    if (submitted?.status !== "done" && interaction.isButton()) {
      await interaction.showModal(
        buildPromptModal(earlier.modalTaskId, earlier.prompt, earlier.title, earlier.region),
      );
      return;
    }
    if (submitted) return answerEarlierClick(interaction, submitted, context);
  }
  const content =
    earlier.status === "done"
      ? `This was already done: task \`${earlier.taskId}\` is shown here ${messageLink(earlier.guildId, earlier.channelId, earlier.messageId)}`
      : "Someone just clicked this; the result is on its way.";
  const options = { content, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } } as const;
  if (interaction.deferred || interaction.replied) await interaction.followUp(options);
  else await interaction.reply(options);
}
