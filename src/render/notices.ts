// The lines a task's message shows under the task while it waits: its place in upstream's queue,
// since when nothing has moved, and since when the provider does not answer. Each phrase is chosen
// here and only here.
import type { Phrase } from "../i18n/catalogue.js";
import { phrase } from "../i18n/translate.js";
import { discordTime } from "./discordTime.js";

/** Upstream text shown to users: one line, bounded, never able to break out of inline code. */
export function quotable(text: string): string {
  return text.replace(/\s+/g, " ").replaceAll("`", "'").trim().slice(0, 200);
}

/** A queued task: how many wait ahead of it when upstream says so, else upstream's own note. */
export function queueNotice(ahead: number | null, upstreamNote = ""): Phrase {
  if (ahead === 0) return phrase("notice.queuedNext");
  if (ahead !== null) return phrase("submit.queued", { count: ahead });
  const note = quotable(upstreamNote);
  return note ? phrase("submit.queuedPlainWithReason", { reason: note }) : phrase("submit.queuedPlain");
}

/** A running task that upstream shows no change of since `since`. */
export function stallNotice(since: number): Phrase {
  return phrase("notice.stall", { since: discordTime(since) });
}

/** The line shown on every live message while the provider is not answering. */
export function outageNotice(since: number): Phrase {
  return phrase("notice.outage", { since: discordTime(since) });
}
