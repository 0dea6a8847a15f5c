// /shorten prompt:<text> — asks Midjourney which words of a prompt matter.
import { InteractionContextType, SlashCommandBuilder } from "discord.js";
import { callbackFields, submitAndShow } from "../interactions/submitTask.js";
import { UserError } from "../interactions/userError.js";
import type { SlashCommand } from "./command.js";

export const shorten: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName("shorten")
    .setDescription("Find out which words of a prompt matter")
    .setContexts(InteractionContextType.Guild)
    .addStringOption((option) =>
      option.setName("prompt").setDescription("The prompt to analyse").setRequired(true).setMaxLength(4000),
    )
    .toJSON(),

  async execute(interaction, context) {
    const prompt = interaction.options.getString("prompt", true).trim();
    if (!prompt) throw new UserError("The prompt is empty.");
    await submitAndShow(interaction, context, () =>
      context.mj.submitShorten({ prompt, ...callbackFields(context) }),
    );
  },
};
