// Where a task's tracking runs. Each task belongs to one shard (by a hash of its id), and each
// shard to one process: the process that connects it (SHARD_IDS, or the one the ShardingManager
// gave it). Attaching a message and applying a callback or a command's result are handed to the
// owner, so a task is polled and edited by exactly one process. With a Redis store the hand-over
// goes over Redis pub/sub, so replicas on different hosts (no manager) share the work; without
// Redis, under the manager, it goes through the manager's process messages.
import type { Client } from "discord.js";
import type { Phrase } from "../i18n/catalogue.js";
import type { Logger } from "../logger.js";
import type { Task } from "../mj/schema.js";
import { connectRedis, type Redis } from "../redisConnection.js";
import { taskShard } from "../tracking/partition.js";
import type { TrackedMessage } from "../tracking/store.js";
import type { TaskUpdater, UpdateSource } from "../tracking/updater.js";

export interface TaskRouting {
  /** The shards this process connects. */
  shardIds: readonly number[];
  /** The first of them: this process's name for what it leaves in the store (pending posts). */
  shardId: number;
  shardCount: number;
  owns(taskId: string): boolean;
  /** Starts tracking `message` for `task` on the task's owner (in the feed's record for a feed post). */
  attach(
    task: Task,
    message: TrackedMessage,
    notice: Phrase | null,
    feedChannelId?: string | null,
  ): Promise<void>;
  /** Applies a new state of `task` on its owner. */
  update(task: Task, source: UpdateSource): Promise<void>;
  /** Shows the button `customId` as used on `messageId`, a message of the record `key` of `taskId`. */
  markUsed(taskId: string, key: string, messageId: string, customId: string): Promise<void>;
  close(): Promise<void>;
}

/** What travels between processes (the manager reads `owner`; Redis channels are per shard). */
export type ShardMessage = {
  mjrelay: true;
  owner: number;
} & (
  | {
      kind: "attach";
      task: Task;
      message: TrackedMessage;
      notice: Phrase | null;
      feedChannelId: string | null;
    }
  | { kind: "update"; task: Task; source: UpdateSource }
  | { kind: "used"; taskId: string; key: string; messageId: string; customId: string }
);

export function isShardMessage(value: unknown): value is ShardMessage {
  return typeof value === "object" && value !== null && (value as { mjrelay?: unknown }).mjrelay === true;
}

/** What a log line about forwarded work says: the task, and the message's guild and channel when attaching. */
export function shardMessageLogFields(message: ShardMessage) {
  if (message.kind === "used") return { taskId: message.taskId, messageId: message.messageId };
  return message.kind === "attach"
    ? { taskId: message.task.id, guildId: message.message.guildId, channelId: message.message.channelId }
    : { taskId: message.task.id };
}

export interface TaskRoutingOptions {
  client: Client;
  updater: TaskUpdater;
  logger: Logger;
  /** SHARD_IDS and SHARD_COUNT when set; else the manager's (or the one shard of an unsharded bot). */
  shards?: { ids: readonly number[]; count: number } | undefined;
  /** The shared Redis (the store's): work for other processes goes over its pub/sub. */
  redisUrl?: string | undefined;
  /** Tells apart bots that share one Redis. */
  botId: string;
}

/** The Redis channel a shard's owner listens on. */
function shardChannel(botId: string, shard: number): string {
  return `mjrelay:${botId}:shard:${shard}`;
}

export async function createTaskRouting(options: TaskRoutingOptions): Promise<TaskRouting> {
  const { client, updater, logger } = options;
  const manager = client.shard;
  const shardIds = options.shards?.ids ?? manager?.ids ?? [0];
  const shardCount = options.shards?.count ?? manager?.count ?? 1;
  const mine = new Set(shardIds);
  const owns = (taskId: string) => mine.has(taskShard(taskId, shardCount));

  const apply = async (message: ShardMessage) => {
    if (message.kind === "attach") {
      await updater.attach(message.task, message.message, message.notice, {
        feedChannelId: message.feedChannelId,
      });
    } else if (message.kind === "used") {
      await updater.markButtonUsed(message.key, message.messageId, message.customId);
    } else await updater.onTaskUpdate(message.task, message.source);
  };
  const applyForwarded = (raw: unknown) => {
    if (!isShardMessage(raw) || !mine.has(raw.owner)) return;
    apply(raw).catch((error: unknown) =>
      logger.error(
        { err: error, ...shardMessageLogFields(raw) },
        "could not apply work forwarded by another shard",
      ),
    );
  };

  let publisher: Redis | undefined;
  let subscriber: Redis | undefined;
  const alone = shardCount === 1 || shardIds.length === shardCount;
  if (options.redisUrl && !alone) {
    publisher = await connectRedis(options.redisUrl, logger, "task hand-over");
    subscriber = publisher.duplicate();
    subscriber.on("error", (error: unknown) =>
      logger.warn({ err: error, purpose: "task hand-over" }, "Redis connection error"),
    );
    await subscriber.connect();
    for (const shard of shardIds) {
      await subscriber.subscribe(shardChannel(options.botId, shard), (text) => {
        try {
          applyForwarded(JSON.parse(text));
        } catch (error) {
          logger.error({ err: error }, "could not read work forwarded by another process");
        }
      });
    }
  } else if (manager && !alone) {
    process.on("message", applyForwarded);
  }

  const route = async (message: ShardMessage) => {
    if (mine.has(message.owner) || alone) return apply(message);
    logger.debug(
      { ...shardMessageLogFields(message), owner: message.owner },
      "forwarding a task to its shard",
    );
    if (publisher) {
      const receivers = await publisher.publish(
        shardChannel(options.botId, message.owner),
        JSON.stringify(message),
      );
      if (receivers === 0) {
        logger.warn(
          { ...shardMessageLogFields(message), owner: message.owner },
          message.kind === "used"
            ? "no process runs the task's shard now; the used button keeps its old look"
            : "no process runs the task's shard now; it is picked up from the store when one starts",
        );
      }
      return;
    }
    if (manager) {
      await manager.send(message);
      return;
    }
    // Sharded by SHARD_IDS without Redis: nobody to hand to; the store is this process's alone.
    return apply(message);
  };

  return {
    shardIds,
    shardId: shardIds[0] ?? 0,
    shardCount,
    owns,
    attach: (task, message, notice, feedChannelId = null) =>
      route({
        mjrelay: true,
        owner: taskShard(task.id, shardCount),
        kind: "attach",
        task,
        message,
        notice,
        feedChannelId,
      }),
    update: (task, source) =>
      route({ mjrelay: true, owner: taskShard(task.id, shardCount), kind: "update", task, source }),
    markUsed: (taskId, key, messageId, customId) =>
      route({
        mjrelay: true,
        owner: taskShard(taskId, shardCount),
        kind: "used",
        taskId,
        key,
        messageId,
        customId,
      }),
    async close() {
      if (manager) process.off("message", applyForwarded);
      await subscriber?.close().catch(() => undefined);
      await publisher?.close().catch(() => undefined);
    },
  };
}
