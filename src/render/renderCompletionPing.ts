// The reply that tells a task's requester it is done: their mention and what finished, nothing
// else (no prompt, no link: it replies to the task's own message), in the language of the message
// it replies to. It may mention that one user and nobody else, whatever the text holds.
import type { Locale } from "../i18n/locale.js";
import { t } from "../i18n/translate.js";
import type { Task } from "../mj/schema.js";
import { actionLabel } from "./renderTaskEmbed.js";

/** In discord.js option names; the sender maps them to the REST body. */
export interface CompletionPingPayload {
  content: string;
  allowedMentions: { users: [string]; repliedUser: false };
}

function pingText(userId: string, task: Pick<Task, "action" | "status">, locale: Locale): string {
  const job = actionLabel(task, locale);
  return t(locale, task.status === "SUCCESS" ? "ping.done" : "ping.failed", { userId, job });
}

export function renderCompletionPing(
  task: Pick<Task, "action" | "status">,
  userId: string,
  locale: Locale,
): CompletionPingPayload {
  return {
    content: pingText(userId, task, locale),
    allowedMentions: { users: [userId], repliedUser: false },
  };
}
