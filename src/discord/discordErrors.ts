// Discord API error codes the bot reacts to.
import { DiscordAPIError } from "discord.js";

export const UNKNOWN_CHANNEL = 10003;
export const UNKNOWN_MESSAGE = 10008;
export const MISSING_ACCESS = 50001;
export const MISSING_PERMISSIONS = 50013;
export const UNKNOWN_INTERACTION = 10062;
export const OLD_MESSAGE_EDIT_LIMIT = 30046;

/** Codes that say the message, its channel, or the bot's access to them is gone for good. */
export const GONE_CODES: ReadonlySet<number> = new Set([
  UNKNOWN_MESSAGE,
  UNKNOWN_CHANNEL,
  MISSING_ACCESS,
  MISSING_PERMISSIONS,
]);

/** The message, its channel, or the bot's access to them is gone for good. */
export function isMessageGone(error: unknown): boolean {
  if (!(error instanceof DiscordAPIError)) return false;
  return GONE_CODES.has(Number(error.code));
}

export function discordErrorCode(error: unknown): number | undefined {
  return error instanceof DiscordAPIError ? Number(error.code) : undefined;
}
