// The fields every log line about a task carries: its id and, where known, the guild and channel
// of the message that shows it (the first one, when several do).
import type { TrackedTask } from "./store.js";

export interface TaskLogFields {
  taskId: string;
  guildId?: string | null;
  channelId?: string;
}

export function taskLogFields(taskId: string, record?: Pick<TrackedTask, "messages">): TaskLogFields {
  const message = record?.messages[0];
  return message ? { taskId, guildId: message.guildId, channelId: message.channelId } : { taskId };
}
