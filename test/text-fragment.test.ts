import { describe, expect, it } from 'vitest';
import { encodeFragmentPart, fragmentText, textFragmentLink } from '../src/search/text-fragment.js';

const URL = 'https://gazette.example/2024/05/07/port-sale';
const span = (text: string, sentence: string) => ({ start: text.indexOf(sentence), end: text.indexOf(sentence) + sentence.length });

describe('textFragmentLink', () => {
  const long = 'The board will vote on the sale in June, after a hearing in every ward of the city, the chair said.';
  const paragraph = `Opponents spoke first. ${long} Nobody else spoke.`;

  it('names a long sentence by its first and last words, and a short one whole', () => {
    const link = textFragmentLink(URL, paragraph, span(paragraph, long), 'Port sale heads to a vote');
    expect(link).toBe(`${URL}#:~:text=The%20board%20will%20vote,city%2C%20the%20chair%20said.`);
    expect(textFragmentLink(URL, paragraph, span(paragraph, 'Nobody else spoke.'), '')).toBe(`${URL}#:~:text=Nobody%20else%20spoke.`);
  });

  it('takes more words until the start is first found at the sentence, or gives the plain address', () => {
    // The first four words stand earlier in the story (any case), so five are needed.
    const before = 'Headline\nTHE BOARD WILL VOTE again next year, officials said.';
    expect(textFragmentLink(URL, paragraph, span(paragraph, long), before)).toBe(`${URL}#:~:text=The%20board%20will%20vote%20on,the%20city%2C%20the%20chair%20said.`);
    // The end must be first found at the sentence's end, not inside it.
    const echo = 'Mara Quill said the vote would be public, she said, and the board said the vote would be public.';
    const link = textFragmentLink(URL, echo, span(echo, echo), '');
    const named = fragmentText(link)!;
    expect(echo.indexOf(named.end!, named.start.length)).toBe(echo.length - named.end!.length);
    // A short sentence that the story said before word for word cannot be told apart.
    expect(textFragmentLink(URL, 'Nobody else spoke.', { start: 0, end: 18 }, 'Then nobody else spoke.')).toBe(URL);
  });

  it('encodes the directive’s own syntax, and keeps a URL that has a fragment of its own as it is', () => {
    expect(encodeFragmentPart('well-known, A & B')).toBe('well%2Dknown%2C%20A%20%26%20B');
    const hyphens = 'A well-known, long-serving member said: “rates & fares go up, not down.”';
    const link = textFragmentLink(URL, hyphens, { start: 0, end: hyphens.length }, '');
    expect(link).not.toMatch(/#:~:text=[^#]*[-&]/);
    expect(fragmentText(link)).toEqual({ start: hyphens }); // short enough to name whole
    expect(textFragmentLink(`${URL}#/section`, paragraph, span(paragraph, long), '')).toBe(`${URL}#/section`);
    expect(textFragmentLink(URL, paragraph, undefined, '')).toBe(URL);
  });
});

// ---- the three rules, each with a sentence that exercises it ----

/** What a browser does with a text directive (first match of start, then first match of end after it), on the folded page. */
function landing(page: string, link: string): { from: number; to: number } | undefined {
  const named = fragmentText(link);
  if (!named) return undefined;
  const fold = (value: string) => value.replace(/\s+/g, ' ').toLowerCase();
  const text = fold(page);
  const from = text.indexOf(fold(named.start));
  if (from < 0) return undefined;
  if (!named.end) return { from, to: from + fold(named.start).length };
  const endAt = text.indexOf(fold(named.end), from + fold(named.start).length);
  return endAt < 0 ? undefined : { from, to: endAt + fold(named.end).length };
}

describe('textFragmentLink: the rules', () => {
  it('escapes -, & and , in the end term as well as the start (",-…" would read as a suffix)', () => {
    // Long enough to be named by its edges; its last words hold a hyphen, a comma and an ampersand.
    const sentence = 'The council agreed after a long night of debate, Smith & Sons said, that the works would be reviewed by the state-appointed harbour board.';
    const link = textFragmentLink(URL, sentence, { start: 0, end: sentence.length }, '');
    const directive = link.slice(link.indexOf('#:~:text=') + '#:~:text='.length);
    expect(link).not.toBe(URL);
    const parts = directive.split(',');
    expect(parts).toHaveLength(2); // start,end: no prefix- or -suffix term, no stray comma
    for (const part of parts) expect(part, part).not.toMatch(/[-&,]/);
    expect(fragmentText(link)!.end).toMatch(/-/); // the end term does hold a hyphen, encoded
  });

  it('never gives a link over 2,000 characters (Discord takes 2,048 in an embed URL): a long sentence without spaces gives the plain address or a short link', () => {
    // 300 characters of Japanese with no spaces: named whole, it would take 2,700 characters.
    const sentence = `${'港湾委員会は来年の春に新しい桟橋の工事を始めると発表し、'.repeat(10)}市長も賛成した。`;
    const link = textFragmentLink(URL, sentence, { start: 0, end: sentence.length }, '');
    expect(encodeURIComponent(sentence).length).toBeGreaterThan(2000);
    expect(link.length).toBeLessThanOrEqual(2000);
    // Whatever it gives still lands on the sentence, or is the plain address.
    if (link !== URL) expect(landing(sentence, link)).toEqual({ from: 0, to: sentence.length });
    // The same with a long URL and a long sentence of Latin words: the cap holds on the whole link.
    const longUrl = `${URL}?${'utm_source=newsletter&'.repeat(80)}`;
    const words = `${'Residents of the old harbour district '.repeat(30)}said so.`;
    expect(textFragmentLink(longUrl, words, { start: 0, end: words.length }, '').length).toBeLessThanOrEqual(2000);
  });

  it('the end is first found, after the start, at the sentence’s end, with the sentence’s own words repeated inside it', () => {
    // "would run on time" (and "the ferry would run on time") stand earlier in the sentence itself.
    const sentence = 'Residents asked whether the ferry would run on time all winter and the operator promised that the ferry would run on time';
    const paragraph = `The council met on Tuesday. ${sentence}. Nobody objected.`;
    const start = paragraph.indexOf(sentence);
    const link = textFragmentLink(URL, paragraph, { start, end: start + sentence.length }, 'Ferry timetable');
    expect(link).not.toBe(URL);
    expect(fragmentText(link)!.end).toBeDefined();
    const page = `Ferry timetable\n${paragraph}`;
    const at = page.indexOf(sentence);
    expect(landing(page, link)).toEqual({ from: at, to: at + sentence.length });
  });

  it('the start is first found at the sentence, with its first words repeated earlier in the story', () => {
    const sentence = 'The ferry would run on time all winter, the operator promised at a meeting of the harbour board on Tuesday night.';
    const before = 'Ferry timetable\nThe ferry would run on time, riders hoped. The ferry would run late in storms.';
    const paragraph = `Riders asked. ${sentence}`;
    const start = paragraph.indexOf(sentence);
    const link = textFragmentLink(URL, paragraph, { start, end: paragraph.length }, before);
    const page = `${before}\n${paragraph}`;
    if (link !== URL) expect(landing(page, link)).toEqual({ from: page.indexOf(sentence), to: page.length });
    expect(link).not.toBe(URL);
  });
});
