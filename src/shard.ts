// `npm run start:sharded`: runs one bot process per Discord shard under discord.js's
// ShardingManager and relays task work between them (each task is owned by one shard).
import { fileURLToPath } from "node:url";
import { REST, Routes, ShardingManager } from "discord.js";
import { ConfigError, loadConfig, secretsOf } from "./config.js";
import { isShardMessage, shardMessageLogFields } from "./discord/taskRouting.js";
import { createLogger } from "./logger.js";

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`mjrelay: ${error.message}\nSee .env.example for every setting.\n`);
  process.exit(1);
}
const logger = createLogger({ level: config.logLevel, secrets: secretsOf(config) });
if (config.store.url.startsWith("sqlite:")) {
  logger.warn(
    "shards share state through the store: set STORE_URL to a Redis URL when running more than one",
  );
}

async function shardCount(): Promise<number> {
  if (config.shardCount !== "auto") return config.shardCount;
  const rest = new REST(config.discord.apiUrl ? { api: config.discord.apiUrl } : {}).setToken(
    config.discord.token,
  );
  const gateway = (await rest.get(Routes.gatewayBot())) as { shards: number };
  return Math.max(1, gateway.shards);
}

// Run the compiled entry next to this file (dist/main.js), or main.ts when started through tsx.
const entry = fileURLToPath(
  new URL(import.meta.url.endsWith(".ts") ? "./main.ts" : "./main.js", import.meta.url),
);
const totalShards = await shardCount();
const manager = new ShardingManager(entry, {
  token: config.discord.token,
  totalShards,
  respawn: true,
  execArgv: process.execArgv,
});

manager.on("shardCreate", (shard) => {
  logger.info({ shard: shard.id, shards: totalShards }, "shard process started");
  shard.on("message", (message: unknown) => {
    if (!isShardMessage(message)) return;
    const owner = manager.shards.get(message.owner);
    if (!owner) {
      logger.warn(
        { ...shardMessageLogFields(message), owner: message.owner },
        "no shard to forward a task to",
      );
      return;
    }
    owner
      .send(message)
      .catch((error: unknown) =>
        logger.error({ err: error, ...shardMessageLogFields(message) }, "could not forward to a shard"),
      );
  });
  shard.on("death", () => logger.warn({ shard: shard.id }, "shard process exited; it is restarted"));
});

let stopping = false;
const stop = (signal: NodeJS.Signals) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "stopping every shard");
  // Each shard stops cleanly on SIGTERM (src/main.ts); respawning is switched off first.
  manager.respawn = false;
  const exits = [...manager.shards.values()].map(
    (shard) =>
      new Promise<void>((resolve) => {
        const child = shard.process;
        if (!child || child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  );
  void Promise.all(exits).then(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);

await manager.spawn({ timeout: 60_000 });
logger.info({ shards: totalShards }, "all shards ready");
