// /describe image:<attachment> — asks Midjourney for four prompts that describe an image.
import { InteractionContextType, SlashCommandBuilder } from "discord.js";
import { attachmentToDataUrl } from "../interactions/imageAttachment.js";
import { callbackFields, submitAndShow } from "../interactions/submitTask.js";
import { described } from "../locales.js";
import type { SlashCommand } from "./command.js";

export const describe: SlashCommand = {
  data: described(new SlashCommandBuilder().setName("describe"), "command.describe")
    .setContexts(InteractionContextType.Guild)
    .addAttachmentOption((option) =>
      described(option.setName("image"), "command.describe.image").setRequired(true),
    )
    .toJSON(),

  async execute(interaction, context) {
    const image = interaction.options.getAttachment("image", true);
    await submitAndShow(interaction, context, async () =>
      context.mj.submitDescribe({ base64: await attachmentToDataUrl(image), ...callbackFields(context) }),
    );
  },
};
