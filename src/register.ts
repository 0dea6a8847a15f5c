// `npm run register`: uploads the slash commands (to DISCORD_GUILD_ID if set, else globally) and exits.
import { REST, Routes } from "discord.js";
import { ConfigError, loadConfig } from "./config.js";
import { commands } from "./discord/commands/index.js";
import { registerCommands } from "./discord/register.js";

try {
  const config = loadConfig();
  const rest = new REST(config.discord.apiUrl ? { api: config.discord.apiUrl } : {}).setToken(
    config.discord.token,
  );
  const application = (await rest.get(Routes.currentApplication())) as { id: string };
  const result = await registerCommands(rest, application.id, config.discord.guildId, commands);
  process.stdout.write(
    `Registered ${result.count} command(s) ${result.scope === "guild" ? `in guild ${config.discord.guildId}` : "globally (may take up to an hour to appear)"}.\n`,
  );
} catch (error) {
  const message =
    error instanceof ConfigError
      ? error.message
      : `Registration failed: ${error instanceof Error ? error.message : String(error)}`;
  process.stderr.write(`mjrelay: ${message}\n`);
  process.exit(1);
}
