import { InteractionContextType, MessageFlags, SlashCommandBuilder, type ButtonInteraction, type ChatInputCommandInteraction } from 'discord.js';
import { SOURCES_PAGE_SIZE, sourcesMessage } from '../../answer/discord.js';
import { driftSentence } from '../../index/index.js';
import type { Command, HandlerContext, HandlerOutcome } from '../command.js';
import { sourcesButtonId } from '../custom-id.js';
import { toReplyOptions } from '../reply.js';

const data = new SlashCommandBuilder()
  .setName('sources')
  .setDescription('The stories I can quote, and when they were indexed.')
  .setContexts(InteractionContextType.Guild)
  .toJSON();

export default {
  data,
  cooldown: false,

  async execute(interaction, context) {
    return showSources(interaction, context, 0);
  },
} satisfies Command;

/** A page of /sources, as a new private reply or in place of the page whose button was pressed. */
export async function showSources(interaction: ChatInputCommandInteraction | ButtonInteraction, { index }: HandlerContext, page: number): Promise<HandlerOutcome> {
  const { retriever, index: loaded } = index.current();
  const pages = Math.max(1, Math.ceil(retriever.stories.length / SOURCES_PAGE_SIZE));
  const shown = Math.min(Math.max(0, page), pages - 1);
  const drift = await index.behind().catch(() => undefined);
  const body = sourcesMessage(
    retriever.stories,
    loaded.manifest,
    shown,
    {
      previous: shown > 0 ? sourcesButtonId(shown - 1) : undefined,
      next: shown < pages - 1 ? sourcesButtonId(shown + 1) : undefined,
    },
    drift && driftSentence(drift),
  );
  if (interaction.isButton()) await interaction.update(toReplyOptions(body));
  else await interaction.reply({ ...toReplyOptions(body), flags: MessageFlags.Ephemeral });
  return { passages: 0 };
}
