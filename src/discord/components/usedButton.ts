// Once upstream accepted a clicked button's action, that button is shown as used on the message it
// was clicked on (by the process that tracks the task). The click's result never waits on it:
// should it fail, the button only keeps its old look.
import type { BotContext } from "../context.js";

export async function showButtonAsUsed(
  context: BotContext,
  where: { taskId: string; recordKey: string; messageId: string; customId: string },
): Promise<void> {
  try {
    await context.tasks.markUsed(where.taskId, where.recordKey, where.messageId, where.customId);
  } catch (error) {
    context.logger.error(
      { err: error, taskId: where.taskId, messageId: where.messageId },
      "could not show a clicked button as used",
    );
  }
}
