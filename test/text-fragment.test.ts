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
