// Shows a task as the answer to an interaction (or as a channel post) and starts tracking that
// message. Every post is written to the store as pending before it is sent and completed once the
// message is tracked, so a crash in between is repaired at the next start (see recoverPosts.ts).
import { randomBytes } from "node:crypto";
import {
  type APIMessage,
  type ChatInputCommandInteraction,
  DiscordAPIError,
  type Message,
  PermissionFlagsBits,
  type REST,
  type RepliableInteraction,
  Routes,
} from "discord.js";
import type { Phrase } from "../../i18n/catalogue.js";
import type { Locale } from "../../i18n/locale.js";
import { phrase } from "../../i18n/translate.js";
import { isFinalStatus, parseTask, type Task } from "../../mj/schema.js";
import { renderTaskMessage, type TaskMessagePayload } from "../../render/renderTaskMessage.js";
import type { ClickClaim } from "../../tracking/clickLedger.js";
import type { ClickRecord, PendingPost } from "../../tracking/store.js";
import type { BotContext } from "../context.js";
import { discordErrorCode, MISSING_ACCESS, MISSING_PERMISSIONS } from "../discordErrors.js";
import { UserError } from "../interactions/userError.js";
import { publicLocale } from "../locales.js";
import { toRestBody } from "./messageEditor.js";

/** Tracking edits go through the channel, so the bot must see it (interaction replies do not need to). */
export function assertCanTrackHere(interaction: RepliableInteraction, task: Task): void {
  if (isFinalStatus(task.status)) return;
  if (interaction.appPermissions.has(PermissionFlagsBits.ViewChannel)) return;
  throw new UserError(phrase("post.cannotSee"));
}

export function messageLink(guildId: string | null, channelId: string, messageId: string): string {
  return `https://discord.com/channels/${guildId ?? "@me"}/${channelId}/${messageId}`;
}

/** Where a task's message goes and whom it is for. */
export interface PostTarget {
  channelId: string;
  guildId: string | null;
  /** Whose task it is (shown, and the only one who may click with BUTTONS_ALLOWED=requester); null for feeds. */
  requesterId: string | null;
  /** The language of the message: the server's, or BOT_LOCALE's (see publicLocale). */
  locale: Locale;
  notice?: Phrase | null | undefined;
  /** The message this one answers (the clicked one); shown as a Discord reply. */
  replyTo?: string | undefined;
  /** A feed's post: tracked in the feed's own record. */
  feedChannelId?: string | null | undefined;
}

/** Writes the pending post for `taskId` before anything is sent. */
export async function beginPost(
  context: BotContext,
  taskId: string,
  where: PostTarget,
  extra: { clickKey?: string; interaction?: RepliableInteraction } = {},
): Promise<PendingPost> {
  const post: PendingPost = {
    id: randomBytes(9).toString("base64url"),
    shardId: context.tasks.shardId,
    taskId,
    feedChannelId: where.feedChannelId ?? null,
    channelId: where.channelId,
    guildId: where.guildId,
    requesterId: where.requesterId,
    locale: where.locale,
    notice: where.notice ?? null,
    replyTo: where.replyTo ?? null,
    clickKey: extra.clickKey ?? null,
    interaction: extra.interaction
      ? {
          applicationId: extra.interaction.applicationId,
          token: extra.interaction.token,
          createdAt: extra.interaction.createdTimestamp,
        }
      : null,
    startedAt: Date.now(),
  };
  await context.store.savePendingPost(post);
  return post;
}

/** Starts tracking the message a post led to, then forgets the post. */
export async function completePost(
  context: BotContext,
  post: PendingPost,
  task: Task,
  message: { id: string; fingerprint: string },
): Promise<void> {
  await context.tasks.attach(
    task,
    {
      messageId: message.id,
      channelId: post.channelId,
      guildId: post.guildId,
      requesterId: post.requesterId,
      locale: post.locale,
      fingerprint: message.fingerprint,
      createdAt: Date.now(),
      // An interaction's reply is its @original: the token edits it outside the global limit.
      ...(post.interaction ? { interaction: { ...post.interaction, message: "@original" } } : {}),
    },
    post.notice,
    post.feedChannelId,
  );
  await context.store.deletePendingPost(post.id);
}

/** Where a command's reply that shows a task goes, in the server's language. */
export function commandTarget(
  interaction: ChatInputCommandInteraction,
  context: BotContext,
  requesterId: string,
  notice: Phrase | null,
): PostTarget {
  return {
    channelId: interaction.channelId,
    guildId: interaction.guildId,
    requesterId,
    locale: publicLocale(context.config.botLocale, interaction.guildLocale),
    notice,
  };
}

/** Replies (or fills a deferred reply) with the rendered task, then records the message. */
export async function replyWithTask(
  interaction: ChatInputCommandInteraction,
  task: Task,
  context: BotContext,
  options: { requesterId: string; notice?: Phrase | null; post?: PendingPost },
): Promise<Message> {
  assertCanTrackHere(interaction, task);
  const where = commandTarget(interaction, context, options.requesterId, options.notice ?? null);
  const post = options.post ?? (await beginPost(context, task.id, where, { interaction }));
  return showAndTrack(task, context, post, async (payload) => {
    if (interaction.deferred) return interaction.editReply(payload);
    const response = await interaction.reply({ ...payload, withResponse: true });
    if (!response.resource?.message) throw new Error("Discord did not return the reply message");
    return response.resource.message;
  });
}

/** The message `post` shows `task` in. */
export function renderPost(task: Task, post: Pick<PendingPost, "requesterId" | "notice" | "locale">) {
  return renderTaskMessage(task, {
    locale: post.locale,
    requesterId: post.requesterId ?? undefined,
    notices: post.notice ? [post.notice] : [],
  });
}

/** Renders `task`, sends it with `send`, and tracks the message that send returns. */
async function showAndTrack<M extends { id: string }>(
  task: Task,
  context: BotContext,
  post: PendingPost,
  send: (payload: TaskMessagePayload) => Promise<M>,
): Promise<M> {
  const rendered = renderPost(task, post);
  await context.store.saveButtons(rendered.storedButtons);
  let message: M;
  try {
    message = await send(rendered.payload);
  } catch (error) {
    // Discord refused it outright: nothing was posted, so there is nothing to find after a restart.
    if (error instanceof DiscordAPIError || error instanceof UserError) {
      await context.store.deletePendingPost(post.id);
    }
    throw error;
  }
  await completePost(context, post, task, { id: message.id, fingerprint: rendered.fingerprint });
  return message;
}

/** Posts a task in a channel (not as an interaction reply) and tracks it. */
export async function postTaskInChannel(
  rest: REST,
  task: Task,
  context: BotContext,
  where: PostTarget & { post?: PendingPost },
): Promise<APIMessage> {
  const post = where.post ?? (await beginPost(context, task.id, where));
  return showAndTrack(task, context, post, (payload) => sendToChannel(rest, task, post, payload));
}

/** One channel post of a task's message (a reply to the clicked message when there is one). */
export async function sendToChannel(
  rest: REST,
  task: Task,
  post: Pick<PendingPost, "channelId" | "replyTo">,
  payload: TaskMessagePayload,
): Promise<APIMessage> {
  try {
    return (await rest.post(Routes.channelMessages(post.channelId), {
      body: {
        ...toRestBody(payload),
        ...(post.replyTo
          ? { message_reference: { message_id: post.replyTo, fail_if_not_exists: false } }
          : {}),
      },
    })) as APIMessage;
  } catch (error) {
    const code = discordErrorCode(error);
    if (code === MISSING_ACCESS || code === MISSING_PERMISSIONS) {
      throw new UserError(phrase("post.cannotPost", { taskId: task.id }));
    }
    throw error;
  }
}

/**
 * Shows a task upstream just started (after a click, a modal or a submit command) and tracks it.
 * The pending post is written first, then the click learns its task: from then on a restart
 * finds (or posts) the message and the click is never submitted again.
 */
export async function postSubmittedTask(
  interaction: RepliableInteraction,
  context: BotContext,
  outcome: { taskId: string; notice: Phrase | null },
  options: { replyTo?: string | undefined; click?: ClickClaim } = {},
): Promise<ClickRecord & { status: "done" }> {
  const channelId = interaction.channelId as string;
  const locale = publicLocale(context.config.botLocale, interaction.guildLocale);
  const post = await beginPost(
    context,
    outcome.taskId,
    {
      channelId,
      guildId: interaction.guildId,
      requesterId: interaction.user.id,
      locale,
      replyTo: options.replyTo,
      notice: outcome.notice,
    },
    options.click ? { clickKey: options.click.key } : {},
  );
  await options.click?.started(outcome.taskId);
  const task = await fetchSubmittedTask(context, outcome.taskId, interaction);
  const message = await postTaskInChannel(interaction.client.rest, task, context, {
    channelId,
    guildId: interaction.guildId,
    requesterId: interaction.user.id,
    locale,
    post,
  });
  return {
    status: "done",
    at: Date.now(),
    taskId: task.id,
    channelId: message.channel_id,
    messageId: message.id,
    guildId: interaction.guildId,
  };
}

/**
 * The state of a task upstream just accepted. Some servers do not know a task for a moment after
 * accepting it; then a placeholder is shown and the tracker fills it in.
 */
export async function fetchSubmittedTask(
  context: BotContext,
  taskId: string,
  where: { guildId: string | null; channelId: string | null } = { guildId: null, channelId: null },
): Promise<Task> {
  try {
    return await context.mj.fetchTask(taskId);
  } catch (error) {
    context.logger.debug(
      { taskId, guildId: where.guildId, channelId: where.channelId, err: error },
      "new task not fetchable yet; showing it as submitted",
    );
    return parseTask({ id: taskId, status: "SUBMITTED", submitTime: Date.now() }) as Task;
  }
}
