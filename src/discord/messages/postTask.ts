// Shows a task as the answer to an interaction and starts tracking that message.
import {
  type APIMessage,
  type ChatInputCommandInteraction,
  type Message,
  PermissionFlagsBits,
  type REST,
  type RepliableInteraction,
  Routes,
} from "discord.js";
import { isFinalStatus, parseTask, type Task } from "../../mj/schema.js";
import { renderTaskMessage, type TaskMessagePayload } from "../../render/renderTaskMessage.js";
import type { InteractionReply } from "../../tracking/editScheduler.js";
import type { ClickRecord } from "../../tracking/store.js";
import type { BotContext } from "../context.js";
import { discordErrorCode, MISSING_ACCESS, MISSING_PERMISSIONS } from "../discordErrors.js";
import { UserError } from "../interactions/userError.js";
import { toRestBody } from "./messageEditor.js";

/** Tracking edits go through the channel, so the bot must see it (interaction replies do not need to). */
export function assertCanTrackHere(interaction: RepliableInteraction, task: Task): void {
  if (isFinalStatus(task.status)) return;
  if (interaction.appPermissions.has(PermissionFlagsBits.ViewChannel)) return;
  throw new UserError(
    "I can't see this channel, so I couldn't keep the message up to date. Give me the View Channel permission here and try again.",
  );
}

export function messageLink(guildId: string | null, channelId: string, messageId: string): string {
  return `https://discord.com/channels/${guildId ?? "@me"}/${channelId}/${messageId}`;
}

/** Replies (or fills a deferred reply) with the rendered task, then records the message. */
export async function replyWithTask(
  interaction: ChatInputCommandInteraction,
  task: Task,
  context: BotContext,
  notice: string | null = null,
): Promise<Message> {
  assertCanTrackHere(interaction, task);
  const where = {
    channelId: interaction.channelId,
    guildId: interaction.guildId,
    requesterId: interaction.user.id,
    notice,
    // The reply is the interaction's @original: its token edits it outside the global limit.
    interaction: {
      applicationId: interaction.applicationId,
      token: interaction.token,
      message: "@original",
      createdAt: interaction.createdTimestamp,
    },
  };
  return showAndTrack(task, context, where, async (payload) => {
    if (interaction.deferred) return interaction.editReply(payload);
    const response = await interaction.reply({ ...payload, withResponse: true });
    if (!response.resource?.message) throw new Error("Discord did not return the reply message");
    return response.resource.message;
  });
}

/** Renders `task`, sends it with `send`, and tracks the message that send returns. */
async function showAndTrack<M extends { id: string }>(
  task: Task,
  context: BotContext,
  where: {
    channelId: string;
    guildId: string | null;
    requesterId: string | null;
    notice: string | null;
    interaction?: InteractionReply;
  },
  send: (payload: TaskMessagePayload) => Promise<M>,
): Promise<M> {
  const rendered = renderTaskMessage(task, {
    requesterId: where.requesterId ?? undefined,
    notice: where.notice ?? undefined,
  });
  await context.store.saveButtons(rendered.storedButtons);
  const message = await send(rendered.payload);
  await context.tasks.attach(
    task,
    {
      messageId: message.id,
      channelId: where.channelId,
      guildId: where.guildId,
      requesterId: where.requesterId,
      fingerprint: rendered.fingerprint,
      createdAt: Date.now(),
      ...(where.interaction ? { interaction: where.interaction } : {}),
    },
    where.notice,
  );
  return message;
}

export interface ChannelPost {
  channelId: string;
  guildId: string | null;
  /** Who asked for it; null for tasks that arrive in a feed. */
  requesterId: string | null;
  /** The message this one answers (the clicked one); shown as a Discord reply. */
  replyTo?: string | undefined;
  notice?: string | null | undefined;
}

/** Posts a new task in a channel (not as an interaction reply) and tracks it. */
export async function postTaskInChannel(
  rest: REST,
  task: Task,
  context: BotContext,
  where: ChannelPost,
): Promise<APIMessage> {
  return showAndTrack(task, context, { ...where, notice: where.notice ?? null }, async (payload) => {
    try {
      return (await rest.post(Routes.channelMessages(where.channelId), {
        body: {
          ...toRestBody(payload),
          ...(where.replyTo
            ? { message_reference: { message_id: where.replyTo, fail_if_not_exists: false } }
            : {}),
        },
      })) as APIMessage;
    } catch (error) {
      const code = discordErrorCode(error);
      if (code === MISSING_ACCESS || code === MISSING_PERMISSIONS) {
        throw new UserError(
          `Task \`${task.id}\` was submitted, but I can't post in this channel. Give me the View Channel and Send Messages permissions here, then show it with \`/mjstatus id:${task.id}\`.`,
        );
      }
      throw error;
    }
  });
}

/** Shows a task upstream just accepted (after a click, a modal or a submit command) and tracks it. */
export async function postSubmittedTask(
  interaction: RepliableInteraction,
  context: BotContext,
  outcome: { taskId: string; notice: string | null },
  options: { replyTo?: string | undefined } = {},
): Promise<ClickRecord & { status: "done" }> {
  const task = await fetchSubmittedTask(context, outcome.taskId, interaction);
  const message = await postTaskInChannel(interaction.client.rest, task, context, {
    channelId: interaction.channelId as string,
    guildId: interaction.guildId,
    requesterId: interaction.user.id,
    replyTo: options.replyTo,
    notice: outcome.notice,
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
