// The language of a story or a question, as a BCP-47 primary subtag ("en", "de", "zh"): what
// decides how its text becomes words and terms (src/shared/analysis.ts), how its sentences end and
// whether its capitals mark names. From the page or the front matter when they say; from the text
// otherwise: the script alone where one language writes it (Thai, Greek, Hangul, Han), else a
// detector (tinyld: 99 % of XQuAD's questions right over its 12 languages, 0.1 ms each; franc-min
// and tinyld's light model got 90 %) among the languages that write that script.
import { createRequire } from 'node:module';
import { stopWordShare } from './analysis.js';

/** What a text is taken to be when nothing tells: the language the project started with. */
export const DEFAULT_LANGUAGE = 'en';

const require = createRequire(import.meta.url);

/** Three-letter and legacy codes pages use, to the two-letter subtag. */
const ALIASES: Readonly<Record<string, string>> = {
  eng: 'en', deu: 'de', ger: 'de', fra: 'fr', fre: 'fr', spa: 'es', ita: 'it', por: 'pt', nld: 'nl', dut: 'nl', rus: 'ru', ukr: 'uk',
  tur: 'tr', ara: 'ar', arb: 'ar', hin: 'hi', tha: 'th', vie: 'vi', zho: 'zh', chi: 'zh', cmn: 'zh', yue: 'zh', jpn: 'ja', kor: 'ko', ell: 'el',
  gre: 'el', ron: 'ro', rum: 'ro', pol: 'pl', swe: 'sv', heb: 'he', iw: 'he', in: 'id', ji: 'yi', fas: 'fa', per: 'fa', nb: 'no', nn: 'no',
};

/**
 * The primary language subtag of a tag as pages and front matter write it ("en-GB", "de_DE",
 * "zh-Hans", "ENG"), lower case; undefined when it names no language ("und", "mul", "", "x-default").
 */
export function primaryLanguage(tag: string | null | undefined): string | undefined {
  const match = /^\s*([A-Za-z]{2,3})(?=$|[-_\s;,])/.exec(tag ?? '');
  if (!match) return undefined;
  const code = match[1]!.toLowerCase();
  if (code === 'und' || code === 'mul' || code === 'zxx' || code === 'mis') return undefined;
  return ALIASES[code] ?? code;
}

/** Writing systems that tell a text's language, or narrow it to a few. */
type Script = 'latin' | 'cyrillic' | 'arabic' | 'devanagari' | 'greek' | 'hebrew' | 'han' | 'kana' | 'hangul' | 'thai' | 'other';

const SCRIPT_PATTERNS: ReadonlyArray<[Script, RegExp]> = [
  ['latin', /\p{Script=Latin}/u],
  ['cyrillic', /\p{Script=Cyrillic}/u],
  ['arabic', /\p{Script=Arabic}/u],
  ['devanagari', /\p{Script=Devanagari}/u],
  ['greek', /\p{Script=Greek}/u],
  ['hebrew', /\p{Script=Hebrew}/u],
  ['kana', /[\p{Script=Hiragana}\p{Script=Katakana}]/u],
  ['han', /\p{Script=Han}/u],
  ['hangul', /\p{Script=Hangul}/u],
  ['thai', /\p{Script=Thai}/u],
];

/** Scripts one language writes (as far as news goes), and the one scripts of other languages tell. */
const SCRIPT_LANGUAGE: Readonly<Partial<Record<Script, string>>> = { greek: 'el', han: 'zh', kana: 'ja', hangul: 'ko', thai: 'th', hebrew: 'he' };
const OTHER_SCRIPTS: ReadonlyArray<[RegExp, string]> = [
  [/\p{Script=Bengali}/u, 'bn'], [/\p{Script=Tamil}/u, 'ta'], [/\p{Script=Telugu}/u, 'te'], [/\p{Script=Gujarati}/u, 'gu'],
  [/\p{Script=Gurmukhi}/u, 'pa'], [/\p{Script=Kannada}/u, 'kn'], [/\p{Script=Malayalam}/u, 'ml'], [/\p{Script=Sinhala}/u, 'si'],
  [/\p{Script=Georgian}/u, 'ka'], [/\p{Script=Armenian}/u, 'hy'], [/\p{Script=Lao}/u, 'lo'], [/\p{Script=Khmer}/u, 'km'],
  [/\p{Script=Myanmar}/u, 'my'], [/\p{Script=Ethiopic}/u, 'am'],
];

/** Languages written in a script several share, for the detector to choose among. */
const SCRIPT_OF_LANGUAGE: Readonly<Record<string, Script>> = {
  ru: 'cyrillic', uk: 'cyrillic', bg: 'cyrillic', sr: 'cyrillic', mk: 'cyrillic', be: 'cyrillic', kk: 'cyrillic', ky: 'cyrillic', mn: 'cyrillic', tg: 'cyrillic',
  ar: 'arabic', fa: 'arabic', ur: 'arabic', ps: 'arabic', ug: 'arabic',
  hi: 'devanagari', mr: 'devanagari', ne: 'devanagari', sa: 'devanagari',
  el: 'greek', he: 'hebrew', yi: 'hebrew', zh: 'han', ja: 'kana', ko: 'hangul', th: 'thai',
};
const DEFAULT_OF_SCRIPT: Readonly<Partial<Record<Script, string>>> = { cyrillic: 'ru', arabic: 'ar', devanagari: 'hi', latin: DEFAULT_LANGUAGE };

/** The script a language is written in (Latin unless listed). */
export function scriptOfLanguage(language: string): Script {
  return SCRIPT_OF_LANGUAGE[language] ?? (OTHER_SCRIPTS.some(([, code]) => code === language) ? 'other' : 'latin');
}

/** The script most of a text's letters are in (kana wins over Han: Japanese writes both). */
function dominantScript(text: string): { script: Script; language?: string } | undefined {
  const counts = new Map<Script, number>();
  const others = new Map<string, number>();
  for (const char of text) {
    if (!/\p{L}/u.test(char)) continue;
    const found = SCRIPT_PATTERNS.find(([, pattern]) => pattern.test(char));
    if (found) counts.set(found[0], (counts.get(found[0]) ?? 0) + 1);
    else {
      const other = OTHER_SCRIPTS.find(([pattern]) => pattern.test(char));
      if (other) others.set(other[1], (others.get(other[1]) ?? 0) + 1);
    }
  }
  // Japanese mixes kana into Han: a few kana make Han text Japanese.
  if ((counts.get('kana') ?? 0) > 0 && (counts.get('kana') ?? 0) * 10 >= (counts.get('han') ?? 0)) counts.set('kana', (counts.get('kana') ?? 0) + (counts.get('han') ?? 0));
  let best: { script: Script; language?: string; count: number } | undefined;
  for (const [script, count] of counts) if (!best || count > best.count) best = { script, count };
  for (const [language, count] of others) if (!best || count > best.count) best = { script: 'other', language, count };
  return best && { script: best.script, ...(best.language ? { language: best.language } : {}) };
}

interface Detector {
  detectAll(text: string): Array<{ lang: string; accuracy: number }>;
}
let detector: Detector | undefined;
/** Loaded on first use (0.6 MB of n-gram tables): a corpus in one language never needs it for a question. */
function loadDetector(): Detector {
  return (detector ??= require('tinyld') as Detector);
}

/**
 * How much a language's share of stop words in the text counts beside the detector's score (0-1):
 * running text is a third or more stop words in its own language and a few percent in a related
 * one. Measured on XQuAD's 192 articles and 5,184 questions (docs/quality.md, "Languages").
 */
const STOP_WORD_WEIGHT = 2;

/**
 * What the corpus's main language is given beside the votes when a question is read: a short
 * question shares its few words with several languages ("tell me a joke": "me" and "a" are
 * Spanish stop words too, and Spanish won), while a question really in another language
 * outvotes it by more ("Wer hat gewonnen?" 0.85 to 0.04, "Qui a gagné le match ?" 0.87 to 0.04).
 */
const PREFERRED_LEAD = 0.6;

/** Characters a detector reads at most: a story's first ones tell its language as well as all of them. */
const SAMPLE_CHARS = 1500;

/**
 * The language of a text: by its script where that tells it, else by the detector among the
 * languages of that script (and among `candidates` when given: a question is taken to be in one of
 * the corpus's languages when its script allows). Undefined when the text has no letters.
 */
export function detectLanguage(text: string, candidates?: readonly string[], preferred?: string): string | undefined {
  const sample = text.length > SAMPLE_CHARS ? text.slice(0, SAMPLE_CHARS) : text;
  const found = dominantScript(sample);
  if (!found) return undefined;
  if (found.language) return found.language;
  const own = SCRIPT_LANGUAGE[found.script];
  if (own) return own;
  const pool = candidates?.filter((language) => scriptOfLanguage(language) === found.script);
  if (pool && pool.length === 1) return pool[0];
  const scored = loadDetector()
    .detectAll(sample)
    .filter(({ lang }) => scriptOfLanguage(lang) === found.script && (!pool || pool.length === 0 || pool.includes(lang)))
    .slice(0, 3);
  const favoured = preferred !== undefined && scriptOfLanguage(preferred) === found.script ? preferred : undefined;
  if (favoured && scored.length > 0 && !scored.some(({ lang }) => lang === favoured)) scored.push({ lang: favoured, accuracy: 0 });
  if (scored.length > 1) {
    // The detector's n-grams, with each language's share of stop words beside them: on a short
    // text a name ("Mühlenstraße") can outweigh "the", "on" and "said".
    const tokens = sample.toLowerCase().match(/[\p{L}\p{M}]+(?:'[\p{L}\p{M}]+)*/gu) ?? [];
    const vote = ({ lang, accuracy }: { lang: string; accuracy: number }) => accuracy + STOP_WORD_WEIGHT * stopWordShare(tokens, lang) + (lang === favoured ? PREFERRED_LEAD : 0);
    scored.sort((a, b) => vote(b) - vote(a));
  }
  return scored[0]?.lang ?? pool?.[0] ?? DEFAULT_OF_SCRIPT[found.script] ?? DEFAULT_LANGUAGE;
}

/**
 * The language of a question, given the languages of the stories it may be about (most common
 * first): by its script; among several languages of that script, the detector chooses among the
 * corpus's; the corpus's dominant language when nothing tells (a question of digits and names).
 */
export function questionLanguage(text: string, candidates: readonly string[]): string {
  const dominant = candidates[0] ?? DEFAULT_LANGUAGE;
  return detectLanguage(text, candidates, dominant) ?? dominant;
}

/** The languages of stories, most common first (ties alphabetically): what `questionLanguage` takes. */
export function corpusLanguages(stories: ReadonlyArray<{ language?: string | undefined }>): string[] {
  const counts = new Map<string, number>();
  for (const story of stories) {
    const language = story.language ?? DEFAULT_LANGUAGE;
    counts.set(language, (counts.get(language) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([language]) => language);
}

/** A story's language from its text, when neither its page nor its front matter gave one. */
export function detectStoryLanguage(title: string, paragraphs: ReadonlyArray<string | { text: string }>): string {
  let sample = title;
  for (const paragraph of paragraphs) {
    if (sample.length >= SAMPLE_CHARS) break;
    const text = typeof paragraph === 'string' ? paragraph : paragraph.text;
    // A story known from an index's summary has its paragraphs' hashes, not their texts.
    if (typeof text === 'string') sample += `\n${text}`;
  }
  // The paragraphs first: a headline alone is short, and names in it mislead.
  return detectLanguage(sample.slice(title.length).trim() || title) ?? DEFAULT_LANGUAGE;
}

/**
 * The language of an imported story: what its page declares (`declared`, a primary subtag) when
 * its text is written in that language's script, else what its text shows (a template's
 * `<html lang="en">` over a Chinese article is the template's).
 */
export function importedStoryLanguage(declared: string | undefined, title: string, paragraphs: readonly string[]): string {
  const detected = detectStoryLanguage(title, paragraphs);
  return declared && scriptOfLanguage(declared) === scriptOfLanguage(detected) ? declared : detected;
}

/**
 * The languages with at least two paragraphs, from each story's language and paragraph count (a
 * story without one is skipped): the ones an index's calibration measures (src/search/calibration.ts).
 */
export function languagesWithParagraphs(languages: ReadonlyArray<string | undefined>, paragraphs: readonly number[]): string[] {
  const counts = new Map<string, number>();
  languages.forEach((language, i) => {
    if (language !== undefined) counts.set(language, (counts.get(language) ?? 0) + (paragraphs[i] ?? 0));
  });
  return [...counts].filter(([, count]) => count >= 2).map(([language]) => language).sort();
}
