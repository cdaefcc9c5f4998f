/** A sentence inside a paragraph, by character offsets into the paragraph text. */
export interface SentenceSpan {
  start: number;
  end: number;
}

/** Abbreviations that end with a dot but do not end a sentence in news copy. */
const ABBREVIATIONS = new Set(
  `mr mrs ms dr prof gen lt col maj capt sgt cmdr adm sen rep gov pres amb sec atty supt rev fr st jr sr
  inc corp co ltd no vs etc approx dept est fig jan feb mar apr aug sep sept oct nov dec mt ft`.split(/\s+/),
);

/**
 * Splits a paragraph into sentences. A `.`, `!` or `?` (with any closing quote or bracket) ends a
 * sentence when white space and a capital, digit or opening quote follow, unless the word before
 * it is an abbreviation ("Gen."), an initial ("Thomas P. Bossert") or dotted letters ("U.S.").
 * Other scripts end theirs their own way: the same marks, Arabic's `؟`, Urdu's `۔`, Devanagari's
 * `।` before a letter of a script without capitals (Arabic, Hindi); Chinese and Japanese `。！？`
 * with no space after; Thai, which has no full stop, by a space between Thai words.
 */
export function splitSentences(text: string): SentenceSpan[] {
  const spans: SentenceSpan[] = [];
  let start = 0;
  for (let match = BOUNDARY.exec(text); match; match = BOUNDARY.exec(text)) {
    const [, mark, closing, space, wideMark, wideClosing, wideSpace, thaiSpace] = match;
    let end: number;
    let gap: string;
    if (mark !== undefined) {
      if (mark === '.' && !closing && isAbbreviationBefore(text, match.index)) continue;
      end = match.index + mark.length + closing!.length;
      gap = space!;
    } else if (wideMark !== undefined) {
      end = match.index + wideMark.length + wideClosing!.length;
      gap = wideSpace!;
    } else {
      end = match.index;
      gap = thaiSpace!;
    }
    if (end > start) spans.push({ start, end });
    start = end + gap.length;
  }
  BOUNDARY.lastIndex = 0;
  const tailEnd = text.trimEnd().length;
  if (start < tailEnd) spans.push({ start, end: tailEnd });
  return spans;
}

/**
 * Where sentences end: [1-3] a mark of a spaced script, its closing quotes and the space after it
 * (a capital, digit, opening quote or caseless letter next); [4-6] a Chinese or Japanese mark, its
 * closing quotes and any space (anything next); [7] a space between Thai letters.
 */
const BOUNDARY =
  /([.!?\u061F\u06D4\u0964\u0965\u0589\u1362]+)(["'\u201D\u2019)\]\u00BB]*)(\s+)(?=["'\u201C\u2018(\[\u00AB]?[\p{Lu}\p{N}\p{Lo}])|([\u3002\uFF01\uFF1F\uFF61]+)([\u300D\u300F\u201D\u2019\uFF09)\]]*)(\s*)(?=\S)|(?<=\p{Script=Thai}[\p{L}\p{M}]*)(\s+)(?=\p{Script=Thai})/gu;

function isAbbreviationBefore(text: string, dotAt: number): boolean {
  const before = text.slice(Math.max(0, dotAt - 20), dotAt);
  const word = /([\p{L}.]+)$/u.exec(before)?.[1] ?? '';
  if (word.length === 1 && /\p{Lu}/u.test(word)) return true; // an initial: "P."
  if (/^(?:\p{L}\.)+\p{L}$/u.test(word)) return true; // dotted letters: "U.S", "a.m"
  return ABBREVIATIONS.has(word.toLowerCase());
}
