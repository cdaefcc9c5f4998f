import { describe, expect, it } from 'vitest';
import { parseStory, type Story } from '../src/corpus/index.js';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PARAGRAPHS_FILE, appendedParagraphsFile, asParagraphsFile, lazyParagraphs, paragraphsFileText, readStoryList, storedParagraph, storedStory, storyListOf, withoutStories } from '../src/index/index.js';
import { tempDir } from './helpers/corpus.js';

function story(name: string, title: string, paragraphs: string[]): Story {
  return parseStory(`/corpus/${name}.md`, `---\ntitle: '${title}'\noutlet: The Test Gazette\nauthors:\n  - Test Writer\npublished: 2021-06-01\nurl: https://example.com/${name}\n---\n\n${paragraphs.join('\n\n')}\n`);
}

// Texts holding the very bytes that separate the file's two lists, quotes and non-ASCII.
const first = story('alpha', 'A "quoted" title ],"paragraphs":[', ['Lavrov met Trump.', 'He said "],\\"paragraphs\\":[" twice — oddly.']);
const second = story('beta', 'Second', ['A bakery opened on Main Street.', 'Ça sent le pain: 日本語 too.']);
const third = story('gamma', 'Third', ['One paragraph only.']);
const all = (stories: Story[]) => paragraphsFileText(stories, stories.flatMap((s) => s.paragraphs));
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

  it('reads the story list at the head of the file without the paragraphs, and refuses bytes it did not write', () => {
    expect(storyListOf(Buffer.from(all([first, second])))).toEqual([storedStory(first), storedStory(second)]);
    for (const broken of ['', '{"stories":[]}', '{"paragraphs":[],"stories":[]}', all([first]).slice(0, -1)]) {
      expect(appendedParagraphsFile(Buffer.from(broken), [second])).toBeUndefined();
      expect(storyListOf(Buffer.from(broken))).toBeUndefined();
    }
    // Our layout, but not our stories.
    expect(storyListOf(Buffer.from('{"stories":[{"id":1}],"paragraphs":[]}'))).toBeUndefined();
  });

  it('reads the story list from the head of a large file, across read chunks', () => {
    const many = Array.from({ length: 1500 }, (_, i) => story(`story-${i}`, `Headline number ${i} ${'long words '.repeat(20)}`, [`Paragraph of story ${i}.`]));
    const text = all(many);
    const dir = tempDir();
    writeFileSync(path.join(dir, PARAGRAPHS_FILE), text);
    expect(Buffer.byteLength(text.slice(0, text.indexOf('],"paragraphs":[')))).toBeGreaterThan(1 << 19);
    expect(readStoryList(dir, Buffer.byteLength(text))).toEqual(many.map(storedStory));
    // A size other than the file's (a damaged or replaced file) gives nothing.
    expect(readStoryList(dir, Buffer.byteLength(text) - 1)).toBeUndefined();
  });
});
