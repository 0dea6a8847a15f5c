// Applies a notifyHook callback. The bot's own hook (known only to its provider) updates every
// record of the task. A feed's hook is known to whoever was given the feed's URL, so what it sends
// is untrusted: it only ever changes the messages that feed posted, in the feed's own record (the
// first callback for a task posts it in the feed's channel, later ones edit that post). Records of
// the bot's own submits, of /mjstatus and of other feeds are never touched by it.
import type { REST } from "discord.js";
import type { Task } from "../../mj/schema.js";
import { feedRecordKey, type HookTarget } from "../../tracking/store.js";
import type { BotContext } from "../context.js";
import { publicLocale } from "../locales.js";
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
    const key = feedRecordKey(target.channelId, task.id);
    // One lock per feed and task, so a burst of callbacks for a new task posts it once.
    await context.registry.withLock(`feedpost:${key}`, async () => {
      if (posted.has(key) || (await context.registry.find(key))) {
        return context.tasks.update(task, { feed: target.channelId });
      }
      const feed = await context.store.getFeed(target.channelId);
      if (!feed) return;
      // The server's language: as discord.js knows it now, else as it was when the feed was made.
      const guildLocale =
        (target.guildId ? context.guildLocale(target.guildId) : undefined) ?? feed.guildLocale;
      await postTaskInChannel(rest, task, context, {
        channelId: target.channelId,
        guildId: target.guildId,
        requesterId: null,
        locale: publicLocale(context.config.botLocale, guildLocale),
        feedChannelId: target.channelId,
      });
      remember(key);
      context.logger.info(
        { taskId: task.id, guildId: target.guildId, channelId: target.channelId },
        "posted a task in its feed",
      );
    });
  };
}
