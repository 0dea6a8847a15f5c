// Discord drops an interaction that is not answered within 3 seconds. Quick upstream answers are
// sent as the reply itself; slow ones get a deferral first, and the reply follows.
import type { RepliableInteraction } from "discord.js";

/** Time left for the real answer before a deferral is sent instead. */
const ANSWER_BUDGET_MS = 1500;

export async function deferIfSlow<T>(
  interaction: RepliableInteraction,
  work: Promise<T>,
  defer: () => Promise<unknown> = () => interaction.deferReply(),
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const slow = new Promise<"slow">((resolve) => {
    timer = setTimeout(() => resolve("slow"), ANSWER_BUDGET_MS);
  });
  try {
    const first = await Promise.race([work.then(() => "done" as const), slow]);
    if (first === "slow" && !interaction.deferred && !interaction.replied) await defer();
  } catch {
    // `work` failed: the caller awaits it below and sees the error.
  } finally {
    clearTimeout(timer);
  }
  return work;
}
