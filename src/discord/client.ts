// The discord.js client: only the Guilds intent (slash commands and buttons need nothing else)
// and almost no cache, since every tracked edit goes through REST by id.
import { Client, GatewayIntentBits, Options } from "discord.js";
import type { Config } from "../config.js";

export function createDiscordClient(config: Config["discord"], shards?: Config["shards"]): Client {
  return new Client({
    // A replica connects the shards SHARD_IDS names (under the manager, discord.js reads its own).
    ...(shards ? { shards: shards.ids, shardCount: shards.count } : {}),
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
