// Broken state on disk: damaged indexes, damaged models, a bad story, a build killed part-way.
// Each is refused by the terminal commands with one sentence that says what to run, a non-zero
// exit and no stack trace; a failed or killed build leaves the previous index in place.
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CURRENT_FILE, MANIFEST_FILE, PARAGRAPHS_FILE, VECTORS_FILE, currentGeneration, loadIndex, type Manifest } from '../src/index/index.js';
import { tempDir, writeStory } from './helpers/corpus.js';
import { STACK_LINE, killChildren, runProject, spawnProject } from './helpers/processes.js';
import { MODEL_DIR, SHIPPED_CORPUS } from './helpers/project.js';

const QUESTION = 'Who took photographs of the meeting?';

let baseIndex: string;
let baseManifest: Manifest;

beforeAll(async () => {
  baseIndex = path.join(tempDir(), 'index');
  const built = await runProject('scripts/build-index.ts', [], { env: { INDEX_DIR: baseIndex } });
  expect(built.code, built.stderr).toBe(0);
  baseManifest = JSON.parse(readFileSync(path.join(currentGeneration(baseIndex)!, MANIFEST_FILE), 'utf8')) as Manifest;
});

afterEach(async () => {
  await killChildren();
});

/** A copy of the index built in beforeAll, and its current generation folder. */
function copyIndex(): { indexDir: string; generation: string } {
  const indexDir = path.join(tempDir(), 'index');
  cpSync(baseIndex, indexDir, { recursive: true });
  return { indexDir, generation: currentGeneration(indexDir)! };
}

/** Loads the index the way the terminal would with the real model (same files, same hash). */
function loadsFine(indexDir: string): number {
  return loadIndex(indexDir, { modelId: baseManifest.model.id, modelHash: baseManifest.model.hash, dimensions: baseManifest.model.dimensions, efSearch: 64 })
    .paragraphs.length;
}

/** Exit 1, nothing on stdout, no stack trace, and exactly one sentence of Verbatim's on stderr. */
function expectOneSentence(run: { code: number | null; stdout: string; stderr: string }, sentence: RegExp): void {
  expect(run.stderr).not.toMatch(STACK_LINE);
  expect(run.code, run.stderr).toBe(1);
  expect(run.stdout).toBe('');
  const lines = run.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(sentence);
  expect(lines[0]).toMatch(/\.$/);
}

const ask = (env: Record<string, string>) => runProject('scripts/ask.ts', ['--json', QUESTION], { env });
const buildIndex = (env: Record<string, string>) => runProject('scripts/build-index.ts', [], { env });

describe('a broken index: ask refuses with "run npm run build-index", and build-index repairs it', () => {
  it.each([
    [
      'CURRENT names a missing folder',
      (indexDir: string) => writeFileSync(path.join(indexDir, CURRENT_FILE), 'gen-that-was-deleted\n'),
      /points to a missing folder: run npm run build-index\./,
    ],
    ['truncated HNSW file', (_: string, generation: string) => truncateSync(path.join(generation, VECTORS_FILE), 100), /vectors\.hnsw is missing or damaged .*: run npm run build-index\./],
    [
      'unparsable paragraph file (same size)',
      (_: string, generation: string) => {
        const file = path.join(generation, PARAGRAPHS_FILE);
        writeFileSync(file, '{'.padEnd(statSync(file).size, 'x'));
      },
      /paragraph file in .* cannot be read: run npm run build-index\./,
    ],
    [
      'manifest from another model',
      (_: string, generation: string) => editManifest(generation, (m) => ({ ...m, model: { ...m.model, id: 'Xenova/all-MiniLM-L6-v2' } })),
      /built with the model "Xenova\/all-MiniLM-L6-v2" but EMBED_MODEL is "use-lite": run npm run build-index/,
    ],
    [
      'manifest from a future format version',
      (_: string, generation: string) => editManifest(generation, (m) => ({ ...m, formatVersion: 99 })),
      /written in format 99 but this version of Verbatim reads format 1: run npm run build-index\./,
    ],
    ['unreadable manifest', (_: string, generation: string) => writeFileSync(path.join(generation, MANIFEST_FILE), '{"formatVersion": 1,'), /manifest .* is missing or unreadable: run npm run build-index\./],
  ])('%s', async (name, damage, sentence) => {
    const { indexDir, generation } = copyIndex();
    damage(indexDir, generation);
    expectOneSentence(await ask({ INDEX_DIR: indexDir }), sentence);
    // build-index must not call a damaged index "up to date"; a manifest that cannot be trusted
    // (unreadable, another model, a format from the future) vouches for no vector: all embedded again.
    const repaired = await buildIndex({ INDEX_DIR: indexDir });
    expect(repaired.code, repaired.stderr).toBe(0);
    expect(repaired.stderr).toMatch(/^Index built in .*: 37 paragraphs from 1 story/m); // not "up to date"
    if (/manifest/.test(name)) expect(repaired.stderr).toMatch(/; 37 embedded, 0 reused /);
    expect(currentGeneration(indexDir)).not.toBe(generation);
    expect(loadsFine(indexDir)).toBe(37);
  });
});

function editManifest(generation: string, edit: (manifest: Manifest) => unknown): void {
  const file = path.join(generation, MANIFEST_FILE);
  writeFileSync(file, JSON.stringify(edit(JSON.parse(readFileSync(file, 'utf8')) as Manifest)));
}

describe('a broken model: "npm run build-model -- --force", exit 1, the index left alone', () => {
  it.each([
    ['truncated onnx/model.onnx', (dir: string) => truncateSync(path.join(dir, 'onnx/model.onnx'), 100_000), true],
    ['missing onnx/model.onnx', (dir: string) => rmSync(path.join(dir, 'onnx/model.onnx')), false],
    ['corrupt tokenizer.json', (dir: string) => writeFileSync(path.join(dir, 'tokenizer.json'), '{"version": "1.0", "model": {'), false],
  ])('%s', async (_name, damage, alsoBuild) => {
    const modelDir = path.join(tempDir(), 'models');
    // Dereferenced: a models folder that is a link (a second checkout sharing one) must not be damaged through the copy.
    cpSync(MODEL_DIR, modelDir, { recursive: true, dereference: true });
    try {
      damage(path.join(modelDir, 'use-lite'));
      const { indexDir, generation } = copyIndex();
      const env = { INDEX_DIR: indexDir, MODEL_DIR: modelDir };
      const sentence = /^The embedding model in .*use-lite could not be loaded \(.*\): rebuild it with npm run build-model -- --force\.$/;
      expectOneSentence(await ask(env), sentence);
      if (alsoBuild) {
        expectOneSentence(await buildIndex(env), sentence);
        expect(currentGeneration(indexDir)).toBe(generation);
        expect(loadsFine(indexDir)).toBe(37);
      }
    } finally {
      rmSync(modelDir, { recursive: true, force: true });
    }
  });
});

describe('a story with bad front matter', () => {
  it('build-index names the file and field, says what to run, exits 1 and keeps the previous index', async () => {
    const { indexDir, generation } = copyIndex();
    const corpusDir = path.join(tempDir(), 'corpus');
    cpSync(SHIPPED_CORPUS, corpusDir, { recursive: true });
    writeStory(corpusDir, 'zz-bad-date', ['A paragraph.'], { published: 'last Tuesday' });
    const run = await buildIndex({ INDEX_DIR: indexDir, CORPUS_DIR: corpusDir });
    expectOneSentence(run, /zz-bad-date\.md: front-matter field "published" must be an ISO date like 2017-05-15; fix the file, then run npm run build-index\./);
    expect(currentGeneration(indexDir)).toBe(generation);
    expect(readdirSync(indexDir).sort()).toEqual([CURRENT_FILE, path.basename(generation)]);
    expect(loadsFine(indexDir)).toBe(37);
  });
});

describe('a build killed part-way', () => {
  it('SIGKILL mid-embedding leaves the previous index current and loadable; ask still answers', async () => {
    const { indexDir, generation } = copyIndex();
    const corpusDir = path.join(tempDir(), 'corpus');
    cpSync(SHIPPED_CORPUS, corpusDir, { recursive: true });
    // 300 new paragraphs: several seconds of embedding, so the kill lands well inside it.
    const paragraphs = Array.from(
      { length: 300 },
      (_, i) => `At meeting number ${i + 1}, the harbor commission reviewed budget line ${i * 7} and heard ${i % 9} speakers on ferry schedules, dredging and pier repairs.`,
    );
    writeStory(corpusDir, 'zz-big-story', paragraphs);

    const build = spawnProject('scripts/build-index.ts', [], { env: { INDEX_DIR: indexDir, CORPUS_DIR: corpusDir } });
    await build.waitForOutput(/^Embedding 300 paragraphs…$/m);
    build.killHard(); // the whole process group: tsx and the build it runs
    expect(await build.exited).toEqual({ code: null, signal: 'SIGKILL' });

    expect(currentGeneration(indexDir)).toBe(generation);
    expect(readdirSync(indexDir).filter((name) => name.startsWith('gen-'))).toEqual([path.basename(generation)]);
    expect(loadsFine(indexDir)).toBe(37);
    const after = await ask({ INDEX_DIR: indexDir });
    expect(after.code, after.stderr).toBe(0);
    expect(JSON.parse(after.stdout)).toMatchObject({ answered: true });
    expect(existsSync(path.join(indexDir, CURRENT_FILE))).toBe(true);
  });
});
