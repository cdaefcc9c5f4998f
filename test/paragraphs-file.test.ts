import { describe, expect, it } from 'vitest';
import { parseStory, type Story } from '../src/corpus/index.js';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  PARAGRAPHS_FILE,
  appendedInPlace,
  appendedParagraphsFile,
  asParagraphsFile,
  lazyParagraphs,
  listStories,
  paragraphsFileText,
  readStoryList,
  storedParagraph,
  storedStory,
  storyListOf,
  withoutStories,
  type InPlaceAppend,
} from '../src/index/index.js';
import { tempDir } from './helpers/corpus.js';

function story(name: string, title: string, paragraphs: string[]): Story {
  return parseStory(`/corpus/${name}.md`, `---\ntitle: '${title}'\noutlet: The Test Gazette\nauthors:\n  - Test Writer\npublished: 2021-06-01\nurl: https://example.com/${name}\n---\n\n${paragraphs.join('\n\n')}\n`);
}

// Texts holding the very bytes that separate the file's two lists, quotes and non-ASCII.
const first = story('alpha', 'A "quoted" title ],"paragraphs":[', ['Lavrov met Trump.', 'He said "],\\"paragraphs\\":[" twice — oddly.']);
const second = story('beta', 'Second', ['A bakery opened on Main Street.', 'Ça sent le pain: 日本語 too.']);
const third = story('gamma', 'Third', ['One paragraph only.']);
const all = (stories: Story[]) => paragraphsFileText(stories, stories.flatMap((s) => s.paragraphs));
/** The layout written before the story list moved to the end of the file. */
const storiesFirst = (stories: Story[]) => JSON.stringify({ stories: stories.map(storedStory), paragraphs: stories.flatMap((s) => s.paragraphs.map(storedParagraph)) });
/** What writing an `InPlaceAppend` does: the previous file copied, written over from an offset, cut after. */
const applied = (previous: Buffer, append: InPlaceAppend | undefined) => append && Buffer.concat([previous.subarray(0, append.at), append.tail]);
/** The pieces a function gives, joined: what is written to the file. */
const joined = (pieces: Buffer[] | undefined) => pieces && Buffer.concat(pieces);

describe('paragraphs.json appended in place', () => {
  it('is byte for byte the file written for all the stories at once', () => {
    const previous = Buffer.from(all([first]));
    const appended = joined(appendedParagraphsFile(previous, [second, third]));
    expect(appended?.toString('utf8')).toBe(all([first, second, third]));
    expect(asParagraphsFile(JSON.parse(appended!.toString('utf8')))?.paragraphs.map((p) => p.text)).toEqual([...first.paragraphs, ...second.paragraphs, ...third.paragraphs].map((p) => p.text));
    // With the previous stories' attribution replaced (a headline edited): the file written for the edited stories.
    const edited = { ...first, title: 'A new headline' };
    expect(joined(appendedParagraphsFile(previous, [second], [storedStory(edited)]))?.toString('utf8')).toBe(all([edited, second]));
    // From a file with no stories yet, too.
    expect(joined(appendedParagraphsFile(Buffer.from(all([])), [second]))?.toString('utf8')).toBe(all([second]));
  });

  it('loses removed stories byte for byte as if written without them, and reads texts only when asked', () => {
    const file = Buffer.from(all([first, second, third]));
    expect(joined(withoutStories(file, new Set([1])))?.toString('utf8')).toBe(all([first, third]));
    expect(joined(withoutStories(file, new Set([0, 2])))?.toString('utf8')).toBe(all([second]));
    expect(joined(withoutStories(file, new Set([0, 1, 2])))?.toString('utf8')).toBe(all([]));
    expect(withoutStories(Buffer.from(all([first]).slice(0, -2)), new Set([0]))).toBeUndefined();

    const lazy = lazyParagraphs(file)!;
    const written = [first, second, third].flatMap((s) => s.paragraphs);
    expect(lazy.paragraphs.map((p) => [p.id, p.storyId, p.number])).toEqual(written.map((p) => [p.id, p.storyId, p.number]));
    expect(lazy.paragraphs.map((p) => [p.text, p.hash])).toEqual(written.map((p) => [p.text, p.hash]));
    expect(JSON.parse(JSON.stringify(lazy.paragraphs))).toEqual(JSON.parse(JSON.stringify(written.map(storedParagraph))));
    // A list that promises more paragraphs than the file holds is not read.
    expect(lazyParagraphs(Buffer.from(all([first]).replace('"paragraphCount":2', '"paragraphCount":3')))).toBeUndefined();
  });

  it('reads the story list without the paragraphs, and refuses bytes it did not write', () => {
    expect(storyListOf(Buffer.from(all([first, second])))).toEqual([storedStory(first), storedStory(second)]);
    for (const broken of ['', '{"stories":[]}', '{"paragraphs":[]}', '{"paragraphs":[],"stories":[]', all([first]).slice(0, -1), storiesFirst([first]).slice(1)]) {
      expect(appendedParagraphsFile(Buffer.from(broken), [second])).toBeUndefined();
      expect(storyListOf(Buffer.from(broken))).toBeUndefined();
    }
    // Our layout, but not our stories.
    expect(storyListOf(Buffer.from('{"stories":[{"id":1}],"paragraphs":[]}'))).toBeUndefined();
    expect(storyListOf(Buffer.from('{"paragraphs":[],"stories":[{"id":1}]}'))).toBeUndefined();
  });

  it('reads the story list from the end of a large file (or the head, in the earlier layout), across read chunks', () => {
    const many = Array.from({ length: 1500 }, (_, i) => story(`story-${i}`, `Headline number ${i} ${'long words '.repeat(20)}`, [`Paragraph of story ${i}.`]));
    const dir = tempDir();
    for (const [text, layout] of [
      [all(many), 'paragraphs first'],
      [storiesFirst(many), 'stories first'],
    ] as const) {
      writeFileSync(path.join(dir, PARAGRAPHS_FILE), text);
      const list = layout === 'paragraphs first' ? text.slice(text.lastIndexOf('],"stories":[')) : text.slice(0, text.indexOf('],"paragraphs":['));
      expect(Buffer.byteLength(list)).toBeGreaterThan(1 << 19);
      expect(readStoryList(dir, Buffer.byteLength(text))).toEqual(many.map(storedStory));
      expect(listStories(dir, Buffer.byteLength(text))).toMatchObject({ layout, listAt: Buffer.byteLength(text.slice(0, text.indexOf(layout === 'paragraphs first' ? '],"stories":[' : '],"paragraphs":['))) });
      // A size other than the file's (a damaged or replaced file) gives nothing.
      expect(readStoryList(dir, Buffer.byteLength(text) - 1)).toBeUndefined();
    }
  });

  it('appends over the end of a copy of the previous file, byte for byte the file written at once, without reading it', () => {
    const dir = tempDir();
    const file = path.join(dir, PARAGRAPHS_FILE);
    for (const [before, added, storyList, after] of [
      [[first], [second, third], undefined, [first, second, third]],
      [[], [second], undefined, [second]],
      // A headline shortened: the story list is shorter than the one it replaces, and the copy is cut.
      [[first, second], [third], [storedStory(first), storedStory({ ...second, title: 'S' })], [first, { ...second, title: 'S' }, third]],
    ] as Array<[Story[], Story[], ReturnType<typeof storedStory>[] | undefined, Story[]]>) {
      const previous = Buffer.from(all(before));
      writeFileSync(file, previous);
      const listed = listStories(dir, previous.length)!;
      expect(applied(previous, appendedInPlace(file, listed, added, storyList))?.toString('utf8')).toBe(all(after));
    }
    // A file in the earlier layout is not appended to in place: the caller writes it whole, in the new layout.
    const earlier = Buffer.from(storiesFirst([first]));
    writeFileSync(file, earlier);
    expect(appendedInPlace(file, listStories(dir, earlier.length)!, [second])).toBeUndefined();
    expect(joined(appendedParagraphsFile(earlier, [second]))?.toString('utf8')).toBe(all([first, second]));
  });

  it('reads and reduces a file in the earlier layout, writing the new one', () => {
    const file = Buffer.from(storiesFirst([first, second, third]));
    expect(storyListOf(file)).toEqual([first, second, third].map(storedStory));
    expect(lazyParagraphs(file)!.paragraphs.map((p) => p.text)).toEqual([first, second, third].flatMap((s) => s.paragraphs.map((p) => p.text)));
    expect(joined(withoutStories(file, new Set([1])))?.toString('utf8')).toBe(all([first, third]));
  });
});
