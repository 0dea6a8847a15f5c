// Once upstream accepted a clicked button's action, that button is shown as used on the message it
// was clicked on, by the process that tracks the task. The record that shows the message (the
// bot's own, or a feed's) is looked up now, not at the click: a message answered a moment ago may
// have been recorded since. The click's result never waits on the mark: should it fail, the button
// only keeps its old look.
import { recordKey } from "../../tracking/store.js";
import type { BotContext } from "../context.js";
import { recordShowing } from "./clickAccess.js";

export async function showButtonAsUsed(
  context: BotContext,
  where: { taskId: string; channelId: string; messageId: string; customId: string },
): Promise<void> {
  const fields = { taskId: where.taskId, channelId: where.channelId, messageId: where.messageId };
  try {
    const own = await context.registry.find(where.taskId);
    const record = await recordShowing(context, where.taskId, where.channelId, where.messageId, own);
    if (!record) {
      context.logger.debug(fields, "no record shows the clicked message; its button is not marked");
      return;
    }
    await context.tasks.markUsed(where.taskId, recordKey(record), where.messageId, where.customId);
  } catch (error) {
    context.logger.error({ err: error, ...fields }, "could not show a clicked button as used");
  }
}
