// The reply that tells a task's requester it is done: their mention and what finished, nothing
// else (no prompt, no link: it replies to the task's own message). It may mention that one user
// and nobody else, whatever the text holds.
import type { Task } from "../mj/schema.js";
import { actionLabel } from "./renderTaskEmbed.js";

/** In discord.js option names; the sender maps them to the REST body. */
export interface CompletionPingPayload {
  content: string;
  allowedMentions: { users: [string]; repliedUser: false };
}

function pingText(userId: string, task: Pick<Task, "action" | "status">): string {
  const job = actionLabel(task);
  return task.status === "SUCCESS"
    ? `<@${userId}> your ${job} job is done.`
    : `<@${userId}> your ${job} job failed.`;
}

export function renderCompletionPing(
  task: Pick<Task, "action" | "status">,
  userId: string,
): CompletionPingPayload {
  return { content: pingText(userId, task), allowedMentions: { users: [userId], repliedUser: false } };
}
