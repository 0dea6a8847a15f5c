// The prompt form for actions upstream answers with "needs a modal" (Custom Zoom, Vary (Region),
// remix): the modal itself, its submission, and the button that opens it when the first answer
// came too late to show it directly. A form is opened for one member and one MODAL task: a
// submission from anyone else, or naming a task no form was opened for, is refused.
import {
  type APIModalInteractionResponseCallbackData,
  type ButtonInteraction,
  ComponentType,
  MessageFlags,
  type ModalSubmitInteraction,
  TextInputStyle,
} from "discord.js";
import { memberOf } from "../../access/member.js";
import type { Phrase } from "../../i18n/catalogue.js";
import type { Locale } from "../../i18n/locale.js";
import { phrase, say, t } from "../../i18n/translate.js";
import type { Task } from "../../mj/schema.js";
import { decodeModalId, encodeModalId, MODAL_ID_PREFIX } from "../../render/customId.js";
import { truncate } from "../../render/limits.js";
import type { OpenedForm } from "../../tracking/store.js";
import type { BotContext } from "../context.js";
import { resultWithin } from "../interactions/deferIfSlow.js";
import { loggedSubmit } from "../interactions/logSubmit.js";
import { interpretSubmitResult } from "../interactions/submitOutcome.js";
import { startedTaskId } from "../interactions/submitTask.js";
import { UserError } from "../interactions/userError.js";
import { privateLocale } from "../locales.js";
import { postSubmittedTask } from "../messages/postTask.js";
import { assertMayClick, recordsOf, requesterOf } from "./clickAccess.js";
import type { ButtonHandler, ModalHandler } from "./component.js";
import { answerEarlierClick } from "./earlierClick.js";
import { showButtonAsUsed } from "./usedButton.js";

const PROMPT_FIELD = "prompt";
const PROMPT_MAX = 4000;

/** The ledger key of a modal submission: one per MODAL task. */
export function modalClickKey(modalTaskId: string): string {
  return `modal:${modalTaskId}`;
}

/**
 * The form, in the language of the member it opens for. `title` names the action (a string in
 * click records older than the catalogues).
 */
export function buildPromptModal(
  modalTaskId: string,
  prompt: string,
  title: Phrase | string,
  region: boolean,
  locale: Locale,
): APIModalInteractionResponseCallbackData {
  const titleText = typeof title === "string" ? title : say(locale, title);
  return {
    custom_id: encodeModalId(modalTaskId, region),
    title: truncate(titleText || t(locale, "form.title"), 45),
    components: [
      {
        type: ComponentType.ActionRow,
        components: [
          {
            type: ComponentType.TextInput,
            custom_id: PROMPT_FIELD,
            label: t(locale, "form.promptLabel"),
            style: TextInputStyle.Paragraph,
            required: true,
            max_length: PROMPT_MAX,
            ...(prompt ? { value: prompt.slice(0, PROMPT_MAX) } : {}),
          },
        ],
      },
    ],
  };
}

/** Refuses a form (or the button that opens it) that was not opened for this member and task. */
function assertFormIsFor(
  interaction: ButtonInteraction | ModalSubmitInteraction,
  modalTaskId: string,
  form: OpenedForm | undefined,
  context: BotContext,
): OpenedForm {
  if (!form) {
    context.logger.warn({ modalTaskId, userId: interaction.user.id }, "refused a form the bot never opened");
    throw new UserError(phrase("form.gone"));
  }
  if (form.userId !== interaction.user.id) {
    context.logger.warn(
      { modalTaskId, userId: interaction.user.id },
      "refused a form opened for someone else",
    );
    throw new UserError(phrase("form.someoneElses", { userId: form.userId }));
  }
  return form;
}

/**
 * A form opened from the "Open the form" button of a MODAL task's own message (shown by /mjstatus
 * or a feed): whoever may use that message's buttons opens it for themselves. A state a feed sent
 * is not trusted: upstream must say the task waits for its prompt.
 */
async function openFormOnTaskMessage(
  interaction: ButtonInteraction,
  modalTaskId: string,
  modalTask: Task | null,
  context: BotContext,
): Promise<void> {
  const { ofMessage } = await recordsOf(context, modalTaskId, interaction);
  if (!ofMessage) {
    context.logger.warn({ modalTaskId, userId: interaction.user.id }, "refused a form the bot never opened");
    throw new UserError(phrase("form.gone"));
  }
  assertMayClick(
    interaction,
    await requesterOf(context, modalTaskId, ofMessage, interaction),
    context.config.buttons.allowed,
  );
  const trusted = (ofMessage.stateFrom ?? "upstream") === "upstream" && ofMessage.lastTask.status === "MODAL";
  if (!trusted && modalTask?.status !== "MODAL") {
    throw new UserError(phrase("form.notWaiting"));
  }
  await context.store.saveForm(modalTaskId, {
    userId: interaction.user.id,
    sourceTaskId: modalTaskId,
    at: Date.now(),
  });
}

/**
 * Opens the form: from the button sent when upstream asked for a prompt after the click was
 * acknowledged, or from the button of a MODAL task's own message.
 */
export const openPromptModal: ButtonHandler = {
  prefixes: [MODAL_ID_PREFIX],
  async execute(interaction, context) {
    const decoded = decodeModalId(interaction.customId);
    if (!decoded) throw new UserError(phrase("form.buttonGone"));
    const opened = await context.store.getForm(decoded.taskId);
    if (opened) assertFormIsFor(interaction, decoded.taskId, opened, context);
    const earlier = await context.clicks.get(modalClickKey(decoded.taskId));
    if (earlier) return answerEarlierClick(interaction, earlier, context);
    // The prompt is only a convenience: a slow upstream must not cost the 3-second answer.
    const fetched = await resultWithin(
      context.mj.fetchTask(decoded.taskId).catch(() => null),
      1500,
    );
    const modalTask = fetched === "slow" ? null : fetched;
    if (!opened) await openFormOnTaskMessage(interaction, decoded.taskId, modalTask, context);
    await interaction.showModal(
      buildPromptModal(
        decoded.taskId,
        modalTask?.finalPrompt ?? "",
        phrase("form.title"),
        decoded.region,
        privateLocale(interaction),
      ),
    );
  },
};

export const promptModal: ModalHandler = {
  prefixes: [MODAL_ID_PREFIX],
  async execute(interaction, context) {
    const decoded = decodeModalId(interaction.customId);
    if (!decoded) throw new UserError(phrase("form.goneShort"));
    const form = assertFormIsFor(
      interaction,
      decoded.taskId,
      await context.store.getForm(decoded.taskId),
      context,
    );
    const prompt = interaction.fields.getTextInputValue(PROMPT_FIELD).trim();
    if (!prompt) throw new UserError(phrase("prompt.empty"));
    const member = memberOf(interaction);
    await context.access.assertMaySubmit(member);
    await context.clicks.once(
      modalClickKey(decoded.taskId),
      (earlier) => answerEarlierClick(interaction, earlier, context),
      async (claim) => {
        const fromPublicMessage =
          interaction.isFromMessage() && !interaction.message.flags.has(MessageFlags.Ephemeral);
        if (fromPublicMessage) await interaction.deferUpdate();
        else await interaction.deferReply({ flags: MessageFlags.Ephemeral });
        const outcome = await context.access.spend(
          member,
          async () => {
            const result = await loggedSubmit(
              interaction,
              context,
              "modal",
              context.mj.submitModal({ taskId: decoded.taskId, prompt }),
              decoded.taskId,
            );
            if (result.code === 4 && decoded.region) {
              throw new UserError(phrase("form.maskNeeded"));
            }
            return interpretSubmitResult(result);
          },
          startedTaskId,
        );
        if (outcome.kind !== "accepted") throw new UserError(phrase("form.askedAgain"));
        if (form.source) await showButtonAsUsed(context, { taskId: form.sourceTaskId, ...form.source });
        const record = await postSubmittedTask(interaction, context, outcome, {
          replyTo: fromPublicMessage ? interaction.message?.id : undefined,
          click: claim,
        });
        if (!fromPublicMessage)
          await interaction.editReply({ content: t(privateLocale(interaction), "form.submitted") });
        return record;
      },
    );
  },
};
