import { parseDate } from './dates.js';

// Words that make a byline piece a role, a desk or an outlet rather than a person.
const NOT_A_PERSON =
  /\b(?:staff|editor|editors|reporter|reporters|correspondent|writer|contributor|columnist|desk|news|newsroom|team|agency|press|associated|reuters|bureau|times|post|journal|magazine|media|health|online|digital|service|wire|daily|weekly|tribune|herald|guardian|insider|updated|published|posted|photo|photos|video|illustration|by|and|de|redacción|rédaction|redaktion)\b/i;
const CREDENTIAL = /^(?:m\.?a\.?|m\.?d\.?|ph\.?\s?d\.?|r\.?n\.?|m\.?p\.?h\.?|d\.?o\.?|mba|msc|bsc|jd|esq\.?|jr\.?|sr\.?|ii|iii|iv)$/i;
const MONTH_WORD = /\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d/i;

/**
 * The people named in a byline: "By Greg Miller and Greg Jaffe" → both names;
 * "By Brenda Goodman, MA WebMD Health News" → Brenda Goodman; "Ben Silverman, Games Editor" → Ben Silverman.
 * Returns [] when the byline names no person ("TMZ Staff").
 */
export function bylineNames(byline: string | undefined): string[] {
  if (!byline) return [];
  let text = byline
    .replace(/\s+/g, ' ')
    .replace(/^(?:(?:written|reported|posted|words|text|story)\s+)?(?:by|por|von|par|door|av|af)\b\s*[:\-]?\s*/iu, '');
  // A date, a time or a count glued on after the names ends the byline.
  text = text.split(/\s*(?:\||•|·|—|–|\s-\s|\bupdated\b|\bpublished\b|\bposted\b|\bon\s+\d)/i)[0] ?? text;
  const date = MONTH_WORD.exec(text);
  if (date) text = text.slice(0, date.index);
  text = text.replace(/\d.*$/, '').replace(/[\s,;:]+$/, '').trim();
  if (!text) return [];
  const hasConjunction = /\s(?:and|&|und|et|y|e|og|en|i)\s/i.test(text);
  let pieces = text.split(/\s*(?:,|;|\s(?:and|&|und|et|y|e|og|en|i)\s)\s*/i).map((piece) => piece.trim()).filter(Boolean);
  // Without "and", pieces after a comma are roles or credentials ("Brenda Goodman, MA"), unless every piece is a name.
  if (!hasConjunction && pieces.length > 1 && !pieces.every(looksLikeName)) pieces = pieces.slice(0, 1);
  return unique(pieces.map(stripTrailingRole).filter(looksLikeName).map(titleCaseShouting));
}

/**
 * "Brenda Goodman MA WebMD Health News" → "Brenda Goodman": a role word ends the name, and a
 * third capitalised word just before it belongs to the role ("Games Editor", "Seattle Times").
 */
function stripTrailingRole(piece: string): string {
  const words = piece.split(' ');
  const role = words.findIndex((word, i) => i >= 2 && (CREDENTIAL.test(word) || NOT_A_PERSON.test(word) || /^\p{Lu}{2,}[a-z]*\p{Lu}/u.test(word)));
  if (role < 0) return piece;
  return words.slice(0, Math.max(2, role - 1)).join(' ');
}

/** Two to five words, each starting with a capital letter (particles like "de", "van" and bracketed initials like "(R.J.)" allowed). */
export function looksLikeName(piece: string): boolean {
  if (piece.length > 60 || /[@#/\\:]|https?/.test(piece) || parseDate(piece)) return false;
  // Chinese, Japanese and Korean names are written without spaces or capitals.
  if (/^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]{2,8}$/u.test(piece)) return true;
  const words = piece.split(/\s+/);
  if (words.length < 2 || words.length > 5) return false;
  if (NOT_A_PERSON.test(piece)) return false;
  const inside = (i: number) => i > 0 && i < words.length - 1;
  return words.every(
    (word, i) =>
      /^[\p{Lu}][\p{L}'’.-]*$/u.test(word) ||
      (inside(i) && /^(?:de|da|del|della|di|van|von|der|den|la|le|du|bin|al|el|ibn|ter|dos|das)$/i.test(word)) ||
      // Initials or a nickname in brackets between the names: "Richard (R.J.) Eskow".
      (inside(i) && /^\([\p{Lu}"“'‘][\p{L}'’".”-]*\)$/u.test(word)),
  );
}

/** "GILLIAN MOHNEY" → "Gillian Mohney"; names already in mixed case are left as written. */
function titleCaseShouting(name: string): string {
  if (name !== name.toUpperCase()) return name;
  return name.toLowerCase().replace(/(^|[\s'’-])(\p{L})/gu, (_, before: string, letter: string) => before + letter.toUpperCase());
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
