// Replies of the news desk (/story, feeds, "Check against the story"): plain data in, Discord
// message JSON out, within Discord's limits and with mentions off. Everything a page or a member
// wrote is escaped, never live markdown.
import type { SearchResult } from '../search/index.js';
import { byline, formatDate } from './attribution.js';
import { DISCORD_LIMITS, answerMessage, escapeMarkdown, noticeMessage, truncate, type ApiActionRow, type ApiEmbed, type ApiMessage } from './discord.js';

const EMBED_COLOR = 0x2b6cb0;
/** Stories shown on one page of /story list. */
export const STORY_LIST_PAGE_SIZE = 10;

/** A story as the desk shows it (a new one, or one of the index). */
export interface DeskStory {
  id?: string;
  title: string;
  outlet: string;
  authors: readonly string[];
  published?: string;
  url: string;
  /** The paragraphs, or just how many there are. */
  paragraphs: readonly string[] | number;
}

function message(content: string, embeds: ApiEmbed[] = [], components: ApiActionRow[] = []): ApiMessage {
  return { content: truncate(content, DISCORD_LIMITS.content), embeds, components, allowed_mentions: { parse: [] } };
}

function attributionLine(story: DeskStory): string {
  const by = story.authors.length ? ` · by ${byline(story.authors)}` : '';
  return [`${story.outlet}${by}`, formatDate(story.published)].filter(Boolean).join(' · ');
}

/** The preview under /story add: what would be added, with Add and Cancel. */
export function storyPreviewMessage(story: DeskStory, actions: { add: string; cancel: string }): ApiMessage {
  const paragraphs = typeof story.paragraphs === 'number' ? [] : story.paragraphs;
  const count = typeof story.paragraphs === 'number' ? story.paragraphs : story.paragraphs.length;
  const first = paragraphs[0] ?? '';
  const embed: ApiEmbed = {
    author: { name: truncate(attributionLine(story), DISCORD_LIMITS.embedAuthor) },
    title: truncate(escapeMarkdown(story.title), DISCORD_LIMITS.embedTitle),
    ...(/^https?:\/\/\S+$/.test(story.url) ? { url: story.url } : {}),
    description: truncate(`> ${escapeMarkdown(first)}`, 1000),
    footer: { text: truncate(`${count} ${count === 1 ? 'paragraph' : 'paragraphs'} · ${story.url}`, DISCORD_LIMITS.embedFooter) },
    color: EMBED_COLOR,
  };
  const row: ApiActionRow = {
    type: 1,
    components: [
      { type: 2, style: 3, label: 'Add', custom_id: actions.add },
      { type: 2, style: 2, label: 'Cancel', custom_id: actions.cancel },
    ],
  };
  const intro = story.published
    ? 'This is what I would add. Check the headline, byline, date and first paragraph:'
    : 'This is what I would add. The page gives no date, so the story will be shown without one (run /story add again with `published:` YYYY-MM-DD to give it). Check the headline, byline and first paragraph:';
  return message(intro, [embed], [row]);
}

/** A page of /story list, with Previous / Next buttons when there are more pages. */
export function storyListMessage(stories: readonly DeskStory[], page: number, buttons: { previous?: string; next?: string }): ApiMessage {
  const pages = Math.max(1, Math.ceil(stories.length / STORY_LIST_PAGE_SIZE));
  const shown = stories.slice(page * STORY_LIST_PAGE_SIZE, (page + 1) * STORY_LIST_PAGE_SIZE);
  const lines = shown.map((story) => {
    const count = typeof story.paragraphs === 'number' ? story.paragraphs : story.paragraphs.length;
    const facts = [escapeMarkdown(story.outlet), formatDate(story.published), `${count} ¶`].filter(Boolean).join(', ');
    return truncate(`**${escapeMarkdown(story.title)}** — ${facts} · \`${story.id ?? ''}\``, 380);
  });
  const embed: ApiEmbed = {
    title: `Stories (${stories.length})`,
    description: truncate(lines.join('\n') || 'No stories yet: add one with /story add.', DISCORD_LIMITS.embedDescription),
    footer: { text: `Page ${page + 1} of ${pages}` },
    color: EMBED_COLOR,
  };
  const components = [
    ...(buttons.previous ? [{ type: 2 as const, style: 2 as const, label: 'Previous', custom_id: buttons.previous }] : []),
    ...(buttons.next ? [{ type: 2 as const, style: 2 as const, label: 'Next', custom_id: buttons.next }] : []),
  ];
  return message('', [embed], components.length ? [{ type: 1, components }] : []);
}

export interface FeedStatusLine {
  feed: string;
  lastPoll?: string;
  added: number;
  lastError?: string;
  polledElsewhere?: boolean;
}

/** /story feeds: each feed's last poll, stories added and last error. */
export function feedStatusMessage(statuses: readonly FeedStatusLine[], everyMinutes: number): ApiMessage {
  if (statuses.length === 0) return noticeMessage('I follow no feeds. List them in FEEDS (comma-separated RSS or Atom URLs) in .env and restart me.');
  const lines = statuses.map((status) => {
    if (status.polledElsewhere) return `• ${escapeMarkdown(status.feed)}: polled by another of my processes (the one connected to shard 0), which keeps its status`;
    const polled = status.lastPoll ? `last polled ${status.lastPoll.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}` : 'not polled yet';
    const error = status.lastError ? `\n  ⚠ ${escapeMarkdown(truncate(status.lastError, 300), { lineStart: false })}` : '';
    return `• ${escapeMarkdown(status.feed)}: ${polled}, ${status.added} ${status.added === 1 ? 'story' : 'stories'} added${error}`;
  });
  return message(truncate(`Feeds (polled every ${everyMinutes} min):\n${lines.join('\n')}`, DISCORD_LIMITS.content));
}

/** What the feed poller posts in ANNOUNCE_CHANNEL_ID: "New story: headline — outlet, date". */
export function announcementMessage(story: DeskStory): ApiMessage {
  const link = /^https?:\/\/\S+$/.test(story.url) ? ` <${story.url}>` : '';
  const facts = [escapeMarkdown(story.outlet), formatDate(story.published)].filter(Boolean).join(', ');
  return message(`New story: **${escapeMarkdown(story.title)}** — ${facts}${link}`);
}

/** "Check against the story": the passages that bear on a message, or that the stories don't cover it. */
export function claimCheckMessage(claim: string, result: SearchResult): ApiMessage {
  if (result.outcome.kind !== 'answered') {
    return noticeMessage("The stories don't cover this: I found no passage about it, so I can't say what they say.");
  }
  const answer = answerMessage(claim, result);
  const heading = `What the ${new Set(result.passages.map((p) => p.story.id)).size === 1 ? 'story says' : 'stories say'} about this (quoted word for word; judge for yourself):`;
  return { ...answer, content: truncate(heading, DISCORD_LIMITS.content), components: [] };
}
