import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import path from 'node:path';
import type { Paragraph, Story } from '../corpus/index.js';
import { PARAGRAPHS_FILE, asParagraphsFile, type ParagraphsFile, type StoredParagraph, type StoredStory } from './manifest.js';

/**
 * `paragraphs.json` is `{"stories":[…],"paragraphs":[…]}` as JSON.stringify writes it. Appending
 * stories splices their entries into the previous file's bytes instead of parsing and writing
 * 110,000 paragraphs again at a year's size (docs/performance.md); the result is byte for byte
 * what stringifying the whole would give.
 */
const BETWEEN = Buffer.from('],"paragraphs":[');
const START = Buffer.from('{"stories":[');
const END = Buffer.from(']}');

export function storedStory(story: Story): StoredStory {
  return {
    id: story.id,
    file: story.file,
    title: story.title,
    outlet: story.outlet,
    authors: story.authors,
    published: story.published,
    url: story.url,
    paragraphCount: story.paragraphs.length,
  };
}

export function storedParagraph({ id, storyId, number, text, hash }: Paragraph): StoredParagraph {
  return { id, storyId, number, text, hash };
}

/** The whole file for `stories`, whose paragraphs are `paragraphs` in label order. */
export function paragraphsFileText(stories: readonly Story[], paragraphs: readonly Paragraph[]): string {
  const file: ParagraphsFile = { stories: stories.map(storedStory), paragraphs: paragraphs.map(storedParagraph) };
  return JSON.stringify(file);
}

/**
 * The previous file's bytes with `stories` (and their paragraphs) after its own, as the pieces of
 * the file in order, most of them views of `previous` (written with one `writev`, nothing is
 * copied); undefined when the bytes are not a file this module wrote. With `storyList`, the
 * previous stories' attribution is replaced by it (the same stories and paragraphs, a headline or
 * byline edited, say).
 */
export function appendedParagraphsFile(previous: Buffer, stories: readonly Story[], storyList?: readonly StoredStory[]): Buffer[] | undefined {
  const between = boundary(previous);
  if (between === undefined) return undefined;
  const entries = (items: readonly object[], after: number) => (items.length === 0 ? '' : `${previous[after - 1] === 0x5b /* [ */ ? '' : ','}${items.map((item) => JSON.stringify(item)).join(',')}`);
  const paragraphs = stories.flatMap((story) => story.paragraphs.map(storedParagraph));
  const head = storyList
    ? [Buffer.from(`${START.toString()}${[...storyList, ...stories.map(storedStory)].map((item) => JSON.stringify(item)).join(',')}`)]
    : [previous.subarray(0, between), Buffer.from(entries(stories.map(storedStory), between))];
  return [...head, previous.subarray(between, previous.length - END.length), Buffer.from(entries(paragraphs, previous.length - END.length)), END];
}

/** The story list at the head of the file's bytes (small: the paragraphs are not parsed); undefined when unreadable. */
export function storyListOf(file: Buffer): StoredStory[] | undefined {
  const between = boundary(file);
  if (between === undefined) return undefined;
  try {
    const list: unknown = JSON.parse(`${file.subarray(START.length - 1, between).toString('utf8')}]`);
    // Checked by hand: zod takes ~70 ms for a year's 3,650 stories, and every start and build reads the list.
    return Array.isArray(list) && list.every(isStoredStory) ? list : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The story list of a generation's `paragraphs.json`, reading only the head of the file (a few
 * hundred kilobytes of 55 MB at a year's size); undefined when unreadable.
 */
export function readStoryList(dir: string, expectedBytes: number | undefined): StoredStory[] | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path.join(dir, PARAGRAPHS_FILE), 'r');
    const tail = Buffer.alloc(END.length);
    if (expectedBytes === undefined || expectedBytes < START.length + BETWEEN.length + END.length) return undefined;
    if (readSync(fd, tail, 0, END.length, expectedBytes - END.length) !== END.length || !tail.equals(END)) return undefined;
    const chunks: Buffer[] = [];
    let read = 0;
    for (let size = 1 << 18; read < expectedBytes; size *= 2) {
      const chunk = Buffer.alloc(Math.min(size, expectedBytes - read));
      const got = readSync(fd, chunk, 0, chunk.length, read);
      if (got === 0) return undefined;
      chunks.push(chunk.subarray(0, got));
      read += got;
      // The list's end may straddle two chunks: look in everything read so far.
      const head = Buffer.concat(chunks);
      const between = head.indexOf(BETWEEN);
      if (between >= 0) return storyListOf(Buffer.concat([head.subarray(0, between), BETWEEN, END]));
      chunks.splice(0, chunks.length, head);
    }
    return undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Whether a value has the shape of `storySchema`. */
function isStoredStory(value: unknown): value is StoredStory {
  if (typeof value !== 'object' || value === null) return false;
  const story = value as Record<string, unknown>;
  return (
    typeof story.id === 'string' &&
    typeof story.file === 'string' &&
    typeof story.title === 'string' &&
    typeof story.outlet === 'string' &&
    Array.isArray(story.authors) &&
    story.authors.every((author) => typeof author === 'string') &&
    (story.published === undefined || typeof story.published === 'string') &&
    typeof story.url === 'string' &&
    Number.isInteger(story.paragraphCount) &&
    (story.paragraphCount as number) > 0
  );
}

/** A generation's `paragraphs.json`, or undefined when it cannot be read or has the wrong shape. */
export function readParagraphsFile(dir: string): ParagraphsFile | undefined {
  try {
    return asParagraphsFile(JSON.parse(readFileSync(path.join(dir, PARAGRAPHS_FILE), 'utf8')));
  } catch {
    return undefined;
  }
}

/**
 * A generation's `paragraphs.json` for answering questions: the story list is parsed, and each
 * paragraph's id, story and number come from it, but a paragraph's text and hash are parsed from
 * the file's bytes the first time they are read. At a year's size parsing every text took a second
 * of each start and ~130 MB; a question reads a few dozen of them. Undefined when the file is not
 * one this module wrote for those stories.
 */
export function readParagraphsLazily(dir: string): ParagraphsFile | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path.join(dir, PARAGRAPHS_FILE));
  } catch {
    return undefined;
  }
  return lazyParagraphs(bytes);
}

/** `readParagraphsLazily` of a paragraph file's bytes already read. */
export function lazyParagraphs(bytes: Buffer): ParagraphsFile | undefined {
  const entries = paragraphEntries(bytes);
  if (!entries) return undefined;
  const paragraphs: StoredParagraph[] = [];
  let entry = 0;
  for (const story of entries.stories) {
    for (let number = 1; number <= story.paragraphCount; number++, entry++) {
      paragraphs.push(new LazyParagraph(bytes, entries.starts[entry]!, entries.starts[entry + 1]! - 1, story.id, number));
    }
  }
  return { stories: entries.stories, paragraphs };
}

/**
 * The file's bytes without the stories at `removed` (indexes in its story list) and their
 * paragraphs, as pieces in order (see `appendedParagraphsFile`): byte for byte what writing the
 * rest in full would give. Undefined when the bytes are not a file this module wrote.
 */
export function withoutStories(bytes: Buffer, removed: ReadonlySet<number>): Buffer[] | undefined {
  const entries = paragraphEntries(bytes);
  if (!entries) return undefined;
  const kept: Buffer[] = [];
  let entry = 0;
  entries.stories.forEach((story, index) => {
    const next = entry + story.paragraphCount;
    // A run of paragraphs, without the comma after its last one.
    if (!removed.has(index) && next > entry) kept.push(bytes.subarray(entries.starts[entry]!, entries.starts[next]! - 1));
    entry = next;
  });
  const stories = entries.stories.filter((_, index) => !removed.has(index));
  const head = `${START.toString()}${stories.map((story) => JSON.stringify(story)).join(',')}${BETWEEN.toString()}`;
  const parts: Buffer[] = [Buffer.from(head)];
  kept.forEach((run, i) => parts.push(...(i > 0 ? [COMMA, run] : [run])));
  parts.push(END);
  return parts;
}

const COMMA = Buffer.from(',');

/**
 * The story list of a paragraph file's bytes, and where each paragraph entry starts: entry i is
 * `bytes[starts[i], starts[i + 1] - 1)`, the last ending before the closing `]}`. Undefined when
 * the entries do not add up to the story list.
 */
function paragraphEntries(bytes: Buffer): { stories: StoredStory[]; starts: Uint32Array } | undefined {
  // A removal reads the texts it drops and then writes the rest: the same bytes, scanned once.
  if (entriesOf.has(bytes)) return entriesOf.get(bytes);
  const entries = scanEntries(bytes);
  entriesOf.set(bytes, entries);
  return entries;
}

const entriesOf = new WeakMap<Buffer, { stories: StoredStory[]; starts: Uint32Array } | undefined>();

function scanEntries(bytes: Buffer): { stories: StoredStory[]; starts: Uint32Array } | undefined {
  const stories = storyListOf(bytes);
  const between = boundary(bytes);
  if (!stories || between === undefined) return undefined;
  const count = stories.reduce((sum, story) => sum + story.paragraphCount, 0);
  const starts = new Uint32Array(count + 1);
  let at = between + BETWEEN.length;
  const last = bytes.length - END.length;
  for (let entry = 0; entry < count; entry++) {
    // Each entry is `{"id":…}` and the next starts after `},`: a `},{"id":"` inside a text would have its quotes escaped.
    if (bytes[at] !== 0x7b /* { */) return undefined;
    starts[entry] = at;
    const next = bytes.indexOf(ENTRY_START, at + 1);
    at = next < 0 ? last : next + 2;
  }
  if (at !== last) return undefined;
  // As if one more entry followed the last, after a comma.
  starts[count] = last + 1;
  return { stories, starts };
}

const ENTRY_START = Buffer.from('},{"id":"');

/** A paragraph of `paragraphs.json` whose text and hash are parsed from the file's bytes when first read. */
class LazyParagraph implements StoredParagraph {
  readonly id: string;
  private parsed: StoredParagraph | undefined;

  constructor(
    private readonly bytes: Buffer,
    private readonly start: number,
    private readonly end: number,
    readonly storyId: string,
    readonly number: number,
  ) {
    this.id = `${storyId}:${number}`;
  }

  get text(): string {
    return this.entry().text;
  }

  get hash(): string {
    return this.entry().hash;
  }

  toJSON(): StoredParagraph {
    return { id: this.id, storyId: this.storyId, number: this.number, text: this.text, hash: this.hash };
  }

  private entry(): StoredParagraph {
    if (!this.parsed) {
      const entry = JSON.parse(this.bytes.toString('utf8', this.start, this.end)) as Partial<StoredParagraph>;
      if (entry.id !== this.id || entry.storyId !== this.storyId || entry.number !== this.number || typeof entry.text !== 'string' || typeof entry.hash !== 'string') {
        throw new Error(`The paragraph file does not match its story list at ${this.id}: run npm run build-index.`);
      }
      this.parsed = entry as StoredParagraph;
    }
    return this.parsed;
  }
}

/**
 * Where the story list ends. Inside a JSON string a quote is always escaped, so the first
 * `],"paragraphs":[` is the one between the two lists.
 */
function boundary(file: Buffer): number | undefined {
  if (!file.subarray(0, START.length).equals(START) || !file.subarray(file.length - END.length).equals(END)) return undefined;
  const at = file.indexOf(BETWEEN);
  return at < 0 ? undefined : at;
}
