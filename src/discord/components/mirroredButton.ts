// A click on a mirrored MJ button: resolve it to (task id, MJ customId), check who may click (the
// task's requester is whoever submitted it through the bot) and that upstream itself gave the task
// that button, then submit the action once, within the member's allowance, and show what it
// started: a new live message replying to the clicked one, or the prompt form. A button whose
// action upstream accepted is shown as used on the clicked message.
import { type ButtonInteraction, ComponentType, MessageFlags } from "discord.js";
import { memberOf } from "../../access/member.js";
import { phrase, t } from "../../i18n/translate.js";
import { BUTTON_ID_PREFIXES, decodeButtonId } from "../../render/customId.js";
import { buttonLabelPhrase, openFormButton } from "../../render/renderButtonRows.js";
import type { ClickRecord, TrackedTask } from "../../tracking/store.js";
import { buttonList } from "../../tracking/storedTask.js";
import type { BotContext } from "../context.js";
import { resultWithin } from "../interactions/deferIfSlow.js";
import { loggedSubmit } from "../interactions/logSubmit.js";
import { interpretSubmitResult } from "../interactions/submitOutcome.js";
import { callbackFields, startedTaskId } from "../interactions/submitTask.js";
import { UserError } from "../interactions/userError.js";
import { privateLocale } from "../locales.js";
import { postSubmittedTask } from "../messages/postTask.js";
import { assertMayClick, recordsOf, requesterOf } from "./clickAccess.js";
import type { ButtonHandler } from "./component.js";
import { answerEarlierClick } from "./earlierClick.js";
import { buildPromptModal } from "./promptModal.js";
import { showButtonAsUsed } from "./usedButton.js";

/**
 * A modal can only be the first answer to a click, so upstream (checking the button, then
 * submitting it) gets this long from the click's arrival before the click is deferred.
 */
const MODAL_ANSWER_BUDGET_MS = 2300;

/** `work`'s result; if it is not there by `answerBy`, the click is deferred first (Discord waits 3 s). */
async function beforeDeadline<T>(
  interaction: ButtonInteraction,
  work: Promise<T>,
  answerBy: number,
): Promise<T> {
  const result = await resultWithin(work, Math.max(0, answerBy - Date.now()));
  if (result !== "slow") return result;
  if (!interaction.deferred && !interaction.replied) await interaction.deferUpdate();
  return work;
}

async function resolveButton(
  customId: string,
  context: BotContext,
): Promise<{ taskId: string; customId: string }> {
  const decoded = decodeButtonId(customId);
  if (decoded?.kind === "direct") return decoded;
  const stored = decoded ? await context.store.getButton(decoded.key) : undefined;
  if (!stored) throw new UserError(phrase("click.unknownButton"));
  return stored;
}

/**
 * A custom_id can be forged by a client, and a feed's callbacks by anyone holding its URL: only
 * a button upstream itself gave the task is submitted. A stored state vouches for it when it came
 * from the bot's own upstream after the clicked message was posted; otherwise upstream is asked.
 */
async function assertIsButtonOfTask(
  button: { taskId: string; customId: string },
  records: readonly (TrackedTask | undefined)[],
  interaction: ButtonInteraction,
  context: BotContext,
  answerBy: number,
): Promise<void> {
  const messageCreatedAt = interaction.message.createdTimestamp;
  const hasButton = (buttons: readonly { customId: string }[]) =>
    buttons.some((b) => b.customId === button.customId);
  const vouched = records.some(
    (record) =>
      record !== undefined &&
      (record.stateFrom ?? "upstream") === "upstream" &&
      (record.stateAt ?? 0) >= messageCreatedAt &&
      hasButton(buttonList(record.lastTask.buttons)),
  );
  if (vouched) return;
  const task = await beforeDeadline(interaction, context.mj.fetchTask(button.taskId), answerBy);
  if (hasButton(task.buttons)) return;
  context.logger.warn(
    { taskId: button.taskId, guildId: interaction.guildId, channelId: interaction.channelId },
    "refused a click on a button the task does not have",
  );
  throw new UserError(phrase("click.foreignButton"));
}

export const mirroredButton: ButtonHandler = {
  prefixes: BUTTON_ID_PREFIXES,
  async execute(interaction, context) {
    const answerBy = Date.now() + MODAL_ANSWER_BUDGET_MS;
    const button = await resolveButton(interaction.customId, context);
    const { own, ofMessage } = await recordsOf(context, button.taskId, interaction);
    assertMayClick(
      interaction,
      await requesterOf(context, button.taskId, ofMessage, interaction),
      context.config.buttons.allowed,
    );
    const clickKey = `${interaction.message.id}:${button.customId}`;
    const earlier = await context.clicks.get(clickKey);
    if (earlier) return answerEarlierClick(interaction, earlier, context);
    // A member who may not submit hears so before anything reaches upstream.
    const member = memberOf(interaction);
    await context.access.assertMaySubmit(member);
    await assertIsButtonOfTask(button, [ofMessage, own], interaction, context, answerBy);

    await context.clicks.once(
      clickKey,
      (earlier) => answerEarlierClick(interaction, earlier, context),
      async (claim): Promise<ClickRecord> => {
        const outcome = await context.access.spend(
          member,
          async () => {
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
            return interpretSubmitResult(await beforeDeadline(interaction, submitting, answerBy));
          },
          startedTaskId,
        );
        if (outcome.kind === "modal") {
          const modal = {
            status: "modal",
            at: Date.now(),
            modalTaskId: outcome.taskId,
            prompt: outcome.prompt,
            title: buttonLabelPhrase(button.customId),
            region: button.customId.includes("::Inpaint::"),
            userId: interaction.user.id,
          } as const;
          // Only this member may submit the form, and only for this MODAL task.
          await context.store.saveForm(modal.modalTaskId, {
            userId: interaction.user.id,
            sourceTaskId: button.taskId,
            at: modal.at,
            source: {
              channelId: interaction.channelId,
              messageId: interaction.message.id,
              customId: button.customId,
            },
          });
          if (interaction.deferred) {
            const locale = privateLocale(interaction);
            await interaction.followUp({
              content: t(locale, "click.needsPrompt"),
              flags: MessageFlags.Ephemeral,
              components: [
                {
                  type: ComponentType.ActionRow,
                  components: [openFormButton(modal.modalTaskId, modal.region, locale)],
                },
              ],
            });
          } else {
            await interaction.showModal(
              buildPromptModal(
                modal.modalTaskId,
                modal.prompt,
                modal.title,
                modal.region,
                privateLocale(interaction),
              ),
            );
          }
          return modal;
        }
        if (!interaction.deferred) await interaction.deferUpdate();
        await showButtonAsUsed(context, {
          taskId: button.taskId,
          channelId: interaction.channelId,
          messageId: interaction.message.id,
          customId: button.customId,
        });
        return postSubmittedTask(interaction, context, outcome, {
          replyTo: interaction.message.id,
          click: claim,
        });
      },
    );
  },
};
