// /blend image1 image2 [image3..image5] [dimensions] — blends 2–5 images into a new one.
import { InteractionContextType, SlashCommandBuilder } from "discord.js";
import { attachmentToDataUrl } from "../interactions/imageAttachment.js";
import { callbackFields, submitAndShow } from "../interactions/submitTask.js";
import { choice, described } from "../locales.js";
import type { SlashCommand } from "./command.js";

const IMAGE_OPTIONS = ["image1", "image2", "image3", "image4", "image5"] as const;
const DIMENSIONS = ["PORTRAIT", "SQUARE", "LANDSCAPE"] as const;

const builder = described(new SlashCommandBuilder().setName("blend"), "command.blend").setContexts(
  InteractionContextType.Guild,
);
for (const [index, name] of IMAGE_OPTIONS.entries()) {
  builder.addAttachmentOption((option) =>
    described(option.setName(name), "command.blend.image", { number: index + 1 }).setRequired(index < 2),
  );
}
builder.addStringOption((option) =>
  described(option.setName("dimensions"), "command.blend.dimensions").addChoices(
    choice("command.blend.portrait", "PORTRAIT"),
    choice("command.blend.square", "SQUARE"),
    choice("command.blend.landscape", "LANDSCAPE"),
  ),
);

export const blend: SlashCommand = {
  data: builder.toJSON(),

  async execute(interaction, context) {
    const images = IMAGE_OPTIONS.map((name) => interaction.options.getAttachment(name)).filter(
      (image) => image !== null,
    );
    const dimensions = DIMENSIONS.find((value) => value === interaction.options.getString("dimensions"));
    await submitAndShow(interaction, context, async () =>
      context.mj.submitBlend({
        base64Array: await Promise.all(images.map((image) => attachmentToDataUrl(image))),
        ...(dimensions ? { dimensions } : {}),
        ...callbackFields(context),
      }),
    );
  },
};
