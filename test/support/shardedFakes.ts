// The services of a bot run as several processes (shards or replicas): a fake Discord with two
// shards, a fake MJ proxy and a real redis-server for the shared store, closed in `cleanups`.
import { startFakeDiscord } from "../../src/sandbox/discord/fakeDiscord.js";
import { startFakeMj } from "../../src/sandbox/mj/fakeMj.js";
import { checkedAgainstSpec } from "./discordSpec.js";
import { startRedis } from "./redis.js";

/** Starts the three; `cleanups` closes them (a test file's list, run in reverse after each test). */
export async function startShardedFakes(
  cleanups: (() => Promise<unknown>)[],
  discordOptions: Parameters<typeof startFakeDiscord>[0] = {},
) {
  const [discord, mj, redis] = await Promise.all([
    startFakeDiscord({ ...checkedAgainstSpec, shards: 2, ...discordOptions }),
    startFakeMj(),
    startRedis(),
  ]);
  cleanups.push(
    () => discord.close(),
    () => mj.close(),
    () => redis.stop(),
  );
  return { discord, mj, redis };
}
