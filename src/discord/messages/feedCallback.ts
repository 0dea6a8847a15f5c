// Applies a notifyHook callback: the bot's own hook updates tracked tasks; a feed's hook also
// posts tasks it has not seen yet in the feed's channel (first callback posts, later ones edit).
import type { REST } from "discord.js";
import type { Task } from "../../mj/schema.js";
import type { HookTarget } from "../../tracking/store.js";
import type { BotContext } from "../context.js";
import { postTaskInChannel } from "./postTask.js";

/** Feed posts remembered here too: the owning shard may not have stored its record yet. */
const RECENT_POSTS = 10_000;

export function createCallbackHandler(rest: REST, context: BotContext) {
  const posted = new Set<string>();
  const remember = (key: string) => {
    posted.add(key);
    if (posted.size > RECENT_POSTS) posted.delete(posted.values().next().value as string);
  };

  return async function onCallback(target: HookTarget, task: Task): Promise<void> {
    if (target.kind === "bot") return context.tasks.update(task, "callback");
    // One lock per feed and task, so a burst of callbacks for a new task posts it once.
    await context.registry.withLock(`feed:${target.channelId}:${task.id}`, async () => {
      const key = `${target.channelId}:${task.id}`;
      const record = await context.registry.find(task.id);
      if (posted.has(key) || record?.messages.some((message) => message.channelId === target.channelId)) {
        return context.tasks.update(task, "callback");
      }
      if (!(await context.store.getFeed(target.channelId))) return;
      await postTaskInChannel(rest, task, context, {
        channelId: target.channelId,
        guildId: target.guildId,
        requesterId: null,
      });
      remember(key);
      context.logger.info(
        { taskId: task.id, guildId: target.guildId, channelId: target.channelId },
        "posted a task in its feed",
      );
    });
  };
}
