import { PermissionFlagsBits, type Interaction } from 'discord.js';
import type { StaffPolicy } from './command.js';

/**
 * Whether the member who sent an interaction may change the stories. Every server shares them,
 * so Manage Server counts only in a server listed in STAFF_GUILD_IDS; ADMIN_USER_IDS count anywhere.
 * Checked on every change, whatever the command's default permissions say (server admins can
 * change those).
 */
export function maySupervise(interaction: Interaction, policy: StaffPolicy): boolean {
  if (policy.adminUserIds.includes(interaction.user.id)) return true;
  if (!interaction.guildId || !policy.staffGuildIds.includes(interaction.guildId)) return false;
  return interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild) ?? false;
}

/** Why someone may not, in one sentence for them. */
export function supervisionRefusal(interaction: Interaction, policy: StaffPolicy): string {
  // A DM has no server, so no Manage Server to ask for.
  if (!interaction.guildId || !policy.staffGuildIds.includes(interaction.guildId)) {
    return 'Stories can only be changed from the bot’s staff servers (STAFF_GUILD_IDS) or by its admins: ask whoever runs me.';
  }
  return 'You need the Manage Server permission here to change the stories.';
}
