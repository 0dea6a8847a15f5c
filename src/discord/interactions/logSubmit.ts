// The one info line every submit gets: who asked, what kind, how it ended, and the task; never the
// prompt (nor upstream's description, which can quote it).
import type { RepliableInteraction } from "discord.js";
import { submitOutcomeName } from "../../mj/requestObserver.js";
import type { SubmitResult } from "../../mj/schema.js";
import type { BotContext } from "../context.js";

/**
 * Resolves as `submitting` does, after logging how it ended. `kind` names the submit (imagine,
 * action, modal...); `fromTaskId` is the task a button or a form belongs to.
 */
export async function loggedSubmit(
  interaction: RepliableInteraction,
  context: BotContext,
  kind: string,
  submitting: Promise<SubmitResult>,
  fromTaskId?: string,
): Promise<SubmitResult> {
  const who = {
    userId: interaction.user.id,
    guildId: interaction.guildId,
    channelId: interaction.channelId,
    kind,
    ...(fromTaskId ? { fromTaskId } : {}),
  };
  try {
    const result = await submitting;
    const newTaskId = typeof result.result === "string" && result.result ? result.result : undefined;
    const taskId = newTaskId ?? fromTaskId;
    context.logger.info(
      { ...who, ...(taskId ? { taskId } : {}), outcome: submitOutcomeName(result.code), code: result.code },
      "submitted to the MJ API",
    );
    return result;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    context.logger.info(
      { ...who, ...(fromTaskId ? { taskId: fromTaskId } : {}), outcome: "error", reason },
      "submit to the MJ API failed",
    );
    throw error;
  }
}
