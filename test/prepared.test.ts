import { readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { readCalibration } from '../src/search/calibration.js';
import { describe, expect, it } from 'vitest';
import { loadCoreConfig } from '../src/config.js';
import { currentGeneration, loadIndex } from '../src/index/index.js';
import { buildIndexFromCorpus } from '../src/pipeline.js';
import { createRetriever, openRetriever } from '../src/retrieval.js';
import { LEXICAL_FILE, Retriever, TERMS_FILE, readPreparedSearch, searchFiles } from '../src/search/index.js';
import { countWords } from '../src/search/spelling.js';
import { changedColumn, columnOf, readTermsBinary, termsHead, viewTermsBinary, writeTermsBinary, type StoryRows, type TermsContents } from '../src/search/terms-format.js';
import { TermStatistics } from '../src/search/terms.js';
import { contentTerms } from '../src/search/text.js';
import { loadEnglishWords } from '../src/shared/english.js';
import type { LoadedIndex } from '../src/index/index.js';
import { copyFixtureCorpus, tempDir, writeStory } from './helpers/corpus.js';
import { fakeEmbedder } from './helpers/fake-embedder.js';

/** The fixture corpus (three stories) copied and indexed with a fake embedder. */
async function fixtureIndex() {
  const embedder = fakeEmbedder();
  const config = { ...loadCoreConfig({}, tempDir()), corpusDir: copyFixtureCorpus() };
  await buildIndexFromCorpus(config, embedder);
  return { embedder, config };
}

/** What loading an index built with `embedder` expects of it. */
function expected(embedder: ReturnType<typeof fakeEmbedder>) {
  return { modelId: embedder.modelId, modelHash: embedder.modelHash, dimensions: embedder.dimensions, efSearch: 64 };
}

describe('search files stored with the index', () => {
  it('are written into the generation, give the same answers as deriving them, and are size-checked', async () => {
    const { embedder, config } = await fixtureIndex();
    const dir = currentGeneration(config.indexDir)!;
    const expectation = expected(embedder);
    const index = loadIndex(config.indexDir, expectation);
    expect(Object.keys(index.manifest.files)).toEqual(expect.arrayContaining([LEXICAL_FILE, TERMS_FILE]));
    const prepared = readPreparedSearch(dir, index.paragraphs, index.stories.length);
    expect(prepared).toBeDefined();
    // Each story's stored terms are the content terms of its paragraphs.
    index.stories.forEach((story, i) => {
      const expected = new Set(index.paragraphs.filter((p) => p.storyId === story.id).flatMap((p) => contentTerms(p.text)));
      expect(prepared!.storyTerms.of(i)).toEqual(expected);
    });

    const fromFiles = createRetriever(index, embedder);
    // The same refusal calibration on both sides: what is compared is the search files.
    const fromTexts = new Retriever(index, embedder, { dictionary: loadEnglishWords(), calibration: readCalibration(index.dir) });
    for (const question of ['How much will the bike lanes cost?', 'Who cut the ribbon at the library?', 'When does the bridge close?', 'wen dose the brige close']) {
      const [a, b] = [await fromFiles.search({ question, topK: 5 }), await fromTexts.search({ question, topK: 5 })];
      expect(a.passages.map((p) => [p.label, p.score])).toEqual(b.passages.map((p) => [p.label, p.score]));
      expect(a.outcome).toEqual(b.outcome);
    }
    // Files that do not fit the paragraphs are not used.
    expect(readPreparedSearch(dir, [...index.paragraphs, { text: "one more" }], index.stories.length)).toBeUndefined();
    truncateSync(path.join(dir, LEXICAL_FILE), 10);
    expect(() => loadIndex(config.indexDir, expectation)).toThrow(/lexical\.bin is missing or damaged.*npm run build-index/);
  });

  it('follow appends and removals by graph label, and answer as deriving them from the texts does', async () => {
    const { embedder, config } = await fixtureIndex();
    const paragraphs = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `The ${prefix} council met on item ${i} and voted on the ${prefix}${i} plan.`);
    // 600 paragraphs: more than a start indexes itself, so the BM25 index is written with them.
    for (let i = 0; i < 12; i++) writeStory(config.corpusDir, `zz-batch-${i}`, paragraphs(`harbour${i}x`, 50));
    expect(await buildIndexFromCorpus(config, embedder)).toMatchObject({ appended: true });
    // A removal keeps the others' labels (the positions after it close up); an append after it takes the next labels.
    rmSync(path.join(config.corpusDir, 'zz-batch-3.md'));
    expect(await buildIndexFromCorpus(config, embedder)).toMatchObject({ updatedInPlace: true, embedded: 0 });
    // 20 more are left for a start to index: the file is the previous one.
    const lexicalBefore = statSync(path.join(currentGeneration(config.indexDir)!, LEXICAL_FILE)).ino;
    writeStory(config.corpusDir, 'zz-orchard', paragraphs('orchard', 20));
    expect(await buildIndexFromCorpus(config, embedder)).toMatchObject({ appended: true, embedded: 20 });
    expect(statSync(path.join(currentGeneration(config.indexDir)!, LEXICAL_FILE)).ino).toBe(lexicalBefore);

    const index = loadIndex(config.indexDir, expected(embedder));
    expect(index.labels).toBeDefined();
    const prepared = readPreparedSearch(index.dir, index.paragraphs, index.stories.length, index.labels);
    expect(prepared).toBeDefined();
    // Read without the label map, the stored index does not fit the positions.
    expect(readPreparedSearch(index.dir, index.paragraphs, index.stories.length)).toBeUndefined();
    const fromFiles = createRetriever(index, embedder);
    const fromTexts = new Retriever(index, embedder, { dictionary: loadEnglishWords(), calibration: readCalibration(index.dir) });
    for (const question of ['What was voted on in harbour7x45?', 'What happened to the orchard12 plan?', 'What about harbour3x4?', 'harbour11x49 council vote', 'Who cut the ribbon at the library?']) {
      for (const mode of ['bm25', 'hybrid'] as const) {
        const [a, b] = [await fromFiles.search({ question, topK: 5, mode }), await fromTexts.search({ question, topK: 5, mode })];
        expect(a.passages.map((p) => [p.paragraph.id, p.score.toFixed(9)])).toEqual(b.passages.map((p) => [p.paragraph.id, p.score.toFixed(9)]));
        expect(a.outcome).toEqual(b.outcome);
      }
    }
  });
});

describe('search files made by an older version', () => {
  const olderVersions: Array<[string, (dir: string) => void]> = [
    [
      'a terms file of another version',
      (dir) => {
        // As an older version wrote it: another version number (its terms were made another way).
        const file = path.join(dir, TERMS_FILE);
        const bytes = readFileSync(file);
        bytes.writeUInt32LE(1, 8);
        writeFileSync(file, bytes);
      },
    ],
    [
      'terms.json, from before the terms file was binary',
      (dir) => {
        // The manifest lists terms.json (and its size), and there is no terms.bin.
        const manifestFile = path.join(dir, 'manifest.json');
        const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { files: Record<string, { bytes: number }> };
        const documents = termsHead(readFileSync(path.join(dir, TERMS_FILE)))!.documents;
        const old = JSON.stringify({ version: 5, documents, stats: { documents, df: [] }, words: [], storyTerms: [] });
        writeFileSync(path.join(dir, 'terms.json'), old);
        rmSync(path.join(dir, TERMS_FILE));
        delete manifest.files[TERMS_FILE];
        manifest.files['terms.json'] = { bytes: Buffer.byteLength(old) };
        writeFileSync(manifestFile, JSON.stringify(manifest));
      },
    ],
  ];

  it.each(olderVersions)('(%s) are made anew by the next build, without embedding again, and answer as deriving them does', async (_, age) => {
    const { embedder, config } = await fixtureIndex();
    const before = currentGeneration(config.indexDir)!;
    age(before);
    const index = loadIndex(config.indexDir, expected(embedder));
    expect(readPreparedSearch(before, index.paragraphs, index.stories.length)).toBeUndefined();
    // Opening it still answers, and says how to start faster.
    const said: string[] = [];
    const { retriever } = await openRetriever(config, { embedder, reporter: { info: (text) => said.push(text) } });
    expect((await retriever.search({ question: 'How much will the bike lanes cost?' })).outcome.kind).toBe('answered');
    expect(said.join('\n')).toMatch(/older version.*npm run build-index/);

    const report = await buildIndexFromCorpus(config, embedder);
    expect(report).toMatchObject({ changed: true, embedded: 0 });
    const after = currentGeneration(config.indexDir)!;
    expect(after).not.toBe(before);
    const rebuilt = loadIndex(config.indexDir, expected(embedder));
    expect(Object.keys(rebuilt.manifest.files)).toContain(TERMS_FILE);
    expect(Object.keys(rebuilt.manifest.files)).not.toContain('terms.json');
    expect(readPreparedSearch(after, rebuilt.paragraphs, rebuilt.stories.length)).toBeDefined();
    // And the build after that has nothing to do; opening says nothing more.
    expect(await buildIndexFromCorpus(config, embedder)).toMatchObject({ changed: false });
    said.length = 0;
    await openRetriever(config, { embedder, reporter: { info: (text) => said.push(text) } });
    expect(said).toEqual([]);
  });
});

/** What the terms file is to hold for an index's paragraphs, made in memory from their texts. */
function termsInMemory(index: Pick<LoadedIndex, 'paragraphs' | 'stories'>) {
  const texts = index.paragraphs.map((paragraph) => paragraph.text);
  const stats = TermStatistics.fromTermSets(texts.map((text) => new Set(contentTerms(text))));
  return {
    frequencies: [...stats.frequencies()],
    words: [...countWords(texts)],
    // Each story's terms in the order its paragraphs first hold them.
    storyTerms: index.stories.map((story) => [...new Set(index.paragraphs.filter((p) => p.storyId === story.id).flatMap((p) => contentTerms(p.text)))]),
  };
}

/** Story `story`'s terms as a terms file holds them, in its order. */
function storyRow(contents: Pick<TermsContents, 'terms' | 'stories'>, story: number): string[] {
  const { starts, terms } = contents.stories;
  return Array.from(terms.subarray(starts[story], starts[story + 1]), (position) => contents.terms[position]!);
}

function readTerms(index: LoadedIndex): TermsContents {
  const version = termsHead(readFileSync(path.join(index.dir, TERMS_FILE)))!.version;
  return readTermsBinary(readFileSync(path.join(index.dir, TERMS_FILE)), { version, documents: index.paragraphs.length });
}

describe('the terms file', () => {
  it('holds what deriving in memory makes (term order, counts, word order, story terms), after an append byte for byte, after a removal the same content', async () => {
    const { embedder, config } = await fixtureIndex();
    writeStory(config.corpusDir, 'zz-café', ['The café on Mühlenstraße opened a second room.', 'Its owner, Zoë Ångström, said the room seats forty.']);
    // Enough paragraphs besides that removing it keeps the graph (past a tenth removed, a removal builds anew).
    for (let i = 0; i < 3; i++) writeStory(config.corpusDir, `zz-ferry-${i}`, Array.from({ length: 10 }, (_, k) => `The ferry${i} crossed the sound ${k} times on the ${k}th day.`));
    expect(await buildIndexFromCorpus(config, embedder)).toMatchObject({ appended: true });
    let index = loadIndex(config.indexDir, expected(embedder));
    let contents = readTerms(index);
    let want = termsInMemory(index);
    expect(contents.terms).toEqual(want.frequencies.map(([term]) => term));
    expect([...contents.frequencies]).toEqual(want.frequencies);
    expect([...contents.wordCounts]).toEqual(want.words);
    expect(contents.terms).toContain('café');
    expect(index.stories.map((_, story) => storyRow(contents, story))).toEqual(want.storyTerms);
    // The appended file is the one deriving from every text writes.
    const storyParagraphs = index.stories.map((story) => index.paragraphs.filter((p) => p.storyId === story.id).length);
    const derived = searchFiles.derive({ texts: index.paragraphs.map((p) => p.text), storyParagraphs })[TERMS_FILE] as Uint8Array;
    expect(Buffer.compare(readFileSync(path.join(index.dir, TERMS_FILE)), derived)).toBe(0);
    // What a start reads is the same.
    const prepared = readPreparedSearch(index.dir, index.paragraphs, index.stories.length)!;
    expect([...prepared.stats.frequencies()]).toEqual(want.frequencies);
    expect([...prepared.wordCounts]).toEqual(want.words);
    index.stories.forEach((_, story) => expect([...prepared.storyTerms.of(story)!]).toEqual(want.storyTerms[story]));
    expect(prepared.storyTerms.of(index.stories.length)).toBeUndefined();
    expect(prepared.storyTerms.of(-1)).toBeUndefined();

    // A removal keeps the term list's order (terms no paragraph holds any more stay, at 0) and drops the story's row.
    rmSync(path.join(config.corpusDir, 'zz-café.md'));
    expect(await buildIndexFromCorpus(config, embedder)).toMatchObject({ updatedInPlace: true });
    const before = contents;
    index = loadIndex(config.indexDir, expected(embedder));
    contents = readTerms(index);
    want = termsInMemory(index);
    expect(contents.terms).toEqual(before.terms);
    expect(contents.frequencies.get('café')).toBe(0);
    expect(new Map([...contents.frequencies].filter(([, count]) => count > 0))).toEqual(new Map(want.frequencies));
    expect(new Map(contents.wordCounts)).toEqual(new Map(want.words));
    expect(new Map(contents.wordCounts).has('Zoë')).toBe(false);
    expect(index.stories.map((_, story) => storyRow(contents, story))).toEqual(want.storyTerms);
  });

  it('reads back what was written: any letters, no terms at all, story rows copied part after part', () => {
    const frequencies = new Map([['café', 2], ['東京', 1], ['mühl', 0], ['x', 7]]);
    const wordCounts = new Map([['Zoë', 1], ['Ångström', 3], ['a', 2]]);
    const first: StoryRows = { starts: Uint32Array.of(0, 2, 2), terms: Uint32Array.of(1, 0) };
    // Rows of a file read before: the part starts inside its terms.
    const second: StoryRows = { starts: Uint32Array.of(1, 3, 4), terms: Uint32Array.of(9, 3, 2, 1) };
    const bytes = writeTermsBinary({ version: 6, documents: 3, terms: columnOf(frequencies), words: columnOf(wordCounts), stories: [first, second, { starts: Uint32Array.of(0), terms: new Uint32Array(0) }] });
    expect(bytes.length % 8).toBe(0);
    expect(termsHead(bytes)).toEqual({ version: 6, documents: 3 });
    // Read from a buffer that does not start on a 4-byte boundary too.
    const shifted = new Uint8Array(bytes.length + 1).subarray(1);
    shifted.set(bytes);
    for (const input of [bytes, shifted]) {
      const contents = readTermsBinary(input, { version: 6, documents: 3 });
      expect(contents.terms).toEqual(['café', '東京', 'mühl', 'x']);
      expect([...contents.frequencies]).toEqual([...frequencies]);
      expect([...contents.wordCounts]).toEqual([...wordCounts]);
      expect([...contents.stories.starts]).toEqual([0, 2, 2, 4, 5]);
      expect([0, 1, 2, 3].map((story) => storyRow(contents, story))).toEqual([['東京', 'café'], [], ['x', 'mühl'], ['東京']]);
    }
    const empty = readTermsBinary(writeTermsBinary({ version: 6, documents: 0, terms: columnOf(new Map()), words: columnOf(new Map()), stories: [] }), { version: 6, documents: 0 });
    expect(empty).toMatchObject({ terms: [], frequencies: new Map() });
    expect([...empty.wordCounts]).toEqual([]);
    expect([...empty.stories.starts]).toEqual([0]);
    // A line break would split a term in two on reading: refused when written.
    expect(() => writeTermsBinary({ version: 6, documents: 1, terms: columnOf(new Map([['a\nb', 1]])), words: columnOf(new Map()), stories: [] })).toThrow(/line break/);
  });

  it('changes counts in place as a map would: keys held keep their place, new ones follow in order, those at 0 stay or go', () => {
    // A seeded generator: the same cases every run.
    let seed = 7;
    const random = (below: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % below;
    const alphabet = ['a', 'b', 'é', '東', 'z'];
    const key = () => Array.from({ length: 1 + random(3) }, () => alphabet[random(alphabet.length)]).join('');
    for (let round = 0; round < 300; round++) {
      const map = new Map<string, number>();
      for (let i = random(12); i > 0; i--) map.set(key(), random(4));
      const changes = new Map<string, number>();
      for (let i = random(8); i > 0; i--) changes.set(key(), random(7) - 3);
      const atZero = round % 2 === 0 ? 'keep' : 'drop';
      // What the map's own operations give (TermStatistics and countWords change their maps so).
      const want = new Map(map);
      const wantPositions = new Map<string, number>();
      const held = [...map.keys()];
      for (const [changed, amount] of changes) {
        if (map.has(changed)) {
          wantPositions.set(changed, held.indexOf(changed));
          const count = want.get(changed)! + amount;
          if (count <= 0 && atZero === 'drop') want.delete(changed);
          else want.set(changed, Math.max(0, count));
        } else if (amount > 0) {
          wantPositions.set(changed, map.size + [...wantPositions.values()].filter((p) => p >= map.size).length);
          want.set(changed, amount);
        }
      }
      const column = viewTermsBinary(writeTermsBinary({ version: 6, documents: 0, terms: columnOf(map), words: columnOf(new Map()), stories: [] }), { version: 6, documents: 0 }).terms;
      const changed = changedColumn(column, changes, atZero);
      const got = readTermsBinary(writeTermsBinary({ version: 6, documents: 0, terms: changed.column, words: columnOf(new Map()), stories: [] }), { version: 6, documents: 0 });
      expect([...got.frequencies], JSON.stringify({ map: [...map], changes: [...changes], atZero })).toEqual([...want]);
      expect(changed.positions).toEqual(wantPositions);
    }
  });

  it('refuses a file damaged, cut short, of another version or for other paragraphs', () => {
    const write = (stories: StoryRows) =>
      Buffer.from(writeTermsBinary({ version: 6, documents: 2, terms: columnOf(new Map([['ab', 1], ['cd', 2]])), words: columnOf(new Map([['Ab', 1]])), stories: [stories] }));
    const good = write({ starts: Uint32Array.of(0, 1, 2), terms: Uint32Array.of(0, 1) });
    const expectation = { version: 6, documents: 2 };
    expect(() => readTermsBinary(good, expectation)).not.toThrow();
    /** `good` changed by `change`, with its checksum made right again: what only the structure checks can catch. */
    const resealed = (change: (bytes: Buffer) => void) => {
      const bytes = Buffer.from(good);
      change(bytes);
      bytes.writeUInt32LE(crc32(bytes.subarray(64)), 40);
      return bytes;
    };
    const refused: Array<[Uint8Array, RegExp]> = [
      [good.subarray(0, good.length - 8), /bytes where its header says/],
      [good.subarray(0, 40), /shorter than its header/],
      [Buffer.concat([Buffer.from('X'), good.subarray(1)]), /magic/],
      [Buffer.from(good).fill(0x61, 65, 66), /checksum/],
      [write({ starts: Uint32Array.of(0, 1, 2), terms: Uint32Array.of(0, 2) }), /position 2 of 2 terms/],
      [write({ starts: Uint32Array.of(0, 2, 1), terms: Uint32Array.of(0, 1) }), /backwards/],
      [resealed((bytes) => bytes.write('ab', 67, 'latin1')), /repeated term/],
      [resealed((bytes) => bytes.writeUInt32LE(3, 16)), /sections do not add up|terms where/],
    ];
    for (const [bytes, why] of refused) expect(() => readTermsBinary(bytes, expectation)).toThrow(why);
    // A term text of more keys than its counts: refused when decoded, and when changed without decoding it.
    const split = resealed((bytes) => (bytes[65] = 0x0a));
    expect(() => readTermsBinary(split, expectation)).toThrow(/3 keys where its header says 2/);
    expect(() => changedColumn(viewTermsBinary(split, expectation).terms, new Map([['ab', 1]]), 'keep')).toThrow(/3 keys where its header says 2/);
    expect(() => changedColumn(viewTermsBinary(good, expectation).terms, new Map([['ab', 1]]), 'keep')).not.toThrow();
    expect(() => readTermsBinary(good, { version: 5, documents: 2 })).toThrow(/version 6/);
    expect(() => readTermsBinary(good, { version: 6, documents: 3 })).toThrow(/for 2 paragraphs/);
  });

  it('when damaged, is not read: search derives the statistics anew and answers the same', async () => {
    const { embedder, config } = await fixtureIndex();
    const index = loadIndex(config.indexDir, expected(embedder));
    const file = path.join(index.dir, TERMS_FILE);
    const good = readFileSync(file);
    const contents = readTerms(index);
    const outOfRange = Uint32Array.from(contents.stories.terms);
    outOfRange[outOfRange.length - 1] = contents.terms.length;
    const version = termsHead(good)!.version;
    const damages: Array<[string, Uint8Array]> = [
      ['cut short', good.subarray(0, good.length - 100)],
      ['bad magic', Buffer.concat([Buffer.from('X'), good.subarray(1)])],
      ['a changed byte', Buffer.from(good).fill(0x7a, 70, 71)],
      [
        'a story term out of range',
        writeTermsBinary({ version, documents: contents.documents, terms: columnOf(contents.frequencies), words: columnOf(new Map(contents.wordCounts)), stories: [{ starts: contents.stories.starts, terms: outOfRange }] }),
      ],
    ];
    const fromTexts = new Retriever(index, embedder, { dictionary: loadEnglishWords(), calibration: readCalibration(index.dir) });
    const questions = ['How much will the bike lanes cost?', 'Who cut the ribbon at the library?', 'wen dose the brige close'];
    const answers = await Promise.all(questions.map((question) => fromTexts.search({ question, topK: 5 })));
    for (const [what, bytes] of damages) {
      writeFileSync(file, bytes);
      expect(readPreparedSearch(index.dir, index.paragraphs, index.stories.length), what).toBeUndefined();
      const retriever = createRetriever(index, embedder);
      for (const [i, question] of questions.entries()) {
        const answer = await retriever.search({ question, topK: 5 });
        expect(answer.passages.map((p) => [p.label, p.score]), what).toEqual(answers[i]!.passages.map((p) => [p.label, p.score]));
        expect(answer.outcome, what).toEqual(answers[i]!.outcome);
      }
    }
    // Opening the index says what to run, as the files are of this version: an unchanged build would keep them.
    const said: string[] = [];
    await openRetriever(config, { embedder, reporter: { info: (text) => said.push(text) } });
    expect(said).toEqual([expect.stringMatching(/search files in .* are damaged: run `npm run build-index -- --force` once/)]);
    writeFileSync(file, good);
    expect(readPreparedSearch(index.dir, index.paragraphs, index.stories.length)).toBeDefined();
    said.length = 0;
    await openRetriever(config, { embedder, reporter: { info: (text) => said.push(text) } });
    expect(said).toEqual([]);
    // A forced build remakes them without embedding.
    writeFileSync(file, damages[2]![1]);
    expect(await buildIndexFromCorpus(config, embedder, undefined, { force: true })).toMatchObject({ changed: true, embedded: 0 });
    const rebuilt = loadIndex(config.indexDir, expected(embedder));
    expect(readPreparedSearch(rebuilt.dir, rebuilt.paragraphs, rebuilt.stories.length)).toBeDefined();
  });

  it('when damaged, is made anew from the texts by the next append, nothing embedded again', async () => {
    for (const damage of ['a story term out of range', 'a term text of more terms than its counts']) {
      const { embedder, config } = await fixtureIndex();
      const file = path.join(currentGeneration(config.indexDir)!, TERMS_FILE);
      const bytes = readFileSync(file);
      // Both with a checksum that matches: only reading the sections finds them.
      if (damage === 'a story term out of range') {
        // The last story term (the file ends 8-byte aligned, past it when the count is odd): the term count.
        const storyTermCount = bytes.readUInt32LE(36);
        bytes.writeUInt32LE(bytes.readUInt32LE(16), bytes.length - 4 - (storyTermCount % 2) * 4);
      } else bytes[65] = 0x0a;
      bytes.writeUInt32LE(crc32(bytes.subarray(64)), 40);
      writeFileSync(file, bytes);
      writeStory(config.corpusDir, 'zz-orchard', ['The orchard opened its gates to pickers on Sunday.']);
      expect(await buildIndexFromCorpus(config, embedder), damage).toMatchObject({ appended: true, embedded: 1 });
      const index = loadIndex(config.indexDir, expected(embedder));
      const storyParagraphs = index.stories.map((story) => index.paragraphs.filter((p) => p.storyId === story.id).length);
      const derived = searchFiles.derive({ texts: index.paragraphs.map((p) => p.text), storyParagraphs })[TERMS_FILE] as Uint8Array;
      expect(Buffer.compare(readFileSync(path.join(index.dir, TERMS_FILE)), derived), damage).toBe(0);
    }
  });
});
