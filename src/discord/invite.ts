// The invite URL for the bot's application: the scopes and the permissions the bot uses, no more.
import { PermissionFlagsBits, type REST, Routes } from "discord.js";

/**
 * What the bot does in a channel, and the permission each needs: see the channel (tracking edits
 * go through the channel route), post a task (after a button click) in a channel or a thread, show
 * it as an embed, upload results as attachments, and answer the clicked message as a reply.
 */
export const BOT_PERMISSIONS = [
  PermissionFlagsBits.ViewChannel,
  PermissionFlagsBits.SendMessages,
  PermissionFlagsBits.SendMessagesInThreads,
  PermissionFlagsBits.EmbedLinks,
  PermissionFlagsBits.AttachFiles,
  PermissionFlagsBits.ReadMessageHistory,
].reduce((all, permission) => all | permission, 0n);

/** Slash commands need applications.commands; bot makes it a member that can post and edit. */
export const INVITE_SCOPES = ["bot", "applications.commands"] as const;

export function inviteUrl(applicationId: string, permissions: bigint = BOT_PERMISSIONS): string {
  const query = new URLSearchParams({
    client_id: applicationId,
    scope: INVITE_SCOPES.join(" "),
    permissions: permissions.toString(),
  });
  return `https://discord.com/oauth2/authorize?${query}`;
}

/** The invite URL for the application that `rest`'s bot token belongs to (asked of Discord). */
export async function inviteUrlForToken(rest: REST): Promise<string> {
  const application = (await rest.get(Routes.currentApplication())) as { id: string };
  return inviteUrl(application.id);
}
