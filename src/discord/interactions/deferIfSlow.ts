// Discord drops an interaction that is not answered within 3 seconds. Quick upstream answers are
// sent as the reply itself; slow ones get a deferral first, and the reply follows.
import type { RepliableInteraction } from "discord.js";

/** Time left for the real answer before a deferral is sent instead. */
const ANSWER_BUDGET_MS = 1500;

/** `work`'s result if it settles within `ms`, else "slow" (work goes on; its failure is the caller's). */
export async function resultWithin<T>(work: Promise<T>, ms: number): Promise<T | "slow"> {
  let timer: NodeJS.Timeout | undefined;
  const slow = new Promise<"slow">((resolve) => {
    timer = setTimeout(resolve, ms, "slow");
  });
  try {
    return await Promise.race([work, slow]);
  } finally {
    clearTimeout(timer);
  }
}

export async function deferIfSlow<T>(
  interaction: RepliableInteraction,
  work: Promise<T>,
  defer: () => Promise<unknown> = () => interaction.deferReply(),
): Promise<T> {
  const first = await resultWithin(
    work.then(() => "done" as const),
    ANSWER_BUDGET_MS,
  ).catch(() => "failed" as const);
  // A failed `work` is seen by the caller below, as it awaits it.
  if (first === "slow" && !interaction.deferred && !interaction.replied) await defer();
  return work;
}
