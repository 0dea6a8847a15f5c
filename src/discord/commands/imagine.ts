// /imagine prompt:<text> [image:<attachment>] — starts a Midjourney job and shows it live.
import { InteractionContextType, SlashCommandBuilder } from "discord.js";
import { phrase } from "../../i18n/translate.js";
import { attachmentToDataUrl } from "../interactions/imageAttachment.js";
import { callbackFields, submitAndShow } from "../interactions/submitTask.js";
import { UserError } from "../interactions/userError.js";
import { described } from "../locales.js";
import type { SlashCommand } from "./command.js";

export const imagine: SlashCommand = {
  data: described(new SlashCommandBuilder().setName("imagine"), "command.imagine")
    .setContexts(InteractionContextType.Guild)
    .addStringOption((option) =>
      described(option.setName("prompt"), "command.imagine.prompt").setRequired(true).setMaxLength(4000),
    )
    .addAttachmentOption((option) => described(option.setName("image"), "command.imagine.image"))
    .toJSON(),

  async execute(interaction, context) {
    const prompt = interaction.options.getString("prompt", true).trim();
    if (!prompt) throw new UserError(phrase("prompt.empty"));
    const image = interaction.options.getAttachment("image");
    await submitAndShow(interaction, context, async () =>
      context.mj.submitImagine({
        prompt,
        ...(image ? { base64Array: [await attachmentToDataUrl(image)] } : {}),
        ...callbackFields(context),
      }),
    );
  },
};
