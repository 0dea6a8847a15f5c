// Answers a click that an earlier click already handled: where the result is, or the prompt form
// again (to the member it was opened for) when upstream is still waiting for it. Nothing is
// submitted upstream.
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
  let content: string;
  if (earlier.status === "modal") {
    const submitted = await context.clicks.get(modalClickKey(earlier.modalTaskId));
    if (submitted) return answerEarlierClick(interaction, submitted, context);
    const owner = earlier.userId ?? (await context.store.getForm(earlier.modalTaskId))?.userId;
    if (owner === interaction.user.id && interaction.isButton()) {
      await interaction.showModal(
        buildPromptModal(earlier.modalTaskId, earlier.prompt, earlier.title, earlier.region),
      );
      return;
    }
    content = owner
      ? `<@${owner}> is writing the prompt for this; the result will be posted here.`
      : "Someone is writing the prompt for this; the result will be posted here.";
  } else {
    content = earlierClickMessage(earlier);
  }
  const options = { content, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } } as const;
  if (interaction.deferred || interaction.replied) await interaction.followUp(options);
  else await interaction.reply(options);
}

/** What a later click is told about the click that came first. */
function earlierClickMessage(earlier: Exclude<ClickRecord, { status: "modal" }>): string {
  switch (earlier.status) {
    case "done":
      return `This was already done: task \`${earlier.taskId}\` is shown here ${messageLink(earlier.guildId, earlier.channelId, earlier.messageId)}`;
    case "posting":
      return `This was already sent: task \`${earlier.taskId}\` is on its way.`;
    case "submitted":
      return `This was already sent as task \`${earlier.taskId}\`, but its message could not be posted. Show it with \`/mjstatus id:${earlier.taskId}\`.`;
    case "pending":
      return "Someone just clicked this; the result is on its way.";
  }
}
