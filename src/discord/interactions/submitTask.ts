// The shared path of the submit commands (/imagine, /describe, /blend, /shorten): prepare the
// request (downloads included), submit it, then show and track the new task like /mjstatus.
import type { ChatInputCommandInteraction } from "discord.js";
import type { SubmitResult } from "../../mj/schema.js";
import type { BotContext } from "../context.js";
import { fetchSubmittedTask, replyWithTask } from "../messages/postTask.js";
import { deferIfSlow } from "./deferIfSlow.js";
import { loggedSubmit } from "./logSubmit.js";
import { interpretSubmitResult } from "./submitOutcome.js";

/** Upstream's callback options: the bot's own notifyHook when PUBLIC_URL is set, else nothing (polled). */
export function callbackFields(context: BotContext): { notifyHook?: string } {
  return context.notifyHook ? { notifyHook: context.notifyHook } : {};
}

export async function submitAndShow(
  interaction: ChatInputCommandInteraction,
  context: BotContext,
  submit: () => Promise<SubmitResult>,
): Promise<void> {
  // The command's name is the submit's kind: /imagine submits an imagine.
  const result = await deferIfSlow(
    interaction,
    loggedSubmit(interaction, context, interaction.commandName, submit()),
  );
  const outcome = interpretSubmitResult(result);
  // For a submit command, 21 means "this exactly already exists": show that task.
  const task = await fetchSubmittedTask(context, outcome.taskId, interaction);
  await replyWithTask(interaction, task, context, outcome.kind === "accepted" ? outcome.notice : null);
}
