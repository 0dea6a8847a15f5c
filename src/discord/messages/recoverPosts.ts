// After a crash between posting a task's message and recording it: finds the message the bot
// sent (by the interaction token while it is valid, else among the channel's recent messages),
// or posts it when it never went out, then tracks it and settles the click that led to it.
import { type APIMessage, MessageFlags, type REST, Routes } from "discord.js";
import { feedRecordKey, type PendingPost } from "../../tracking/store.js";
import type { BotContext } from "../context.js";
import { discordErrorCode, isAccessDenied, UNKNOWN_CHANNEL } from "../discordErrors.js";
import { toRestBody } from "./messageEditor.js";
import { completePost, fetchSubmittedTask, renderPost, sendToChannel } from "./postTask.js";

/** Interaction tokens work for 15 minutes; a little is kept in hand. */
const TOKEN_LIFETIME_MS = 14 * 60 * 1000;
/** The bot's message is among the channel's newest ones: a restart comes within minutes. */
const SEARCHED_MESSAGES = 50;

/** Posts this shard began and never completed (read before it logs in, so none are its own). */
export async function unfinishedPosts(context: BotContext): Promise<PendingPost[]> {
  const posts: PendingPost[] = [];
  for await (const post of context.store.pendingPosts()) {
    if (post.shardId === context.tasks.shardId) posts.push(post);
  }
  return posts;
}

export async function recoverPosts(
  rest: REST,
  botUserId: string,
  context: BotContext,
  posts: readonly PendingPost[],
): Promise<void> {
  for (const post of posts) {
    const where = { taskId: post.taskId, channelId: post.channelId };
    try {
      const how = await recoverPost(rest, botUserId, context, post);
      context.logger.info({ ...where, how }, "recovered a message the bot posted before a restart");
    } catch (error) {
      context.logger.error({ err: error, ...where }, "could not recover a message posted before a restart");
      if (discordErrorCode(error) === UNKNOWN_CHANNEL) await context.store.deletePendingPost(post.id);
    }
  }
}

async function recoverPost(
  rest: REST,
  botUserId: string,
  context: BotContext,
  post: PendingPost,
): Promise<"interaction" | "channel" | "posted"> {
  const task = await fetchSubmittedTask(context, post.taskId);
  const rendered = renderPost(task, post);
  await context.store.saveButtons(rendered.storedButtons);
  let how: "interaction" | "channel" | "posted";
  // A found message shows whatever it showed then: an unknown fingerprint makes the tracker edit it.
  let message: { id: string; fingerprint: string } | undefined;
  const reply = post.interaction ? await findReply(rest, post, rendered.payload) : undefined;
  if (reply) {
    how = "interaction";
    message = reply;
  } else {
    const found = await findInChannel(rest, botUserId, context, post);
    if (found) {
      how = "channel";
      message = { id: found.id, fingerprint: "" };
    } else {
      how = "posted";
      const sent = await sendToChannel(rest, task, post, rendered.payload);
      message = { id: sent.id, fingerprint: rendered.fingerprint };
    }
  }
  await completePost(context, post, task, message);
  if (post.clickKey) {
    await context.clicks.settle(post.clickKey, {
      status: "done",
      at: Date.now(),
      taskId: post.taskId,
      channelId: post.channelId,
      messageId: message.id,
      guildId: post.guildId,
    });
  }
  return how;
}

/**
 * The interaction's reply, while its token is valid: sent already (it shows the task), or still
 * "thinking…" (then it is filled now). Undefined when there is no reply to use.
 */
async function findReply(
  rest: REST,
  post: PendingPost,
  payload: ReturnType<typeof renderPost>["payload"],
): Promise<{ id: string; fingerprint: string } | undefined> {
  const interaction = post.interaction;
  if (!interaction || Date.now() - interaction.createdAt > TOKEN_LIFETIME_MS) return undefined;
  const route = Routes.webhookMessage(interaction.applicationId, interaction.token, "@original");
  // Failures here are not logged: their URL carries the interaction's token. The channel is next.
  try {
    const original = (await rest.get(route, { auth: false })) as APIMessage;
    if (((original.flags ?? 0) & MessageFlags.Loading) !== 0) {
      const filled = (await rest.patch(route, { auth: false, body: toRestBody(payload) })) as APIMessage;
      return { id: filled.id, fingerprint: "" };
    }
    return JSON.stringify(original.embeds).includes(post.taskId)
      ? { id: original.id, fingerprint: "" }
      : undefined;
  } catch {
    return undefined;
  }
}

/** The bot's own recent message in the channel that shows the post's task and is not tracked yet. */
async function findInChannel(
  rest: REST,
  botUserId: string,
  context: BotContext,
  post: PendingPost,
): Promise<APIMessage | undefined> {
  let recent: APIMessage[];
  try {
    recent = (await rest.get(Routes.channelMessages(post.channelId), {
      query: new URLSearchParams({ limit: String(SEARCHED_MESSAGES) }),
    })) as APIMessage[];
  } catch (error) {
    // Without Read Message History the message cannot be found: it is posted again instead.
    if (isAccessDenied(error)) return undefined;
    throw error;
  }
  const tracked = new Set<string>();
  const keys = new Set([post.taskId, ...context.registry.keysOf(post.taskId)]);
  if (post.feedChannelId) keys.add(feedRecordKey(post.feedChannelId, post.taskId));
  for (const key of keys) {
    const record = await context.registry.find(key);
    for (const message of record?.messages ?? []) tracked.add(message.messageId);
  }
  return recent.find(
    (message) =>
      message.author.id === botUserId &&
      !tracked.has(message.id) &&
      Date.parse(message.timestamp) >= post.startedAt - 60_000 &&
      (post.replyTo === null || message.message_reference?.message_id === post.replyTo) &&
      JSON.stringify(message.embeds).includes(post.taskId),
  );
}
