import { stemmer } from 'stemmer';
import { foldText } from '../fold.js';
import { STOP_WORDS } from '../shared/english.js';
import { DEFAULT_LANGUAGE } from '../shared/language.js';
import { languageAnalysis } from '../shared/analysis.js';

export { foldText, STOP_WORDS };

/**
 * Bumped whenever how a text becomes words or terms changes (segmentation, stemmers, stop
 * lists): the search files an index stores record it (src/search/prepared.ts) and are derived
 * again when it differs. 2: words in every script (combining marks kept, Chinese, Japanese and
 * Thai segmented by dictionary), terms by each story's language.
 */
export const ANALYSIS_VERSION = 2;

/**
 * Word tokens of a text: letters and digits with their combining marks (a Hindi vowel sign, an
 * Arabic vowel mark), keeping inner apostrophes and dots (U.S.); runs of a script written without
 * spaces (Chinese, Japanese, Thai, Lao, Khmer, Burmese) cut into words by ICU's dictionaries.
 * The same for every language: a question and a story in different languages still share names.
 */
export function words(text: string): string[] {
  const tokens = foldText(text).match(WORD) ?? [];
  if (!UNSPACED.test(text)) return tokens;
  return tokens.flatMap((token) => (UNSPACED.test(token) ? segmentUnspaced(token) : [token]));
}

const WORD = /[\p{L}\p{N}][\p{L}\p{M}\p{N}]*(?:['.][\p{L}\p{N}][\p{L}\p{M}\p{N}]*)*/gu;
/** Scripts written without spaces between words. */
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
let segmenter: Intl.Segmenter | undefined;

/** A run of unspaced script as ICU's word break cuts it (dictionary words; what is not a word dropped). */
function segmentUnspaced(token: string): string[] {
  segmenter ??= new Intl.Segmenter('und', { granularity: 'word' });
  const found: string[] = [];
  for (const { segment, isWordLike } of segmenter.segment(token)) if (isWordLike) found.push(segment);
  return found;
}

/**
 * Terms of words seen lately. Words repeat (a year of news has about 80,000 distinct ones in 4.7
 * million), and stemming each occurrence was most of the cost of indexing a year's paragraphs.
 * Emptied when full, so memory stays bounded.
 */
const termCache = new Map<string, string | null>();
const TERM_CACHE_SIZE = 200_000;

/**
 * Past forms of irregular English verbs, to their base form: the stemmer leaves "led", "took" and
 * "paid" as they are, so "who led the study" missed "lead author" and "took photos" missed
 * "take". Forms that are also other words ("left", "felt", "saw", "fell") are read as the verb,
 * their usual reading in news copy; "ground", "lay", "bore" and "born" are left alone.
 */
const IRREGULAR_VERBS = new Map(
  `arose:arise arisen:arise ate:eat eaten:eat awoke:awake awoken:awake became:become began:begin begun:begin
  bent:bend bit:bite bitten:bite bled:bleed blew:blow blown:blow broke:break broken:break bred:breed
  brought:bring built:build bought:buy caught:catch chose:choose chosen:choose came:come dealt:deal dug:dig
  drew:draw drawn:draw drove:drive driven:drive drank:drink drunk:drink fed:feed felt:feel fought:fight
  found:find fled:flee flew:fly flown:fly forbade:forbid forbidden:forbid forgot:forget forgotten:forget
  forgave:forgive forgiven:forgive froze:freeze frozen:freeze got:get gotten:get gave:give given:give went:go
  gone:go grew:grow grown:grow hung:hang heard:hear hid:hide hidden:hide held:hold kept:keep knelt:kneel
  knew:know known:know laid:lay led:lead left:leave lent:lend lost:lose made:make meant:mean met:meet
  overcame:overcome oversaw:oversee overseen:oversee overtook:overtake overtaken:overtake paid:pay ran:run
  rebuilt:rebuild rode:ride ridden:ride rang:ring rung:ring rose:rise risen:rise sought:seek sold:sell
  sent:send shook:shake shaken:shake shone:shine shot:shoot shown:show shrank:shrink shrunk:shrink sang:sing
  sung:sing sank:sink sunk:sink sat:sit slept:sleep slid:slide spoke:speak spoken:speak sped:speed spent:spend
  spun:spin sprang:spring sprung:spring stood:stand stole:steal stolen:steal stuck:stick stung:sting
  strove:strive struck:strike swore:swear sworn:swear swept:sweep swam:swim swum:swim swung:swing took:take
  taken:take taught:teach tore:tear torn:tear thought:think threw:throw thrown:throw undertook:undertake
  undertaken:undertake understood:understand upheld:uphold woke:wake woken:wake wore:wear worn:wear wept:weep
  withdrew:withdraw withdrawn:withdraw withheld:withhold wrote:write written:write saw:see seen:see fell:fall
  fallen:fall`
    .split(/\s+/)
    .filter(Boolean)
    .map((pair) => pair.split(':') as [string, string]),
);

/**
 * One word to its index term in a language: stop words dropped, possessives and dots removed,
 * stemmed. English as it always was (Porter, irregular verbs, its stop list); other languages by
 * their Snowball stemmer and stop list where there is one (src/shared/analysis.ts).
 */
export function toTerm(word: string, language: string = DEFAULT_LANGUAGE): string | undefined {
  if (language !== DEFAULT_LANGUAGE) return languageAnalysis(language).toTerm(word);
  const cached = termCache.get(word);
  if (cached !== undefined) return cached ?? undefined;
  const bare = word.toLowerCase().replace(/'s$/, '').replace(/['.]/g, '');
  const term = bare.length === 0 || STOP_WORDS.has(bare) || STOP_WORDS.has(word.toLowerCase()) ? undefined : /^\p{N}+$/u.test(bare) ? bare : stemmer(IRREGULAR_VERBS.get(bare) ?? bare);
  if (termCache.size >= TERM_CACHE_SIZE) termCache.clear();
  termCache.set(word, term ?? null);
  return term;
}

/** The content terms of a text in a language, in order. */
export function contentTerms(text: string, language: string = DEFAULT_LANGUAGE): string[] {
  return words(text).flatMap((word) => toTerm(word, language) ?? []);
}
