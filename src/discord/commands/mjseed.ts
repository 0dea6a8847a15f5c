// /mjseed id:<task id> — the image seed of a finished task, to reproduce it with --seed.
import { InteractionContextType, MessageFlags, SlashCommandBuilder } from "discord.js";
import { isValidTaskId } from "../../mj/taskId.js";
import { deferIfSlow } from "../deferIfSlow.js";
import { UserError } from "../userError.js";
import type { SlashCommand } from "./command.js";

export const mjseed: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName("mjseed")
    .setDescription("Show the seed of a finished task")
    .setContexts(InteractionContextType.Guild)
    .addStringOption((option) =>
      option.setName("id").setDescription("The task id from the MJ API").setRequired(true).setMaxLength(64),
    )
    .toJSON(),

  async execute(interaction, context) {
    const id = interaction.options.getString("id", true).trim();
    if (!isValidTaskId(id)) {
      throw new UserError("That is not a task id. Task ids are up to 64 letters, digits, `-` or `_`.");
    }
    const seed = await deferIfSlow(interaction, context.mj.imageSeed(id), () =>
      interaction.deferReply({ flags: MessageFlags.Ephemeral }),
    );
    const content = `Seed of task \`${id}\`: \`${seed.replaceAll("`", "")}\` (add \`--seed ${seed.replaceAll("`", "")}\` to a prompt to reuse it)`;
    if (interaction.deferred) await interaction.editReply({ content });
    else await interaction.reply({ content, flags: MessageFlags.Ephemeral });
  },
};
