/** Questions longer than this are cut at a word boundary before search (the Discord option allows 300). */
export const MAX_QUESTION_CHARS = 300;

/**
 * Cleans a question typed by a person before it is searched: Discord mentions, links,
 * markdown and invisible characters are removed, full-width letters folded, white space collapsed.
 * The result is plain text; it is never rendered as markdown by this function's callers unescaped.
 */
export function cleanQuestion(raw: string): string {
  let text = raw.normalize('NFKC');
  text = text
    .replace(/<a?:(\w+):\d+>/g, ' $1 ') // custom emoji -> its name
    .replace(/<(?:@[!&]?|#)\d+>/g, ' ') // user, role and channel mentions
    .replace(/@(everyone|here)\b/gi, ' ')
    .replace(/\[([^\]]*)\]\((?:<)?[^)\s]*(?:>)?\)/g, ' $1 ') // masked links keep their text
    .replace(/<?\b(?:https?|ftp):\/\/[^\s>]+>?/gi, ' ')
    .replace(/```[\s\S]*?```/g, (block) => ` ${block.replace(/```\w*/g, ' ')} `)
    .replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, ' ') // control, zero-width and direction marks
    .replace(/[*_~`|>#\\]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (text.length > MAX_QUESTION_CHARS) {
    const cut = text.slice(0, MAX_QUESTION_CHARS);
    const lastSpace = cut.lastIndexOf(' ');
    text = (lastSpace > MAX_QUESTION_CHARS / 2 ? cut.slice(0, lastSpace) : cut).trim();
  }
  return text;
}

/** Whether a cleaned question has anything to search for (a letter or a digit). */
export function isSearchable(question: string): boolean {
  return /[\p{L}\p{N}]/u.test(question);
}
