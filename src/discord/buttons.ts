// "More passages" and "Show context". Both answer with an ephemeral message to whoever pressed:
// on a public answer anyone may press, and the answer everyone sees should stay as it was asked.
import { MessageFlags, type ButtonInteraction } from 'discord.js';
import { askedQuestionFrom, contextMessage, escapeMarkdown, noticeMessage } from '../answer/discord.js';
import { describeError, memberReason } from '../errors.js';
import type { StoredParagraph } from '../index/index.js';
import { answerReply, outcomeOf } from './answers.js';
import type { HandlerContext, HandlerOutcome } from './command.js';
import { parseButtonId, storyByKey, type ButtonAction } from './custom-id.js';
import { showSources } from './commands/sources.js';
import { listStories } from './commands/story.js';
import { replyNotice, toReplyOptions } from './reply.js';
import { maySupervise, supervisionRefusal } from './staff.js';

/** Paragraphs shown before and after the passage by "Show context". */
export const CONTEXT_RADIUS = 1;

const ASK_AGAIN = 'ask again with /ask';

/** Whether pressing this button searches (and so counts toward the cooldown). */
export function buttonSearches(customId: string): boolean {
  return parseButtonId(customId)?.kind === 'more';
}

export async function handleButton(interaction: ButtonInteraction, context: HandlerContext): Promise<HandlerOutcome> {
  const action = parseButtonId(interaction.customId);
  if (!action) {
    await replyNotice(interaction, `This button is from an older version of me: ${ASK_AGAIN}.`);
    return { refused: 'unknown-button' };
  }
  switch (action.kind) {
    case 'more':
      return showMore(interaction, action, context);
    case 'context':
      return showContext(interaction, action, context);
    case 'story-list':
      return listStories(interaction, context, action.page);
    case 'sources':
      return showSources(interaction, context, action.page);
    case 'story-add':
    case 'story-cancel':
      return decidePreview(interaction, action, context);
  }
}

/** Add or Cancel under a /story add preview: only the member who asked, and only while they may. */
async function decidePreview(
  interaction: ButtonInteraction,
  action: Extract<ButtonAction, { kind: 'story-add' | 'story-cancel' }>,
  { desk, logger }: HandlerContext,
): Promise<HandlerOutcome> {
  const preview = desk.previews.get(action.previewId);
  if (!preview) {
    await interaction.update(toReplyOptions(noticeMessage('This preview has expired (or I restarted): run /story add again.')));
    return { refused: 'preview-expired' };
  }
  if (preview.userId !== interaction.user.id) {
    await replyNotice(interaction, 'Only the member who asked for this preview can use its buttons.');
    return { refused: 'not-owner' };
  }
  if (action.kind === 'story-cancel') {
    desk.previews.delete(action.previewId);
    await interaction.update(toReplyOptions(noticeMessage('Cancelled: nothing was added.')));
    return {};
  }
  if (!maySupervise(interaction, desk.policy)) {
    await replyNotice(interaction, supervisionRefusal(interaction, desk.policy));
    return { refused: 'not-staff' };
  }
  desk.previews.delete(action.previewId);
  // The buttons go at once, so a second press cannot add the story twice.
  await interaction.update(toReplyOptions(noticeMessage(`Adding “${escapeMarkdown(preview.story.title)}”… (embedding its paragraphs takes a few seconds)`)));
  try {
    const added = await desk.desk.add(preview.story, { userId: interaction.user.id, guildId: interaction.guildId });
    await interaction.editReply(
      toReplyOptions(noticeMessage(`Added “${escapeMarkdown(preview.story.title)}” in ${added.seconds.toFixed(1)} s: members can ask about it now with /ask.`)),
    );
    return {};
  } catch (error) {
    logger.warn({ err: error, user: interaction.user.id, url: preview.story.url, reason: describeError(error) }, 'story not added');
    await interaction.editReply(toReplyOptions(noticeMessage(`Nothing was added: ${escapeMarkdown(memberReason(error), { lineStart: false })}`)));
    return { refused: 'add-failed' };
  }
}

async function showMore(
  interaction: ButtonInteraction,
  action: Extract<ButtonAction, { kind: 'more' }>,
  { index }: HandlerContext,
): Promise<HandlerOutcome> {
  const { retriever } = index.current();
  const question = askedQuestionFrom(interaction.message.content);
  if (!question) {
    await replyNotice(interaction, `I can't read the question of that answer any more: ${ASK_AGAIN}.`);
    return { refused: 'no-question' };
  }
  const story = action.storyKey ? storyByKey(retriever.stories, action.storyKey) : undefined;
  if (action.storyKey && !story) {
    await replyNotice(interaction, `That story is no longer indexed: ${ASK_AGAIN}.`);
    return { refused: 'story-gone' };
  }

  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const page = { offset: action.offset, topK: action.topK, storyId: story?.id };
  const result = await retriever.search({ question, ...page });
  if (result.outcome.kind === 'answered' && result.passages.length === 0) {
    await replyNotice(interaction, 'There are no more passages for that question.');
    return { passages: 0, refused: 'no-more' };
  }
  await interaction.editReply(toReplyOptions(answerReply(question, result, page)));
  return outcomeOf(result);
}

async function showContext(
  interaction: ButtonInteraction,
  action: Extract<ButtonAction, { kind: 'context' }>,
  { index }: HandlerContext,
): Promise<HandlerOutcome> {
  const { retriever } = index.current();
  const story = storyByKey(retriever.stories, action.storyKey);
  const around: StoredParagraph[] = [];
  for (let number = action.paragraph - CONTEXT_RADIUS; story && number <= action.paragraph + CONTEXT_RADIUS; number++) {
    const paragraph = retriever.paragraph(story.id, number);
    if (paragraph) around.push(paragraph);
  }
  if (!story || !around.some((paragraph) => paragraph.number === action.paragraph)) {
    await replyNotice(interaction, `That passage is no longer indexed: ${ASK_AGAIN}.`);
    return { refused: 'story-gone' };
  }
  await interaction.reply({ ...toReplyOptions(contextMessage(story, around, action.paragraph)), flags: MessageFlags.Ephemeral });
  return { passages: around.length };
}
