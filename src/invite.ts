// `npm run invite`: prints the invite URL for the application DISCORD_TOKEN belongs to (its id
// asked of Discord), with the scopes and the permission integer the bot needs.
import { DiscordAPIError, REST } from "discord.js";
import { ConfigError, loadDiscordConfig } from "./config.js";
import { BOT_PERMISSIONS, inviteUrlForToken } from "./discord/invite.js";

/** One line saying what went wrong and what to do, never the token. */
function describeFailure(error: unknown, apiUrl: string): string {
  if (error instanceof ConfigError) return error.message;
  if (error instanceof DiscordAPIError && error.status === 401) {
    return "Discord refused DISCORD_TOKEN (HTTP 401): copy the bot token again from the Developer Portal (your app -> Bot -> Reset Token).";
  }
  if (error instanceof DiscordAPIError) {
    return `Discord answered HTTP ${error.status} when asked for the application (${error.message}).`;
  }
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  const code = typeof cause?.code === "string" ? cause.code : error instanceof Error ? error.message : "";
  return `Could not reach Discord at ${apiUrl}${code ? ` (${code})` : ""}.`;
}

let token = "";
let apiUrl = "https://discord.com/api";
try {
  const config = loadDiscordConfig();
  token = config.token;
  apiUrl = config.apiUrl ?? apiUrl;
  const rest = new REST({ api: apiUrl, retries: 1 }).setToken(token);
  const url = await inviteUrlForToken(rest);
  process.stdout.write(
    `Invite the bot with this URL (scopes bot and applications.commands; permissions ${BOT_PERMISSIONS}: View Channel, Send Messages, Send Messages in Threads, Embed Links, Attach Files, Read Message History):\n${url}\n`,
  );
} catch (error) {
  const line = describeFailure(error, apiUrl).replace(/\s*\n\s*/g, " ");
  process.stderr.write(`mjrelay: ${token.length >= 4 ? line.split(token).join("[redacted]") : line}\n`);
  process.exit(1);
}
