import MiniSearch from 'minisearch';
import { describe, expect, it } from 'vitest';
import { syntheticQuestions, syntheticStories } from '../src/bench/synthetic-news.js';
import { TermList } from '../src/search/term-list.js';
import { LexicalIndex, type LexicalHit } from '../src/search/lexical.js';
import { toTerm, words } from '../src/search/text.js';
import { seededRandom } from '../src/shared/random.js';

// The oracle: MiniSearch with the options src/search/lexical.ts gave it, and its query() as it was.
const MINISEARCH_OPTIONS = {
  fields: ['text'],
  tokenize: words,
  processTerm: (term: string) => toTerm(term) ?? null,
  searchOptions: {
    prefix: (term: string) => term.length >= 4,
    fuzzy: (term: string) => (term.length >= 5 ? 0.2 : false),
    maxFuzzy: 2,
    weights: { prefix: 0.5, fuzzy: 0.4 },
  },
};

type Query = (question: string, accept?: (label: number) => boolean, boostDocument?: (label: number, term: string) => number, known?: (term: string) => boolean) => LexicalHit[];

function miniSearchOf(documents: ReadonlyArray<{ id: number; text: string }>): Query {
  const search = new MiniSearch<{ id: number; text: string }>(MINISEARCH_OPTIONS);
  search.addAll(documents);
  const { prefix, fuzzy } = MINISEARCH_OPTIONS.searchOptions;
  return (question, accept, boostDocument, known) =>
    search
      .search(question, {
        ...(known ? { prefix: (term: string) => !known(term) && prefix(term), fuzzy: (term: string) => (known(term) ? false : fuzzy(term)) } : {}),
        ...(accept ? { filter: (result) => accept(result.id as number) } : {}),
        ...(boostDocument ? { boostDocument: (id: unknown, term: string) => boostDocument(id as number, term) } : {}),
      })
      .map((result) => ({ label: result.id as number, score: result.score, matchedTerms: result.queryTerms }))
      .sort((a, b) => b.score - a.score || a.label - b.label);
}

// Paragraphs of synthetic news, and a few texts at the edges of the tokenizer: nothing to index,
// repeated words, digits, accents, letters outside the Basic Multilingual Plane (two UTF-16 code units each).
const EDGE_TEXTS = [
  '',
  '!!! ... ---',
  'The of and to what',
  'Rain rain rain, more rain: the rainiest rainfall in 1987, 1987 and 19870.',
  'Café owners in Zürich say the naïve façade of the Straße cost 4.5 million.',
  '𐌰𐌱𐌲𐌳 𐌰𐌱𐌲 and 𐌰𐌱𐌲𐌳𐌴 were found near 𝒜lpha.',
  'U.S. officials’ photographs: photograph, photographer, photographing, photographed.',
];

function paragraphs(stories: number, seed: number): string[] {
  return [...syntheticStories({ stories, seed })].flatMap((story) => [story.title, ...story.paragraphs]);
}

const TEXTS = [...paragraphs(9, 22), ...EDGE_TEXTS];
const MORE_TEXTS = paragraphs(3, 23);

/** Questions made from the texts' words: as written, cut to a prefix, with a typo, unknown, repeated, numbers, stop words. */
function questionsFrom(texts: readonly string[], count: number, seed: number): string[] {
  const random = seededRandom(seed);
  const int = (n: number) => Math.floor(random() * n);
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const typo = (word: string) => {
    const at = int(word.length);
    const kind = int(3);
    if (kind === 0) return word.slice(0, at) + letters[int(26)] + word.slice(at + 1);
    if (kind === 1) return word.slice(0, at) + word.slice(at + 1);
    return word.slice(0, at) + letters[int(26)] + word.slice(at);
  };
  const questions = [...syntheticQuestions({ stories: 9, seed: 22, count: 20 }).map((q) => q.question), '', 'the of what', '1987', 'rain rain', 'rainfal', '𐌰𐌱𐌲', '𐌰𐌱𐌲𐌳𐌵', 'photograhps', 'zurich cafe'];
  while (questions.length < count) {
    const source = texts[int(texts.length)]!.split(/\s+/).filter(Boolean);
    if (source.length === 0) continue;
    const picked: string[] = [];
    const length = 1 + int(5);
    for (let i = 0; i < length; i++) {
      const word = source[int(source.length)]!;
      const roll = random();
      if (roll < 0.2) picked.push(typo(word));
      else if (roll < 0.25) picked.push(typo(typo(word)));
      else if (roll < 0.4) picked.push(word.slice(0, 4 + int(4)));
      else if (roll < 0.48) picked.push(Array.from({ length: 5 + int(5) }, () => letters[int(26)]).join(''));
      else if (roll < 0.55) picked.push(word, word);
      else if (roll < 0.6) picked.push(String(int(3000)));
      else if (roll < 0.65) picked.push('what did the');
      else picked.push(word);
    }
    questions.push(picked.join(' '));
  }
  return questions;
}

const QUESTIONS = questionsFrom(TEXTS, 300, 7);

type Variant = [accept?: (label: number) => boolean, boostDocument?: (label: number, term: string) => number, known?: (term: string) => boolean];

/** `known` as the retriever gives it (terms the texts hold), and as odd as a caller might (even lengths), with boosts and filters. */
function variantsFor(texts: readonly string[]): Variant[] {
  const held = new Set(texts.flatMap((text) => words(text).flatMap((word) => toTerm(word) ?? [])));
  const boost = (label: number, term: string) => (label % 5 === 0 ? 0 : label % 3 === 0 ? 1.5 : term.length > 6 ? 2 : 1);
  const accept = (label: number) => label % 4 !== 1;
  return [[], [undefined, undefined, (term) => held.has(term)], [undefined, boost], [accept], [accept, boost, (term) => term.length % 2 === 0]];
}

/** Same hits in the same order, scores within 1e-9 (the sums may be added in another order), same matched terms. */
function expectSameHits(actual: LexicalHit[], expected: LexicalHit[], question: string): void {
  expect(actual.map((hit) => hit.label), question).toEqual(expected.map((hit) => hit.label));
  expect(actual.map((hit) => hit.matchedTerms), question).toEqual(expected.map((hit) => hit.matchedTerms));
  for (let i = 0; i < actual.length; i++) {
    const [a, e] = [actual[i]!.score, expected[i]!.score];
    if (Math.abs(a - e) > 1e-9 * Math.max(Math.abs(a), Math.abs(e))) expect(a, `${question}: score of ${actual[i]!.label}`).toBe(e);
  }
}

/**
 * Runs every question in every variant on both. Returns how many hits were compared, and how many
 * of them matched a term their document does not hold (by prefix or typo), so a test can tell it
 * compared something.
 */
function expectLikeMiniSearch(index: LexicalIndex, documents: ReadonlyArray<{ id: number; text: string }>, questions = QUESTIONS): { hits: number; expanded: number } {
  const oracle = miniSearchOf(documents);
  const termsOf = new Map(documents.map(({ id, text }) => [id, new Set(words(text).flatMap((word) => toTerm(word) ?? []))]));
  let hits = 0;
  let expanded = 0;
  for (const variant of variantsFor(documents.map((document) => document.text))) {
    for (const question of questions) {
      const expected = oracle(question, ...variant);
      expectSameHits(index.query(question, ...variant), expected, question);
      // With a limit: the first of the same hits.
      const [accept, boost, known] = variant;
      expectSameHits(index.query(question, accept, boost, known, 7), expected.slice(0, 7), question);
      hits += expected.length;
      for (const hit of expected) if (hit.matchedTerms.some((term) => !termsOf.get(hit.label)!.has(term))) expanded++;
    }
  }
  return { hits, expanded };
}

const numbered = (texts: readonly string[], first = 0) => texts.map((text, i) => ({ id: first + i, text }));

describe('LexicalIndex ranks as MiniSearch did', () => {
  it('built from texts', () => {
    const index = new LexicalIndex(TEXTS);
    expect(index.documentCount).toBe(TEXTS.length);
    expect(index.nextId).toBe(TEXTS.length);
    const compared = expectLikeMiniSearch(index, numbered(TEXTS));
    expect(compared.hits).toBeGreaterThan(20_000);
    expect(compared.expanded).toBeGreaterThan(2_000);
  });

  it('finds what prefixes and typos stand for, and leaves known terms exact', () => {
    const index = new LexicalIndex(TEXTS);
    const photo = TEXTS.length - 1;
    expect(index.query('photographs').find((hit) => hit.label === photo)?.matchedTerms).toEqual(['photograph']);
    expect(index.query('photograhps').map((hit) => hit.label)).toContain(photo);
    expect(index.query('photograhps', undefined, undefined, () => true)).toEqual([]);
    // Repeated words count twice, matched terms once.
    const once = index.query('rainfall').find((hit) => hit.label === photo - 3)!;
    const twice = index.query('rainfall rainfall').find((hit) => hit.label === photo - 3)!;
    expect(twice.score).toBeCloseTo(2 * once.score, 12);
    expect(twice.matchedTerms).toEqual(['rainfal']);
  });

  it('answers a query asked from inside another one (a boost that queries)', () => {
    const index = new LexicalIndex(TEXTS);
    const expected = index.query('council budget million');
    const inner = index.query('rain');
    const boost = (label: number) => {
      expect(index.query('rain')).toEqual(inner);
      return label % 2 === 0 ? 2 : 1;
    };
    const oracle = miniSearchOf(numbered(TEXTS));
    expectSameHits(index.query('council budget million', undefined, boost), oracle('council budget million', undefined, boost), 'nested');
    expect(index.query('council budget million')).toEqual(expected);
    expect(index.query('council', undefined, undefined, undefined, 0)).toEqual([]);
  });

  it('after append and add (documents beside the posting arrays), with gaps in the ids', () => {
    const index = new LexicalIndex(TEXTS);
    index.append(MORE_TEXTS.slice(0, 20));
    const added = MORE_TEXTS.slice(20).map((text, i) => ({ id: TEXTS.length + 25 + 3 * i, text }));
    index.add(added);
    const documents = [...numbered(TEXTS), ...numbered(MORE_TEXTS.slice(0, 20), TEXTS.length), ...added];
    expect(index.documentCount).toBe(documents.length);
    expect(index.nextId).toBe(added.at(-1)!.id + 1);
    expect(index.has(TEXTS.length + 20)).toBe(false);
    expect(index.has(TEXTS.length + 25)).toBe(true);
    const all = documents.map((document) => document.text);
    expectLikeMiniSearch(index, documents, questionsFrom(all, 300, 8));
  });

  it('appended to an empty index, a little at a time', () => {
    const index = new LexicalIndex();
    for (let i = 0; i < TEXTS.length; i += 37) index.append(TEXTS.slice(i, i + 37));
    expectLikeMiniSearch(index, numbered(TEXTS));
  });

  it('after discard: the statistics are those of the documents held', () => {
    const index = new LexicalIndex(TEXTS);
    index.append(MORE_TEXTS);
    const documents = numbered([...TEXTS, ...MORE_TEXTS]);
    // From the posting arrays and from the recent documents beside them.
    const discarded = new Set(documents.filter(({ id }) => id % 7 === 3 || id === TEXTS.length + 2).map(({ id }) => id));
    index.discard(discarded);
    const held = documents.filter(({ id }) => !discarded.has(id));
    expect(index.documentCount).toBe(held.length);
    expect(index.nextId).toBe(documents.length);
    expect(index.has(3)).toBe(false);
    expect(index.has(4)).toBe(true);
    const texts = held.map((document) => document.text);
    expectLikeMiniSearch(index, held, questionsFrom(texts, 300, 9));
  });
});

describe('LexicalIndex binary form', () => {
  const roundTrip = (index: LexicalIndex) => LexicalIndex.fromBinary(index.toBinary());

  it('answers as before after toBinary and fromBinary', () => {
    const index = roundTrip(new LexicalIndex(TEXTS));
    expect(index.documentCount).toBe(TEXTS.length);
    expectLikeMiniSearch(index, numbered(TEXTS));
  });

  it('folds in appended documents and drops discarded ones, keeping their ids taken', () => {
    const index = new LexicalIndex(TEXTS);
    index.append(MORE_TEXTS.slice(0, 30));
    const documents = numbered([...TEXTS, ...MORE_TEXTS.slice(0, 30)]);
    const discarded = documents.filter(({ id }) => id % 5 === 2).map(({ id }) => id);
    index.discard(discarded);
    const bytes = index.toBinary();
    const loaded = LexicalIndex.fromBinary(bytes);
    expect(loaded.nextId).toBe(documents.length);
    expect(loaded.documentCount).toBe(documents.length - discarded.length);
    expect(discarded.some((id) => loaded.has(id))).toBe(false);
    // The postings of discarded documents are gone: the buffer is smaller than one holding them.
    expect(bytes.length).toBeLessThan(new LexicalIndex(documents.map((d) => d.text)).toBinary().length);
    const held = documents.filter(({ id }) => !discarded.includes(id));
    const texts = held.map((document) => document.text);
    expectLikeMiniSearch(loaded, held, questionsFrom(texts, 200, 10));
    expect(() => loaded.append(['too late'])).not.toThrow();
    expect(loaded.has(documents.length)).toBe(true);
  });

  it('takes appends, adds and discards after loading, and round-trips them again', () => {
    const loaded = roundTrip(new LexicalIndex(TEXTS));
    loaded.append(MORE_TEXTS.slice(0, 25));
    loaded.add([{ id: TEXTS.length + 40, text: MORE_TEXTS[25]! }]);
    loaded.discard([0, 5, TEXTS.length + 3, TEXTS.length + 40]);
    const documents = [...numbered([...TEXTS, ...MORE_TEXTS.slice(0, 25)]), { id: TEXTS.length + 40, text: MORE_TEXTS[25]! }];
    const held = documents.filter(({ id }) => ![0, 5, TEXTS.length + 3, TEXTS.length + 40].includes(id));
    const texts = held.map((document) => document.text);
    const questions = questionsFrom(texts, 150, 11);
    expectLikeMiniSearch(loaded, held, questions);
    const again = roundTrip(loaded);
    expect(again.nextId).toBe(TEXTS.length + 41);
    expectLikeMiniSearch(again, held, questions);
  });

  it('reads a buffer that does not start on an aligned offset, and leaves the bytes it read as they were', () => {
    const bytes = new LexicalIndex(TEXTS).toBinary();
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    const view = shifted.subarray(3);
    const index = LexicalIndex.fromBinary(view);
    index.discard([1, 2]);
    index.append(['a new paragraph about rain']);
    expect(view).toEqual(bytes);
    // toBinary hands out a copy, also of bytes read from a Node Buffer (whose slice would share them).
    const fromBuffer = LexicalIndex.fromBinary(Buffer.from(bytes));
    fromBuffer.toBinary().fill(0);
    expect(fromBuffer.toBinary()).toEqual(bytes);
    expect(LexicalIndex.fromBinary(bytes).query('rain').map((hit) => hit.label)).toEqual(new LexicalIndex(TEXTS).query('rain').map((hit) => hit.label));
  });

  it('writes the same bytes for the same index, and an empty index too', () => {
    expect(new LexicalIndex(TEXTS).toBinary()).toEqual(new LexicalIndex(TEXTS).toBinary());
    const empty = LexicalIndex.fromBinary(new LexicalIndex().toBinary());
    expect(empty.documentCount).toBe(0);
    expect(empty.query('anything')).toEqual([]);
    empty.append(['rain in Spain']);
    expect(empty.query('rain').map((hit) => hit.label)).toEqual([0]);
  });

  it('throws on a damaged buffer', () => {
    const bytes = new LexicalIndex(TEXTS).toBinary();
    const changed = (at: number, value: number) => {
      const copy = bytes.slice();
      copy[at] = value;
      return copy;
    };
    expect(() => LexicalIndex.fromBinary(bytes.subarray(0, bytes.length - 8))).toThrow(/damaged.*bytes where its header says/);
    expect(() => LexicalIndex.fromBinary(bytes.subarray(0, 40))).toThrow(/damaged.*shorter than its header/);
    expect(() => LexicalIndex.fromBinary(new Uint8Array(0))).toThrow(/damaged/);
    expect(() => LexicalIndex.fromBinary(changed(0, 'X'.charCodeAt(0)))).toThrow(/damaged.*magic/);
    expect(() => LexicalIndex.fromBinary(changed(8, 2))).toThrow(/damaged.*format version 2/);
    expect(() => LexicalIndex.fromBinary(changed(bytes.length - 100, bytes[bytes.length - 100]! ^ 1))).toThrow(/damaged.*checksum/);
    expect(() => LexicalIndex.fromBinary(changed(100, bytes[100]! ^ 0x40))).toThrow(/damaged/);
  });
});

describe('LexicalIndex ids', () => {
  it('refuses ids that do not follow the ones added, without adding any of the batch', () => {
    const index = new LexicalIndex(['one', 'two']);
    expect(() => index.add([{ id: 1, text: 'again' }])).toThrow(/id 1 must be a whole number from 2/);
    expect(() => index.add([{ id: 5, text: 'five' }, { id: 4, text: 'four' }])).toThrow(/id 4/);
    expect(() => index.add([{ id: 2.5, text: 'half' }])).toThrow(RangeError);
    expect(index.nextId).toBe(2);
    expect(index.documentCount).toBe(2);
  });

  it('refuses to discard an id it does not hold, and discards nothing of that call', () => {
    const index = new LexicalIndex(['rain today', 'rain tomorrow', 'sun']);
    index.discard([2]);
    expect(() => index.discard([0, 2])).toThrow(/2 is not a document/);
    expect(() => index.discard([7])).toThrow(/7 is not a document/);
    expect(index.has(0)).toBe(true);
    expect(index.documentCount).toBe(2);
    // The same id twice in one call is one discard.
    index.discard([1, 1]);
    expect(index.documentCount).toBe(1);
    expect(index.query('rain').map((hit) => hit.label)).toEqual([0]);
    expect(index.nextId).toBe(3);
  });

  it('keeps discarded ids taken: append continues after them', () => {
    const index = new LexicalIndex(['a rainy day', 'a sunny day']);
    index.discard([1]);
    index.append(['snow day']);
    expect(index.has(1)).toBe(false);
    expect(index.query('snow').map((hit) => hit.label)).toEqual([2]);
  });
});

describe('TermList', () => {
  const TERMS = ['', 'a', 'ab', 'abc', 'abd', 'b', 'ba', 'bab', 'kitten', 'mitten', 'sitting', 'smitten', 'written', '𐌰𐌱', '𐌰𐌱𐌲', '\uffff', 'é'].sort();
  const LIST = TermList.of(TERMS);

  function levenshtein(a: string, b: string): number {
    let row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const next = [i];
      for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1), row[j]! + 1, next[j - 1]! + 1);
      row = next;
    }
    return row[b.length]!;
  }

  it('gives back its terms and finds them where JavaScript sorts them', () => {
    expect(LIST.all()).toEqual(TERMS);
    TERMS.forEach((term, i) => expect(LIST.indexOf(term)).toBe(i));
    expect(LIST.indexOf('abcd')).toBe(-1);
    expect(LIST.indexOf('𐌰')).toBe(-1);
    expect(LIST.lowerBound('abz')).toBe(TERMS.indexOf('b'));
    const long = 'x'.repeat(10_000);
    expect(TermList.of([long]).term(0)).toBe(long);
  });

  it('finds every term within the distance, as a full Levenshtein matrix does', () => {
    const terms = [...new Set([...TERMS, ...TEXTS.flatMap((text) => words(text).flatMap((word) => toTerm(word) ?? []))])].sort();
    const list = TermList.of(terms);
    for (const query of ['kitten', 'sittin', 'ab', 'rainfal', 'photograhp', '𐌰𐌱𐌲𐌳', 'x', '', 'councl', 'millon']) {
      for (const maxDistance of [0, 1, 2, 3]) {
        const found: Array<[string, number]> = [];
        list.forEachWithin(query, maxDistance, (i, distance) => found.push([terms[i]!, distance]));
        const expected = terms.map((term) => [term, levenshtein(term, query)] as [string, number]).filter(([, distance]) => distance <= maxDistance);
        expect(found, `${query} within ${maxDistance}`).toEqual(expected);
      }
    }
  });

  it('gives the run of terms under a prefix', () => {
    const range = (prefix: string) => TERMS.slice(...LIST.prefixRange(prefix));
    expect(range('ab')).toEqual(['ab', 'abc', 'abd']);
    expect(range('b')).toEqual(['b', 'ba', 'bab']);
    expect(range('abz')).toEqual([]);
    expect(range('𐌰')).toEqual(['𐌰𐌱', '𐌰𐌱𐌲']);
    expect(range('')).toEqual(TERMS);
  });
});
