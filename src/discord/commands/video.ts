// /video image:<file> [prompt] [motion:low|high] — animates an image into short videos.
import { InteractionContextType, SlashCommandBuilder } from "discord.js";
import { attachmentToDataUrl } from "../interactions/imageAttachment.js";
import { callbackFields, submitAndShow } from "../interactions/submitTask.js";
import { choice, described } from "../locales.js";
import type { SlashCommand } from "./command.js";

const MOTIONS = ["low", "high"] as const;

export const video: SlashCommand = {
  data: described(new SlashCommandBuilder().setName("video"), "command.video")
    .setContexts(InteractionContextType.Guild)
    .addAttachmentOption((option) =>
      described(option.setName("image"), "command.video.image").setRequired(true),
    )
    .addStringOption((option) =>
      described(option.setName("prompt"), "command.video.prompt").setMaxLength(4000),
    )
    .addStringOption((option) =>
      described(option.setName("motion"), "command.video.motion").addChoices(
        choice("command.video.low", "low"),
        choice("command.video.high", "high"),
      ),
    )
    .toJSON(),

  async execute(interaction, context) {
    const image = interaction.options.getAttachment("image", true);
    const prompt = interaction.options.getString("prompt")?.trim() ?? "";
    const motion = MOTIONS.find((value) => value === interaction.options.getString("motion"));
    await submitAndShow(interaction, context, async () =>
      context.mj.submitVideo({
        image: await attachmentToDataUrl(image),
        // Left out when not given: providers that animate on their own do, the others say they need one.
        ...(prompt ? { prompt } : {}),
        ...(motion ? { motion } : {}),
        ...callbackFields(context),
      }),
    );
  },
};
