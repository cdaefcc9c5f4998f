// A link that opens the story scrolled to, and highlighting, the quoted sentence: a URL text
// fragment (WICG Text Fragments, `#:~:text=start,end`), which Chrome, Edge and Safari follow and
// other browsers ignore, landing on the page as with the plain link.

/** Words on each side of a long sentence's range, at the fewest; more are taken until they are unique. */
const MIN_EDGE_WORDS = 4;
/** A sentence this short is named whole. */
const WHOLE_SENTENCE_CHARS = 80;
/** Longest link given: Discord takes 2,048 characters in an embed's URL. */
const MAX_LINK_CHARS = 2000;
/**
 * A sentence of a script written without spaces this long is named by its ends: each character
 * takes 9 in the link (`%E5%8C%97`), so a whole one would soon pass MAX_LINK_CHARS.
 */
const WHOLE_UNSPACED_CHARS = 24;
/** Scripts written without spaces between words. */
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;

/**
 * `url` with a text fragment for `text.slice(start, end)`. The browser takes the first match on
 * the page, so the fragment is checked against the story's text before the sentence
 * (`textBefore`: the headline and the earlier paragraphs): where it would land elsewhere first,
 * or the URL already has a fragment of its own (a page that routes by it), the plain URL is given.
 */
export function textFragmentLink(url: string, text: string, span: { start: number; end: number } | undefined, textBefore: string): string {
  const link = fragmentLink(url, text, span, textBefore);
  return link.length <= MAX_LINK_CHARS ? link : url;
}

function fragmentLink(url: string, text: string, span: { start: number; end: number } | undefined, textBefore: string): string {
  if (!span || url.includes('#')) return url;
  const sentence = text.slice(span.start, span.end).replace(/\s+/g, ' ').trim();
  if (!sentence) return url;
  // Matching is case-insensitive and across white space, as browsers do.
  const fold = (value: string) => value.replace(/\s+/g, ' ').toLowerCase();
  const before = fold(`${textBefore}\n${text.slice(0, span.start)}`);
  const page = `${before}${fold(sentence)}`;
  const at = before.length;
  // A browser matches a fragment's start and end at word boundaries, as ICU's word break finds
  // them: in Chinese, Japanese or Thai the edges are whole dictionary words, joined as written.
  const unspaced = UNSPACED.test(sentence);
  const words = unspaced ? unspacedWords(sentence) : sentence.split(' ');
  const join = unspaced ? '' : ' ';
  const firstIs = (needle: string, from: number, expected: number) => page.indexOf(fold(needle), from) === expected;

  if (sentence.length > (unspaced ? WHOLE_UNSPACED_CHARS : WHOLE_SENTENCE_CHARS) && words.length >= 2 * MIN_EDGE_WORDS) {
    for (let n = MIN_EDGE_WORDS; 2 * n <= words.length; n++) {
      const start = words.slice(0, n).join(join).trim();
      const end = words.slice(-n).join(join).trim();
      // The start must first match here, and the end first match (after the start) at the sentence's end.
      if (firstIs(start, 0, at) && firstIs(end, at + start.length, page.length - end.length)) {
        return `${url}#:~:text=${encodeFragmentPart(start)},${encodeFragmentPart(end)}`;
      }
    }
  }
  return firstIs(sentence, 0, at) ? `${url}#:~:text=${encodeFragmentPart(sentence)}` : url;
}

let segmenter: Intl.Segmenter | undefined;

/**
 * A sentence cut at ICU's word boundaries, each word with the punctuation and spaces after it
 * (joined with '' they give the sentence back): the pieces a fragment's edges are made of.
 */
function unspacedWords(sentence: string): string[] {
  segmenter ??= new Intl.Segmenter('und', { granularity: 'word' });
  const pieces: string[] = [];
  for (const { segment, isWordLike } of segmenter.segment(sentence)) {
    if (isWordLike || pieces.length === 0) pieces.push(segment);
    else pieces[pieces.length - 1] += segment;
  }
  return pieces;
}

/** Percent-encoding for a text directive: `,`, `&` and `-` are its syntax, so they are encoded too. */
export function encodeFragmentPart(value: string): string {
  return encodeURIComponent(value).replace(/-/g, '%2D');
}

/** The quoted text a text-fragment link names (its start and end, decoded), or undefined for a plain link. */
export function fragmentText(link: string): { start: string; end?: string } | undefined {
  const match = /#:~:text=([^,&]+)(?:,([^,&]+))?$/.exec(link);
  if (!match) return undefined;
  return { start: decodeURIComponent(match[1]!), ...(match[2] ? { end: decodeURIComponent(match[2]) } : {}) };
}
