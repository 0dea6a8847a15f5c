// A click on a mirrored MJ button: resolve it to (task id, MJ customId), check who may click and
// that the button really belongs to that task, then submit the action upstream once and show
// what it started: a new live message replying to the clicked one, or the prompt form.
import { type ButtonInteraction, ComponentType, MessageFlags } from "discord.js";
import type { ButtonsAllowed } from "../../config.js";
import { BUTTON_ID_PREFIXES, decodeButtonId } from "../../render/customId.js";
import { fallbackLabel, openFormButton } from "../../render/renderButtonRows.js";
import type { ClickRecord, TrackedTask } from "../../tracking/store.js";
import type { BotContext } from "../context.js";
import { resultWithin } from "../interactions/deferIfSlow.js";
import { loggedSubmit } from "../interactions/logSubmit.js";
import { interpretSubmitResult } from "../interactions/submitOutcome.js";
import { callbackFields } from "../interactions/submitTask.js";
import { UserError } from "../interactions/userError.js";
import { postSubmittedTask } from "../messages/postTask.js";
import type { ButtonHandler } from "./component.js";
import { answerEarlierClick } from "./earlierClick.js";
import { buildPromptModal } from "./promptModal.js";

/** A modal can only be the first answer to a click, so upstream gets this long before we defer. */
const MODAL_ANSWER_BUDGET_MS = 2300;

async function resolveButton(
  customId: string,
  context: BotContext,
): Promise<{ taskId: string; customId: string }> {
  const decoded = decodeButtonId(customId);
  if (decoded?.kind === "direct") return decoded;
  const stored = decoded ? await context.store.getButton(decoded.key) : undefined;
  if (!stored)
    throw new UserError("I no longer know what this button does. Run /mjstatus for the task again.");
  return stored;
}

function assertMayClick(
  interaction: ButtonInteraction,
  record: TrackedTask | undefined,
  allowed: ButtonsAllowed,
): void {
  if (allowed.kind === "anyone") return;
  if (allowed.kind === "role") {
    const roles = interaction.member?.roles;
    const hasRole = Array.isArray(roles) ? roles.includes(allowed.roleId) : roles?.cache.has(allowed.roleId);
    if (!hasRole)
      throw new UserError(`Only members with the <@&${allowed.roleId}> role can use these buttons.`);
    return;
  }
  const requester =
    record?.messages.find((message) => message.messageId === interaction.message.id)?.requesterId ??
    interaction.message.interactionMetadata?.user.id;
  if (requester !== interaction.user.id) {
    throw new UserError(
      requester
        ? `Only <@${requester}> can use these buttons.`
        : "Only the person who asked for this task can use its buttons.",
    );
  }
}

/** A custom_id can be forged by a client; only the task's own buttons are submitted. */
async function assertIsButtonOfTask(
  interaction: ButtonInteraction,
  button: { taskId: string; customId: string },
  record: TrackedTask | undefined,
  context: BotContext,
): Promise<void> {
  const known = record?.lastTask.buttons.some((b) => b.customId === button.customId);
  if (known) return;
  const task = record ? undefined : await context.mj.fetchTask(button.taskId);
  if (task?.buttons.some((b) => b.customId === button.customId)) return;
  context.logger.warn(
    { taskId: button.taskId, guildId: interaction.guildId, channelId: interaction.channelId },
    "refused a click on a button the task does not have",
  );
  throw new UserError("That button does not belong to this task, so I did not send it.");
}

export const mirroredButton: ButtonHandler = {
  prefixes: BUTTON_ID_PREFIXES,
  async execute(interaction, context) {
    const button = await resolveButton(interaction.customId, context);
    const record = await context.registry.find(button.taskId);
    assertMayClick(interaction, record, context.config.buttons.allowed);
    await assertIsButtonOfTask(interaction, button, record, context);

    await context.clicks.once(
      `${interaction.message.id}:${button.customId}`,
      (earlier) => answerEarlierClick(interaction, earlier, context),
      async (accepted): Promise<ClickRecord> => {
        const submitting = loggedSubmit(
          interaction,
          context,
          "action",
          context.mj.submitAction({
            taskId: button.taskId,
            customId: button.customId,
            ...callbackFields(context),
          }),
          button.taskId,
        );
        let result = await resultWithin(submitting, MODAL_ANSWER_BUDGET_MS);
        if (result === "slow") {
          await interaction.deferUpdate();
          result = await submitting;
        }
        const outcome = interpretSubmitResult(result);
        accepted();
        if (outcome.kind === "modal") {
          const modal = {
            status: "modal",
            at: Date.now(),
            modalTaskId: outcome.taskId,
            prompt: outcome.prompt,
            title: fallbackLabel(button.customId),
            region: button.customId.includes("::Inpaint::"),
          } as const;
          if (interaction.deferred) {
            await interaction.followUp({
              content: "This needs a prompt. Open the form to finish it:",
              flags: MessageFlags.Ephemeral,
              components: [
                {
                  type: ComponentType.ActionRow,
                  components: [openFormButton(modal.modalTaskId, modal.region)],
                },
              ],
            });
          } else {
            await interaction.showModal(
              buildPromptModal(modal.modalTaskId, modal.prompt, modal.title, modal.region),
            );
          }
          return modal;
        }
        if (!interaction.deferred) await interaction.deferUpdate();
        return postSubmittedTask(interaction, context, outcome, { replyTo: interaction.message.id });
      },
    );
  },
};
