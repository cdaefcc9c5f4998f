// Apps → "Check against the story": what the stories say about a message someone posted. It
// quotes; it never rules a claim true or false.
import { ApplicationCommandType, ContextMenuCommandBuilder, InteractionContextType, MessageFlags } from 'discord.js';
import { claimCheckMessage } from '../../answer/desk.js';
import { checkClaim } from '../../search/index.js';
import { outcomeOf } from '../answers.js';
import type { MessageCommand } from '../command.js';
import { replyNotice, toReplyOptions } from '../reply.js';

export const CHECK_COMMAND_NAME = 'Check against the story';

const data = new ContextMenuCommandBuilder().setName(CHECK_COMMAND_NAME).setType(ApplicationCommandType.Message).setContexts(InteractionContextType.Guild).toJSON();

export default {
  data,
  cooldown: true,

  async execute(interaction, { index }) {
    const text = interaction.targetMessage.content ?? '';
    if (!/[\p{L}\p{N}]/u.test(text)) {
      await replyNotice(interaction, 'That message has no text I can check (only images, embeds or emoji).');
      return { refused: 'empty' };
    }
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const result = await checkClaim(index.current().retriever, text);
    await interaction.editReply(toReplyOptions(claimCheckMessage(text, result)));
    return outcomeOf(result);
  },
} satisfies MessageCommand;
