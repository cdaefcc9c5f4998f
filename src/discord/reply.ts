import { MessageFlags, type InteractionEditReplyOptions, type RepliableInteraction } from 'discord.js';
import { noticeMessage, type ApiMessage } from '../answer/discord.js';

/** A formatted message as discord.js options; mentions are always off. */
export function toReplyOptions(message: ApiMessage) {
  return {
    content: message.content,
    embeds: message.embeds,
    components: message.components,
    allowedMentions: { parse: [] },
  } satisfies InteractionEditReplyOptions;
}

/**
 * A short notice only the person who asked sees: a reply, or the edit of an ephemeral deferred
 * reply, or (after a public one) an ephemeral follow-up that replaces it.
 */
export async function replyNotice(interaction: RepliableInteraction, text: string): Promise<void> {
  const options = toReplyOptions(noticeMessage(text));
  if (interaction.deferred && !interaction.replied) {
    if (interaction.ephemeral) {
      await interaction.editReply(options);
      return;
    }
    await interaction.deleteReply();
  }
  if (interaction.deferred || interaction.replied) await interaction.followUp({ ...options, flags: MessageFlags.Ephemeral });
  else await interaction.reply({ ...options, flags: MessageFlags.Ephemeral });
}
