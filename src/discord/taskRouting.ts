// Where a task's tracking runs. Unsharded, everything runs here. Under discord.js's
// ShardingManager, each task belongs to one shard (by a hash of its id): attaching a message and
// applying a callback are forwarded to the owner through the manager, so a task is polled and
// edited by exactly one process.
import type { Client } from "discord.js";
import type { Phrase } from "../i18n/catalogue.js";
import type { Logger } from "../logger.js";
import type { Task } from "../mj/schema.js";
import { taskShard } from "../tracking/partition.js";
import type { TrackedMessage } from "../tracking/store.js";
import type { TaskUpdater, UpdateSource } from "../tracking/updater.js";

export interface TaskRouting {
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
}

/** What travels between shards (through the manager, which reads `owner`). */
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

export function createTaskRouting(client: Client, updater: TaskUpdater, logger: Logger): TaskRouting {
  const shard = client.shard;
  const shardId = shard?.ids[0] ?? 0;
  const shardCount = shard?.count ?? 1;
  const owns = (taskId: string) => taskShard(taskId, shardCount) === shardId;

  const apply = async (message: ShardMessage) => {
    if (message.kind === "attach") {
      await updater.attach(message.task, message.message, message.notice, {
        feedChannelId: message.feedChannelId,
      });
    } else if (message.kind === "used") {
      await updater.markButtonUsed(message.key, message.messageId, message.customId);
    } else await updater.onTaskUpdate(message.task, message.source);
  };

  if (shard) {
    process.on("message", (raw: unknown) => {
      if (!isShardMessage(raw) || raw.owner !== shardId) return;
      apply(raw).catch((error: unknown) =>
        logger.error(
          { err: error, ...shardMessageLogFields(raw) },
          "could not apply work forwarded by another shard",
        ),
      );
    });
  }

  const route = async (message: ShardMessage) => {
    if (message.owner === shardId || !shard) return apply(message);
    logger.debug(
      { ...shardMessageLogFields(message), owner: message.owner },
      "forwarding a task to its shard",
    );
    await shard.send(message);
  };

  return {
    shardId,
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
  };
}
