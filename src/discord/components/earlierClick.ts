// Answers a click that an earlier click already handled: where the result is, or the prompt form
// again (to the member it was opened for) when upstream is still waiting for it. Nothing is
// submitted upstream.
import { type ButtonInteraction, MessageFlags, type ModalSubmitInteraction } from "discord.js";
import type { Phrase } from "../../i18n/catalogue.js";
import { phrase, say } from "../../i18n/translate.js";
import type { ClickRecord } from "../../tracking/store.js";
import type { BotContext } from "../context.js";
import { privateLocale } from "../locales.js";
import { messageLink } from "../messages/postTask.js";
import { buildPromptModal, modalClickKey } from "./promptModal.js";

export async function answerEarlierClick(
  interaction: ButtonInteraction | ModalSubmitInteraction,
  earlier: ClickRecord,
  context: BotContext,
): Promise<void> {
  let told: Phrase;
  if (earlier.status === "modal") {
    const submitted = await context.clicks.get(modalClickKey(earlier.modalTaskId));
    if (submitted) return answerEarlierClick(interaction, submitted, context);
    const owner = earlier.userId ?? (await context.store.getForm(earlier.modalTaskId))?.userId;
    if (owner === interaction.user.id && interaction.isButton()) {
      await interaction.showModal(
        buildPromptModal(
          earlier.modalTaskId,
          earlier.prompt,
          earlier.title,
          earlier.region,
          privateLocale(interaction),
        ),
      );
      return;
    }
    told = owner ? phrase("click.formInUse", { userId: owner }) : phrase("click.formInUseBySomeone");
  } else {
    told = earlierClickMessage(earlier);
  }
  const content = say(privateLocale(interaction), told);
  const options = { content, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } } as const;
  if (interaction.deferred || interaction.replied) await interaction.followUp(options);
  else await interaction.reply(options);
}

/** What a later click is told about the click that came first. */
function earlierClickMessage(earlier: Exclude<ClickRecord, { status: "modal" }>): Phrase {
  switch (earlier.status) {
    case "done":
      return phrase("click.done", {
        taskId: earlier.taskId,
        link: messageLink(earlier.guildId, earlier.channelId, earlier.messageId),
      });
    case "posting":
      return phrase("click.posting", { taskId: earlier.taskId });
    case "submitted":
      return phrase("click.submitted", { taskId: earlier.taskId });
    case "pending":
      return phrase("click.pending");
  }
}
