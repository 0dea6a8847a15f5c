// The lines a task's message shows under the task while it waits: its place in upstream's queue,
// and since when nothing has moved. Each sentence is built here and only here.
import { discordTime } from "./discordTime.js";

/** A queued task: how many wait ahead of it when upstream says so, else upstream's own note. */
export function queueNotice(ahead: number | null, upstreamNote = ""): string {
  if (ahead === 0) return "Queued: next in line.";
  if (ahead !== null) return `Queued: ${ahead} ${ahead === 1 ? "task" : "tasks"} ahead.`;
  const note = upstreamNote.replace(/\s+/g, " ").replaceAll("`", "'").trim().slice(0, 200);
  return note ? `Queued (\`${note}\`).` : "Queued.";
}

/** A running task that upstream shows no change of since `since`. */
export function stallNotice(since: number): string {
  return `Nothing has moved upstream since ${discordTime(since)}; the MJ API may be stuck on this task. This message changes as soon as it does.`;
}
