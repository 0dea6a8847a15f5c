// The single interactionCreate router: finds the handler, logs, and turns any thrown error into
// an ephemeral reply, so handlers stay linear. Expected failures (UserError, MJ API errors) are
// shown in plain words, in the member's language; anything else as a generic sentence with an error id that is also logged.
import { randomBytes } from "node:crypto";
import { type Interaction, MessageFlags, type RepliableInteraction } from "discord.js";
import type { Phrase } from "../../i18n/catalogue.js";
import { phrase, say } from "../../i18n/translate.js";
import {
  MjAuthError,
  MjBadResponse,
  type MjError,
  MjInvalidTaskId,
  MjNotFound,
  MjUnavailable,
} from "../../mj/errors.js";
import { decodeButtonId, decodeModalId } from "../../render/customId.js";
import type { SlashCommand } from "../commands/command.js";
import type { ButtonHandler, ModalHandler } from "../components/component.js";
import type { BotContext } from "../context.js";
import { discordErrorCode, UNKNOWN_INTERACTION } from "../discordErrors.js";
import { privateLocale } from "../locales.js";
import { UserError } from "./userError.js";

/** Why upstream is unavailable, in the user's words: its HTTP status, a timeout or a failed connection. */
function unavailableReason(error: MjUnavailable): Phrase {
  if (error.status !== undefined) return phrase("error.upstreamDown.http", { status: String(error.status) });
  if (error.timedOut) return phrase("error.upstreamDown.timeout");
  const code = error.connectionCode;
  return code
    ? phrase("error.upstreamDown.connectionCode", { code })
    : phrase("error.upstreamDown.connection");
}

/** What a user is told about an error, or null when it is a bug (then a generic text is used). */
export function describeErrorForUser(error: unknown): Phrase | null {
  if (error instanceof UserError) return error.phrase;
  if (error instanceof MjNotFound) return phrase("error.unknownTask", { taskId: error.taskId });
  if (error instanceof MjInvalidTaskId) return phrase("error.invalidTaskId");
  if (error instanceof MjAuthError) return phrase("error.apiKeyRefused");
  if (error instanceof MjUnavailable)
    return phrase("error.upstreamDown", { reason: unavailableReason(error) });
  if (error instanceof MjBadResponse) {
    const status = String(error.status);
    return error.html ? phrase("error.errorPage", { status }) : phrase("error.badAnswer", { status });
  }
  return null;
}

export interface InteractionHandlers {
  commands: readonly SlashCommand[];
  buttons: readonly ButtonHandler[];
  modals: readonly ModalHandler[];
}

function byPrefix<T extends { prefixes: readonly string[] }>(
  handlers: readonly T[],
  customId: string,
): T | undefined {
  return handlers.find((handler) => handler.prefixes.some((prefix) => customId.startsWith(prefix)));
}

/** The task an interaction is about, when it says so without a lookup (for its log lines). */
function taskIdOf(interaction: RepliableInteraction): string | undefined {
  if (interaction.isChatInputCommand()) {
    const option = interaction.options.get("id")?.value;
    return typeof option === "string" && option.trim() ? option.trim() : undefined;
  }
  if (interaction.isButton() || interaction.isModalSubmit()) {
    const button = decodeButtonId(interaction.customId);
    if (button?.kind === "direct") return button.taskId;
    return decodeModalId(interaction.customId)?.taskId;
  }
  return undefined;
}

export function createInteractionRouter(handlers: InteractionHandlers, context: BotContext) {
  const byName = new Map(handlers.commands.map((command) => [command.data.name, command]));
  const { logger } = context;

  return async function routeInteraction(interaction: Interaction): Promise<void> {
    if (!interaction.isRepliable()) return;
    const started = Date.now();
    const taskId = taskIdOf(interaction);
    const where = {
      interactionId: interaction.id,
      userId: interaction.user.id,
      guildId: interaction.guildId,
      channelId: interaction.channelId,
      ...(taskId ? { taskId } : {}),
    };
    try {
      if (interaction.isChatInputCommand()) {
        const command = byName.get(interaction.commandName);
        if (!command) throw new UserError(phrase("error.commandGone"));
        logger.debug({ ...where, command: interaction.commandName }, "command received");
        await command.execute(interaction, context);
      } else if (interaction.isButton()) {
        const handler = byPrefix(handlers.buttons, interaction.customId);
        if (!handler) return;
        logger.debug({ ...where, customId: interaction.customId }, "button clicked");
        await handler.execute(interaction, context);
      } else if (interaction.isModalSubmit()) {
        const handler = byPrefix(handlers.modals, interaction.customId);
        if (!handler) return;
        logger.debug({ ...where, customId: interaction.customId }, "modal submitted");
        await handler.execute(interaction, context);
      } else {
        return;
      }
      logger.debug({ ...where, ms: Date.now() - started }, "interaction handled");
    } catch (error) {
      await replyWithError(interaction, error, context, where);
    }
  };
}

async function replyWithError(
  interaction: RepliableInteraction,
  error: unknown,
  context: BotContext,
  where: Record<string, unknown>,
): Promise<void> {
  let told = describeErrorForUser(error);
  if (told !== null) {
    // Expected failures are UserErrors and MJ API errors, whose messages are safe to log.
    context.logger.info({ ...where, reason: (error as UserError | MjError).message }, "interaction refused");
  } else {
    const errorId = randomBytes(4).toString("hex");
    context.logger.error({ ...where, err: error, errorId }, "interaction failed");
    told = phrase("error.bug", { errorId });
  }
  const content = say(privateLocale(interaction), told);
  try {
    if (!interaction.deferred && !interaction.replied) {
      await interaction.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
      return;
    }
    // A public deferral ("thinking…") must not stay behind: replace it with a private note.
    // Only a command's deferral is its own message; a component's deferUpdate points at the
    // message the button is on, which must never be deleted.
    if (
      interaction.isChatInputCommand() &&
      interaction.deferred &&
      !interaction.replied &&
      !interaction.ephemeral
    ) {
      await interaction.deleteReply().catch(() => undefined);
    }
    await interaction.followUp({ content, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
  } catch (replyError) {
    const level = discordErrorCode(replyError) === UNKNOWN_INTERACTION ? "warn" : "error";
    context.logger[level]({ ...where, err: replyError }, "could not tell the user about an error");
  }
}
