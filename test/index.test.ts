import { existsSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BACKGROUND_QUESTIONS } from '../src/search/background-questions.js';
import { readCalibration, writeCalibration } from '../src/search/calibration.js';
import { describe, expect, it, vi } from 'vitest';
import { loadCoreConfig } from '../src/config.js';
import { loadCorpus, corpusSummaries, sameFiles, scanCorpus, settledScan, type StorySummary } from '../src/corpus/index.js';
import { UserError } from '../src/errors.js';
import {
  CURRENT_FILE,
  DELTA_FILE,
  EMBED_CHUNK,
  HASHES_FILE,
  IndexMissingError,
  LABELS_FILE,
  asParagraphsFile,
  MANIFEST_FILE,
  VECTORS_FILE,
  appendStories,
  buildIndex,
  currentGeneration,
  indexedSummaries,
  knownStories,
  loadIndex,
  upToDate,
} from '../src/index/index.js';
import { buildIndexFromCorpus, loadStorySummaries } from '../src/pipeline.js';
import { createRetriever, openIndex } from '../src/retrieval.js';
import { searchFiles } from '../src/search/index.js';
import { fakeEmbedder } from './helpers/fake-embedder.js';
import { tempDir, writeStory } from './helpers/corpus.js';

const expectFor = (embedder: { modelId: string; modelHash: string; dimensions: number }) => ({ ...embedder, efSearch: 32 });

async function setup() {
  const root = tempDir();
  const corpusDir = path.join(root, 'corpus');
  const indexDir = path.join(root, 'index');
  writeStory(corpusDir, 'alpha', ['Lavrov met Trump in the Oval Office.', 'The photographer was Russian.', 'Laptops were discussed.']);
  writeStory(corpusDir, 'beta', ['A bakery opened on Main Street.', 'Its bread sold out by noon.']);
  return { root, corpusDir, indexDir };
}

describe('buildIndex / loadIndex', () => {
  it('round-trips paragraphs, attributions and vectors', async () => {
    const { corpusDir, indexDir } = await setup();
    const embedder = fakeEmbedder();
    const stories = await loadCorpus(corpusDir);
    const report = await buildIndex({ stories, embedder, indexDir });
    expect(report).toMatchObject({ changed: true, stories: 2, paragraphs: 5, embedded: 5, reused: 0 });

    const index = loadIndex(indexDir, expectFor(embedder));
    expect(index.paragraphs.map((p) => p.text)).toEqual(stories.flatMap((s) => s.paragraphs.map((p) => p.text)));
    expect(index.stories.map((s) => [s.id, s.paragraphCount])).toEqual([
      ['alpha', 3],
      ['beta', 2],
    ]);
    expect(index.manifest.model).toEqual({ id: 'fake-model', hash: 'fake-hash', dimensions: 512 });
    expect(index.manifest.paragraphs.map((p) => p.hash)).toEqual(stories.flatMap((s) => s.paragraphs.map((p) => p.hash)));
    const [query] = await embedder.embed(['Its bread sold out by noon.']);
    expect(index.store.search(query!, 1)[0]).toMatchObject({ label: 4 });
    expect(index.store.search(query!, 1)[0]!.similarity).toBeCloseTo(1, 5);
  });

  it('embeds only changed paragraphs and skips an unchanged rebuild', async () => {
    const { corpusDir, indexDir } = await setup();
    const embedder = fakeEmbedder();
    await buildIndex({ stories: await loadCorpus(corpusDir), embedder, indexDir });
    const firstGeneration = currentGeneration(indexDir);

    const unchanged = await buildIndex({ stories: await loadCorpus(corpusDir), embedder, indexDir });
    expect(unchanged).toMatchObject({ changed: false, embedded: 0, reused: 5 });
    expect(currentGeneration(indexDir)).toBe(firstGeneration);

    writeStory(corpusDir, 'beta', ['A bakery opened on Main Street.', 'Its cakes sold out by noon.', 'A third paragraph.']);
    embedder.embeddedTexts.length = 0;
    const changed = await buildIndex({ stories: await loadCorpus(corpusDir), embedder, indexDir });
    expect(changed).toMatchObject({ changed: true, embedded: 2, reused: 4 });
    // Exactly the two new paragraphs (in length order: the build batches similar lengths together).
    expect(embedder.embeddedTexts).toEqual(['A third paragraph.', 'Its cakes sold out by noon.']);
    expect(loadIndex(indexDir, expectFor(embedder)).paragraphs).toHaveLength(6);
  });

  it('re-embeds everything when the model changes', async () => {
    const { corpusDir, indexDir } = await setup();
    await buildIndex({ stories: await loadCorpus(corpusDir), embedder: fakeEmbedder(), indexDir });
    const other = fakeEmbedder({ modelHash: 'other-weights' });
    const report = await buildIndex({ stories: await loadCorpus(corpusDir), embedder: other, indexDir });
    expect(report).toMatchObject({ changed: true, embedded: 5, reused: 0 });
  });

  it('keeps the paragraph hashes in hashes.bin, and reads and extends an index whose manifest still lists them', async () => {
    const { corpusDir, indexDir } = await setup();
    const embedder = fakeEmbedder();
    const stories = await loadCorpus(corpusDir);
    await buildIndex({ stories, embedder, indexDir });
    const hashes = stories.flatMap((story) => story.paragraphs.map((paragraph) => paragraph.hash));
    const generation = currentGeneration(indexDir)!;
    const written = JSON.parse(readFileSync(path.join(generation, MANIFEST_FILE), 'utf8'));
    expect(written.paragraphs).toBeUndefined();
    expect(readFileSync(path.join(generation, HASHES_FILE)).toString('hex')).toBe(hashes.join(''));

    // The layout before hashes.bin: the list inside the manifest, one entry a line.
    const { [HASHES_FILE]: _, ...files } = written.files;
    const head = JSON.stringify({ ...written, files, paragraphs: [] }, null, 2).replace(/"paragraphs": \[\]\n\}$/, '"paragraphs": [');
    const list = stories.flatMap((story) => story.paragraphs.map(({ id, hash }) => `    ${JSON.stringify({ id, hash })}`));
    writeFileSync(path.join(generation, MANIFEST_FILE), `${head}\n${list.join(',\n')}\n  ]\n}\n`);
    rmSync(path.join(generation, HASHES_FILE));
    expect(loadIndex(indexDir, expectFor(embedder)).manifest.paragraphs.map((p) => p.hash)).toEqual(hashes);

    writeStory(corpusDir, 'gamma', ['A new story about trains.']);
    const report = await buildIndex({ stories: await loadCorpus(corpusDir), embedder, indexDir });
    expect(report).toMatchObject({ appended: true, embedded: 1, reused: 5 });
    const extended = loadIndex(indexDir, expectFor(embedder));
    const all = (await loadCorpus(corpusDir)).flatMap((story) => story.paragraphs.map(({ id, hash }) => ({ id, hash })));
    expect(extended.manifest.paragraphs).toEqual(all);
    expect(readFileSync(path.join(extended.dir, HASHES_FILE))).toHaveLength(all.length * 8);

    truncateSync(path.join(extended.dir, HASHES_FILE), 20);
    expect(() => loadIndex(indexDir, expectFor(embedder))).toThrow(/hashes\.bin is missing or damaged .* run npm run build-index/);
  });

  it('refuses an index built with another model, dimensions, weights or format', async () => {
    const { corpusDir, indexDir } = await setup();
    const embedder = fakeEmbedder();
    await buildIndex({ stories: await loadCorpus(corpusDir), embedder, indexDir });
    const load = (overrides: object) => () => loadIndex(indexDir, { ...expectFor(embedder), ...overrides });
    expect(load({ modelId: 'Xenova/all-MiniLM-L6-v2' })).toThrow(/built with the model "fake-model" but EMBED_MODEL is "Xenova\/all-MiniLM-L6-v2": run npm run build-index/);
    expect(load({ dimensions: 384 })).toThrow(/512-dimensional vectors but the model makes 384: run npm run build-index/);
    expect(load({ modelHash: 'changed' })).toThrow(/different files for the model "fake-model": run npm run build-index/);

    const manifestFile = path.join(currentGeneration(indexDir)!, MANIFEST_FILE);
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
    writeFileSync(manifestFile, JSON.stringify({ ...manifest, formatVersion: 99 }));
    expect(load({})).toThrow(/format 99 .* run npm run build-index/);
  });

  it('says the index is missing, and refuses a truncated or corrupt one', async () => {
    const { corpusDir, indexDir } = await setup();
    const embedder = fakeEmbedder();
    expect(() => loadIndex(indexDir, expectFor(embedder))).toThrow(IndexMissingError);

    await buildIndex({ stories: await loadCorpus(corpusDir), embedder, indexDir });
    const generation = currentGeneration(indexDir)!;
    truncateSync(path.join(generation, VECTORS_FILE), 100);
    expect(() => loadIndex(indexDir, expectFor(embedder))).toThrow(/vectors\.hnsw is missing or damaged .* run npm run build-index/);

    await buildIndex({ stories: await loadCorpus(corpusDir), embedder, indexDir, force: true });
    writeFileSync(path.join(currentGeneration(indexDir)!, MANIFEST_FILE), '{not json');
    expect(() => loadIndex(indexDir, expectFor(embedder))).toThrow(UserError);
    expect(() => loadIndex(indexDir, expectFor(embedder))).toThrow(/manifest .* run npm run build-index/);
  });

  it('keeps the previous index loadable when a build dies before switching', async () => {
    const { corpusDir, indexDir } = await setup();
    const embedder = fakeEmbedder();
    await buildIndex({ stories: await loadCorpus(corpusDir), embedder, indexDir });
    writeStory(corpusDir, 'gamma', ['A new story about trains.']);
    const failing = { ...embedder, embed: async () => Promise.reject(new Error('killed')) };
    await expect(buildIndex({ stories: await loadCorpus(corpusDir), embedder: failing, indexDir })).rejects.toThrow('killed');
    expect(loadIndex(indexDir, expectFor(embedder)).paragraphs).toHaveLength(5);
    // The next successful build cleans up and switches.
    await buildIndex({ stories: await loadCorpus(corpusDir), embedder, indexDir });
    expect(loadIndex(indexDir, expectFor(embedder)).paragraphs).toHaveLength(6);
    expect(readdirSync(indexDir).filter((name) => name.startsWith('.tmp-'))).toEqual([]);
    expect(existsSync(path.join(indexDir, CURRENT_FILE))).toBe(true);
  });
});

describe('the paragraph file check', () => {
  it('takes the file as parsed when its shape is right, and refuses any other shape', () => {
    const story = { id: 'a', file: 'a.md', title: 'T', outlet: 'O', authors: [], published: '2021-06-01', url: 'https://example.com/a', paragraphCount: 1 };
    const paragraph = { id: 'a:1', storyId: 'a', number: 1, text: 'Text.', hash: '0123456789abcdef' };
    const file = { stories: [story], paragraphs: [paragraph] };
    expect(asParagraphsFile(file)).toBe(file);
    for (const broken of [
      null,
      { stories: [story] },
      { stories: [{ ...story, url: 7 }], paragraphs: [paragraph] },
      { stories: [story], paragraphs: [{ ...paragraph, number: 0 }] },
      { stories: [story], paragraphs: [{ ...paragraph, text: undefined }] },
      { stories: [story], paragraphs: [null] },
    ]) {
      expect(asParagraphsFile(broken)).toBeUndefined();
    }
  });
});

describe('an interrupted build', () => {
  it('resumes without embedding again what it had embedded, and leaves no checkpoint once done', async () => {
    const { corpusDir, indexDir } = await setup();
    // Two whole chunks and part of a third (setup's story holds 5 paragraphs).
    const total = 2 * EMBED_CHUNK + 27;
    writeStory(corpusDir, 'long', Array.from({ length: total - 5 }, (_, i) => `Paragraph ${i + 1} of a long story about the harbour.`));
    const embedder = fakeEmbedder();
    let calls = 0;
    // Dies on its third chunk, as a Ctrl-C would.
    const dying = { ...embedder, embed: async (texts: readonly string[]) => (++calls > 2 ? Promise.reject(new Error('interrupted')) : embedder.embed(texts)) };
    await expect(buildIndex({ stories: await loadCorpus(corpusDir), embedder: dying, indexDir })).rejects.toThrow('interrupted');
    expect(readdirSync(indexDir).filter((name) => name.startsWith('.embedded-'))).toHaveLength(1);

    embedder.embeddedTexts.length = 0;
    const resumed = await buildIndex({ stories: await loadCorpus(corpusDir), embedder, indexDir });
    expect(resumed).toMatchObject({ changed: true, paragraphs: total, embedded: 27 });
    expect(embedder.embeddedTexts).toHaveLength(27);
    expect(readdirSync(indexDir).filter((name) => name.startsWith('.embedded-'))).toEqual([]);
    // The resumed vectors are the ones the model makes.
    const index = loadIndex(indexDir, expectFor(embedder));
    const [expected] = await embedder.embed([index.paragraphs[0]!.text]);
    expect(Array.from(index.store.vector(0)).map((x) => x.toFixed(5))).toEqual(Array.from(expected!).map((x) => x.toFixed(5)));
  });
});

describe('an unchanged corpus', () => {
  it('is recognised from its files’ names, sizes and times, or by content while a file is newer than 3 s', async () => {
    const { corpusDir, indexDir } = await setup();
    const embedder = fakeEmbedder();
    const config = { ...loadCoreConfig({}, tempDir()), corpusDir, indexDir };
    const later = () => Date.now() + 10_000;
    // Just written, the files are "racy" (a rewrite within one clock tick could keep size and times): described by content.
    const racy = (await scanCorpus(corpusDir))!;
    expect([...racy.files.values()].every((file) => file.content && !file.signature)).toBe(true);
    expect([...(await scanCorpus(corpusDir, later))!.files.values()].every((file) => file.signature && !file.content)).toBe(true);

    const same = async () => upToDate(indexDir, async (recorded) => sameFiles(corpusDir, (await scanCorpus(corpusDir))!, recorded), embedder);
    expect(await same()).toBeUndefined(); // no index yet
    await buildIndexFromCorpus(config, embedder);
    expect(await same()).toMatchObject({ changed: false, stories: 2, paragraphs: 5 });
    // Once settled, a file recorded by content is compared by content.
    const settledLater = async (recorded: Parameters<typeof sameFiles>[2]) => sameFiles(corpusDir, (await scanCorpus(corpusDir, later))!, recorded);
    expect(await upToDate(indexDir, settledLater, embedder)).toMatchObject({ changed: false });
    // Another model, or a story added, means the files must be read again (a same-size rewrite: the next test).
    expect(await upToDate(indexDir, settledLater, fakeEmbedder({ modelHash: 'other-weights' }))).toBeUndefined();
    writeStory(corpusDir, 'beta', ['A bakery opened on Main Street.', 'Its bread sold out by NOON.']);
    expect(await same()).toBeUndefined();
    expect(await buildIndexFromCorpus(config, embedder)).toMatchObject({ changed: true, embedded: 1 });
    writeStory(corpusDir, 'gamma', ['A ferry ran late.']);
    expect(await same()).toBeUndefined();
    expect(await buildIndexFromCorpus(config, embedder)).toMatchObject({ changed: true, stories: 3 });
    expect(await buildIndexFromCorpus(config, embedder)).toMatchObject({ changed: false, stories: 3 });
  });

  it('is not recognised after a rewrite with other bytes of the same size, just written or settled, by content or by size and times', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const later = (seconds: number) => vi.setSystemTime(Date.now() + seconds * 1000);
      const { corpusDir, indexDir } = await setup();
      const embedder = fakeEmbedder();
      const config = { ...loadCoreConfig({}, tempDir()), corpusDir, indexDir };
      const same = async () => upToDate(indexDir, async (recorded) => sameFiles(corpusDir, (await scanCorpus(corpusDir))!, recorded), embedder);
      for (const settledAtBuild of [false, true]) {
        if (settledAtBuild) later(10); // the build then records the files by size and times
        expect(await buildIndexFromCorpus(config, embedder)).toMatchObject({ stories: 2 });
        later(10);
        expect(await same()).toMatchObject({ changed: false });
        const file = path.join(corpusDir, 'beta.md');
        const text = readFileSync(file, 'utf8');
        const rewritten = text.includes('by noon') ? text.replace('by noon', 'by nine') : text.replace('by nine', 'by noon');
        expect(rewritten).not.toBe(text);
        expect(Buffer.byteLength(rewritten)).toBe(Buffer.byteLength(text));
        writeFileSync(file, rewritten);
        expect(await same()).toBeUndefined(); // just written: by content
        later(10);
        expect(await same()).toBeUndefined(); // settled: by size and times
      }
    } finally {
      vi.useRealTimers();
    }
  });

  it('is described by size and times at the end of a build for files that settled unchanged while it ran', async () => {
    const { corpusDir } = await setup();
    const later = () => Date.now() + 10_000;
    const before = (await scanCorpus(corpusDir))!;
    const settled = await settledScan(corpusDir, before, later);
    expect([...settled.files.entries()].map(([name, file]) => [name, Boolean(file.signature)])).toEqual([
      ['alpha.md', true],
      ['beta.md', true],
    ]);
    // A file rewritten during the build is not vouched for: it is left out, so the next build reads it.
    writeStory(corpusDir, 'beta', ['A bakery opened on Main Street.', 'Its bread sold out by ten.']);
    expect([...(await settledScan(corpusDir, before, later)).files.keys()]).toEqual(['alpha.md']);
  });

  it('is not read again where the index holds a settled file’s text; a file that changed is', async () => {
    const { corpusDir, indexDir } = await setup();
    const embedder = fakeEmbedder();
    const stories = await loadCorpus(corpusDir);
    const scan = (await scanCorpus(corpusDir, () => Date.now() + 10_000))!;
    await buildIndex({ stories, embedder, indexDir, corpusFiles: async () => scan });

    const known = knownStories(indexDir);
    expect([...known.keys()]).toEqual(['alpha.md', 'beta.md']);
    expect(known.get('beta.md')!.story).toEqual(stories[1]);
    // What the index holds is what is returned for a file whose signature matches (so it was not read)…
    const marked = new Map(known);
    const beta = known.get('beta.md')!;
    marked.set('beta.md', { ...beta, story: { ...beta.story, title: 'From the index' } });
    const later = () => Date.now() + 10_000;
    expect((await loadCorpus(corpusDir, { known: marked, now: later })).map((story) => story.title)).toEqual(['Story alpha', 'From the index']);
    // …but not while the file is racy, nor once it changed.
    expect((await loadCorpus(corpusDir, { known: marked })).map((story) => story.title)).toEqual(['Story alpha', 'Story beta']);
    writeStory(corpusDir, 'beta', ['A bakery opened on Main Street.', 'Its bread sold out by one.']);
    const reread = await loadCorpus(corpusDir, { known: marked, now: later });
    expect(reread[1]).toMatchObject({ title: 'Story beta' });
    expect(reread[1]!.paragraphs[1]!.text).toBe('Its bread sold out by one.');
  });

  it('gives every story without its text from the index where the file is as recorded, reading only the others', async () => {
    const { corpusDir, indexDir } = await setup();
    const embedder = fakeEmbedder();
    const config = { corpusDir, indexDir };
    await buildIndexFromCorpus({ ...loadCoreConfig({}, tempDir()), ...config }, embedder);
    // Attribution and paragraph hashes are what a summary promises (one read from a file also has the texts).
    const summary = ({ paragraphs, ...story }: StorySummary) => ({ ...story, paragraphs: paragraphs.map(({ hash }) => hash) });
    const full = (await loadCorpus(corpusDir)).map(summary);

    const indexed = indexedSummaries(indexDir);
    expect([...indexed.keys()]).toEqual(['alpha.md', 'beta.md']);
    expect((await loadStorySummaries(config)).map(summary)).toEqual(full);
    // A story held by the index is taken from it (marked here), unless its file changed; a new file is read.
    const beta = indexed.get('beta.md')!;
    indexed.set('beta.md', { ...beta, summary: { ...beta.summary, title: 'From the index' } });
    expect((await corpusSummaries(corpusDir, { indexed })).map((story) => story.title)).toEqual(['Story alpha', 'From the index']);
    writeStory(corpusDir, 'beta', ['A bakery opened on Main Street.', 'Its bread sold out by one.']);
    writeStory(corpusDir, 'gamma', ['New.']);
    expect((await corpusSummaries(corpusDir, { indexed })).map((story) => story.title)).toEqual(['Story alpha', 'Story beta', 'Story gamma']);
    expect((await loadStorySummaries(config)).map(summary)).toEqual((await loadCorpus(corpusDir)).map(summary));
    // No index: every file is read.
    expect((await loadStorySummaries({ corpusDir, indexDir: tempDir() })).map(summary)).toEqual((await loadCorpus(corpusDir)).map(summary));
  });
});

describe('adding stories to a built index', () => {
  it('appends their paragraphs to the graph: only they are embedded, the other labels stay, and it answers as a full build does', async () => {
    const { corpusDir, indexDir } = await setup();
    const embedder = fakeEmbedder();
    const config = { ...loadCoreConfig({}, tempDir()), corpusDir, indexDir };
    await buildIndexFromCorpus(config, embedder);
    const before = loadIndex(indexDir, expectFor(embedder));

    // "aardvark" sorts first: a full build would give its paragraphs the first labels.
    writeStory(corpusDir, 'aardvark', ['The zoo welcomed an aardvark named Rufus.', 'Rufus eats termites at dawn.']);
    embedder.embeddedTexts.length = 0;
    const report = await buildIndexFromCorpus(config, embedder);
    expect(report).toMatchObject({ changed: true, appended: true, stories: 3, paragraphs: 7, embedded: 2, reused: 5 });
    // Of the paragraphs, only the new ones; the corpus grew by 40 %, so the refusal's background questions were measured on it again.
    const passages = embedder.embeddedTexts.filter((text) => !BACKGROUND_QUESTIONS.includes(text));
    expect(passages.sort()).toEqual(['Rufus eats termites at dawn.', 'The zoo welcomed an aardvark named Rufus.']);
    expect(embedder.embeddedTexts.length).toBe(2 + BACKGROUND_QUESTIONS.length);

    const after = loadIndex(indexDir, expectFor(embedder));
    // Read back lazily: compared as the JSON they are written as.
    expect(JSON.parse(JSON.stringify(after.paragraphs.slice(0, 5)))).toEqual(JSON.parse(JSON.stringify(before.paragraphs)));
    expect(after.paragraphs.slice(5).map((p) => p.id)).toEqual(['aardvark:1', 'aardvark:2']);
    expect(after.stories.map((story) => story.id)).toEqual(['alpha', 'beta', 'aardvark']);
    expect(after.store.size).toBe(7);
    expect(after.centroids).toHaveLength(3 * embedder.dimensions);
    const appended = createRetriever(after, embedder);
    // Centroids made from the graph on first use (an older index) rank the same as the stored ones.
    const { centroids: _stored, ...withoutCentroids } = after;
    const computed = createRetriever(withoutCentroids, embedder);

    // The same corpus built from scratch: other labels, same answers.
    const fullDir = path.join(tempDir(), 'index');
    expect(await buildIndexFromCorpus({ ...config, indexDir: fullDir }, embedder)).toMatchObject({ appended: false });
    const full = createRetriever(loadIndex(fullDir, expectFor(embedder)), embedder);
    for (const question of ['What does Rufus eat?', 'Who met Trump?', 'When did the bread sell out?', 'What did the zoo welcome?']) {
      const [a, b, c] = [await appended.search({ question, topK: 3 }), await full.search({ question, topK: 3 }), await computed.search({ question, topK: 3 })];
      expect(a.outcome).toEqual(b.outcome);
      expect(a.passages.map((p) => [p.paragraph.id, p.score.toFixed(6)])).toEqual(b.passages.map((p) => [p.paragraph.id, p.score.toFixed(6)]));
      expect(c.passages.map((p) => [p.paragraph.id, p.score.toFixed(6)])).toEqual(b.passages.map((p) => [p.paragraph.id, p.score.toFixed(6)]));
    }
  });

  it('appends given only the new stories: the others are not needed, and the index is the one a full build of the corpus describes', async () => {
    const { corpusDir, indexDir } = await setup();
    const embedder = fakeEmbedder();
    const config = { ...loadCoreConfig({}, tempDir()), corpusDir, indexDir };
    await buildIndexFromCorpus(config, embedder);
    const before = currentGeneration(indexDir);

    writeStory(corpusDir, 'aardvark', ['The zoo welcomed an aardvark named Rufus.', 'Rufus eats termites at dawn.']);
    const [aardvark] = (await loadCorpus(corpusDir)).filter((story) => story.id === 'aardvark');
    // A story id the index holds already, or another model: nothing is written, a full build must decide.
    const [alpha] = (await loadCorpus(corpusDir)).filter((story) => story.id === 'alpha');
    expect(await appendStories({ added: [alpha!], embedder, indexDir })).toBeUndefined();
    expect(await appendStories({ added: [aardvark!], embedder: fakeEmbedder({ modelHash: 'other' }), indexDir })).toBeUndefined();
    expect(currentGeneration(indexDir)).toBe(before);

    expect(await appendStories({ added: [aardvark!], embedder, indexDir, derivedFiles: searchFiles })).toMatchObject({ appended: true, stories: 3, paragraphs: 7, embedded: 2 });
    const appended = loadIndex(indexDir, expectFor(embedder));
    expect(appended.paragraphs.map((p) => p.text)).toEqual([
      'Lavrov met Trump in the Oval Office.', 'The photographer was Russian.', 'Laptops were discussed.',
      'A bakery opened on Main Street.', 'Its bread sold out by noon.',
      'The zoo welcomed an aardvark named Rufus.', 'Rufus eats termites at dawn.',
    ]);
    const fullDir = path.join(tempDir(), 'index');
    await buildIndexFromCorpus({ ...config, indexDir: fullDir }, embedder);
    // The corpus hash is the full build's (stories in file order), so a later full load finds it unchanged.
    expect(appended.manifest.corpusHash).toBe(loadIndex(fullDir, expectFor(embedder)).manifest.corpusHash);
    expect(await buildIndex({ stories: await loadCorpus(corpusDir), embedder, indexDir })).toMatchObject({ changed: false });
  });

  it('removes and edits stories in place: old vectors are marked deleted, only new text is embedded, and it answers as a full build does', async () => {
    const corpusDir = path.join(tempDir(), 'corpus');
    const topics = ['harbour', 'library', 'bakery', 'orchard', 'ferry', 'museum', 'stadium', 'bridge', 'clinic', 'market', 'theatre', 'garden', 'pool', 'depot', 'school', 'arena', 'pier', 'tower', 'plaza', 'chapel', 'mill', 'foundry', 'quarry', 'observatory'];
    for (const [i, topic] of topics.entries()) writeStory(corpusDir, `s${String(i).padStart(2, '0')}-${topic}`, [`The ${topic} reopened on Monday after repairs.`, `The ${topic} cost ${i + 2} million dollars to fix.`]);
    const embedder = fakeEmbedder();
    const config = { ...loadCoreConfig({}, tempDir()), corpusDir };
    await buildIndexFromCorpus(config, embedder);

    const graphOf = (dir: string, file = VECTORS_FILE) => statSync(path.join(dir, file)).ino;
    const built = graphOf(currentGeneration(config.indexDir)!);
    rmSync(path.join(corpusDir, 's03-orchard.md'));
    embedder.embeddedTexts.length = 0;
    expect(await buildIndexFromCorpus(config, embedder)).toMatchObject({ changed: true, updatedInPlace: true, stories: 23, paragraphs: 46, embedded: 0 });
    expect(embedder.embeddedTexts).toEqual([]);
    const dir = currentGeneration(config.indexDir)!;
    expect(existsSync(path.join(dir, LABELS_FILE))).toBe(true);
    // The graph file is the previous one, linked: a removal neither reads nor writes it.
    expect(graphOf(dir)).toBe(built);
    // Stories added after a removal get the graph's next labels, in the delta graph: the base file stays the same.
    writeStory(corpusDir, 's99-aquarium', ['The aquarium reopened on Monday after repairs.', 'The aquarium cost 40 million dollars to fix.']);
    expect(await buildIndexFromCorpus(config, embedder)).toMatchObject({ appended: true, stories: 24, paragraphs: 48, embedded: 2 });
    const appended = currentGeneration(config.indexDir)!;
    expect(graphOf(appended)).toBe(built);
    expect(loadIndex(config.indexDir, expectFor(embedder)).store.deltaElements).toBe(2);
    expect(graphOf(appended, DELTA_FILE)).toBeGreaterThan(0);

    const inPlace = loadIndex(config.indexDir, expectFor(embedder));
    expect(inPlace.stories.map((story) => story.id)).not.toContain('s03-orchard');
    expect(inPlace.store.size).toBe(48);
    const fullDir = path.join(tempDir(), 'index');
    await buildIndexFromCorpus({ ...config, indexDir: fullDir }, embedder);
    // The in-place generation kept the refusal's calibration (the corpus changed by less than a
    // tenth); the full build measured its own. Compared with the same one: what is compared is the index.
    await writeCalibration(currentGeneration(fullDir)!, readCalibration(inPlace.dir)!);
    const [a, b] = [createRetriever(inPlace, embedder), createRetriever(loadIndex(fullDir, expectFor(embedder)), embedder)];
    for (const question of ['How much did the orchard cost to fix?', 'How much did the aquarium cost?', 'When did the ferry reopen?', 'What did the museum cost?']) {
      const [x, y] = [await a.search({ question, topK: 5 }), await b.search({ question, topK: 5 })];
      expect(x.outcome).toEqual(y.outcome);
      expect(x.passages.map((p) => [p.paragraph.id, p.score.toFixed(6)])).toEqual(y.passages.map((p) => [p.paragraph.id, p.score.toFixed(6)]));
    }
    // The same corpus, so a later build finds nothing to do.
    expect(await buildIndex({ stories: await loadCorpus(corpusDir), embedder, indexDir: config.indexDir })).toMatchObject({ changed: false });

    // An edited story: its old paragraphs are deleted, the story is appended again, and only its new text is embedded.
    writeStory(corpusDir, 's01-library', ['The library reopened on Monday after repairs.', 'The library cost 9 million dollars to fix, twice the estimate.']);
    embedder.embeddedTexts.length = 0;
    expect(await buildIndexFromCorpus(config, embedder)).toMatchObject({ updatedInPlace: true, stories: 24, paragraphs: 48, embedded: 1 });
    expect(embedder.embeddedTexts).toEqual(['The library cost 9 million dollars to fix, twice the estimate.']);
    const edited = createRetriever(loadIndex(config.indexDir, expectFor(embedder)), embedder);
    const editedFullDir = path.join(tempDir(), 'index');
    await buildIndexFromCorpus({ ...config, indexDir: editedFullDir }, embedder);
    await writeCalibration(currentGeneration(editedFullDir)!, readCalibration(currentGeneration(config.indexDir)!)!);
    const editedFull = createRetriever(loadIndex(editedFullDir, expectFor(embedder)), embedder);
    for (const question of ['How much did the library cost to fix?', 'When did the library reopen?']) {
      const [x, y] = [await edited.search({ question, topK: 5 }), await editedFull.search({ question, topK: 5 })];
      expect(x.passages.map((p) => [p.paragraph.id, p.paragraph.text, p.score.toFixed(6)])).toEqual(y.passages.map((p) => [p.paragraph.id, p.paragraph.text, p.score.toFixed(6)]));
    }

    // Past a tenth of the graph removed, a full build drops the deleted entries.
    for (const file of ['s04-ferry.md', 's05-museum.md']) rmSync(path.join(corpusDir, file));
    expect(await buildIndexFromCorpus(config, embedder)).toMatchObject({ updatedInPlace: false, appended: false, paragraphs: 44 });
    expect(existsSync(path.join(currentGeneration(config.indexDir)!, LABELS_FILE))).toBe(false);
  });

  it('refuses an index whose label map is damaged, in one sentence', async () => {
    const corpusDir = path.join(tempDir(), 'corpus');
    for (let i = 0; i < 11; i++) writeStory(corpusDir, `s${i}`, [`Story ${i} opens.`, `Story ${i} closes.`]);
    const embedder = fakeEmbedder();
    const config = { ...loadCoreConfig({}, tempDir()), corpusDir };
    await buildIndexFromCorpus(config, embedder);
    rmSync(path.join(corpusDir, 's3.md'));
    expect(await buildIndexFromCorpus(config, embedder)).toMatchObject({ updatedInPlace: true });
    const labels = path.join(currentGeneration(config.indexDir)!, LABELS_FILE);
    const bytes = readFileSync(labels);
    bytes.writeInt32LE(999, 0);
    writeFileSync(labels, bytes);
    expect(() => loadIndex(config.indexDir, expectFor(embedder))).toThrow(/vector file in .* cannot be read: run npm run build-index/);
  });

  it('builds anew, with labels in file order, when a story was removed or changed', async () => {
    const { corpusDir, indexDir } = await setup();
    const embedder = fakeEmbedder();
    const config = { ...loadCoreConfig({}, tempDir()), corpusDir, indexDir };
    await buildIndexFromCorpus(config, embedder);
    writeStory(corpusDir, 'aardvark', ['The zoo welcomed an aardvark named Rufus.']);
    expect(await buildIndexFromCorpus(config, embedder)).toMatchObject({ appended: true });

    // A headline edited, the paragraphs the same: still appended (nothing to embed), with the new headline.
    writeStory(corpusDir, 'beta', ['A bakery opened on Main Street.', 'Its bread sold out by noon.'], { title: 'Bakery opens' });
    expect(await buildIndexFromCorpus(config, embedder)).toMatchObject({ appended: true, paragraphs: 6, embedded: 0 });
    const edited = loadIndex(indexDir, expectFor(embedder));
    expect(edited.stories.find((story) => story.id === 'beta')?.title).toBe('Bakery opens');
    expect(await buildIndex({ stories: await loadCorpus(corpusDir), embedder, indexDir })).toMatchObject({ changed: false });

    rmSync(path.join(corpusDir, 'beta.md'));
    expect(await buildIndexFromCorpus(config, embedder)).toMatchObject({ appended: false, paragraphs: 4, embedded: 0 });
    expect(loadIndex(indexDir, expectFor(embedder)).stories.map((story) => story.id)).toEqual(['aardvark', 'alpha']);

    writeStory(corpusDir, 'alpha', ['Lavrov met Trump in the Oval Office.', 'The photographer was American.', 'Laptops were discussed.']);
    expect(await buildIndexFromCorpus(config, embedder)).toMatchObject({ appended: false, paragraphs: 4, embedded: 1 });
  });
});

describe('a serving process that reloads after a story is added or removed', () => {
  it('shares the base graph it holds when the new generation links the same file, and answers as a fresh load does', async () => {
    const corpusDir = path.join(tempDir(), 'corpus');
    for (let i = 0; i < 12; i++) writeStory(corpusDir, `s${String(i).padStart(2, '0')}`, [`The pier number ${i} reopened on Monday.`, `Repairs to pier ${i} cost ${i + 3} million dollars.`]);
    const embedder = fakeEmbedder();
    const config = { ...loadCoreConfig({}, tempDir()), corpusDir };
    await buildIndexFromCorpus(config, embedder);
    const serving = await openIndex(config, embedder);

    writeStory(corpusDir, 's99-aquarium', ['The aquarium reopened on Monday after repairs.', 'The aquarium cost 40 million dollars to fix.']);
    expect(await buildIndexFromCorpus(config, embedder)).toMatchObject({ appended: true });
    const added = await openIndex(config, embedder, { previous: serving });
    expect(added.baseGraph).toBe(serving.baseGraph);
    rmSync(path.join(corpusDir, 's03.md'));
    expect(await buildIndexFromCorpus(config, embedder)).toMatchObject({ updatedInPlace: true });
    const removed = await openIndex(config, embedder, { previous: added });
    expect(removed.baseGraph).toBe(serving.baseGraph);

    const fresh = await openIndex(config, embedder);
    const [a, b] = [createRetriever(removed, embedder), createRetriever(fresh, embedder)];
    for (const question of ['How much did the aquarium cost?', 'When did pier 3 reopen?', 'What did repairs to pier 7 cost?']) {
      const [x, y] = [await a.search({ question, topK: 5 }), await b.search({ question, topK: 5 })];
      expect(x.passages.map((p) => [p.paragraph.id, p.score])).toEqual(y.passages.map((p) => [p.paragraph.id, p.score]));
      expect(x.passages.map((p) => p.paragraph.storyId)).not.toContain('s03');
    }
  });
});
