// /mjstatus id:<task id> — shows an MJ task and keeps the message live until the task ends. The
// caller becomes the requester only of a task the bot did not submit; otherwise its submitter stays.
import { InteractionContextType, MessageFlags, SlashCommandBuilder } from "discord.js";
import { t } from "../../i18n/translate.js";
import { deferIfSlow } from "../interactions/deferIfSlow.js";
import { described, privateLocale } from "../locales.js";
import { messageLink, replyWithTask } from "../messages/postTask.js";
import type { SlashCommand } from "./command.js";
import { readTaskId, taskIdOption } from "./taskIdOption.js";

export const mjstatus: SlashCommand = {
  data: described(new SlashCommandBuilder().setName("mjstatus"), "command.mjstatus")
    .setContexts(InteractionContextType.Guild)
    .addStringOption(taskIdOption)
    .toJSON(),

  async execute(interaction, context) {
    const id = readTaskId(interaction);
    // One at a time per channel and task, so two quick /mjstatus never start two trackers.
    await context.registry.withLock(`show:${interaction.channelId}:${id}`, async () => {
      const existing = await context.registry.find(id);
      const shownHere =
        existing?.stopped === null
          ? existing.messages.find((message) => message.channelId === interaction.channelId)
          : undefined;
      if (shownHere) {
        await interaction.reply({
          content: t(privateLocale(interaction), "status.alreadyShown", {
            taskId: id,
            link: messageLink(interaction.guildId, shownHere.channelId, shownHere.messageId),
          }),
          flags: MessageFlags.Ephemeral,
        });
        return;
      }
      const task = await deferIfSlow(interaction, context.mj.fetchTask(id));
      const submitter = await context.store.getSubmitter(id);
      await replyWithTask(interaction, task, context, { requesterId: submitter ?? interaction.user.id });
    });
  },
};
