// The discord.js client: only the Guilds intent (slash commands and buttons need nothing else)
// and almost no cache, since every tracked edit goes through REST by id.
import { Client, GatewayIntentBits, Options, REST } from "discord.js";
import type { Config } from "../config.js";

export function createDiscordClient(config: Config["discord"]): Client {
  return new Client({
    intents: [GatewayIntentBits.Guilds],
    rest: config.apiUrl ? { api: config.apiUrl } : {},
    makeCache: Options.cacheWithLimits({
      ...Options.DefaultMakeCacheSettings,
      MessageManager: 0,
      GuildMemberManager: { maxSize: 0, keepOverLimit: (member) => member.id === member.client.user.id },
      UserManager: 0,
      PresenceManager: 0,
      ReactionManager: 0,
      GuildEmojiManager: 0,
      GuildStickerManager: 0,
      VoiceStateManager: 0,
    }),
    allowedMentions: { parse: [] },
  });
}

/**
 * The REST client for edits through interaction tokens. Discord does not count interaction routes
 * against the bot's global limit, so this client does not hold them to discord.js's 50/s either;
 * each token's own bucket still applies (discord.js reads it from the headers). No bot token: the
 * interaction token is the credential.
 */
export function createInteractionRest(config: Config["discord"]): REST {
  return new REST({ ...(config.apiUrl ? { api: config.apiUrl } : {}), globalRequestsPerSecond: 1_000_000 });
}
