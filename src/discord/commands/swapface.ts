// /swapface source:<face image> target:<image> — puts the face of one image into another.
import { InteractionContextType, SlashCommandBuilder } from "discord.js";
import { phrase } from "../../i18n/translate.js";
import { attachmentToDataUrl } from "../interactions/imageAttachment.js";
import { callbackFields, submitAndShow } from "../interactions/submitTask.js";
import { UserError } from "../interactions/userError.js";
import { described } from "../locales.js";
import type { SlashCommand } from "./command.js";

export const swapface: SlashCommand = {
  data: described(new SlashCommandBuilder().setName("swapface"), "command.swapface")
    .setContexts(InteractionContextType.Guild)
    .addAttachmentOption((option) =>
      described(option.setName("source"), "command.swapface.source").setRequired(true),
    )
    .addAttachmentOption((option) =>
      described(option.setName("target"), "command.swapface.target").setRequired(true),
    )
    .toJSON(),

  async execute(interaction, context) {
    const source = interaction.options.getAttachment("source", true);
    const target = interaction.options.getAttachment("target", true);
    await submitAndShow(interaction, context, async () => {
      const [sourceBase64, targetBase64] = await Promise.all([
        attachmentToDataUrl(source),
        attachmentToDataUrl(target),
      ]);
      if (sourceBase64 === targetBase64) {
        throw new UserError(phrase("swapface.sameImage"));
      }
      return context.mj.swapFace({ sourceBase64, targetBase64, ...callbackFields(context) });
    });
  },
};
