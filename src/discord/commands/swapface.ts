// /swapface source:<face image> target:<image> — puts the face of one image into another.
import { InteractionContextType, SlashCommandBuilder } from "discord.js";
import { attachmentToDataUrl } from "../interactions/imageAttachment.js";
import { callbackFields, submitAndShow } from "../interactions/submitTask.js";
import { UserError } from "../interactions/userError.js";
import type { SlashCommand } from "./command.js";

export const swapface: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName("swapface")
    .setDescription("Put the face from one image into another")
    .setContexts(InteractionContextType.Guild)
    .addAttachmentOption((option) =>
      option.setName("source").setDescription("The image with the face to use").setRequired(true),
    )
    .addAttachmentOption((option) =>
      option.setName("target").setDescription("The image that gets the face").setRequired(true),
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
        throw new UserError("The face and the target are the same image. Pick two different images.");
      }
      return context.mj.swapFace({ sourceBase64, targetBase64, ...callbackFields(context) });
    });
  },
};
