// `/story add|remove|list|feeds`: staff keep the stories current from Discord. Only members with
// Manage Server in a staff server, and the bot's admins, may change them (checked on every change).
import {
  InteractionContextType,
  MessageFlags,
  PermissionFlagsBits,
  SlashCommandBuilder,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
} from 'discord.js';
import { escapeMarkdown, storyChoices } from '../../answer/discord.js';
import { STORY_LIST_PAGE_SIZE, feedStatusMessage, storyListMessage, storyPreviewMessage } from '../../answer/desk.js';
import { describeError, memberReason } from '../../errors.js';
import { newestFirst } from '../../answer/attribution.js';
import type { Command, HandlerContext, HandlerOutcome } from '../command.js';
import { storyListButtonId, storyPreviewButtonId } from '../custom-id.js';
import { replyNotice, toReplyOptions } from '../reply.js';
import { maySupervise, supervisionRefusal } from '../staff.js';

const data = new SlashCommandBuilder()
  .setName('story')
  .setDescription('Manage the stories I quote (staff).')
  .setContexts(InteractionContextType.Guild)
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
  .addSubcommand((sub) =>
    sub
      .setName('add')
      .setDescription('Add a news article from its address: I show a preview first.')
      .addStringOption((option) => option.setName('url').setDescription('The article’s address (http or https)').setRequired(true).setMaxLength(2000))
      .addStringOption((option) =>
        option.setName('published').setDescription('Its date, YYYY-MM-DD, when the page gives none or a wrong one').setMinLength(10).setMaxLength(10),
      )
      .addStringOption((option) =>
        option.setName('outlet').setDescription('The outlet’s name, when the page gives none or a wrong one').setMinLength(1).setMaxLength(80),
      ),
  )
  .addSubcommand((sub) =>
    sub
      .setName('remove')
      .setDescription('Remove a story.')
      .addStringOption((option) => option.setName('story').setDescription('The story to remove').setRequired(true).setAutocomplete(true)),
  )
  .addSubcommand((sub) => sub.setName('list').setDescription('The stories I quote.'))
  .addSubcommand((sub) => sub.setName('feeds').setDescription('The feeds I follow: last poll, stories added, last error.'))
  .toJSON();

export default {
  data,
  cooldown: false,

  async execute(interaction, context) {
    const sub = interaction.options.getSubcommand();
    if (sub === 'list') return listStories(interaction, context, 0);
    if (!maySupervise(interaction, context.desk.policy)) {
      await replyNotice(interaction, supervisionRefusal(interaction, context.desk.policy));
      return { refused: 'not-staff' };
    }
    if (sub === 'add') return previewStory(interaction, context);
    if (sub === 'remove') return removeStory(interaction, context);
    await interaction.reply({ ...toReplyOptions(feedStatusMessage(context.desk.feeds.status(), context.desk.feedPollMinutes)), flags: MessageFlags.Ephemeral });
    return {};
  },

  async autocomplete(interaction, { index }) {
    const focused = interaction.options.getFocused(true);
    const choices = focused.name === 'story' ? storyChoices(index.current().retriever.stories, String(focused.value)) : [];
    await interaction.respond(choices);
  },
} satisfies Command;

async function previewStory(interaction: ChatInputCommandInteraction, { desk, logger }: HandlerContext): Promise<HandlerOutcome> {
  const wait = desk.addCooldown.take(interaction.user.id);
  if (wait > 0) {
    await replyNotice(interaction, `Please wait ${wait} s before adding another story.`);
    return { refused: 'cooldown' };
  }
  const url = interaction.options.getString('url', true).trim();
  const published = interaction.options.getString('published')?.trim() || undefined;
  const outlet = interaction.options.getString('outlet')?.trim() || undefined;
  // Fetching and reading a page can take longer than Discord's 3 s.
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  let preview;
  try {
    preview = await desk.desk.preview(url, { published, outlet });
  } catch (error) {
    logger.info({ user: interaction.user.id, url, reason: describeError(error) }, 'story preview refused');
    await interaction.editReply(toReplyOptions(notice(escapeMarkdown(memberReason(error), { lineStart: false }))));
    return { refused: 'preview-failed' };
  }
  if (preview.kind === 'duplicate') {
    await interaction.editReply(
      toReplyOptions({
        content:
          `That article is already a story: “${escapeMarkdown(preview.existing.title)}” (${escapeMarkdown(preview.existing.id, { lineStart: false })}).` +
          (preview.updated ? ' Its page has changed since it was added: to take the new text, remove the story with /story remove and add it again.' : ''),
        embeds: [],
        components: [],
        allowed_mentions: { parse: [] },
      }),
    );
    return { refused: 'duplicate' };
  }
  const id = desk.previews.put({ story: preview.story, userId: interaction.user.id, guildId: interaction.guildId });
  await interaction.editReply(
    toReplyOptions(storyPreviewMessage(preview.story, { add: storyPreviewButtonId('story-add', id), cancel: storyPreviewButtonId('story-cancel', id) })),
  );
  return {};
}

async function removeStory(interaction: ChatInputCommandInteraction, { desk, index, logger }: HandlerContext): Promise<HandlerOutcome> {
  const chosen = interaction.options.getString('story', true);
  const stories = index.current().retriever.stories;
  const story = stories.find((candidate) => candidate.id === chosen) ?? stories.find((candidate) => candidate.title.toLowerCase() === chosen.trim().toLowerCase());
  if (!story) {
    await replyNotice(interaction, `I have no story called “${escapeMarkdown(chosen)}”: pick one from the list.`);
    return { refused: 'unknown-story' };
  }
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  try {
    const removed = await desk.desk.remove(story.id, { userId: interaction.user.id, guildId: interaction.guildId });
    await interaction.editReply(toReplyOptions(notice(`Removed “${escapeMarkdown(removed.title)}”. It can no longer be quoted.`)));
    return {};
  } catch (error) {
    logger.warn({ err: error, user: interaction.user.id, story: story.id, reason: describeError(error) }, 'story not removed');
    await interaction.editReply(toReplyOptions(notice(`Nothing was removed: ${escapeMarkdown(memberReason(error), { lineStart: false })}`)));
    return { refused: 'remove-failed' };
  }
}

/** A page of the story list, as a new reply or in place of the previous page (its buttons). */
export async function listStories(
  interaction: ChatInputCommandInteraction | ButtonInteraction,
  { index }: HandlerContext,
  page: number,
): Promise<HandlerOutcome> {
  const stories = [...index.current().retriever.stories].sort(newestFirst);
  const pages = Math.max(1, Math.ceil(stories.length / STORY_LIST_PAGE_SIZE));
  const shown = Math.min(Math.max(0, page), pages - 1);
  const body = storyListMessage(
    stories.map((story) => ({ ...story, paragraphs: story.paragraphCount })),
    shown,
    { previous: shown > 0 ? storyListButtonId(shown - 1) : undefined, next: shown < pages - 1 ? storyListButtonId(shown + 1) : undefined },
  );
  if (interaction.isButton()) await interaction.update(toReplyOptions(body));
  else await interaction.reply({ ...toReplyOptions(body), flags: MessageFlags.Ephemeral });
  return {};
}

function notice(content: string) {
  return { content, embeds: [], components: [], allowed_mentions: { parse: [] as [] } };
}
