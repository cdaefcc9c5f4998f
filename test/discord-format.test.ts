import { describe, expect, it } from 'vitest';
import { storyPreviewMessage } from '../src/answer/desk.js';
import { toJsonAnswer } from '../src/answer/json.js';
import { fewerPassagesNote, formatForTerminal } from '../src/answer/terminal.js';
import {
  CUT_MARK,
  DISCORD_LIMITS,
  answerMessage,
  askedQuestionFrom,
  contextMessage,
  echoQuestion,
  embedLength,
  escapeMarkdown,
  paragraphEmbeds,
  quoteParagraph,
  sourcesMessage,
  storyChoices,
  truncate,
  unescapeMarkdown,
  type ApiMessage,
} from '../src/answer/discord.js';
import type { StoredParagraph, StoredStory } from '../src/index/index.js';
import type { Passage, SearchResult } from '../src/search/index.js';
import { splitSentences } from '../src/search/sentences.js';
import { contextButtonId, moreButtonId, parseButtonId, storyByKey, storyKey } from '../src/discord/custom-id.js';

const HOSTILE = '@everyone @here <@123456789012345678> <@&1> <#2> <t:1:R> [click](https://evil.example) ```js\nboom``` **bold** __u__ ~~s~~ ||spoiler|| `code` \\ > quote # head - item 1. first :smile: *it*';

function story(overrides: Partial<StoredStory> = {}): StoredStory {
  return {
    id: 'harbor-bridge',
    file: 'harbor-bridge.md',
    title: 'Harbor Bridge to close for six weeks',
    outlet: 'The Coastal Courier',
    authors: ['Miguel Santos', 'Ana Ruiz'],
    published: '2023-06-02',
    url: 'https://example.com/harbor',
    paragraphCount: 12,
    ...overrides,
  };
}

function paragraph(text: string, number = 3, storyId = 'harbor-bridge'): StoredParagraph {
  return { id: `${storyId}:${number}`, storyId, number, text, hash: `h${number}` };
}

function passage(text: string, options: { number?: number; highlight?: { start: number; end: number }; story?: StoredStory } = {}): Passage {
  const source = options.story ?? story();
  return {
    label: 0,
    paragraph: paragraph(text, options.number, source.id),
    story: source,
    score: 0.5,
    similarity: 0.8123,
    relevance: 0.8123,
    highlight: options.highlight,
    link: source.url,
  };
}

function answered(passages: Passage[], more = false): SearchResult {
  return { question: 'q', outcome: { kind: 'answered' }, passages, more, confidence: 1, searched: [story()], timings: { embedMs: 0, searchMs: 0 } };
}

/** The paragraph text a quote shows, as a reader sees it: quote marker, bold and cut marks removed. */
function shownText(description: string): string {
  return unescapeMarkdown(description.replace(/^> /gm, '').replace(/\*\*/g, '').replace(/ \[…\]$/, '').replace(/^\[…\] /, ''));
}

function expectWithinLimits(message: ApiMessage): void {
  expect(message.content.length).toBeLessThanOrEqual(DISCORD_LIMITS.content);
  expect(message.embeds.length).toBeLessThanOrEqual(DISCORD_LIMITS.embeds);
  expect(message.components.length).toBeLessThanOrEqual(DISCORD_LIMITS.actionRows);
  expect(message.allowed_mentions).toEqual({ parse: [] });
  let total = 0;
  for (const embed of message.embeds) {
    expect(embed.title?.length ?? 0).toBeLessThanOrEqual(DISCORD_LIMITS.embedTitle);
    expect(embed.description?.length ?? 0).toBeLessThanOrEqual(DISCORD_LIMITS.embedDescription);
    expect(embed.author?.name.length ?? 0).toBeLessThanOrEqual(DISCORD_LIMITS.embedAuthor);
    expect(embed.footer?.text.length ?? 0).toBeLessThanOrEqual(DISCORD_LIMITS.embedFooter);
    total += embedLength(embed);
  }
  expect(total).toBeLessThanOrEqual(DISCORD_LIMITS.embedsTotal);
  for (const row of message.components) {
    expect(row.components.length).toBeLessThanOrEqual(DISCORD_LIMITS.buttonsPerRow);
    for (const button of row.components) expect(button.custom_id.length).toBeLessThanOrEqual(DISCORD_LIMITS.customId);
  }
}

/** Matches markdown a reader would see rendered: an unescaped special character. */
const LIVE_MARKUP = /(?<!\\)(?:\\\\)*(?:@everyone|@here|<@|<#|<t:|\[[^\]]*\]\(|```|\|\||~~)/;

const sentence = (i: number) => `Sentence number ${i} says something about the bridge and the ferries.`;
const longParagraph = (count: number) => Array.from({ length: count }, (_, i) => sentence(i + 1)).join(' ');

describe('escapeMarkdown', () => {
  it('round-trips any text and leaves no live markup', () => {
    const escaped = escapeMarkdown(HOSTILE);
    expect(unescapeMarkdown(escaped)).toBe(HOSTILE);
    expect(escaped).not.toMatch(LIVE_MARKUP);
    expect(escaped).toContain('\\@everyone');
    expect(escaped).toContain('\\<\\@123456789012345678\\>');
  });

  it('escapes block markers only at the start of a line, and keeps bare links working', () => {
    expect(escapeMarkdown('# Title\n- item\n12. list\nnot - a list')).toBe('\\# Title\n\\- item\n12\\. list\nnot - a list');
    expect(escapeMarkdown('see https://example.com/a_b*c for more_info')).toBe('see https://example.com/a_b*c for more\\_info');
  });

  it('leaves plain news prose unchanged', () => {
    const prose = 'The bridge, which opened in 1932, will close on July 10 — officials said. “It’s safe,” she said.';
    expect(escapeMarkdown(prose)).toBe(prose);
  });
});

describe('echoQuestion / askedQuestionFrom', () => {
  it('echoes a hostile question inert, and reads it back exactly', () => {
    const message = answerMessage(HOSTILE, answered([passage('The bridge closes.')]));
    expect(message.content).not.toMatch(LIVE_MARKUP);
    expect(message.content).not.toMatch(/https?:\/\//); // shown, but not a live link
    expect(askedQuestionFrom(message.content)).toBe(HOSTILE.replace(/\s+/g, ' '));
  });

  it('returns undefined for messages that are not answers', () => {
    expect(askedQuestionFrom('Context: ¶ 1–3')).toBeUndefined();
    expect(askedQuestionFrom('')).toBeUndefined();
  });

  it('keeps the longest allowed question within the content limit', () => {
    const question = '@'.repeat(300);
    expect(echoQuestion(question).length).toBe(600);
    expectWithinLimits(answerMessage(question, answered([passage('Yes.')], true)));
  });
});

describe('quoteParagraph', () => {
  it('quotes a paragraph verbatim with only the answering sentence in bold', () => {
    const text = 'First *sentence* here. The bridge closes on July 10. Third one.';
    const span = splitSentences(text)[1]!;
    const quoted = quoteParagraph(text, span, 4096);
    expect(quoted).toBe('> First \\*sentence\\* here. **The bridge closes on July 10.** Third one.');
    expect(shownText(quoted)).toBe(text);
  });

  it('cuts a long paragraph at a sentence boundary and marks the cut', () => {
    const text = longParagraph(200); // ~14,000 characters
    const quoted = quoteParagraph(text, splitSentences(text)[0], DISCORD_LIMITS.embedDescription);
    expect(quoted.length).toBeLessThanOrEqual(DISCORD_LIMITS.embedDescription);
    expect(quoted.endsWith(CUT_MARK)).toBe(true);
    const kept = shownText(quoted);
    expect(text.startsWith(kept)).toBe(true);
    expect(kept.endsWith('ferries.')).toBe(true);
  });

  it('keeps the answering sentence when it lies beyond the budget', () => {
    const text = longParagraph(200);
    const spans = splitSentences(text);
    const quoted = quoteParagraph(text, spans[150], 1000);
    expect(quoted.length).toBeLessThanOrEqual(1000);
    expect(quoted).toMatch(/^> \[…\] \*\*Sentence number 151 /);
    expect(text).toContain(shownText(quoted));
  });

  it('cuts one giant sentence between words', () => {
    const text = `${'word '.repeat(2000)}end.`;
    const quoted = quoteParagraph(text, { start: 0, end: text.length }, DISCORD_LIMITS.embedDescription);
    expect(quoted.length).toBeLessThanOrEqual(DISCORD_LIMITS.embedDescription);
    expect(quoted).toMatch(/^> \*\*word word .*word\*\* \[…\]$/);
  });

  it('never splits an escape when markdown-heavy text is cut', () => {
    const text = Array.from({ length: 300 }, (_, i) => `Item_${i} costs *${i}* <dollars>.`).join(' ');
    const quoted = quoteParagraph(text, undefined, 500);
    expect(quoted.length).toBeLessThanOrEqual(500);
    expect(text.startsWith(shownText(quoted))).toBe(true);
  });
});

describe('paragraphEmbeds and answerMessage', () => {
  it('attributes each passage: outlet, linked headline, byline, date, paragraph and relevance', () => {
    const text = 'The Harbor Bridge will close. Ferries will run.';
    const message = answerMessage('When?', answered([passage(text, { number: 3, highlight: { start: 0, end: 29 } })]), {
      actions: { more: 'v1:more:3:3:', context: 'v1:ctx:3:harbor-bridge' },
    });
    expect(message.content).toBe('**Q:** When?');
    expect(message.embeds).toEqual([
      expect.objectContaining({
        author: { name: 'The Coastal Courier' },
        title: 'Harbor Bridge to close for six weeks',
        url: 'https://example.com/harbor',
        description: '> **The Harbor Bridge will close.** Ferries will run.',
        footer: { text: 'Miguel Santos and Ana Ruiz · June 2, 2023 · ¶ 3 of 12 · relevance 0.81' },
      }),
    ]);
    expect(message.components).toEqual([
      {
        type: 1,
        components: [
          { type: 2, style: 1, label: 'More passages', custom_id: 'v1:more:3:3:' },
          { type: 2, style: 2, label: 'Show context', custom_id: 'v1:ctx:3:harbor-bridge' },
        ],
      },
    ]);
  });

  it('links the headline to the quoted sentence, and shows an undated story with no date rather than a wrong one', () => {
    const text = 'The Harbor Bridge will close. Ferries will run.';
    const link = 'https://example.com/harbor#:~:text=The%20Harbor%20Bridge%20will%20close.';
    const quoted = { ...passage(text, { highlight: { start: 0, end: 29 }, story: story({ published: undefined }) }), link };
    const [embed] = answerMessage('When?', answered([quoted])).embeds!;
    expect(embed).toMatchObject({ url: link, footer: { text: 'Miguel Santos and Ana Ruiz · ¶ 3 of 12 · relevance 0.81' } });
    expect(toJsonAnswer('When?', answered([quoted])).passages[0]).toMatchObject({ link, source: { published: null, url: 'https://example.com/harbor' } });
    const terminal = formatForTerminal('When?', answered([quoted]));
    expect(terminal).toContain('— “Harbor Bridge to close for six weeks” — The Coastal Courier, by Miguel Santos and Ana Ruiz, ¶ 3 of 12\n');
    expect(terminal).toContain(`   ${link}\n`);
    const preview = storyPreviewMessage({ ...story({ published: undefined }), paragraphs: [text] }, { add: 'a', cancel: 'c' });
    expect(preview.content).toMatch(/gives no date/);
    expect(preview.embeds![0]!.author!.name).toBe('The Coastal Courier · by Miguel Santos and Ana Ruiz');
  });

  it('shares the 6000-character total between five long passages', () => {
    const passages = Array.from({ length: 5 }, (_, i) => passage(longParagraph(60 + i), { number: i + 1 }));
    const message = answerMessage('Long?', answered(passages, true), { actions: { more: 'x', context: 'y' } });
    expectWithinLimits(message);
    expect(message.embeds).toHaveLength(5);
    for (const [i, embed] of message.embeds.entries()) {
      expect(embed.description).toMatch(/ \[…\]$/);
      expect(passages[i]!.paragraph.text.startsWith(shownText(embed.description!))).toBe(true);
    }
  });

  it('keeps short passages whole next to a long one', () => {
    const message = answerMessage('Mixed?', answered([passage('Short one.'), passage(longParagraph(300)), passage('Another short one.')]));
    expectWithinLimits(message);
    expect(message.embeds[0]!.description).toBe('> Short one.');
    expect(message.embeds[2]!.description).toBe('> Another short one.');
  });

  it('truncates absurd headlines, outlets and bylines', () => {
    const huge = story({ title: '*'.repeat(400), outlet: 'O'.repeat(400), authors: Array.from({ length: 300 }, (_, i) => `Author ${i}`) });
    const message = answerMessage('?', answered(Array.from({ length: 5 }, () => passage(longParagraph(80), { story: huge }))));
    expectWithinLimits(message);
    expect(message.embeds[0]!.title).toMatch(/^(\\\*)+…$/);
  });

  it('shows an interview answer under the interviewer\'s question, in italics, and drops the question before the answer when room is short', () => {
    const answer = { ...passage('A: Few people want to live alone on a rock, and the pay has not *changed* since 1998.'), inReplyTo: paragraph('Q: Why is it hard to find a new keeper?', 2) };
    const message = answerMessage('Why no new keeper?', answered([answer]));
    expectWithinLimits(message);
    expect(message.embeds[0]!.description).toBe('> *Q: Why is it hard to find a new keeper?*\n> A: Few people want to live alone on a rock, and the pay has not \\*changed\\* since 1998.');
    // Five long answers to long questions: each keeps its quote; a question shows only where it leaves the answer room.
    const crowded = Array.from({ length: 5 }, (_, i) => ({ ...passage(longParagraph(60 + i), { number: i + 1 }), inReplyTo: paragraph(`Q: ${'Why is that so? '.repeat(40)}`, i) }));
    const full = answerMessage('Long?', answered(crowded));
    expectWithinLimits(full);
    for (const [i, embed] of full.embeds.entries()) {
      const quote = embed.description!.replace(/^> \*Q:[^\n]*\n/, '');
      expect(crowded[i]!.paragraph.text.startsWith(shownText(quote))).toBe(true);
      expect(shownText(quote).length).toBeGreaterThan(200);
    }
  });

  it('shows the interviewer\'s question above the answer on a terminal and in JSON too', () => {
    const answer = { ...passage('A: The foghorn at dawn.', { number: 5 }), inReplyTo: paragraph('Q: What will you miss most?', 4) };
    const shown = formatForTerminal('What will she miss?', answered([answer]));
    expect(shown).toContain('1. Q: What will you miss most?\n   A: The foghorn at dawn.');
    expect(toJsonAnswer('What will she miss?', answered([answer])).passages[0]!.inReplyTo).toEqual({ paragraph: 4, text: 'Q: What will you miss most?' });
    expect(toJsonAnswer('?', answered([passage('Plain.')])).passages[0]).not.toHaveProperty('inReplyTo');
  });

  it('leaves out a link that is not http(s)', () => {
    expect(paragraphEmbeds([{ story: story({ url: 'javascript:alert(1)' }), paragraph: paragraph('Hi.') }])[0]!.url).toBeUndefined();
  });
});

describe('refusals', () => {
  const refused = (kind: 'empty' | 'not-in-story', searched: StoredStory[]): SearchResult => ({
    question: '',
    outcome: { kind },
    passages: [],
    more: false,
    confidence: 0,
    searched,
    timings: { embedMs: 0, searchMs: 0 },
  });

  it('says plainly when the stories do not say, naming what was searched', () => {
    const message = answerMessage('Who won?', refused('not-in-story', [story(), story({ title: 'Library *reopens*', outlet: 'Ledger' })]));
    expect(message.content).toBe(
      "**Q:** Who won?\nThe 2 stories don't say. I searched “Harbor Bridge to close for six weeks” (The Coastal Courier), “Library \\*reopens\\*” (Ledger).",
    );
    expect(message.embeds).toEqual([]);
    expect(message.components).toEqual([]);
  });

  it('words the refusal by the number of stories searched, on Discord and on the terminal', () => {
    const one = refused('not-in-story', [story()]);
    const four = refused('not-in-story', ['a', 'b', 'c', 'd'].map((id) => story({ id, title: `Headline ${id}` })));
    expect(answerMessage('Who won?', one).content).toBe("**Q:** Who won?\nThe story doesn't say. I searched “Harbor Bridge to close for six weeks” (The Coastal Courier).");
    expect(answerMessage('Who won?', four).content).toMatch(/^\*\*Q:\*\* Who won\?\nThe 4 stories don't say\. I searched “Headline a”/);
    expect(formatForTerminal('Who won?', one)).toBe("Q: Who won?\n\nThe story doesn't say. Searched: “Harbor Bridge to close for six weeks” (The Coastal Courier).");
    expect(formatForTerminal('Who won?', four)).toMatch(/^Q: Who won\?\n\nThe 4 stories don't say\. Searched: “Headline a”/);
  });

  it('says why an answer quotes fewer passages than asked for, by mode; nothing when it quotes them all or refuses', () => {
    const one = answered([passage('The only paragraph with the word.')]);
    expect(fewerPassagesNote(one, 5, 'bm25')).toBe(
      "Only 1 of the 5 passages asked for: bm25 quotes only paragraphs that hold the question's words (--mode hybrid also finds paragraphs by meaning).",
    );
    expect(fewerPassagesNote(one, 5, 'hybrid')).toBe('Only 1 of the 5 passages asked for: the stories that match the question hold no more.');
    expect(fewerPassagesNote(one, 1, 'bm25')).toBeUndefined();
    expect(fewerPassagesNote(refused('not-in-story', [story()]), 5, 'bm25')).toBeUndefined();
  });

  it('shortens a long list of searched stories', () => {
    const many = Array.from({ length: 500 }, (_, i) => story({ id: `s${i}`, title: `A rather long headline number ${i}` }));
    const message = answerMessage('Who won?', refused('not-in-story', many));
    expectWithinLimits(message);
    expect(message.content).toMatch(/ and \d+ more\.$/);
  });

  it('asks for a question in words', () => {
    expect(answerMessage('???', refused('empty', [story()])).content).toBe('**Q:** ???\nAsk me a question in words, e.g. “When does the bridge close?”.');
  });
});

describe('contextMessage, sourcesMessage, storyChoices', () => {
  it('shows the paragraphs around a passage in order', () => {
    const message = contextMessage(story(), [paragraph('Before.', 2), paragraph('The passage.', 3), paragraph('After.', 4)], 3);
    expect(message.content).toBe('Context: ¶ 2–4 of “Harbor Bridge to close for six weeks”, around ¶ 3.');
    expect(message.embeds.map((embed) => embed.description)).toEqual(['> Before.', '> The passage.', '> After.']);
    expect(message.embeds.map((embed) => embed.footer?.text)).toEqual([
      'Miguel Santos and Ana Ruiz · June 2, 2023 · ¶ 2 of 12',
      'Miguel Santos and Ana Ruiz · June 2, 2023 · ¶ 3 of 12',
      'Miguel Santos and Ana Ruiz · June 2, 2023 · ¶ 4 of 12',
    ]);
  });

  it('lists sources with outlet, date, paragraph count and build time, within limits', () => {
    const message = sourcesMessage([story()], { builtAt: '2024-03-01T12:30:00.000Z', model: { id: 'use-lite-static', hash: 'h', dimensions: 512 } });
    expect(message.embeds[0]!.description).toBe('**Harbor Bridge to close for six weeks** — The Coastal Courier, June 2, 2023, 12 paragraphs');
    expect(message.embeds[0]!.footer?.text).toBe('Index built 2024-03-01 12:30:00 UTC · model use-lite-static');
    // Thousands of stories: a page at a time, newest first, with the buttons it is given.
    const many = Array.from({ length: 400 }, (_, i) => story({ id: `s${i}`, title: `Story ${i} ${'y'.repeat(300)}`, published: `2024-01-${String((i % 28) + 1).padStart(2, '0')}` }));
    const manifest = { builtAt: 'x', model: { id: 'm', hash: 'h', dimensions: 1 } };
    const first = sourcesMessage(many, manifest, 0, { next: 'v1:src:1' });
    expectWithinLimits(first);
    expect(first.embeds[0]!.description!.split('\n')).toHaveLength(15);
    expect(first.embeds[0]!.description).toMatch(/January 28, 2024/);
    expect(first.embeds[0]!.footer?.text).toMatch(/page 1 of 27$/);
    expect(first.components[0]!.components.map((button) => button.label)).toEqual(['Next']);
    const last = sourcesMessage(many, manifest, 26, { previous: 'v1:src:25' });
    expect(last.embeds[0]!.description!.split('\n')).toHaveLength(400 - 26 * 15);
    expect(last.components[0]!.components.map((button) => button.label)).toEqual(['Previous']);
  });

  it('offers at most 25 matching stories, titles as names and ids as values', () => {
    const many = Array.from({ length: 40 }, (_, i) => story({ id: `s${i}`, title: `${i % 2 ? 'Bridge' : 'Library'} ${i} ${'x'.repeat(120)}` }));
    const choices = storyChoices(many, 'bridge');
    expect(choices).toHaveLength(20);
    expect(choices[0]).toEqual({ name: expect.stringMatching(/^Bridge 1 x+…$/), value: 's1' });
    expect(choices.every((choice) => choice.name.length <= DISCORD_LIMITS.choiceName)).toBe(true);
    expect(storyChoices(many, '')).toHaveLength(25);
  });

  it('ranks choices by how well they match, then newest first', () => {
    const stories = [
      story({ id: 'old-bridge', title: 'Harbor Bridge closes', published: '2023-01-02' }),
      story({ id: 'new-bridge', title: 'Harbor Bridge reopens', published: '2024-05-06' }),
      story({ id: 'drawbridge', title: 'Drawbridge festival returns', published: '2024-07-01' }),
      story({ id: 'library', title: 'Library reopens', published: '2024-08-01' }),
    ];
    expect(storyChoices(stories, 'bridge').map((choice) => choice.value)).toEqual(['new-bridge', 'old-bridge', 'drawbridge']);
    expect(storyChoices(stories, 'harbor reopens').map((choice) => choice.value)).toEqual(['new-bridge']);
    expect(storyChoices(stories, '').map((choice) => choice.value)).toEqual(['library', 'drawbridge', 'new-bridge', 'old-bridge']);
  });
});

describe('button custom ids', () => {
  it('round-trip within 100 characters, even for very long story ids', () => {
    const longId = `a-${'very-long-slug-'.repeat(12)}story`;
    const more = moreButtonId({ offset: 3, topK: 5, storyId: longId });
    const context = contextButtonId({ storyId: longId, paragraph: 123456 });
    expect(more.length).toBeLessThanOrEqual(DISCORD_LIMITS.customId);
    expect(context.length).toBeLessThanOrEqual(DISCORD_LIMITS.customId);
    const stories = [story(), story({ id: longId })];
    const parsedMore = parseButtonId(more);
    expect(parsedMore).toEqual({ kind: 'more', offset: 3, topK: 5, storyKey: storyKey(longId) });
    expect(storyByKey(stories, storyKey(longId))?.id).toBe(longId);
    expect(parseButtonId(context)).toEqual({ kind: 'context', paragraph: 123456, storyKey: storyKey(longId) });
    expect(parseButtonId(moreButtonId({ offset: 6, topK: 3 }))).toEqual({ kind: 'more', offset: 6, topK: 3, storyKey: undefined });
    expect(parseButtonId('v1:ctx:3:harbor-bridge')).toEqual({ kind: 'context', paragraph: 3, storyKey: 'harbor-bridge' });
  });

  it('rejects ids it did not make', () => {
    for (const forged of ['more', 'v0:more:3:3:', 'v1:more:0:3:', 'v1:more:3:9:', 'v1:more:x:3:', 'v1:ctx:0:s', 'v1:ctx:3:', 'v1:drop:1:2:3']) {
      expect(parseButtonId(forged)).toBeUndefined();
    }
  });
});

// Rules from docs/reliability.md, each written before reading the code that holds it.
describe('cuts and the echoed question', () => {
  const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

  it('a long question is echoed cut at 1,000 characters, so the answer keeps its room', () => {
    const question = 'Why did the harbour board vote for the ferry fare freeze this winter '.repeat(150); // over 10,000 characters
    const message = answerMessage(question, answered([passage('The bridge closes.')]));
    const [heading] = message.content!.split('\n');
    const echoed = heading!.replace(/^\*\*Q:\*\* /, '');
    expect(echoed).not.toBe(heading);
    expect(echoed.length).toBeLessThanOrEqual(1000);
    expect(echoed.length).toBeGreaterThan(900);
    expect(echoed.endsWith('…')).toBe(true);
  });

  it('a cut never leaves half an emoji, wherever it falls', () => {
    const emoji = '😀'.repeat(40);
    for (let max = 4; max <= 60; max++) {
      const cut = truncate(emoji, max);
      expect(cut.length, `max ${max}`).toBeLessThanOrEqual(max);
      expect(cut, `max ${max}`).not.toMatch(LONE_SURROGATE);
    }
    const message = answerMessage('🌉'.repeat(1500), answered([passage('The bridge closes.')]));
    expect(message.content).not.toMatch(LONE_SURROGATE);
  });
});

describe('buttons from another version', () => {
  it('a button id of another version is not read as this version’s, whatever follows', () => {
    const ids = [moreButtonId({ offset: 3, topK: 3 }), contextButtonId({ paragraph: 2, storyId: 'harbor-bridge' })];
    for (const id of ids) {
      expect(parseButtonId(id), id).toBeDefined();
      const [version, ...rest] = id.split(':');
      for (const other of ['v0', 'v2', `${version}x`, '']) expect(parseButtonId([other, ...rest].join(':')), other).toBeUndefined();
    }
  });
});

