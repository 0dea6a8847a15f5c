// How many tasks wait ahead of a queued one, as upstream says it: `properties.numberOfQueues` of a
// submit answer (code 22), or the sentence the proxies write in `description`
// ("排队中，前面还有3个任务", "In queue, there are 3 tasks ahead"). new-api answers a queued submit
// as code 1 and keeps that sentence in the task it serves until it has polled its upstream.
import type { Task } from "./schema.js";

/** Sentences the families write, each with the count as its first group. */
const QUEUE_SENTENCES: readonly RegExp[] = [
  /前面还有\s*(\d+)\s*个/,
  /排队[^\d]{0,12}(\d+)/,
  /(\d+)\s+(?:tasks?|jobs?)\s+ahead/i,
  /queue\s+position\D{0,3}(\d+)/i,
  /position\s+in\s+(?:the\s+)?queue\D{0,3}(\d+)/i,
];

function wholeNumber(value: unknown): number | null {
  const n = typeof value === "number" ? value : typeof value === "string" ? Number(value.trim()) : Number.NaN;
  return Number.isInteger(n) && n >= 0 ? n : null;
}

/** Tasks ahead in upstream's queue; null when upstream does not say. */
export function queuePosition(source: Pick<Task, "description" | "properties">): number | null {
  const counted = wholeNumber(source.properties.numberOfQueues);
  if (counted !== null) return counted;
  for (const sentence of QUEUE_SENTENCES) {
    const match = sentence.exec(source.description);
    const ahead = wholeNumber(match?.[1]);
    if (ahead !== null) return ahead;
  }
  return null;
}
