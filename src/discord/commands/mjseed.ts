// /mjseed id:<task id> — the image seed of a finished task, to reproduce it with --seed.
import { InteractionContextType, MessageFlags, SlashCommandBuilder } from "discord.js";
import { deferIfSlow } from "../interactions/deferIfSlow.js";
import type { SlashCommand } from "./command.js";
import { readTaskId, taskIdOption } from "./taskIdOption.js";

export const mjseed: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName("mjseed")
    .setDescription("Show the seed of a finished task")
    .setContexts(InteractionContextType.Guild)
    .addStringOption(taskIdOption)
    .toJSON(),

  async execute(interaction, context) {
    const id = readTaskId(interaction);
    const seed = await deferIfSlow(interaction, context.mj.imageSeed(id), () =>
      interaction.deferReply({ flags: MessageFlags.Ephemeral }),
    );
    const content = `Seed of task \`${id}\`: \`${seed.replaceAll("`", "")}\` (add \`--seed ${seed.replaceAll("`", "")}\` to a prompt to reuse it)`;
    if (interaction.deferred) await interaction.editReply({ content });
    else await interaction.reply({ content, flags: MessageFlags.Ephemeral });
  },
};
