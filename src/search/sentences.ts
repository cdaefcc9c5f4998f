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
 */
export function splitSentences(text: string): SentenceSpan[] {
  const spans: SentenceSpan[] = [];
  const boundary = /([.!?]+)(["'”’)\]]*)(\s+)(?=["'“‘(\[]?[\p{Lu}\p{N}])/gu;
  let start = 0;
  for (let match = boundary.exec(text); match; match = boundary.exec(text)) {
    const punctuationAt = match.index;
    if (match[1] === '.' && !match[2] && isAbbreviationBefore(text, punctuationAt)) continue;
    const end = punctuationAt + match[1]!.length + match[2]!.length;
    spans.push({ start, end });
    start = end + match[3]!.length;
  }
  const tailEnd = text.trimEnd().length;
  if (start < tailEnd) spans.push({ start, end: tailEnd });
  return spans;
}

function isAbbreviationBefore(text: string, dotAt: number): boolean {
  const before = text.slice(Math.max(0, dotAt - 20), dotAt);
  const word = /([\p{L}.]+)$/u.exec(before)?.[1] ?? '';
  if (word.length === 1 && /\p{Lu}/u.test(word)) return true; // an initial: "P."
  if (/^(?:\p{L}\.)+\p{L}$/u.test(word)) return true; // dotted letters: "U.S", "a.m"
  return ABBREVIATIONS.has(word.toLowerCase());
}
