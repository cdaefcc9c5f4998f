import type { SentenceTerms } from './highlight.js';
import { containsTerm } from './terms.js';

/**
 * What kind of answer a question asks for, read from its opening words: "who" a person, "how
 * many" a number, "how much … cost" or "what's the fare" an amount of money, "when" a date or
 * time, "how tall" a measurement. A story whose best passages hold nothing of that kind does not
 * answer the question, however close its words are.
 */
export type AnswerType = 'person' | 'number' | 'money' | 'time' | 'measure';

/**
 * Added to a passage that holds the kind of answer the question asks for (a name for "who", a
 * number for "how many", a date for "when"): a tie-breaker, not a vote (docs/quality.md).
 */
export const ANSWER_TYPE_WEIGHT = 0.05;
/**
 * Added on top when that answer stands in a sentence with one of the question's words: where a
 * reader looks for it. Measured on every eval set (docs/quality.md); a larger weight cost a wrong
 * refusal on the misspelled set.
 */
export const FOCUSED_ANSWER_WEIGHT = 0.05;

const PRICE_WORDS = /\b(?:cost|costs|price|prices|priced|charge|charges|pay|paid|fee|fees|ticket|tickets|sell for|sells for|worth)\b/;

const AMOUNT_NOUNS = /\b(?:cost|costs|price|prices|wage|wages|salary|salaries|fee|fees|fare|fares|rent)\b/;

/** The kind of answer an English question asks for; undefined for one in another language (its words are not read here). */
export function expectedAnswerType(question: string, language = 'en'): AnswerType | undefined {
  if (language !== 'en') return undefined;
  const q = question.toLowerCase().replace(/\s+/g, ' ').trim();
  if (/^(?:who|whom)\b/.test(q)) return 'person';
  if (/^how many\b/.test(q)) return 'number';
  if (/^how much\b/.test(q)) return PRICE_WORDS.test(q) ? 'money' : 'number';
  // "What's the starting wage…", "What would a rebuild cost?": an amount asked for by name.
  if (/^what(?:'s|’s| is| was| are| were| will| would| does| did)\b/.test(q) && AMOUNT_NOUNS.test(q) && !/\b(?:say|said|think|thought|react|reaction|mean|why)\b/.test(q)) return 'money';
  // A height, depth, width or weight is a number with its unit ("90 feet", "a 12-foot wall"). Not
  // "how far / high / long / big": news uses them figuratively ("how far will the Fed go") and
  // answers them without units ("an hour", "the semifinals").
  if (/^how (?:tall|deep|wide|heavy)\b/.test(q)) return 'measure';
  if (/^when\b|^what (?:day|date|time|year)\b|^(?:in )?what year\b/.test(q)) return 'time';
  return undefined;
}

const NUMBER_WORDS =
  /\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundreds?|thousands?|millions?|billions?|half|quarter|double|twice|triple|single)\b/i;
// An amount in a currency: "$4.2 million", "55 million dollars", "ten euros", "free of charge",
// and the scale words of stories in other languages ("6,8 Millionen Euro", "2 milhões de euros").
const CURRENCY = '(?:(?:de\\s)?(?:dollars?|dólares|euros?|pounds?|cents?|yen|rupees?|reais|usd|eur|gbp))';
const MONEY = new RegExp(
  `[$€£¥₹]\\s?\\d|(?:\\d|\\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twenty|fifty|hundred|a few|several))[\\d,.]*\\s?(?:(?:thousand|million|billion|trillion|bn|m|k|millions?|millionen|milliarden|millones|milhões|milhoes|mio\\.?|mrd\\.?)\\s?)?${CURRENCY}\\b|\\b(?:free of charge|for free|costs nothing)\\b`,
  'i',
);
const TIME =
  /\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec|today|yesterday|tomorrow|tonight|morning|afternoon|evening|night|noon|midnight|week|month|year|decade|century|spring|summer|fall|autumn|winter|soon|later|earlier|ago|since|until|by then)\b|\b\d{4}\b|\b\d{1,2}(?::\d{2})?\s?(?:a\.?m\.?|p\.?m\.?)/i;
const UNIT = '(?:feet|foot|ft|inch(?:es)?|yards?|miles?|meters?|metres?|kilomet(?:er|re)s?|km|centimet(?:er|re)s?|cm|mm|stor(?:e)?ys|stories|floors|pounds|lbs?|ounces|oz|kilos?|kilograms?|kg|grams?|tons?|tonnes?|acres?|hectares?|square|cubic|degrees|mph)';
const MEASURE = new RegExp(`(?:\\d|\\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|thousand|a few|several|dozens? of))[\\d,.]*(?:\\s|-)?(?:(?:thousand|million|hundred)\\s)?${UNIT}\\b`, 'i');
// Two capitalised words in a row not opening a sentence, or a title before a name.
const PERSON = /(?:[^.!?"“]\s)\p{Lu}[\p{L}'’.-]+\s\p{Lu}[\p{L}'’-]+|\b(?:Mr|Mrs|Ms|Dr|Gen|Sen|Rep|Gov|Prof|President|Minister|Judge|Officer|Chief)\.?\s\p{Lu}/u;

/** Whether a text holds something of the kind asked for (numbers the question already has do not count). */
export function holdsAnswerType(text: string, type: AnswerType, question: string): boolean {
  switch (type) {
    case 'person':
      return PERSON.test(` ${text}`);
    case 'money':
      return MONEY.test(text);
    case 'measure':
      return MEASURE.test(text);
    case 'time':
      return TIME.test(text);
    case 'number': {
      const asked = new Set(question.match(/\d[\d,.]*/g) ?? []);
      return (text.match(/\d[\d,.]*/g) ?? []).some((number) => !asked.has(number)) || NUMBER_WORDS.test(text);
    }
  }
}

/**
 * The nudge a paragraph gets for holding the kind of answer asked for: ANSWER_TYPE_WEIGHT when it
 * is anywhere in the paragraph, FOCUSED_ANSWER_WEIGHT more when it stands in a sentence that also
 * has one of the question's words ("6,000 white Akoya pearls" for "how many pearls", not a figure
 * about something else elsewhere in the paragraph).
 */
export function answerTypeBonus(
  text: string,
  sentences: readonly SentenceTerms[],
  type: AnswerType,
  question: string,
  questionTerms: readonly string[],
): number {
  if (!holdsAnswerType(text, type, question)) return 0;
  // The pattern first: it is cheaper than the terms' fuzzy matching, and most sentences fail it.
  const focused = sentences.some(
    ({ span, terms }) => holdsAnswerType(text.slice(span.start, span.end), type, question) && questionTerms.some((term) => containsTerm(terms, term)),
  );
  return ANSWER_TYPE_WEIGHT + (focused ? FOCUSED_ANSWER_WEIGHT : 0);
}
