import { parseDate } from './dates.js';

/** One block of text from an article body, with what its markup said about it. */
export interface TextBlock {
  text: string;
  /** Share of the visible characters inside links. */
  linkDensity: number;
  /** Share inside <em>/<i>. */
  emphasisShare: number;
  /** Share inside <strong>/<b>. */
  strongShare: number;
  /** An image or video stands in the same block. */
  withMedia: boolean;
  inList: boolean;
}

// Lines that are page furniture wherever they stand: prompts, labels, credits.
const FURNITURE_LINES = [
  /^advertisements?:?$/i,
  /^(?:sponsored|paid) (?:content|post)$/i,
  /^(?:read|see|watch|listen|click|tap) (?:more|also|next|here)\b.{0,120}$/i,
  // "Read also" in the languages news sites most often use.
  /^(?:lea también|lee también|leer más|lire aussi|à lire aussi|a lire aussi|voir aussi|lesen sie auch|lesen sie mehr|mehr zum thema|leia também|leia mais|leggi anche|читайте также|читайте еще|czytaj też|czytaj także|lees ook|läs också|les også|læs også)\b.{0,160}$/iu,
  /^(?:(?:last )?updated|published|posted|first published)\b.{0,60}$/i,
  /^(?:related|more|recommended|trending|popular|also read|most read|top stories)(?: stories| articles| coverage| content| reading| news)?\s*[:|›»>-].{0,200}$/i,
  /^(?:share|tweet|email|print|copy link|save)(?: (?:this|on|via|to) .{0,40})?$/i,
  /^(?:photo|image|picture|video|graphic|illustration|credit|photograph|source)s?(?: credit)?\s*[:|].{0,120}$/i,
  /^(?:©|\(c\)|copyright\b).{0,160}$/i,
  /^(?:follow|like) us\b.{0,120}$/i,
  /^this (?:article|story) (?:was )?(?:originally )?(?:appeared|published|first appeared)\b.{0,200}$/i,
  /^a version of this (?:article|story) (?:appears|appeared) in print\b/i,
  /^(?:continue reading|show (?:more|less)|load more|back to top|skip to (?:main )?content)\.?$/i,
];

// Newsletter and subscription prompts, wherever they stand in a short block.
const PROMPT = /\b(?:in your inbox|sign up for (?:our|the)\b|subscribe to (?:our|the)\b.{0,40}\b(?:newsletter|podcast|channel)|the best way to follow)\b/i;

// A time of day standing alone ("10:42 a.m.", "06h45"): a live-blog stamp, not text.
const TIME_ONLY = /^(?:\d{1,2}[:.h]\d{2}|\d{1,2}\s?[ap]\.?m\.?)(?:\s*[ap]\.?m\.?)?(?:\s+[A-Z]{2,4})?$/i;
// A caption ending in its credit: "(Gazette photo by Earl Whitacre)", "(AP Photo/Jane Doe)".
const CREDIT_IN_PARENTHESES = /\((?:[^()]*\b(?:photos?|photograph|image|picture|foto|illustration|file)\b[^()]*)\)$/i;

/** Ends like a sentence (or a quotation of one). */
const SENTENCE_END = /[.!?…。！？।؟۔]["'”’»)\]]*$/u;

/**
 * Whether a block is page furniture rather than article text: "Advertisement", "Read more: …", a
 * photo credit or caption, a newsletter prompt, a list of links, a bold subheading, a label.
 */
export function isBoilerplateBlock(block: TextBlock): boolean {
  const { text } = block;
  // No word at all: an icon's glyph, a divider ("* * *", "—", a lone "."), never something to quote.
  if (!/[\p{L}\p{N}]/u.test(text)) return true;
  if (FURNITURE_LINES.some((pattern) => pattern.test(text))) return true;
  if (text.length < 200 && PROMPT.test(text)) return true;
  // "Home | News | Subscribe": a row of short links or labels.
  const pieces = text.split(/\s+[|•·]\s+/);
  if (pieces.length >= 3 && pieces.filter((piece) => wordCount(piece) <= 3).length >= pieces.length - 1) return true;
  if (TIME_ONLY.test(text)) return true;
  if (text.length < 300 && CREDIT_IN_PARENTHESES.test(text)) return true;
  const sentence = SENTENCE_END.test(text);
  // A byline or dateline line: "Par Camille Lefèvre Publié le 12 mars 2024 à 06h45".
  if (!sentence && !block.inList && text.length < 200 && parseDate(text)) return true;
  // Labels, credits, datelines and subheadings written as paragraphs: short and not a sentence.
  if (!sentence && (text.length < 40 || wordCount(text) < 4)) return true;
  if (!sentence && block.strongShare > 0.9 && text.length < 120) return true;
  // A link standing alone (a related story) is not the article's text.
  if (block.linkDensity > 0.8 && (!sentence || block.inList || text.length < 120)) return true;
  // A caption written as an image followed by italic text.
  if (block.withMedia && block.emphasisShare > 0.9) return true;
  return false;
}

function wordCount(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}
