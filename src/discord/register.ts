// Uploads the slash command definitions: to one guild when DISCORD_GUILD_ID is set (instant),
// else globally.
import { type REST, Routes } from "discord.js";
import type { SlashCommand } from "./commands/command.js";

export async function registerCommands(
  rest: REST,
  applicationId: string,
  guildId: string | undefined,
  commands: readonly SlashCommand[],
): Promise<{ scope: "guild" | "global"; count: number }> {
  const body = commands.map((command) => command.data);
  const route = guildId
    ? Routes.applicationGuildCommands(applicationId, guildId)
    : Routes.applicationCommands(applicationId);
  await rest.put(route, { body });
  return { scope: guildId ? "guild" : "global", count: body.length };
}
