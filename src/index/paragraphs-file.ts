import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import path from 'node:path';
import { storyLanguage, type Paragraph, type Story } from '../corpus/index.js';
import { PARAGRAPHS_FILE, asParagraphsFile, isStoredStory, type ParagraphsFile, type StoredParagraph, type StoredStory } from './manifest.js';

/**
 * `paragraphs.json` is `{"paragraphs":[…],"stories":[…]}` as JSON.stringify writes it: the story
 * list last, so that appending stories copies the previous file (in the kernel, see
 * `appendedInPlace`) and writes only the new paragraphs and the story list over its end, instead
 * of reading and writing 53 MB at a year's size (docs/performance.md). Files written before kept
 * the story list first (`{"stories":[…],"paragraphs":[…]}`); they are read as well, and the next
 * change writes the new layout. Whatever the way, the result is byte for byte what stringifying
 * the whole would give.
 */
const PARAGRAPHS_FIRST = { start: Buffer.from('{"paragraphs":['), between: Buffer.from('],"stories":[') };
const STORIES_FIRST = { start: Buffer.from('{"stories":['), between: Buffer.from('],"paragraphs":[') };
const END = Buffer.from(']}');

/** Where a file's two lists are: byte ranges of their entries (without the brackets). */
interface Layout {
  paragraphs: { start: number; end: number };
  stories: { start: number; end: number };
}

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
    language: storyLanguage(story),
  };
}

export function storedParagraph({ id, storyId, number, text, hash }: Paragraph): StoredParagraph {
  return { id, storyId, number, text, hash };
}

/** The whole file for `stories`, whose paragraphs are `paragraphs` in label order. */
export function paragraphsFileText(stories: readonly Story[], paragraphs: readonly Paragraph[]): string {
  const file: ParagraphsFile = { paragraphs: paragraphs.map(storedParagraph), stories: stories.map(storedStory) };
  return JSON.stringify(file);
}

/**
 * The previous file's bytes with `stories` (and their paragraphs) after its own, as the pieces of
 * the file in order, most of them views of `previous` (written with one `writev`, nothing is
 * copied); undefined when the bytes are not a file this module wrote. With `storyList`, the
 * previous stories' attribution is replaced by it (the same stories and paragraphs, a headline or
 * byline edited, say). What `appendedInPlace` does without reading the previous file.
 */
export function appendedParagraphsFile(previous: Buffer, stories: readonly Story[], storyList?: readonly StoredStory[]): Buffer[] | undefined {
  const layout = layoutOf(previous);
  const list = storyList ?? storyListOf(previous);
  if (!layout || !list) return undefined;
  const { start, end } = layout.paragraphs;
  return [PARAGRAPHS_FIRST.start, previous.subarray(start, end), appendedTail(end > start, stories, list)];
}

/**
 * What `appendedParagraphsFile` writes after the previous file's paragraphs: the new paragraphs
 * and the whole story list, ending the file.
 */
function appendedTail(afterOthers: boolean, stories: readonly Story[], storyList: readonly StoredStory[]): Buffer {
  const paragraphs = stories.flatMap((story) => story.paragraphs.map((paragraph) => JSON.stringify(storedParagraph(paragraph))));
  const entries = paragraphs.length === 0 ? '' : `${afterOthers ? ',' : ''}${paragraphs.join(',')}`;
  const list = [...storyList, ...stories.map(storedStory)].map((story) => JSON.stringify(story)).join(',');
  return Buffer.from(`${entries}${PARAGRAPHS_FIRST.between.toString()}${list}${END.toString()}`);
}

/**
 * A file with the paragraphs-first layout, appended to as `appendedParagraphsFile` would, without
 * its bytes: a copy of the previous file (made by the kernel) with `tail` written `at` its offset
 * and the rest cut off.
 */
export interface InPlaceAppend {
  copyOf: string;
  at: number;
  tail: Buffer;
}

/**
 * `appendedParagraphsFile` for a previous file with the paragraphs first, given where its story
 * list starts (`readStoryList`'s `listAt`): nothing of the previous file is read.
 */
export function appendedInPlace(previousFile: string, listed: ListedStories, stories: readonly Story[], storyList?: readonly StoredStory[]): InPlaceAppend | undefined {
  if (listed.layout !== 'paragraphs first') return undefined;
  return { copyOf: previousFile, at: listed.listAt, tail: appendedTail(listed.listAt > PARAGRAPHS_FIRST.start.length, stories, storyList ?? listed.stories) };
}

/** The story list of the file's bytes (small: the paragraphs are not parsed); undefined when unreadable. */
export function storyListOf(file: Buffer): StoredStory[] | undefined {
  const layout = layoutOf(file);
  return layout && parseStoryList(file.subarray(layout.stories.start, layout.stories.end));
}

/** The entries of a story list, without its brackets; undefined when they are not stories. */
function parseStoryList(entries: Buffer): StoredStory[] | undefined {
  try {
    const list: unknown = JSON.parse(`[${entries.toString('utf8')}]`);
    return Array.isArray(list) && list.every(isStoredStory) ? list : undefined;
  } catch {
    return undefined;
  }
}

/** A generation's story list, and where it lies in its paragraph file. */
export interface ListedStories {
  stories: StoredStory[];
  layout: 'paragraphs first' | 'stories first';
  /** The offset of the bytes between the lists (`],"stories":[` in the paragraphs-first layout). */
  listAt: number;
}

/**
 * The story list of a generation's `paragraphs.json`, reading only the end of the file (or, in a
 * file with the stories first, its head): a few hundred kilobytes of 53 MB at a year's size;
 * undefined when unreadable.
 */
export function readStoryList(dir: string, expectedBytes: number | undefined): StoredStory[] | undefined {
  return listStories(dir, expectedBytes)?.stories;
}

/** `readStoryList`, saying where the list lies in the file. */
export function listStories(dir: string, expectedBytes: number | undefined): ListedStories | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path.join(dir, PARAGRAPHS_FILE), 'r');
    const minimum = STORIES_FIRST.start.length + STORIES_FIRST.between.length + END.length;
    if (expectedBytes === undefined || expectedBytes < minimum) return undefined;
    const ends = Buffer.alloc(PARAGRAPHS_FIRST.start.length);
    const tail = Buffer.alloc(END.length);
    if (readSync(fd, ends, 0, ends.length, 0) !== ends.length || readSync(fd, tail, 0, END.length, expectedBytes - END.length) !== END.length || !tail.equals(END)) return undefined;
    // The story list is at the end (or, in the earlier layout, the head): read in growing windows from there until the bytes between the lists are in.
    const atEnd = ends.equals(PARAGRAPHS_FIRST.start);
    if (!atEnd && !ends.subarray(0, STORIES_FIRST.start.length).equals(STORIES_FIRST.start)) return undefined;
    const { start, between } = atEnd ? PARAGRAPHS_FIRST : STORIES_FIRST;
    for (let size = 1 << 18; ; size *= 2) {
      const offset: number = atEnd ? Math.max(0, expectedBytes - size) : 0;
      const chunk = Buffer.alloc(Math.min(size, expectedBytes));
      if (readSync(fd, chunk, 0, chunk.length, offset) !== chunk.length) return undefined;
      const at = atEnd ? chunk.lastIndexOf(between) : chunk.indexOf(between);
      if (at >= 0) {
        const list = atEnd ? chunk.subarray(at + between.length, chunk.length - END.length) : chunk.subarray(start.length, at);
        const stories = parseStoryList(list);
        return stories && { stories, layout: atEnd ? 'paragraphs first' : 'stories first', listAt: offset + at };
      }
      if (chunk.length === expectedBytes) return undefined;
    }
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
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
  const parts: Buffer[] = [PARAGRAPHS_FIRST.start];
  let entry = 0;
  entries.stories.forEach((story, index) => {
    const next = entry + story.paragraphCount;
    // A run of paragraphs, without the comma after its last one.
    if (!removed.has(index) && next > entry) parts.push(...(parts.length > 1 ? [COMMA] : []), bytes.subarray(entries.starts[entry]!, entries.starts[next]! - 1));
    entry = next;
  });
  const stories = entries.stories.filter((_, index) => !removed.has(index));
  parts.push(Buffer.from(`${PARAGRAPHS_FIRST.between.toString()}${stories.map((story) => JSON.stringify(story)).join(',')}${END.toString()}`));
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
  const layout = layoutOf(bytes);
  const stories = layout && parseStoryList(bytes.subarray(layout.stories.start, layout.stories.end));
  if (!layout || !stories) return undefined;
  const count = stories.reduce((sum, story) => sum + story.paragraphCount, 0);
  const starts = new Uint32Array(count + 1);
  let at = layout.paragraphs.start;
  const last = layout.paragraphs.end;
  if (count === 0) return at === last ? { stories, starts } : undefined;
  for (let entry = 0; entry < count; entry++) {
    // Each entry is `{"id":…}` and the next starts after `},`: a `},{"id":"` inside a text would have its quotes escaped.
    if (at >= last || bytes[at] !== 0x7b /* { */) return undefined;
    starts[entry] = at;
    const next = bytes.indexOf(ENTRY_START, at + 1);
    at = next < 0 || next >= last ? last : next + 2;
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
 * Where the two lists of a file this module wrote are (either layout); undefined for other bytes.
 * Inside a JSON string a quote is always escaped, so the bytes between the lists occur once.
 */
function layoutOf(file: Buffer): Layout | undefined {
  if (!file.subarray(file.length - END.length).equals(END)) return undefined;
  const end = file.length - END.length;
  if (file.subarray(0, PARAGRAPHS_FIRST.start.length).equals(PARAGRAPHS_FIRST.start)) {
    // The story list is the short part at the end: searched from there.
    const between = file.lastIndexOf(PARAGRAPHS_FIRST.between);
    if (between < PARAGRAPHS_FIRST.start.length) return undefined;
    return { paragraphs: { start: PARAGRAPHS_FIRST.start.length, end: between }, stories: { start: between + PARAGRAPHS_FIRST.between.length, end } };
  }
  if (file.subarray(0, STORIES_FIRST.start.length).equals(STORIES_FIRST.start)) {
    const between = file.indexOf(STORIES_FIRST.between);
    if (between < STORIES_FIRST.start.length) return undefined;
    return { stories: { start: STORIES_FIRST.start.length, end: between }, paragraphs: { start: between + STORIES_FIRST.between.length, end } };
  }
  return undefined;
}
