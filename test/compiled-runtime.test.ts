// The compiled runtime end to end, in a copy of the project: `npm run build` compiles it, every
// user command in package.json runs the compiled file with source maps, and a dist/ older than
// the sources is refused with one sentence (or kept whole when a compile fails).
import { execFile } from 'node:child_process';
import { cpSync, existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { STAMP_FILE } from '../src/entry/build-stamp.js';
import { PROJECT_ROOT, tempDir } from './helpers/corpus.js';
import { STACK_LINE } from './helpers/processes.js';

/** The commands README documents; each must run compiled JavaScript. */
const USER_COMMANDS = ['ask', 'add-story', 'remove-story', 'build-index', 'build-model', 'eval', 'bench', 'start', 'start:shards', 'deploy-commands'];
const COMPILED_COMMAND = /^node --enable-source-maps (dist\/\S+\.js)$/;

let copy: string;
let scripts: Record<string, string>;

/** Runs a package.json script's command line in the copy (as npm would, minus npm's own output). */
async function runScript(name: string, args: string[], env: Record<string, string> = {}) {
  const command = `${scripts[name]} ${args.map((arg) => `'${arg}'`).join(' ')}`;
  try {
    const { stdout, stderr } = await promisify(execFile)('sh', ['-c', command], { cwd: copy, env: { PATH: process.env.PATH ?? '', HOME: copy, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

beforeAll(async () => {
  copy = tempDir('verbatim-compiled-');
  for (const entry of ['src', 'scripts', 'test', 'package.json', 'tsconfig.json', 'tsconfig.build.json']) cpSync(path.join(PROJECT_ROOT, entry), path.join(copy, entry), { recursive: true });
  symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(copy, 'node_modules'));
  scripts = (JSON.parse(readFileSync(path.join(copy, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const built = await runScript('build', []);
  expect(built.stderr).toMatch(/^Compiled \d+ files into dist\/ in [\d.]+ s\.$/m);
}, 300_000);

describe('the compiled runtime', () => {
  it('is what every user command runs, and the install builds it before the model', () => {
    for (const name of USER_COMMANDS) {
      const file = COMPILED_COMMAND.exec(scripts[name] ?? '')?.[1];
      expect(file, `npm run ${name}: ${scripts[name]}`).toBeDefined();
      expect(existsSync(path.join(copy, file!)), `${file} after npm run build`).toBe(true);
    }
    expect(scripts.postinstall).toBe(`${scripts.build} && ${scripts['build-model']}`);
  });

  it('runs, and its stack traces point at the TypeScript lines', async () => {
    const help = await runScript('ask', ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/npm run ask/);
    const failed = await runScript('ask', ['--no-such-option'], { LOG_LEVEL: 'debug' });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/at parseCommandArgs \(.*src\/entry\/run\.ts:\d+:\d+\)/);
  });

  it('adds stories and answers as bundled commands, with the model on this thread or a worker thread', async () => {
    const work = tempDir('verbatim-compiled-work-');
    const corpus = path.join(work, 'corpus');
    cpSync(path.join(PROJECT_ROOT, 'corpus'), corpus, { recursive: true });
    // The model's files without the identity this project caches beside them (as after a fresh
    // install): the first add loads the model on its own thread, and must not have started a worker.
    const models = path.join(work, 'models');
    cpSync(path.join(PROJECT_ROOT, 'models', 'use-lite'), path.join(models, 'use-lite'), { recursive: true, dereference: true });
    const env = { CORPUS_DIR: corpus, INDEX_DIR: path.join(work, 'index'), MODEL_DIR: models };
    const page = (name: string) => path.join(PROJECT_ROOT, 'test/fixtures/pages', name);
    const first = await runScript('add-story', ['--json', page('jsonld-only.html')], env);
    expect(first.code, first.stderr).toBe(0);
    expect(existsSync(path.join(models, '.use-lite.dims.json'))).toBe(true);

    const asked = await runScript('ask', ['--json', 'Who was in the meeting?'], env);
    expect(asked.code, asked.stderr).toBe(0);
    const answer = JSON.parse(asked.stdout) as { passages: Array<{ text: string }> };
    expect(answer.passages.map((passage) => passage.text).join('\n')).toMatch(/Lavrov/);

    // The identity is cached now: this add loads the model on a worker thread (a bundled entry of its own).
    const added = await runScript('add-story', ['--json', page('wire-story.html')], env);
    expect(added.code, added.stderr).toBe(0);
    const { id } = JSON.parse(added.stdout) as { id: string };
    const again = await runScript('ask', ['--json', '--story', id, 'Why is the hatchery closing?'], env);
    expect(again.code, again.stderr).toBe(0);
    const sources = (JSON.parse(again.stdout) as { passages: Array<{ source: { id: string } }> }).passages.map((passage) => passage.source.id);
    expect(sources.length).toBeGreaterThan(0);
    expect(new Set(sources)).toEqual(new Set([id]));
  }, 300_000);

  it('refuses to run once a source file changed, with one sentence and no stack', async () => {
    const file = path.join(copy, 'src/fold.ts');
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n// edited\n`);
    const refused = await runScript('ask', ['--help']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toBe('The compiled code in dist/ is older than src/fold.ts: run npm run build (or npm ci), then this command again.\n');
    expect(refused.stderr).not.toMatch(STACK_LINE);
  });

  it('keeps the previous build when the TypeScript does not compile', async () => {
    const stamp = readFileSync(path.join(copy, 'dist', STAMP_FILE), 'utf8');
    writeFileSync(path.join(copy, 'src/broken.ts'), 'export const broken: number = "text";\n');
    const failed = await runScript('build', []);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^The TypeScript did not compile \(tsc’s errors are above\): fix them, then run npm run build again\.$/m);
    expect(readFileSync(path.join(copy, 'dist', STAMP_FILE), 'utf8')).toBe(stamp);
    expect(existsSync(path.join(copy, 'dist.next'))).toBe(false);
  }, 300_000);
});
