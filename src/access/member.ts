// Who is asking, as the access rules see it: a member's id, roles and whether they manage the
// server, read from the interaction Discord sent (nothing is fetched).
import { PermissionFlagsBits, type RepliableInteraction } from "discord.js";

export interface Member {
  userId: string;
  guildId: string | null;
  roleIds: readonly string[];
  /** Has the Manage Server permission (in the interaction's channel). */
  managesServer: boolean;
}

export function memberOf(interaction: RepliableInteraction): Member {
  const roles = interaction.member?.roles;
  const roleIds = Array.isArray(roles) ? roles : roles ? [...roles.cache.keys()] : [];
  return {
    userId: interaction.user.id,
    guildId: interaction.guildId,
    roleIds,
    managesServer: interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild) ?? false,
  };
}
