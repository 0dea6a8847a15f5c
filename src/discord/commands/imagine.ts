// /imagine prompt:<text> [image:<attachment>] — starts a Midjourney job and shows it live.
import { InteractionContextType, SlashCommandBuilder } from "discord.js";
import { attachmentToDataUrl } from "../interactions/imageAttachment.js";
import { callbackFields, submitAndShow } from "../interactions/submitTask.js";
import { UserError } from "../interactions/userError.js";
import type { SlashCommand } from "./command.js";

export const imagine: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName("imagine")
    .setDescription("Create images from a prompt")
    .setContexts(InteractionContextType.Guild)
    .addStringOption((option) =>
      option.setName("prompt").setDescription("What to imagine").setRequired(true).setMaxLength(4000),
    )
    .addAttachmentOption((option) => option.setName("image").setDescription("An image to start from"))
    .toJSON(),

  async execute(interaction, context) {
    const prompt = interaction.options.getString("prompt", true).trim();
    if (!prompt) throw new UserError("The prompt is empty.");
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
