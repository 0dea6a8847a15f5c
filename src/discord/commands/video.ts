// /video image:<file> [prompt] [motion:low|high] — animates an image into short videos.
import { InteractionContextType, SlashCommandBuilder } from "discord.js";
import { attachmentToDataUrl } from "../interactions/imageAttachment.js";
import { callbackFields, submitAndShow } from "../interactions/submitTask.js";
import type { SlashCommand } from "./command.js";

const MOTIONS = ["low", "high"] as const;

export const video: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName("video")
    .setDescription("Animate an image into short videos")
    .setContexts(InteractionContextType.Guild)
    .addAttachmentOption((option) =>
      option.setName("image").setDescription("The first frame of the video").setRequired(true),
    )
    .addStringOption((option) =>
      option.setName("prompt").setDescription("How it should move").setMaxLength(4000),
    )
    .addStringOption((option) =>
      option
        .setName("motion")
        .setDescription("How much movement")
        .addChoices({ name: "Low motion", value: "low" }, { name: "High motion", value: "high" }),
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
