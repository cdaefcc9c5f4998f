/**
 * Whether a story holds a number the question writes in digits, as a story may write it: in words
 * ("a hundred years" for "100 years", "cien años", "сто лет") or as a year of a decade the question
 * names ("the 80s", "the 1980s" for 1981). Numbers are otherwise matched exactly: "2019" is not a
 * misspelt "2017".
 */
import { toCardinal as ar } from 'n2words/ar-SA';
import { toCardinal as de } from 'n2words/de-DE';
import { toCardinal as el } from 'n2words/el-GR';
import { toCardinal as en } from 'n2words/en-US';
import { toCardinal as es } from 'n2words/es-ES';
import { toCardinal as fr } from 'n2words/fr-FR';
import { toCardinal as hi } from 'n2words/hi-IN';
import { toCardinal as it } from 'n2words/it-IT';
import { toCardinal as nl } from 'n2words/nl-NL';
import { toCardinal as pl } from 'n2words/pl-PL';
import { toCardinal as pt } from 'n2words/pt-PT';
import { toCardinal as ro } from 'n2words/ro-RO';
import { toCardinal as ru } from 'n2words/ru-RU';
import { toCardinal as sv } from 'n2words/sv-SE';
import { toCardinal as th } from 'n2words/th-TH';
import { toCardinal as tr } from 'n2words/tr-TR';
import { toCardinal as uk } from 'n2words/uk-UA';
import { toCardinal as vi } from 'n2words/vi-VN';
import { toTerm, words } from './text.js';

/**
 * Cardinal numbers in words (n2words), by language. Chinese is left out: n2words writes the
 * financial numerals (壹佰), which news copy does not use.
 */
const CARDINALS: Record<string, (value: number) => string> = { ar, de, el, en, es, fr, hi, it, nl, pl, pt, ro, ru, sv, th, tr, uk, vi };

/** Larger numbers are written in digits in news copy (and n2words' words for them are long). */
const LARGEST_IN_WORDS = 1_000_000;

const wordingsCache = new Map<string, string[][]>();

/**
 * The ways a language writes a number in words, each as its terms: the cardinal ("one hundred"),
 * and for a round number led by one, the word its multiples share ("hundred" from "one hundred"
 * and "two hundred", "hundert" from "einhundert" and "zweihundert"): "a hundred" and "hundert"
 * have no "one".
 */
export function numberWordings(digits: string, language: string): string[][] {
  const key = `${language}:${digits}`;
  const cached = wordingsCache.get(key);
  if (cached) return cached;
  const cardinal = CARDINALS[language];
  const value = Number(digits);
  const found: string[][] = [];
  if (cardinal && /^\d+$/.test(digits) && value > 0 && value <= LARGEST_IN_WORDS) {
    const written = cardinal(value);
    found.push(termsOf(written, language));
    if (/^10+$/.test(digits)) {
      const double = cardinal(2 * value);
      // The word both write ("hundred", "सौ"), the term ("тысяч" of тысяча and тысячи), or the tail two compounds share ("hundert").
      const doubleWords = new Set(words(double));
      const sharedWords = words(written).filter((word) => doubleWords.has(word));
      const doubleTerms = new Set(termsOf(double, language));
      const sharedTerms = termsOf(written, language).filter((term) => doubleTerms.has(term));
      const sharedTail = words(written).length === 1 ? commonSuffix(written, double) : '';
      if (sharedWords.length > 0) found.push(termsOf(sharedWords.join(' '), language));
      else if (sharedTerms.length > 0) found.push(sharedTerms);
      else if (sharedTail.length >= 3) found.push(termsOf(sharedTail, language));
    }
  }
  const wordings = found.filter((terms) => terms.length > 0);
  wordingsCache.set(key, wordings);
  return wordings;
}

/**
 * The terms of a number's words; none when one of its words is a stop word of the language
 * (Romanian lists "sută", Turkish "yüz"): a story's terms never hold it, and what is left ("o")
 * would match any story.
 */
function termsOf(written: string, language: string): string[] {
  const all = words(written);
  const terms = all.flatMap((word) => toTerm(word, language) ?? []);
  return terms.length === all.length ? terms : [];
}

function commonSuffix(a: string, b: string): string {
  let length = 0;
  while (length < a.length && length < b.length && a[a.length - 1 - length] === b[b.length - 1 - length]) length++;
  return a.slice(a.length - length);
}

/** A decade ("80", "1980"): the years it names' first three digits ("198"), or undefined. */
function decadeOf(digits: string): string[] {
  if (/^[1-9]0$/.test(digits)) return [`19${digits[0]}`, `20${digits[0]}`];
  if (/^\d{3}0$/.test(digits)) return [digits.slice(0, 3)];
  return [];
}

/** Whether terms (`has`, and `all` when scanning is needed) hold the number `digits` as a story may write it. */
export function holdsNumber(digits: string, language: string, has: (term: string) => boolean, all: () => Iterable<string>): boolean {
  if (has(digits)) return true;
  if (numberWordings(digits, language).some((terms) => terms.every(has))) return true;
  const decades = decadeOf(digits);
  if (decades.length === 0) return false;
  for (const term of all()) if (term.length === 4 && /^\d{4}$/.test(term) && decades.some((decade) => term.startsWith(decade))) return true;
  return false;
}
