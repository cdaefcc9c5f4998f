import { InteractionContextType, MessageFlags, SlashCommandBuilder } from 'discord.js';
import { sourcesMessage } from '../../answer/discord.js';
import type { Command } from '../command.js';
import { toReplyOptions } from '../reply.js';

const data = new SlashCommandBuilder()
  .setName('sources')
  .setDescription('The stories I can quote, and when they were indexed.')
  .setContexts(InteractionContextType.Guild)
  .toJSON();

export default {
  data,
  cooldown: false,

  async execute(interaction, { index }) {
    const { retriever, manifest } = index.current();
    await interaction.reply({ ...toReplyOptions(sourcesMessage(retriever.stories, manifest)), flags: MessageFlags.Ephemeral });
    return { passages: 0 };
  },
} satisfies Command;
