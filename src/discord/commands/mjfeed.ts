// /mjfeed enable|disable|status — makes a channel a feed: every task whose notifyHook callbacks
// arrive at the channel's own URL is posted there and kept live.
import { InteractionContextType, MessageFlags, PermissionFlagsBits, SlashCommandBuilder } from "discord.js";
import { discordTime } from "../../render/discordTime.js";
import { hookSecretHash, hookUrl, newHookSecret } from "../../webhook/hookSecrets.js";
import { UserError } from "../interactions/userError.js";
import type { SlashCommand } from "./command.js";

export const mjfeed: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName("mjfeed")
    .setDescription("Post every task sent to this channel's notifyHook URL here, kept live")
    .setContexts(InteractionContextType.Guild)
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageChannels)
    .addSubcommand((sub) =>
      sub.setName("enable").setDescription("Make this channel a feed and get its notifyHook URL"),
    )
    .addSubcommand((sub) => sub.setName("disable").setDescription("Stop the feed; its URL stops working"))
    .addSubcommand((sub) =>
      sub.setName("status").setDescription("Show whether this channel is a feed, and its URL"),
    )
    .toJSON(),

  async execute(interaction, context) {
    if (!interaction.memberPermissions?.has(PermissionFlagsBits.ManageChannels)) {
      throw new UserError("You need the Manage Channels permission to change feeds.");
    }
    const publicUrl = context.config.http.publicUrl;
    if (!publicUrl) {
      throw new UserError(
        "Feeds need the bot's PUBLIC_URL setting, so the MJ API can reach it. Ask the bot's operator.",
      );
    }
    const channelId = interaction.channelId;
    const feed = await context.store.getFeed(channelId);
    const reply = (content: string) => interaction.reply({ content, flags: MessageFlags.Ephemeral });
    switch (interaction.options.getSubcommand(true)) {
      case "enable": {
        if (feed) {
          await reply(
            `This channel is already a feed. Its notifyHook URL:\n\`${hookUrl(publicUrl, feed.secret)}\``,
          );
          return;
        }
        const secret = newHookSecret();
        await context.store.saveFeed({
          channelId,
          guildId: interaction.guildId,
          secret,
          createdBy: interaction.user.id,
          createdAt: Date.now(),
        });
        await context.store.saveHook({
          kind: "feed",
          secretHash: hookSecretHash(secret),
          channelId,
          guildId: interaction.guildId,
        });
        context.logger.info({ channelId, userId: interaction.user.id }, "feed enabled");
        await reply(
          `This channel is now a feed. Use this as \`notifyHook\` when you submit tasks; they will be posted here and kept live. Keep it private: anyone with it can post here.\n\`${hookUrl(publicUrl, secret)}\``,
        );
        return;
      }
      case "disable": {
        if (!feed) throw new UserError("This channel is not a feed.");
        await context.store.deleteHook(hookSecretHash(feed.secret));
        await context.store.deleteFeed(channelId);
        context.logger.info({ channelId, userId: interaction.user.id }, "feed disabled");
        await reply("This channel is no longer a feed; its notifyHook URL no longer works.");
        return;
      }
      default:
        await reply(
          feed
            ? `This channel is a feed since ${discordTime(feed.createdAt)}. Its notifyHook URL:\n\`${hookUrl(publicUrl, feed.secret)}\``
            : "This channel is not a feed. `/mjfeed enable` makes it one.",
        );
    }
  },
};
