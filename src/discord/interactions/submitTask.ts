// The shared path of the submit commands (/imagine, /describe, /blend, /shorten): check that the
// member may submit, prepare the request (downloads included), submit it, then show and track the
// new task like /mjstatus. The member becomes the task's requester for good.
import type { ChatInputCommandInteraction } from "discord.js";
import { memberOf } from "../../access/member.js";
import type { SubmitResult } from "../../mj/schema.js";
import type { BotContext } from "../context.js";
import { beginPost, commandTarget, fetchSubmittedTask, replyWithTask } from "../messages/postTask.js";
import { deferIfSlow } from "./deferIfSlow.js";
import { loggedSubmit } from "./logSubmit.js";
import { interpretSubmitResult, type SubmitOutcome } from "./submitOutcome.js";

/** Upstream's callback options: the bot's own notifyHook when PUBLIC_URL is set, else nothing (polled). */
export function callbackFields(context: BotContext): { notifyHook?: string } {
  return context.notifyHook ? { notifyHook: context.notifyHook } : {};
}

/** The task a submit started, for SubmitAccess.spend(): none when upstream wants a prompt first. */
export function startedTaskId(outcome: SubmitOutcome): string | null {
  return outcome.kind === "accepted" ? outcome.taskId : null;
}

export async function submitAndShow(
  interaction: ChatInputCommandInteraction,
  context: BotContext,
  submit: () => Promise<SubmitResult>,
): Promise<void> {
  const outcome = await deferIfSlow(
    interaction,
    context.access.spend(
      memberOf(interaction),
      // The command's name is the submit's kind: /imagine submits an imagine.
      async () =>
        interpretSubmitResult(await loggedSubmit(interaction, context, interaction.commandName, submit())),
      startedTaskId,
    ),
  );
  const notice = outcome.kind === "accepted" ? outcome.notice : null;
  const where = commandTarget(interaction, context, interaction.user.id, notice);
  // Recorded before anything is shown: a restart from here on still shows the task.
  const post = await beginPost(context, outcome.taskId, where, { interaction });
  // For a submit command, 21 means "this exactly already exists": show that task.
  const task = await fetchSubmittedTask(context, outcome.taskId, interaction);
  await replyWithTask(interaction, task, context, { requesterId: interaction.user.id, notice, post });
}
