// The `id` option shared by the commands that take an MJ task id: its definition and its reading.
import type { ChatInputCommandInteraction, SlashCommandStringOption } from "discord.js";
import { phrase } from "../../i18n/translate.js";
import { isValidTaskId } from "../../mj/taskId.js";
import { UserError } from "../interactions/userError.js";
import { described } from "../locales.js";

export function taskIdOption(option: SlashCommandStringOption): SlashCommandStringOption {
  return described(option.setName("id"), "command.taskId").setRequired(true).setMaxLength(64);
}

/** The task id the user typed, checked before anything is sent upstream. */
export function readTaskId(interaction: ChatInputCommandInteraction): string {
  const id = interaction.options.getString("id", true).trim();
  if (!isValidTaskId(id)) {
    throw new UserError(phrase("error.invalidTaskId"));
  }
  return id;
}
