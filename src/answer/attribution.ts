/** The story facts every quote is attributed with; plain data, no Discord or terminal types. */
export interface Source {
  id: string;
  title: string;
  outlet: string;
  authors: readonly string[];
  /** ISO date, e.g. 2017-05-15; missing when the page gave none. */
  published?: string;
  url: string;
  paragraphCount: number;
}

/** "Greg Miller and Greg Jaffe", "A, B and C". */
export function byline(authors: readonly string[]): string {
  if (authors.length <= 1) return authors[0] ?? '';
  return `${authors.slice(0, -1).join(', ')} and ${authors.at(-1)}`;
}

const LONG_DATE = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', year: 'numeric', month: 'long', day: 'numeric' });

/** 2017-05-15 -> "May 15, 2017"; no date -> "" (an undated story is shown without one, never with a guess). */
export function formatDate(iso: string | undefined): string {
  if (!iso) return '';
  const date = new Date(`${iso}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? iso : LONG_DATE.format(date);
}

/** Newest first; an undated story counts as old, so it goes last. Then by headline. */
export function newestFirst(a: { published?: string; title: string }, b: { published?: string; title: string }): number {
  return (b.published ?? '').localeCompare(a.published ?? '') || a.title.localeCompare(b.title);
}

/** "¶ 6 of 37". */
export function paragraphLabel(number: number, source: Pick<Source, 'paragraphCount'>): string {
  return `¶ ${number} of ${source.paragraphCount}`;
}

/** One line: headline — outlet, by byline, date, ¶ n of m. */
export function attributionLine(source: Source, paragraph: number): string {
  const by = source.authors.length ? `by ${byline(source.authors)}` : '';
  return `“${source.title}” — ${[source.outlet, by, formatDate(source.published), paragraphLabel(paragraph, source)].filter(Boolean).join(', ')}`;
}

/** The refusal, in the number of stories searched: "The story doesn't say." or "The 4 stories don't say." */
export function refusalSentence(searched: number): string {
  return searched === 1 ? "The story doesn't say." : `The ${searched} stories don't say.`;
}
