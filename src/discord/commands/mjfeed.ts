// /mjfeed enable|disable|status — makes a channel a feed: every task whose notifyHook callbacks
// arrive at the channel's own URL is posted there and kept live.
import { InteractionContextType, MessageFlags, PermissionFlagsBits, SlashCommandBuilder } from "discord.js";
import { phrase, t } from "../../i18n/translate.js";
import { discordTime } from "../../render/discordTime.js";
import { hookSecretHash, hookUrl, newHookSecret } from "../../webhook/hookSecrets.js";
import { UserError } from "../interactions/userError.js";
import { described, privateLocale } from "../locales.js";
import type { SlashCommand } from "./command.js";

export const mjfeed: SlashCommand = {
  data: described(new SlashCommandBuilder().setName("mjfeed"), "command.mjfeed")
    .setContexts(InteractionContextType.Guild)
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageChannels)
    .addSubcommand((sub) => described(sub.setName("enable"), "command.mjfeed.enable"))
    .addSubcommand((sub) => described(sub.setName("disable"), "command.mjfeed.disable"))
    .addSubcommand((sub) => described(sub.setName("status"), "command.mjfeed.status"))
    .toJSON(),

  async execute(interaction, context) {
    if (!interaction.memberPermissions?.has(PermissionFlagsBits.ManageChannels)) {
      throw new UserError(phrase("feed.needsManageChannels"));
    }
    const publicUrl = context.config.http.publicUrl;
    if (!publicUrl) throw new UserError(phrase("feed.needsPublicUrl"));
    const locale = privateLocale(interaction);
    const channelId = interaction.channelId;
    const feed = await context.store.getFeed(channelId);
    const reply = (content: string) => interaction.reply({ content, flags: MessageFlags.Ephemeral });
    switch (interaction.options.getSubcommand(true)) {
      case "enable": {
        if (feed) {
          await reply(t(locale, "feed.alreadyEnabled", { url: hookUrl(publicUrl, feed.secret) }));
          return;
        }
        const secret = newHookSecret();
        await context.store.saveFeed({
          channelId,
          guildId: interaction.guildId,
          secret,
          createdBy: interaction.user.id,
          createdAt: Date.now(),
          // The feed's posts speak the server's language even where the guild is not cached.
          guildLocale: interaction.guildLocale,
        });
        await context.store.saveHook({
          kind: "feed",
          secretHash: hookSecretHash(secret),
          channelId,
          guildId: interaction.guildId,
        });
        context.logger.info({ channelId, userId: interaction.user.id }, "feed enabled");
        await reply(t(locale, "feed.enabled", { url: hookUrl(publicUrl, secret) }));
        return;
      }
      case "disable": {
        if (!feed) throw new UserError(phrase("feed.notAFeed"));
        await context.store.deleteHook(hookSecretHash(feed.secret));
        await context.store.deleteFeed(channelId);
        context.logger.info({ channelId, userId: interaction.user.id }, "feed disabled");
        await reply(t(locale, "feed.disabled"));
        return;
      }
      default:
        await reply(
          feed
            ? t(locale, "feed.status", {
                since: discordTime(feed.createdAt),
                url: hookUrl(publicUrl, feed.secret),
              })
            : t(locale, "feed.statusNone"),
        );
    }
  },
};
