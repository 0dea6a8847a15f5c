// The single interactionCreate router: finds the handler, logs, and turns any thrown error into
// an ephemeral reply, so handlers stay linear. Expected failures (UserError, MJ API errors) are
// shown in plain words; anything else as a generic sentence with an error id that is also logged.
import { randomBytes } from "node:crypto";
import { type Interaction, MessageFlags, type RepliableInteraction } from "discord.js";
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
import { UserError } from "./userError.js";

/** The sentence a user sees for an error, or null when it is a bug (then a generic text is used). */
export function describeErrorForUser(error: unknown): string | null {
  if (error instanceof UserError) return error.message;
  if (error instanceof MjNotFound) {
    return `The MJ API has no task \`${error.taskId}\` (or it belongs to another account). Check the id and try again.`;
  }
  if (error instanceof MjInvalidTaskId) {
    return "That is not a task id. Task ids are up to 64 letters, digits, `-` or `_`.";
  }
  if (error instanceof MjAuthError) {
    return "The MJ API refused this bot's API key. Please tell the bot's operator to check `MJ_API_KEY`.";
  }
  if (error instanceof MjUnavailable) {
    return `The MJ API is not answering right now (${error.reason}). Please try again in a minute.`;
  }
  if (error instanceof MjBadResponse) {
    return `The MJ API sent ${error.reason.startsWith("an HTML") ? "an error page" : "an answer I don't understand"} (HTTP ${error.status}). Please try again later; if it keeps happening, tell the bot's operator.`;
  }
  return null;
}

function isExpected(error: unknown): error is UserError | MjError {
  return describeErrorForUser(error) !== null;
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
        if (!command) throw new UserError("This command is not available any more.");
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
  let text = describeErrorForUser(error);
  if (isExpected(error)) {
    context.logger.info({ ...where, reason: error.message }, "interaction refused");
  } else {
    const errorId = randomBytes(4).toString("hex");
    context.logger.error({ ...where, err: error, errorId }, "interaction failed");
    text = `Something went wrong on my side (error id \`${errorId}\`). Please try again; if it keeps happening, tell the bot's operator this id.`;
  }
  const content = text ?? "Something went wrong.";
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
