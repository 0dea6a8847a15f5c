// A connection to the Redis the bot's processes share (besides the store's own): for the shared
// global limit and for handing work to the process that owns a task.
import { createClient } from "@redis/client";
import type { Logger } from "./logger.js";

export async function connectRedis(url: string, logger: Logger, purpose: string) {
  const redis = createClient({ url });
  // The URL may carry a password: the log line names the purpose, never the URL.
  redis.on("error", (error: unknown) => logger.warn({ err: error, purpose }, "Redis connection error"));
  await redis.connect();
  return redis;
}

export type Redis = Awaited<ReturnType<typeof connectRedis>>;
