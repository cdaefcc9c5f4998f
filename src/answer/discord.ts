// Answers as Discord API message objects (plain JSON, no discord.js types), within every limit.
// Markdown in story text and questions is escaped so it renders exactly as written; the bold
// around the answering sentence is the only markup added to a quote.
import type { Manifest, StoredParagraph, StoredStory } from '../index/index.js';
import type { SearchResult } from '../search/index.js';
import { splitSentences, type SentenceSpan } from '../search/sentences.js';
import { byline, formatDate, newestFirst, paragraphLabel, refusalSentence } from './attribution.js';

/** Discord's limits, in characters unless named otherwise. */
export const DISCORD_LIMITS = {
  content: 2000,
  embeds: 10,
  embedTitle: 256,
  embedDescription: 4096,
  embedAuthor: 256,
  embedFooter: 2048,
  /** Title + description + author + footer (+ fields) of all embeds of one message. */
  embedsTotal: 6000,
  actionRows: 5,
  buttonsPerRow: 5,
  buttonLabel: 80,
  customId: 100,
  choices: 25,
  choiceName: 100,
  choiceValue: 100,
} as const;

export interface ApiEmbed {
  author?: { name: string };
  title?: string;
  url?: string;
  description?: string;
  footer?: { text: string };
  timestamp?: string;
  color?: number;
}

export interface ApiButton {
  type: 2;
  /** 1 primary, 2 secondary, 3 success. */
  style: 1 | 2 | 3;
  label: string;
  custom_id: string;
}

export interface ApiActionRow {
  type: 1;
  components: ApiButton[];
}

export interface ApiMessage {
  content: string;
  embeds: ApiEmbed[];
  components: ApiActionRow[];
  /** Always none: nothing the bot says pings anyone. */
  allowed_mentions: { parse: [] };
}

/** Marks where a quoted paragraph was cut; the words themselves are never changed. */
export const CUT_MARK = ' […]';
const LEAD_MARK = '[…] ';
const QUESTION_PREFIX = '**Q:** ';
/** The echoed question is cut here, so a very long one cannot crowd the answer out of the message. */
const ECHO_MAX = 1000;
const EMBED_COLOR = 0x3b6ea5;
const FOOTER_MAX = 400;

// ---------------------------------------------------------------------------------------------
// Escaping

/** Bare links: left as written, so they still work (markdown inside a link is not read). */
const BARE_URL = /(https?:\/\/[^\s<>]*[^\s<>.,:;!?"'’”)\]])/;

/**
 * Backslash-escapes everything Discord would read as markdown, a mention, an emoji/timestamp tag
 * or a masked link. Discord drops a backslash before any punctuation, so the text renders as written.
 */
export function escapeMarkdown(text: string, { lineStart = true }: { lineStart?: boolean } = {}): string {
  return text
    .split(BARE_URL)
    .map((part, i) => (i % 2 === 1 ? part : escapePlain(part, lineStart && i === 0)))
    .join('');
}

function escapePlain(text: string, lineStart: boolean): string {
  const escaped = text.replace(/[\\*_~`|<>[\]@]/g, '\\$&');
  // Headings, lists and subtext only count at the start of a line ('>' is escaped everywhere).
  return escaped.replace(/(^|\n)([ \t]*)([#+-]|\d+(?=\.))/g, (match, newline: string, indent: string, marker: string, offset: number) => {
    if (offset === 0 && newline === '' && !lineStart) return match;
    return /^\d/.test(marker) ? `${newline}${indent}${marker}\\` : `${newline}${indent}\\${marker}`;
  });
}

/** The text `escapeMarkdown` (or `echoQuestion`) was given. */
export function unescapeMarkdown(text: string): string {
  return text.replace(/\\([^0-9A-Za-z\s])/g, '$1');
}

/** A person's question as shown back: one line, escaped, links shown but not live. */
export function echoQuestion(asked: string): string {
  return escapePlain(asked.replace(/\s+/g, ' ').trim(), true).replace(/:\/\//g, ':\\/\\/');
}

/** The question an answer message was given, read back from its content (for its buttons). */
export function askedQuestionFrom(content: string): string | undefined {
  const firstLine = content.split('\n', 1)[0] ?? '';
  if (!firstLine.startsWith(QUESTION_PREFIX)) return undefined;
  const question = unescapeMarkdown(firstLine.slice(QUESTION_PREFIX.length)).trim();
  return question || undefined;
}

// ---------------------------------------------------------------------------------------------
// Quoting a paragraph within a budget

/** `text` cut to `max` at a word boundary, with "…"; never ends inside an escape. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  // Never half an emoji (a UTF-16 surrogate pair).
  let cut = text.slice(0, Math.max(0, max - 1)).replace(/[\uD800-\uDBFF]$/, '');
  const space = cut.lastIndexOf(' ');
  if (space > max / 2) cut = cut.slice(0, space);
  cut = cut.trimEnd().replace(/(?<!\\)(\\\\)*\\$/, '$1');
  return `${cut}…`;
}

function quoteLines(text: string): string {
  return `> ${text.replace(/\n/g, '\n> ')}`;
}

/** `text[from, to)` escaped, with the part inside `highlight` in bold, quoted. */
function renderRange(text: string, from: number, to: number, highlight: SentenceSpan | undefined, lead: boolean, cut: boolean): string {
  let start = highlight ? Math.max(from, highlight.start) : to;
  const end = highlight ? Math.min(to, highlight.end) : to;
  // The markers hug the sentence's first and last characters (white space inside them breaks the
  // bold): whatever the script, with or without spaces between sentences (Chinese, Thai).
  while (start < end && /\s/u.test(text[start]!)) start++;
  const boldText = start < end ? text.slice(start, end).trimEnd() : '';
  let body: string;
  if (boldText) {
    const before = text.slice(from, start);
    const after = text.slice(start + boldText.length, to);
    body = `${escapeMarkdown(before)}**${escapeMarkdown(boldText, { lineStart: before === '' })}**${escapeMarkdown(after, { lineStart: false })}`;
  } else {
    body = escapeMarkdown(text.slice(from, to));
  }
  return quoteLines(`${lead ? LEAD_MARK : ''}${body}${cut ? CUT_MARK : ''}`);
}

/**
 * The paragraph as a markdown quote of at most `budget` characters, answering sentence in bold.
 * Too long, it keeps whole sentences around the answering one and marks the cut with "[…]";
 * only a single sentence longer than the budget is cut between words.
 */
export function quoteParagraph(text: string, highlight: SentenceSpan | undefined, budget: number): string {
  const full = renderRange(text, 0, text.length, highlight, false, false);
  if (full.length <= budget) return full;
  const sentences = splitSentences(text);
  if (sentences.length === 0) return '';
  const last = sentences.length - 1;
  const render = (a: number, b: number) => renderRange(text, sentences[a]!.start, sentences[b]!.end, highlight, a > 0, b < last);
  const fits = (a: number, b: number) => render(a, b).length <= budget;

  const answering = highlight ? Math.max(0, sentences.findIndex((span) => span.end > highlight.start)) : 0;
  const first = fits(0, answering) ? 0 : answering;
  if (!fits(first, first)) return cutBetweenWords(text, sentences[first]!, highlight, first > 0, budget);
  let end = first;
  while (end < last && fits(first, end + 1)) end++;
  return render(first, end);
}

function cutBetweenWords(text: string, sentence: SentenceSpan, highlight: SentenceSpan | undefined, lead: boolean, budget: number): string {
  const breaks: number[] = [];
  for (let at = sentence.start + 1; at < sentence.end; at++) if (/\s/.test(text[at]!) && !/\s/.test(text[at - 1]!)) breaks.push(at);
  let low = 0;
  let high = breaks.length - 1;
  let best = '';
  while (low <= high) {
    const mid = (low + high) >> 1;
    const candidate = renderRange(text, sentence.start, breaks[mid]!, highlight, lead, true);
    if (candidate.length <= budget) {
      best = candidate;
      low = mid + 1;
    } else {
      high = mid - 1;
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Embeds

/** One paragraph to show, with what it is attributed to. */
export interface QuotedParagraph {
  story: StoredStory;
  paragraph: Pick<StoredParagraph, 'number' | 'text'>;
  highlight?: SentenceSpan;
  /** Where the headline links: the story, opened on the quoted sentence where possible (default: the story's address). */
  link?: string;
  /** How well the passage answers (0–1, falling with the order), when there is a question. */
  relevance?: number;
  /** In an interview, the interviewer's question the paragraph answers: shown above it, in italics. */
  inReplyTo?: string;
}

/** Longest interviewer's question shown above an answer: room for the quote itself stays. */
const IN_REPLY_TO_MAX = 300;

/** The interviewer's question as an italic quoted line (with its line break), or '' when there is none. */
function inReplyToLine(item: QuotedParagraph): string {
  if (!item.inReplyTo) return '';
  const question = truncate(item.inReplyTo.replace(/\s+/g, ' ').trim(), IN_REPLY_TO_MAX);
  return `${quoteLines(`*${escapeMarkdown(question, { lineStart: false })}*`)}\n`;
}

function embedFrame(item: QuotedParagraph): ApiEmbed {
  const { story, paragraph } = item;
  const footer = [
    byline(story.authors),
    formatDate(story.published),
    paragraphLabel(paragraph.number, story),
    item.relevance === undefined ? '' : `relevance ${item.relevance.toFixed(2)}`,
  ].filter(Boolean);
  return {
    // Author names and footers are not markdown: shown as written.
    author: { name: truncate(story.outlet, DISCORD_LIMITS.embedAuthor) },
    title: truncate(escapeMarkdown(story.title), DISCORD_LIMITS.embedTitle),
    ...(/^https?:\/\/\S+$/.test(item.link ?? story.url) ? { url: item.link ?? story.url } : {}),
    // Far below Discord's 2048, so a long author list cannot crowd out the quotes.
    footer: { text: truncate(footer.join(' · '), FOOTER_MAX) },
    color: EMBED_COLOR,
  };
}

/** Characters an embed counts toward the message total. */
export function embedLength(embed: ApiEmbed): number {
  return (embed.title?.length ?? 0) + (embed.description?.length ?? 0) + (embed.author?.name.length ?? 0) + (embed.footer?.text.length ?? 0);
}

/**
 * One embed per paragraph. The 6000-character total is shared fairly: short quotes keep all
 * their text and the long ones split what is left.
 */
export function paragraphEmbeds(items: readonly QuotedParagraph[]): ApiEmbed[] {
  const shown = items.slice(0, DISCORD_LIMITS.embeds);
  const frames = shown.map(embedFrame);
  const leads = shown.map(inReplyToLine);
  const wanted = shown.map((item, i) => leads[i]!.length + renderRange(item.paragraph.text, 0, item.paragraph.text.length, item.highlight, false, false).length);
  let left = DISCORD_LIMITS.embedsTotal - frames.reduce((sum, frame) => sum + embedLength(frame), 0);
  const budgets = new Array<number>(shown.length).fill(0);
  const bySize = shown.map((_, i) => i).sort((a, b) => wanted[a]! - wanted[b]!);
  bySize.forEach((index, rank) => {
    const share = Math.floor(left / (bySize.length - rank));
    budgets[index] = Math.max(0, Math.min(wanted[index]!, share, DISCORD_LIMITS.embedDescription));
    left -= budgets[index]!;
  });
  const embeds = shown.map((item, i) => {
    // The interviewer's question only when the answer itself still fits beside it.
    const lead = leads[i]!.length * 2 <= budgets[i]! ? leads[i]! : '';
    const quote = quoteParagraph(item.paragraph.text, item.highlight, budgets[i]! - lead.length);
    const description = quote ? `${lead}${quote}` : '';
    return description ? { ...frames[i], description } : frames[i]!;
  });
  // Only absurd headlines and bylines get here: drop passages rather than break the message.
  while (embeds.reduce((sum, embed) => sum + embedLength(embed), 0) > DISCORD_LIMITS.embedsTotal) embeds.pop();
  return embeds;
}

// ---------------------------------------------------------------------------------------------
// Messages

/** Buttons under an answer, as custom ids (made by the Discord layer); omitted ones are not shown. */
export interface AnswerActions {
  more?: string;
  context?: string;
}

function message(content: string, embeds: ApiEmbed[] = [], components: ApiActionRow[] = []): ApiMessage {
  return { content: truncate(content, DISCORD_LIMITS.content), embeds, components, allowed_mentions: { parse: [] } };
}

/** A plain notice (refusals, errors, cooldowns). `text` is the bot's own words: not escaped. */
export function noticeMessage(text: string): ApiMessage {
  return message(text);
}

function storyList(stories: readonly StoredStory[], room: number): string {
  const names = stories.map((story) => `“${escapeMarkdown(story.title)}” (${escapeMarkdown(story.outlet)})`);
  for (let shown = names.length; shown > 0; shown--) {
    const rest = names.length - shown;
    const list = names.slice(0, shown).join(', ') + (rest > 0 ? ` and ${rest} more` : '');
    if (list.length <= room) return list;
  }
  return `${names.length} ${names.length === 1 ? 'story' : 'stories'}`;
}

/** The reply to a question: passages as embeds, or a plain "the story doesn't say" (in the number of stories searched). */
export function answerMessage(asked: string, result: SearchResult, options: { offset?: number; actions?: AnswerActions } = {}): ApiMessage {
  const echo = truncate(echoQuestion(asked), ECHO_MAX);
  const heading = echo ? `${QUESTION_PREFIX}${echo}` : '';
  if (result.outcome.kind === 'empty') {
    return message([heading, 'Ask me a question in words, e.g. “When does the bridge close?”.'].filter(Boolean).join('\n'));
  }
  if (result.outcome.kind === 'not-in-story') {
    const intro = `${heading}\n${refusalSentence(result.searched.length)} I searched `;
    return message(`${intro}${storyList(result.searched, DISCORD_LIMITS.content - intro.length - 1)}.`);
  }
  const offset = options.offset ?? 0;
  const range = offset > 0 ? `\nMore passages (${offset + 1}–${offset + result.passages.length}):` : '';
  const embeds = paragraphEmbeds(
    result.passages.map((passage) => ({
      story: passage.story,
      paragraph: passage.paragraph,
      highlight: passage.highlight,
      link: passage.link,
      relevance: passage.relevance,
      ...(passage.inReplyTo ? { inReplyTo: passage.inReplyTo.text } : {}),
    })),
  );
  const buttons: ApiButton[] = [];
  if (options.actions?.more) buttons.push({ type: 2, style: 1, label: 'More passages', custom_id: options.actions.more });
  if (options.actions?.context) buttons.push({ type: 2, style: 2, label: 'Show context', custom_id: options.actions.context });
  const rows: ApiActionRow[] = buttons.length > 0 ? [{ type: 1, components: buttons }] : [];
  return message(`${heading}${range}`, embeds, rows);
}

/** Paragraphs around a passage, in story order; `center` is the passage's paragraph number. */
export function contextMessage(story: StoredStory, paragraphs: readonly StoredParagraph[], center: number): ApiMessage {
  const first = paragraphs[0]?.number ?? center;
  const last = paragraphs.at(-1)?.number ?? center;
  const content = `Context: ¶ ${first}–${last} of “${escapeMarkdown(story.title)}”, around ¶ ${center}.`;
  return message(content, paragraphEmbeds(paragraphs.map((paragraph) => ({ story, paragraph }))));
}

/** Stories on one page of `/sources`. */
export const SOURCES_PAGE_SIZE = 15;

/**
 * `/sources`: what the bot can quote and when the index was built, newest stories first, a page
 * at a time (`buttons` are the Previous / Next custom ids, when there is such a page).
 */
export function sourcesMessage(
  stories: readonly StoredStory[],
  manifest: Pick<Manifest, 'builtAt' | 'model'>,
  page = 0,
  buttons: { previous?: string; next?: string } = {},
  /** Said under the count when the index is behind the corpus folder (see `driftSentence`). */
  behind?: string,
): ApiMessage {
  const pages = Math.max(1, Math.ceil(stories.length / SOURCES_PAGE_SIZE));
  const newest = [...stories].sort(newestFirst);
  const lines = newest
    .slice(page * SOURCES_PAGE_SIZE, (page + 1) * SOURCES_PAGE_SIZE)
    // Long headlines and outlets are cut so that a full page always fits one embed.
    .map(
      (story) =>
        `**${escapeMarkdown(truncate(story.title, 150))}** — ${[escapeMarkdown(truncate(story.outlet, 60)), formatDate(story.published), `${story.paragraphCount} ${story.paragraphCount === 1 ? 'paragraph' : 'paragraphs'}`].filter(Boolean).join(', ')}`,
    );
  const paragraphs = stories.reduce((sum, story) => sum + story.paragraphCount, 0);
  const builtAt = new Date(manifest.builtAt);
  const built = Number.isNaN(builtAt.getTime()) ? manifest.builtAt : builtAt.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  const pageNote = pages > 1 ? ` · page ${page + 1} of ${pages}` : '';
  const embed: ApiEmbed = {
    title: `Indexed stories (${stories.length})`,
    description: lines.join('\n') || 'No stories are indexed.',
    footer: { text: truncate(`Index built ${built} · model ${manifest.model.id}${pageNote}`, DISCORD_LIMITS.embedFooter) },
    color: EMBED_COLOR,
  };
  const row: ApiButton[] = [
    ...(buttons.previous ? [{ type: 2 as const, style: 2 as const, label: 'Previous', custom_id: buttons.previous }] : []),
    ...(buttons.next ? [{ type: 2 as const, style: 2 as const, label: 'Next', custom_id: buttons.next }] : []),
  ];
  const count = `I quote from ${stories.length} ${stories.length === 1 ? 'story' : 'stories'} (${paragraphs} paragraphs).`;
  return message(behind ? `${count}\n${escapeMarkdown(behind)}` : count, [embed], row.length ? [{ type: 1, components: row }] : []);
}

/**
 * Autocomplete choices for a story option: the stories whose headline, outlet or id match what
 * was typed, best match first (every typed word at the start of a headline word beats a match
 * inside a word), newest first among equals; with nothing typed, the newest stories.
 */
export function storyChoices(stories: readonly StoredStory[], typed: string): Array<{ name: string; value: string }> {
  const words = typed.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const ranked: Array<{ story: StoredStory; score: number }> = [];
  for (const story of stories) {
    if (story.id.length > DISCORD_LIMITS.choiceValue) continue;
    const score = words.length ? matchScore(`${story.title} ${story.outlet}`.toLowerCase(), story.id, words) : 1;
    if (score > 0) ranked.push({ story, score });
  }
  return ranked
    .sort((a, b) => b.score - a.score || newestFirst(a.story, b.story))
    .slice(0, DISCORD_LIMITS.choices)
    .map(({ story }) => ({ name: truncate(`${story.title} (${story.outlet})`, DISCORD_LIMITS.choiceName), value: story.id }));
}

/** 0 when a typed word is missing; otherwise more for each word found at the start of a word. */
function matchScore(text: string, id: string, words: readonly string[]): number {
  let score = 1;
  for (const word of words) {
    const at = text.indexOf(word);
    if (at < 0 && !id.includes(word)) return 0;
    if (at === 0 || (at > 0 && /[\s“"'(-]/.test(text[at - 1]!))) score += 2;
    else score += 1;
  }
  return score;
}
