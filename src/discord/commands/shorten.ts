// /shorten prompt:<text> — asks Midjourney which words of a prompt matter.
import { InteractionContextType, SlashCommandBuilder } from "discord.js";
import { phrase } from "../../i18n/translate.js";
import { callbackFields, submitAndShow } from "../interactions/submitTask.js";
import { UserError } from "../interactions/userError.js";
import { described } from "../locales.js";
import type { SlashCommand } from "./command.js";

export const shorten: SlashCommand = {
  data: described(new SlashCommandBuilder().setName("shorten"), "command.shorten")
    .setContexts(InteractionContextType.Guild)
    .addStringOption((option) =>
      described(option.setName("prompt"), "command.shorten.prompt").setRequired(true).setMaxLength(4000),
    )
    .toJSON(),

  async execute(interaction, context) {
    const prompt = interaction.options.getString("prompt", true).trim();
    if (!prompt) throw new UserError(phrase("prompt.empty"));
    await submitAndShow(interaction, context, () =>
      context.mj.submitShorten({ prompt, ...callbackFields(context) }),
    );
  },
};
