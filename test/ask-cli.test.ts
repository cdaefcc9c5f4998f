import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCorpus } from '../src/corpus/index.js';
import { fragmentText } from '../src/search/text-fragment.js';
import { tempDir } from './helpers/corpus.js';
import { SHIPPED_CORPUS, runScript } from './helpers/project.js';

// One index folder for the file: the first run builds it, the others reuse it.
const env = { INDEX_DIR: path.join(tempDir(), 'index') };
let storyTexts: Set<string>;

beforeAll(async () => {
  const stories = await loadCorpus(SHIPPED_CORPUS);
  storyTexts = new Set(stories.flatMap((story) => story.paragraphs.map((p) => p.text)));
});

describe('npm run ask', () => {
  it('builds the index on first use and answers with verbatim, attributed passages as JSON', async () => {
    const run = await runScript('scripts/ask.ts', ['--json', 'Who did Trump share classified information with?'], { env });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/No index in .* yet: building it/);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const answer = JSON.parse(lines[0]!);
    expect(answer.question).toBe('Who did Trump share classified information with?');
    expect(answer.answered).toBe(true);
    expect(answer.passages).toHaveLength(3);
    for (const passage of answer.passages) {
      expect(storyTexts.has(passage.text)).toBe(true);
      expect(passage.source).toEqual({
        id: 'wapo-2017-05-15-trump-classified-information-russia',
        title: 'Trump revealed highly classified information to Russian foreign minister and ambassador',
        outlet: 'The Washington Post',
        authors: ['Greg Miller', 'Greg Jaffe'],
        published: '2017-05-15',
        url: expect.stringMatching(/^https:\/\/www\.washingtonpost\.com\//),
      });
      expect(passage.paragraph).toBeGreaterThanOrEqual(1);
      expect(typeof passage.score).toBe('number');
      const { start, end } = passage.highlight;
      expect(start).toBeGreaterThanOrEqual(0);
      expect(end).toBeGreaterThan(start);
      expect(end).toBeLessThanOrEqual(passage.text.length);
      // The link opens the story on the bold sentence: its text fragment names that sentence's start and end.
      expect(passage.link.startsWith(`${passage.source.url}#:~:text=`)).toBe(true);
      const named = fragmentText(passage.link)!;
      const sentence = passage.text.slice(start, end);
      expect(sentence.startsWith(named.start)).toBe(true);
      expect(sentence.endsWith(named.end ?? named.start)).toBe(true);
    }
    expect(answer.passages.map((p: { text: string }) => p.text).join('\n')).toMatch(/Russian foreign minister and ambassador|Lavrov and Ambassador Sergey Kislyak/);
  });

  it('reads questions from stdin, one JSON line each, and refuses what the story does not say', async () => {
    const run = await runScript('scripts/ask.ts', ['--json', '--top-k', '2'], {
      env,
      input: 'Who took photographs of the meeting?\n\nWhat is the recipe for chocolate chip cookies?\n',
    });
    expect(run.code).toBe(0);
    const answers = run.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(answers.map((a) => a.answered)).toEqual([true, false]);
    expect(answers[0].passages).toHaveLength(2);
    expect(answers[0].passages[0].text).toContain('A Russian photographer took photos');
    expect(answers[1].passages).toEqual([]);
  });

  it('refuses everyday questions on other topics, and keeps answering the story\'s own', async () => {
    // Questions a new user tried (issue 29): before the refusal measured its encoder, all were "answered".
    // (Their fourth, "What is the weather in Moscow?", names the story's city: near-topic, and still answered.)
    const offTopic = ['What is the recipe for lasagna?', 'What is the capital of Australia?', 'When is the next election?', 'How do I fix a leaking tap?'];
    const run = await runScript('scripts/ask.ts', ['--json'], { env, input: [...offTopic, 'Who was in the meeting?'].join('\n') });
    expect(run.code).toBe(0);
    const answers = run.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(answers.map((a) => a.answered)).toEqual([false, false, false, false, true]);
    // The index recorded what its encoder scores off-topic questions on this corpus, beside its manifest.
    const { readdirSync, readFileSync } = await import('node:fs');
    const generation = readFileSync(path.join(env.INDEX_DIR, 'CURRENT'), 'utf8').trim();
    expect(readdirSync(path.join(env.INDEX_DIR, generation))).toContain('calibration.json');
  });

  it('prints a readable answer with attribution and the answering sentence marked', async () => {
    const run = await runScript('scripts/ask.ts', ['--top-k', '1', 'Who took photographs of the meeting?'], { env });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('**A Russian photographer took photos of part of the session that were released by the Russian state-owned Tass news agency.**');
    expect(run.stdout).toContain('The Washington Post, by Greg Miller and Greg Jaffe, May 15, 2017, ¶ 26 of 37');
    expect(run.stdout).toContain('https://www.washingtonpost.com/');
  });

  it('says on stderr why bm25 quotes fewer passages than --top-k asks for, and hybrid quotes them all', async () => {
    const question = 'What did McMaster say?';
    const lexical = await runScript('scripts/ask.ts', ['--json', '--mode', 'bm25', '--top-k', '5', question], { env });
    expect(lexical.code, lexical.stderr).toBe(0);
    const { passages } = JSON.parse(lexical.stdout) as { passages: Array<{ text: string }> };
    // The cause: only paragraphs holding one of the question's words are ranked, and "McMaster" is in one of 37.
    const holding = [...storyTexts].filter((text) => text.includes('McMaster'));
    expect(passages.map((passage) => passage.text)).toEqual(holding);
    expect(lexical.stderr).toBe(
      `Only ${holding.length} of the 5 passages asked for: bm25 quotes only paragraphs that hold the question's words (--mode hybrid also finds paragraphs by meaning).\n`,
    );

    const hybrid = await runScript('scripts/ask.ts', ['--json', '--top-k', '5', question], { env });
    expect(JSON.parse(hybrid.stdout).passages).toHaveLength(5);
    expect(hybrid.stderr).toBe('');
  });

  it.each([
    [['--top-k', '0', 'q'], /--top-k must be a whole number from 1 to 10\./],
    [['--mode', 'magic', 'q'], /--mode must be one of dense, bm25, hybrid, rrf\./],
    [['--story', 'nope', 'q'], /There is no story "nope" in the index/],
    // Every quote closed: node's own message ends `as in '-- "--bogus"`.
    [['--bogus'], /^Unknown option --bogus \(text that starts with "-" goes after --, as in -- "--bogus"\); see npm run ask -- --help\.\n$/],
    [['--top-k'], /^--top-k needs a value; see npm run ask -- --help\.\n$/],
  ])('fails with one sentence and a non-zero exit for %j', async (args, message) => {
    const run = await runScript('scripts/ask.ts', args, { env });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(message);
    // One sentence: every quote it opens, it closes.
    expect(run.stderr.match(/"/g)?.length ?? 0).toSatisfy((quotes: number) => quotes % 2 === 0);
    expect(run.stderr.match(/'/g)?.length ?? 0).toSatisfy((quotes: number) => quotes % 2 === 0);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(run.stdout).toBe('');
  });
});
