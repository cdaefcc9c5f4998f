import { describe, expect, it } from 'vitest';
import { SpellingCorrector } from '../src/search/spelling.js';
import { expectedAnswerType } from '../src/search/answer-type.js';
import { loadEnglishWords } from '../src/shared/english.js';

const TEXTS = [
  'Senior officials met in the Oval Office for the meeting with Lavrov and Kislyak.',
  'Trump seemed to be boasting about the classified briefings, officials said.',
  'The Washington Post withheld the name of the city.',
];
const DICTIONARY = new Set(['weather', 'meat', 'boast', 'name', 'most', 'revel']);
const speller = new SpellingCorrector(TEXTS, DICTIONARY);

describe('SpellingCorrector', () => {
  it('corrects misspelt words to corpus words, keeping capitals', () => {
    expect(speller.correct('Who was in the meating with Kisliack?')).toBe('Who was in the meeting with Kislyak?');
    expect(speller.correct('What did the Washinton Post withold about the citty?')).toBe('What did the Washington Post withheld about the city?');
    expect(speller.correct('what were the breifings')).toBe('what were the briefings');
  });

  it('spells out chat shorthand typed in lower case, but not a capitalised one or one the corpus uses', () => {
    expect(speller.correct('were ppl at the meeting bc of the briefings?')).toBe('were people at the meeting because of the briefings?');
    expect(speller.correct('What did the govt say abt it?')).toBe('What did the government say about it?');
    // Without its apostrophe a contraction still asks what it asks ("whos" wants a person).
    expect(speller.correct('whos in the meeting and why didnt they say')).toBe("who's in the meeting and why didn't they say");
    expect(expectedAnswerType(speller.correct('whos the mayor'))).toBe('person');
    // "BC" is British Columbia as often as not; a story that writes "govt" keeps it.
    expect(speller.correct('Who in BC said it?')).toBe('Who in BC said it?');
    expect(new SpellingCorrector(['The govt said no.'], DICTIONARY).correct('what did the govt say')).toBe('what did the govt say');
  });

  it('prefers a candidate with the same first letter, and offers stems that are words', () => {
    // "most" and "boast" are both one edit from "bost"; the corpus only has "boasting".
    expect(speller.suggest('bost')).toBe('boast');
  });

  it('leaves real words, words of the corpus family, short words and far-off words alone', () => {
    expect(speller.suggest('weather')).toBeUndefined(); // an English word the story lacks
    expect(speller.suggest('naming')).toBeUndefined(); // the corpus says "name"
    expect(speller.suggest('tok')).toBeUndefined(); // too short to guess
    expect(speller.suggest('sourdough')).toBeUndefined(); // nothing close
    expect(speller.correct('Lavrov met Kislyak')).toBe('Lavrov met Kislyak');
  });

  it('loads a lazy dictionary only when a word is not the corpus\'s, once, and an empty one corrects nothing', () => {
    let loads = 0;
    const lazy = new SpellingCorrector(TEXTS, () => (loads++, DICTIONARY));
    expect(lazy.correct('Who was in the meeting with Lavrov?')).toBe('Who was in the meeting with Lavrov?');
    expect(loads).toBe(0);
    expect(lazy.correct('Who was in the meating?')).toBe('Who was in the meeting?');
    expect(lazy.correct('what were the breifings about the weather')).toBe('what were the briefings about the weather');
    expect(loads).toBe(1);
    const withoutWords = new SpellingCorrector(TEXTS, () => new Set());
    expect(withoutWords.correct('were ppl in the meating?')).toBe('were ppl in the meating?');
  });

  it('uses the installed model vocabulary as its dictionary', () => {
    const english = loadEnglishWords();
    expect(english.size).toBeGreaterThan(4000);
    expect(english.has('weather')).toBe(true);
    expect(english.has('meating')).toBe(false);
  });
});
