// /mjseed id:<task id> — the image seed of a finished task, to reproduce it with --seed.
import { InteractionContextType, MessageFlags, SlashCommandBuilder } from "discord.js";
import { t } from "../../i18n/translate.js";
import { deferIfSlow } from "../interactions/deferIfSlow.js";
import { described, privateLocale } from "../locales.js";
import type { SlashCommand } from "./command.js";
import { readTaskId, taskIdOption } from "./taskIdOption.js";

export const mjseed: SlashCommand = {
  data: described(new SlashCommandBuilder().setName("mjseed"), "command.mjseed")
    .setContexts(InteractionContextType.Guild)
    .addStringOption(taskIdOption)
    .toJSON(),

  async execute(interaction, context) {
    const id = readTaskId(interaction);
    const seed = await deferIfSlow(interaction, context.mj.imageSeed(id), () =>
      interaction.deferReply({ flags: MessageFlags.Ephemeral }),
    );
    const content = t(privateLocale(interaction), "seed.result", {
      taskId: id,
      seed: seed.replaceAll("`", ""),
    });
    if (interaction.deferred) await interaction.editReply({ content });
    else await interaction.reply({ content, flags: MessageFlags.Ephemeral });
  },
};
