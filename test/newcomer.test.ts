// What a new user runs into first, each as the terminal shows it: help on every command, a story
// named by its file, a mistyped CORPUS_DIR, an INDEX_DIR that cannot be made, a feed given as a
// page, a singular story, and Ctrl-C in the middle of a build.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, writeStory } from './helpers/corpus.js';
import { STACK_LINE, killChildren, runProject, spawnProject } from './helpers/processes.js';
import { MODEL_DIR, SHIPPED_CORPUS } from './helpers/project.js';
import { PROJECT_ROOT } from './helpers/corpus.js';

afterEach(killChildren);

/** The last line of stderr is one sentence: one line, ends with a full stop, no stack trace. */
function lastSentence(stderr: string): string {
  expect(stderr).not.toMatch(STACK_LINE);
  const line = stderr.trim().split('\n').at(-1) ?? '';
  expect(line).toMatch(/\S\.$/);
  expect(line.slice(0, -1)).not.toMatch(/[.!?]["”’)]?\s+[A-Z]/);
  return line;
}

describe('--help on every command', () => {
  const COMMANDS = [
    'scripts/ask.ts',
    'scripts/add-story.ts',
    'scripts/remove-story.ts',
    'scripts/build-index.ts',
    'scripts/build-model.ts',
    'scripts/build.ts',
    'scripts/eval.ts',
    'scripts/bench.ts',
    'scripts/deploy-commands.ts',
  ];
  it.each(COMMANDS)('%s --help and -h: the usage on stdout, exit 0, nothing done', async (script) => {
    for (const flag of ['--help', '-h']) {
      // No settings at all: help needs none (deploy-commands would need a token to do anything).
      const run = await runProject(script, [flag], { env: { INDEX_DIR: path.join(tempDir(), 'index'), CORPUS_DIR: path.join(tempDir(), 'corpus') } });
      expect(run.stderr, `${script} ${flag}`).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^Usage: (?:npm run|npm start)/);
    }
  });
});

describe('ask', () => {
  let indexDir: string;
  const env = () => ({ INDEX_DIR: indexDir, CORPUS_DIR: SHIPPED_CORPUS, MODEL_DIR });
  const story = readdirSync(SHIPPED_CORPUS).find((name) => name.endsWith('.md'))!;
  beforeAll(async () => {
    indexDir = path.join(tempDir(), 'index');
    const built = await runProject('scripts/build-index.ts', [], { env: env() });
    expect(built.code, built.stderr).toBe(0);
  }, 120_000);

  it('--story takes the story’s file name, with or without .md, as remove-story does', async () => {
    for (const given of [story, story.replace(/\.md$/, ''), path.join('corpus', story)]) {
      const run = await runProject('scripts/ask.ts', ['--json', '--story', given, 'Who was in the meeting?'], { env: env() });
      expect(run.code, `${given}: ${run.stderr}`).toBe(0);
      const answer = JSON.parse(run.stdout) as { passages: Array<{ source: { id: string } }> };
      for (const passage of answer.passages) expect(passage.source.id).toBe(story.replace(/\.md$/, ''));
    }
    const unknown = await runProject('scripts/ask.ts', ['--story', 'no-such-story.md', 'Who?'], { env: env() });
    expect(unknown.code).toBe(1);
    expect(lastSentence(unknown.stderr)).toMatch(/^There is no story "no-such-story" in the index/);
  });

  it('a CORPUS_DIR that does not exist is said in one sentence; the answer still comes from the index', async () => {
    const missing = path.join(tempDir(), 'corpsu');
    const run = await runProject('scripts/ask.ts', ['--json', 'Who was in the meeting?'], { env: { ...env(), CORPUS_DIR: missing } });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ answered: true });
    const said = run.stderr.trim().split('\n').filter((line) => line.includes(missing));
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/CORPUS_DIR/);
    expect(lastSentence(said[0]!)).toBe(said[0]);
  });
});

describe('an INDEX_DIR that cannot be created', () => {
  it('is one sentence naming it and exit 1, within seconds (no endless mkdir)', { timeout: 60_000 }, async () => {
    const started = Date.now();
    const spawned = spawnProject('scripts/ask.ts', ['--json', 'Who was in the meeting?'], { env: { INDEX_DIR: '/proc/nope', CORPUS_DIR: SHIPPED_CORPUS, MODEL_DIR } });
    const timer = setTimeout(() => spawned.killHard(), 30_000);
    const { code } = await spawned.exited;
    clearTimeout(timer);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(code).toBe(1);
    expect(spawned.stdout).toBe('');
    expect(lastSentence(spawned.stderr)).toBe('The index folder /proc/nope cannot be created (ENOENT): set INDEX_DIR to a folder you can write to.');
  });

  it('build-index says the same; a file where the folder should be is named too', async () => {
    const file = path.join(tempDir(), 'index');
    writeStory(path.dirname(file), 'index', ['Not a folder.']); // index.md, then the folder name is taken below
    const blocked = path.join(path.dirname(file), 'index.md');
    const run = await runProject('scripts/build-index.ts', [], { env: { INDEX_DIR: blocked, CORPUS_DIR: SHIPPED_CORPUS, MODEL_DIR } });
    expect(run.code).toBe(1);
    expect(lastSentence(run.stderr)).toBe(`The index folder ${blocked} cannot be created (a file of that name is in the way): set INDEX_DIR to a folder you can write to.`);
  });
});

describe('add-story', () => {
  it('a feed file given as a source says to give it with --feed', async () => {
    const feed = path.join(path.dirname(SHIPPED_CORPUS), 'test/fixtures/pages/feed.rss');
    const run = await runProject('scripts/add-story.ts', ['--dry-run', feed], { env: { CORPUS_DIR: path.join(tempDir(), 'corpus'), INDEX_DIR: path.join(tempDir(), 'index') } });
    expect(run.code).toBe(1);
    expect(lastSentence(run.stderr)).toBe(`${feed} looks like a feed: to add its items, give it with --feed (npm run add-story -- --feed ${feed}).`);
  });

  it('one story in the corpus is "1 story", not "1 stories"', async () => {
    const corpusDir = path.join(tempDir(), 'corpus');
    const source = path.join(tempDir(), 'note.txt');
    writeFileSync(source, 'Ferry fares stay put\n\nThe harbour board voted on Tuesday to keep ferry fares at their current level through the winter.\n');
    const args = ['--outlet', 'Harbor Courier', '--published', '2030-02-11', '--url', 'https://courier.example/fares', source];
    const run = await runProject('scripts/add-story.ts', args, { env: { CORPUS_DIR: corpusDir, INDEX_DIR: path.join(tempDir(), 'index'), MODEL_DIR } });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/; 1 story can be asked about\.$/m);
    expect(run.stderr).not.toMatch(/\b1 stories\b/);
    expect(run.stdout).toMatch(/Harbor Courier/);
  });
});

describe('Ctrl-C during build-index', () => {
  it('exits 130 saying the checkpoint was kept; the next build resumes from it', { timeout: 180_000 }, async () => {
    const indexDir = path.join(tempDir(), 'index');
    const corpusDir = path.join(tempDir(), 'corpus');
    cpSync(SHIPPED_CORPUS, corpusDir, { recursive: true });
    const paragraphs = Array.from(
      { length: 400 },
      (_, i) => `At meeting number ${i + 1}, the harbor commission reviewed budget line ${i * 7} and heard ${i % 9} speakers on ferry schedules, dredging and pier repairs.`,
    );
    writeStory(corpusDir, 'zz-big-story', paragraphs);
    const env = { INDEX_DIR: indexDir, CORPUS_DIR: corpusDir, MODEL_DIR };

    // node --import tsx, one process: the tsx launcher would kill a child still busy embedding before its handler runs (npm run build-index runs node alone, too).
    const build = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'scripts/build-index.ts')], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    build.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => build.on('close', (code) => resolve(code)));
    // Once some vectors are in the checkpoint, as a person pressing Ctrl-C part-way would find.
    const checkpointHasVectors = () =>
      existsSync(indexDir) && readdirSync(indexDir).some((name) => name.startsWith('.embedded-') && statSync(path.join(indexDir, name)).size > 0);
    await expect.poll(checkpointHasVectors, { timeout: 90_000, interval: 20 }).toBe(true);
    build.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(lastSentence(stderr)).toBe(`Stopped (SIGINT): the paragraphs embedded so far are kept in a checkpoint in ${indexDir}, and npm run build-index carries on from there.`);

    const again = await runProject('scripts/build-index.ts', [], { env });
    expect(again.code, again.stderr).toBe(0);
    const built = /Index built in [\d.]+ s: \d+ paragraphs from \d+ stories; (\d+) embedded, (\d+) reused/.exec(again.stderr);
    expect(built, again.stderr).not.toBeNull();
    expect(Number(built![1])).toBeLessThan(paragraphs.length); // resumed: what the checkpoint held was not embedded again
  });
});
