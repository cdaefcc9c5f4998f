import { InteractionContextType, MessageFlags, SlashCommandBuilder } from 'discord.js';
import { escapeMarkdown, storyChoices } from '../../answer/discord.js';
import type { StoredStory } from '../../index/index.js';
import { MAX_QUESTION_CHARS } from '../../search/index.js';
import { answerReply, outcomeOf } from '../answers.js';
import type { Command } from '../command.js';
import { replyNotice, toReplyOptions as toOptions } from '../reply.js';

export const DEFAULT_RESULTS = 3;
export const MAX_RESULTS = 5;

const data = new SlashCommandBuilder()
  .setName('ask')
  .setDescription('Ask about the news; I answer by quoting the story word for word.')
  .setContexts(InteractionContextType.Guild)
  .addStringOption((option) =>
    option.setName('question').setDescription('Your question, in words').setRequired(true).setMaxLength(MAX_QUESTION_CHARS),
  )
  .addIntegerOption((option) =>
    option.setName('results').setDescription(`How many passages to quote (1–${MAX_RESULTS}, default ${DEFAULT_RESULTS})`).setMinValue(1).setMaxValue(MAX_RESULTS),
  )
  .addStringOption((option) => option.setName('story').setDescription('Search only this story').setAutocomplete(true))
  .addBooleanOption((option) => option.setName('private').setDescription('Only you see the answer'))
  .toJSON();

/** The story picked from autocomplete (its id), or typed out as its title. */
function findStory(stories: readonly StoredStory[], chosen: string): StoredStory | undefined {
  const typed = chosen.trim().toLowerCase();
  return stories.find((story) => story.id === chosen) ?? stories.find((story) => story.title.toLowerCase() === typed);
}

export default {
  data,
  cooldown: true,

  async execute(interaction, { index }) {
    const question = interaction.options.getString('question', true);
    const topK = interaction.options.getInteger('results') ?? DEFAULT_RESULTS;
    const chosenStory = interaction.options.getString('story');
    const isPrivate = interaction.options.getBoolean('private') ?? false;
    // One snapshot for the whole answer: an index swap meanwhile does not affect it.
    const { retriever } = index.current();

    const story = chosenStory ? findStory(retriever.stories, chosenStory) : undefined;
    if (chosenStory && !story) {
      await replyNotice(interaction, `I have no story called “${escapeMarkdown(chosenStory)}”: pick one from the list, or leave *story* empty to search them all.`);
      return { passages: 0, refused: 'unknown-story' };
    }

    await interaction.deferReply(isPrivate ? { flags: MessageFlags.Ephemeral } : {});
    const result = await retriever.search({ question, topK, storyId: story?.id });
    await interaction.editReply(toOptions(answerReply(question, result, { offset: 0, topK, storyId: story?.id })));
    return outcomeOf(result);
  },

  async autocomplete(interaction, { index }) {
    const focused = interaction.options.getFocused(true);
    const choices = focused.name === 'story' ? storyChoices(index.current().retriever.stories, String(focused.value)) : [];
    await interaction.respond(choices);
  },
} satisfies Command;
