// /describe image:<attachment> — asks Midjourney for four prompts that describe an image.
import { InteractionContextType, SlashCommandBuilder } from "discord.js";
import { attachmentToDataUrl } from "../interactions/imageAttachment.js";
import { callbackFields, submitAndShow } from "../interactions/submitTask.js";
import type { SlashCommand } from "./command.js";

export const describe: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName("describe")
    .setDescription("Get four prompts that describe an image")
    .setContexts(InteractionContextType.Guild)
    .addAttachmentOption((option) =>
      option.setName("image").setDescription("The image to describe").setRequired(true),
    )
    .toJSON(),

  async execute(interaction, context) {
    const image = interaction.options.getAttachment("image", true);
    await submitAndShow(interaction, context, async () =>
      context.mj.submitDescribe({ base64: await attachmentToDataUrl(image), ...callbackFields(context) }),
    );
  },
};
