// Hostile questions, in the terminal (one `scripts/ask.ts --json` process reading them all) and on
// Discord (one in-process bot answering them all): each is answered or clearly refused, nothing
// pings, nothing the user typed renders as live markdown.
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DISCORD_LIMITS, embedLength, unescapeMarkdown } from '../src/answer/discord.js';
import { formatForTerminal } from '../src/answer/terminal.js';
import { loadCorpus, type Story } from '../src/corpus/index.js';
import type { SearchResult } from '../src/search/index.js';
import { askCommand, embedsOf, sentMessages, startBotHarness, type BotHarness } from './helpers/bot-harness.js';
import { FIXTURE_CORPUS, tempDir } from './helpers/corpus.js';
import { STACK_LINE, killChildren, runProject } from './helpers/processes.js';
import { SHIPPED_CORPUS } from './helpers/project.js';
import type { MessageBody } from './fake-discord.js';

/** [name, question]; `{{P1}}` stands for the first paragraph of the corpus, pasted back. */
const HOSTILE: Array<[string, string]> = [
  ['emoji only', '🔥🙂👍🏽🏳️‍🌈'],
  ['10,000 characters', 'Who was at the meeting and what was said there? '.repeat(210).slice(0, 10_000)],
  ['zero-width and control characters', 'Who\u200b took\u200d photos\u0007 of the\u0000 meeting?\u001b[2J\u001b[31m\u2060'],
  ['only zero-width characters', '\u200b\u200c\u200d\u2060\ufeff'],
  ['right-to-left override', '\u202eWho took photos of the meeting?\u202c'],
  ['Arabic (right-to-left)', 'من التقط صورا للاجتماع؟'],
  ['full-width letters', 'Ｗｈｏ ｔｏｏｋ ｐｈｏｔｏｓ ｏｆ ｔｈｅ ｍｅｅｔｉｎｇ？'],
  ['non-English', '¿Quién tomó fotos de la reunión?'],
  ['Chinese', '谁拍了会议的照片？'],
  ['@everyone, user, role and channel mentions', '@everyone @here <@123456789012345678> <@!123456789012345678> <@&987654321098765432> <#111111111111111111> who took photos?'],
  ['masked link and code fences', '[click me](https://evil.example/x) ```js rm -rf /``` `inline` **bold** ||spoiler|| <https://evil.example> who took photos?'],
  ['looks like JSON', '{"question": "who took photos?", "answered": true, "passages": []}'],
  ['looks like SQL', "'; DROP TABLE paragraphs; -- SELECT * FROM users WHERE 1=1 OR ''='"],
  ['markdown headings and quotes', '# Heading > quote -# subtext 1. list * who took photos?'],
  ['timestamps and custom emoji', '<t:1700000000:R> <:pepe:123456789012345678> <a:dance:123456789012345678> who took photos?'],
  ['the paragraph pasted back', '{{P1}}'],
];

/** Characters Discord reads as markup, mentions or tags; each must be escaped in an echo. */
const MARKUP = new Set(['*', '_', '~', '`', '|', '<', '>', '[', ']', '@', '\\']);

/** Markup characters in `text` not preceded by a backslash escape, and live links. */
function liveMarkup(text: string): string[] {
  const found: string[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') {
      i++;
      continue;
    }
    if (MARKUP.has(text[i]!)) found.push(`${text[i]} at ${i}`);
  }
  if (/https?:\/\//.test(text)) found.push('a live link');
  return found;
}

afterEach(async () => {
  await killChildren();
});

describe('hostile questions in the terminal', () => {
  let stories: Story[];
  let paragraphs: Set<string>;
  let questions: Array<[string, string]>;
  beforeAll(async () => {
    stories = await loadCorpus(SHIPPED_CORPUS);
    paragraphs = new Set(stories.flatMap((story) => story.paragraphs.map((p) => p.text)));
    questions = HOSTILE.map(([name, question]) => [name, question.replace('{{P1}}', stories[0]!.paragraphs[0]!.text)]);
  });

  it('one `ask --json` process answers or refuses every one, one JSON line each, exit 0', async () => {
    const env = { INDEX_DIR: path.join(tempDir(), 'index') };
    // Blank and white-space-only lines separate questions: they are skipped, not answered.
    const input = `${questions.map(([, q]) => q).join('\n   \t\n')}\n\n`;
    const run = await runProject('scripts/ask.ts', ['--json'], { env, input });
    expect(run.stderr).not.toMatch(STACK_LINE);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(questions.length);
    const answers = lines.map((line) => JSON.parse(line) as { question: string; answered: boolean; passages: Array<{ text: string }> });
    answers.forEach((answer, i) => {
      const [name, question] = questions[i]!;
      expect(answer.question, name).toBe(question);
      expect(typeof answer.answered, name).toBe('boolean');
      if (!answer.answered) expect(answer.passages, name).toEqual([]);
      for (const passage of answer.passages) expect(paragraphs.has(passage.text), name).toBe(true);
    });
    const byName = new Map(questions.map(([name], i) => [name, answers[i]!]));
    for (const refused of ['emoji only', 'only zero-width characters']) expect(byName.get(refused)?.answered, refused).toBe(false);
    for (const answered of ['zero-width and control characters', 'right-to-left override', 'full-width letters', 'the paragraph pasted back']) {
      expect(byName.get(answered)?.answered, answered).toBe(true);
    }
    expect(byName.get('the paragraph pasted back')?.passages[0]?.text).toBe(stories[0]!.paragraphs[0]!.text);
    expect(byName.get('looks like SQL')?.answered).toBe(false);

    // An empty question given as an argument is refused in words, exit 0.
    const blank = await runProject('scripts/ask.ts', ['   '], { env });
    expect(blank.code).toBe(0);
    expect(blank.stdout).toContain('There is nothing to search for in that question: ask it in words.');
  });

  it('the readable answer never echoes terminal escape sequences or direction overrides', () => {
    const result: SearchResult = { question: '', outcome: { kind: 'empty' }, passages: [], more: false, confidence: 0, searched: [], timings: { embedMs: 0, searchMs: 0 } };
    const shown = formatForTerminal('\u001b[2J\u001b]0;owned\u0007\u202eWho\rfired Comey?\u0000', result);
    const [echo] = shown.split('\n');
    expect(echo).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(echo).toBe('Q: [2J ]0;owned  Who fired Comey?');
  });
});

describe('hostile questions on Discord', () => {
  let harness: BotHarness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('one bot answers or refuses every one; nothing pings, nothing typed renders as markup', async () => {
    harness = await startBotHarness();
    const { fake, bot, logs } = harness;
    const fixtures = await loadCorpus(FIXTURE_CORPUS);
    const pasted = fixtures[0]!.paragraphs[0]!.text;
    const questions: Array<[string, string]> = [
      ['empty', ''],
      ['white space', '  \t \n '],
      ...HOSTILE.map(([name, question]): [string, string] => [name, question.replace('{{P1}}', pasted)]),
    ];
    const replies = new Map<string, MessageBody>();
    for (const [name, question] of questions) {
      const ix = fake.sendCommand(askCommand(question));
      const reply = await ix.reply();
      replies.set(name, reply);
      const content = reply.content ?? '';
      const [firstLine = '', ...rest] = content.split('\n');
      expect(content.length, name).toBeLessThanOrEqual(DISCORD_LIMITS.content);
      expect(embedsOf(reply).reduce((sum, embed) => sum + embedLength(embed), 0), name).toBeLessThanOrEqual(DISCORD_LIMITS.embedsTotal);
      expect(reply.allowed_mentions, name).toEqual({ parse: [] });
      expect(content, name).not.toMatch(/(?<!\\)@(everyone|here)|(?<!\\)<[@#:t]/);
      // The echo is everything after "**Q:** " on the first line.
      if (firstLine.startsWith('**Q:** ')) {
        const echo = firstLine.slice('**Q:** '.length);
        expect(liveMarkup(echo), name).toEqual([]);
        const typed = question.replace(/\s+/g, ' ').trim();
        const back = unescapeMarkdown(echo); // what the reader sees: the question as typed, or its start
        if (back.endsWith('…')) expect(typed.startsWith(back.slice(0, -1).trimEnd()), name).toBe(true);
        else expect(back, name).toBe(typed);
      } else {
        expect(firstLine, name).not.toContain('Q:'); // no echo at all for an empty question
      }
      // Answered (quotes) or refused in words: never an empty or cut-off reply.
      const said = rest.join('\n') || (firstLine.startsWith('**Q:** ') ? '' : firstLine);
      if (embedsOf(reply).length === 0) expect(said, name).toMatch(/^(The (story doesn't|\d+ stories don't) say\. I searched .+\.|Ask me a question in words, e\.g\. .+)$/s);
    }
    await bot.whenIdle();
    expect(logs.filter((line) => line['msg'] === 'interaction')).toHaveLength(questions.length);
    expect(logs.filter((line) => line['failed'] === true || line['msg'] === 'interaction failed')).toEqual([]);
    for (const body of sentMessages(fake)) expect(body.allowed_mentions).toEqual({ parse: [] });
    // The paragraph pasted back is quoted, word for word, first.
    const top = embedsOf(replies.get('the paragraph pasted back')!)[0]?.description ?? '';
    expect(unescapeMarkdown(top.replace(/^> /gm, '').replace(/\*\*/g, ''))).toBe(pasted);
  });
});
