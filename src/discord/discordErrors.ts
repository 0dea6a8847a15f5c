// Discord API error codes the bot reacts to.
import { DiscordAPIError } from "discord.js";

export const UNKNOWN_CHANNEL = 10003;
export const UNKNOWN_MESSAGE = 10008;
export const MISSING_ACCESS = 50001;
export const MISSING_PERMISSIONS = 50013;
export const UNKNOWN_INTERACTION = 10062;
export const OLD_MESSAGE_EDIT_LIMIT = 30046;

/** Codes that say the message or its channel is gone for good. */
export const GONE_CODES: ReadonlySet<number> = new Set([UNKNOWN_MESSAGE, UNKNOWN_CHANNEL]);

/** Codes that say Discord refuses the bot access: a permission change may undo it. */
export const ACCESS_DENIED_CODES: ReadonlySet<number> = new Set([MISSING_ACCESS, MISSING_PERMISSIONS]);

/** The message or its channel is gone for good. */
export function isMessageGone(error: unknown): boolean {
  if (!(error instanceof DiscordAPIError)) return false;
  return GONE_CODES.has(Number(error.code));
}

/** Discord refuses the bot access (to a channel or a message): a permission change may undo it. */
export function isAccessDenied(error: unknown): boolean {
  if (!(error instanceof DiscordAPIError)) return false;
  return ACCESS_DENIED_CODES.has(Number(error.code));
}

/** Discord answered with a refusal (a 4xx other than 429): sending the same again will not help. */
export function isRefusal(error: unknown): error is DiscordAPIError {
  return (
    error instanceof DiscordAPIError && error.status >= 400 && error.status < 500 && error.status !== 429
  );
}

export function discordErrorCode(error: unknown): number | undefined {
  return error instanceof DiscordAPIError ? Number(error.code) : undefined;
}
