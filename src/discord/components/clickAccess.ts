// Who may use a button on a task's message: the records that show the task (the bot's own, and a
// feed's when the clicked message is a feed's post), whose task it is, and BUTTONS_ALLOWED.
import type { ButtonInteraction } from "discord.js";
import type { ButtonsAllowed } from "../../config.js";
import { phrase } from "../../i18n/translate.js";
import { feedRecordKey, type TrackedTask } from "../../tracking/store.js";
import type { BotContext } from "../context.js";
import { UserError } from "../interactions/userError.js";

/** The bot's own record of the task and, when the clicked message is a feed's post, the feed's. */
export async function recordsOf(
  context: BotContext,
  taskId: string,
  interaction: ButtonInteraction,
): Promise<{ own: TrackedTask | undefined; ofMessage: TrackedTask | undefined }> {
  const own = await context.registry.find(taskId);
  const ofMessage = await recordShowing(context, taskId, interaction.channelId, interaction.message.id, own);
  return { own, ofMessage };
}

/**
 * The record of the task that shows message `messageId` in `channelId`: the bot's own (`own`, read
 * by the caller), else the feed's of that channel; undefined when neither does.
 */
export async function recordShowing(
  context: BotContext,
  taskId: string,
  channelId: string,
  messageId: string,
  own: TrackedTask | undefined,
): Promise<TrackedTask | undefined> {
  const shows = (record: TrackedTask | undefined) =>
    record?.messages.some((message) => message.messageId === messageId) ? record : undefined;
  return shows(own) ?? shows(await context.registry.find(feedRecordKey(channelId, taskId)));
}

/**
 * Whose task it is: whoever submitted it through the bot; else whoever asked for the clicked
 * message (/mjstatus), nobody for a feed's post; for a message no record knows any more, the
 * person whose command made it.
 */
export async function requesterOf(
  context: BotContext,
  taskId: string,
  ofMessage: TrackedTask | undefined,
  interaction: ButtonInteraction,
): Promise<string | undefined> {
  const submitter = await context.store.getSubmitter(taskId);
  if (submitter) return submitter;
  const message = ofMessage?.messages.find((m) => m.messageId === interaction.message.id);
  if (message) return message.requesterId ?? undefined;
  return interaction.message.interactionMetadata?.user.id;
}

export function assertMayClick(
  interaction: ButtonInteraction,
  requester: string | undefined,
  allowed: ButtonsAllowed,
): void {
  if (allowed.kind === "anyone") return;
  if (allowed.kind === "role") {
    const roles = interaction.member?.roles;
    const hasRole = Array.isArray(roles) ? roles.includes(allowed.roleId) : roles?.cache.has(allowed.roleId);
    if (!hasRole) throw new UserError(phrase("click.roleOnly", { roleId: allowed.roleId }));
    return;
  }
  if (requester !== interaction.user.id) {
    throw new UserError(
      requester ? phrase("click.requesterOnly", { userId: requester }) : phrase("click.requesterUnknown"),
    );
  }
}
