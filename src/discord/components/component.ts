// A handler for buttons or modals whose custom_id starts with one of `prefixes`. The router keys
// on the prefix, never on collectors, so components keep working after a restart.
import type { ButtonInteraction, ModalSubmitInteraction } from "discord.js";
import type { BotContext } from "../context.js";

export interface ButtonHandler {
  prefixes: readonly string[];
  execute(interaction: ButtonInteraction, context: BotContext): Promise<void>;
}

export interface ModalHandler {
  prefixes: readonly string[];
  execute(interaction: ModalSubmitInteraction, context: BotContext): Promise<void>;
}
