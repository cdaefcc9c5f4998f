/** Straight quotes and dashes, folded case, NFKC: the form headlines, names and answers are compared in. */
export function foldText(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\u2018\u2019\u201A\u201B\u2032`\u00b4]/g, "'")
    .replace(/[\u201C\u201D\u201E\u201F\u2033\u00ab\u00bb]/g, '"')
    .replace(/[\u2010-\u2015]/g, '-')
    .toLowerCase();
}

/** {@link foldText} with white space collapsed: two titles or names are the same when these are equal. */
export function foldForComparison(text: string): string {
  return foldText(text).replace(/\s+/g, ' ').trim();
}
