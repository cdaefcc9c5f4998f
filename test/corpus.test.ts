import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { corpusHash, loadCorpus, parseStory, splitParagraphs, storySlug } from '../src/corpus/index.js';
import { UserError } from '../src/errors.js';

// The story exactly as received (shared/story/000_2d6056a84ead800c.txt), kept as a fixture.
const SOURCE = new URL('./fixtures/source/wapo-2017-05-15.txt', import.meta.url);

const FRONT = `---
title: A headline
outlet: The Example Times
authors: [Ann Writer]
published: 2020-02-03
url: https://example.com/story
---
`;

describe('parseStory', () => {
  it('reads front matter and gives paragraphs stable ids and content hashes', () => {
    const story = parseStory('corpus/My Story.md', `${FRONT}\nFirst paragraph.\n\nSecond “quoted” paragraph.\n`);
    expect(story.id).toBe('my-story');
    expect(story.authors).toEqual(['Ann Writer']);
    expect(story.paragraphs.map((p) => p.id)).toEqual(['my-story:1', 'my-story:2']);
    expect(story.paragraphs[1]!.text).toBe('Second “quoted” paragraph.');
    const again = parseStory('corpus/My Story.md', `${FRONT}\nFirst paragraph.\n\nSecond “quoted” paragraph.\n`);
    expect(again.paragraphs.map((p) => p.hash)).toEqual(story.paragraphs.map((p) => p.hash));
    expect(story.paragraphs[0]!.hash).not.toBe(story.paragraphs[1]!.hash);
  });

  it.each([
    ['title', FRONT.replace('title: A headline\n', ''), /"title" is missing/],
    ['published', FRONT.replace('2020-02-03', 'May 2020'), /"published" must be an ISO date/],
    ['url', FRONT.replace('https://example.com/story', 'not a url'), /"url" must be an http\(s\) URL/],
    ['authors', FRONT.replace('[Ann Writer]', '[Ann Writer, " "]'), /"authors.1" must not hold an empty name/],
  ])('names the file and the field when %s is wrong', (_field, front, message) => {
    const parse = () => parseStory('corpus/bad.md', `${front}\nText.\n`);
    expect(parse).toThrow(UserError);
    expect(parse).toThrow(message);
    expect(parse).toThrow(/corpus\/bad\.md/);
  });

  it('takes a story whose byline names no person (a staff or wire story)', () => {
    const story = parseStory('corpus/wire.md', `${FRONT.replace('[Ann Writer]', '[]')}\nText.\n`);
    expect(story.authors).toEqual([]);
    expect(parseStory('corpus/wire.md', `${FRONT.replace('authors: [Ann Writer]\n', '')}\nText.\n`).authors).toEqual([]);
  });

  it('refuses a file without front matter, with broken YAML, or without paragraphs', () => {
    expect(() => parseStory('a.md', 'Just text.')).toThrow(/a\.md has no front matter/);
    expect(() => parseStory('b.md', '---\ntitle: [unclosed\n---\nText')).toThrow(/b\.md has front matter that is not valid YAML/);
    expect(() => parseStory('c.md', `${FRONT}\n\n`)).toThrow(/c\.md has front matter but no paragraphs/);
  });

  it('changes the corpus hash when a paragraph changes', () => {
    const a = parseStory('s.md', `${FRONT}\nOne.\n\nTwo.\n`);
    const b = parseStory('s.md', `${FRONT}\nOne.\n\nTwo!\n`);
    expect(corpusHash([a])).not.toBe(corpusHash([b]));
    expect(corpusHash([a])).toBe(corpusHash([parseStory('s.md', `${FRONT}\nOne.\n\nTwo.\n`)]));
  });
});

describe('splitParagraphs', () => {
  it('splits at blank lines and joins hard-wrapped lines', () => {
    expect(splitParagraphs('a\nb\n\n\n  \nc\r\n\r\nd')).toEqual(['a b', 'c', 'd']);
  });
});

describe('storySlug', () => {
  it('makes a lower-case slug from the file name', () => {
    expect(storySlug('Café Story 2017.md')).toBe('cafe-story-2017');
  });
});

describe('the shipped corpus', () => {
  it('holds the first story byte for byte, one paragraph per source line', async () => {
    const stories = await loadCorpus(new URL('../corpus', import.meta.url).pathname);
    const story = stories.find((s) => s.title.startsWith('Trump revealed highly classified information'));
    expect(story).toBeDefined();
    const source = readFileSync(SOURCE, 'utf8').split('\n');
    expect(source).toHaveLength(37);
    expect(story!.paragraphs.map((p) => p.text)).toEqual(source);
    expect(story!.outlet).toBe('The Washington Post');
    expect(story!.authors).toEqual(['Greg Miller', 'Greg Jaffe']);
    expect(story!.published).toBe('2017-05-15');
  });
});
