// The `id` option shared by the commands that take an MJ task id: its definition and its reading.
import type { ChatInputCommandInteraction, SlashCommandStringOption } from "discord.js";
import { isValidTaskId } from "../../mj/taskId.js";
import { UserError } from "../interactions/userError.js";

export function taskIdOption(option: SlashCommandStringOption): SlashCommandStringOption {
  return option
    .setName("id")
    .setDescription("The task id from the MJ API")
    .setRequired(true)
    .setMaxLength(64);
}

/** The task id the user typed, checked before anything is sent upstream. */
export function readTaskId(interaction: ChatInputCommandInteraction): string {
  const id = interaction.options.getString("id", true).trim();
  if (!isValidTaskId(id)) {
    throw new UserError("That is not a task id. Task ids are up to 64 letters, digits, `-` or `_`.");
  }
  return id;
}
