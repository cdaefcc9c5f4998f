/**
 * When a question is asking about: "the latest", "now", "in the end" want the newest of the
 * stories that match; "in March", "in 2023", "on May 21" want the stories published then.
 */
export type TimeIntent = { kind: 'latest' } | { kind: 'during'; year?: number; month?: number; day?: number } | undefined;

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const LATEST = /\b(?:latest|newest|most recent|most recently|recent|recently|now|currently|current|so far|in the end|finally|eventually|these days|this week|today|yesterday|still)\b/i;
const MONTH_DATE = new RegExp(`\\b(?:in|on|during|since|from|of|back in)\\s+(?:early |mid-|late )?(${MONTHS.join('|')}|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\\.?(?:\\s+(\\d{1,2})(?:st|nd|rd|th)?)?(?:,?\\s+((?:19|20)\\d{2}))?\\b`, 'i');
const YEAR = /\b(?:in|during|of|back in)\s+((?:19|20)\d{2})\b/i;

export function timeIntent(question: string): TimeIntent {
  const dated = MONTH_DATE.exec(question);
  if (dated) {
    const name = dated[1]!.toLowerCase();
    const month = MONTHS.findIndex((full) => full.startsWith(name.slice(0, 3))) + 1;
    return { kind: 'during', month, ...(dated[2] ? { day: Number(dated[2]) } : {}), ...(dated[3] ? { year: Number(dated[3]) } : {}) };
  }
  const year = YEAR.exec(question);
  if (year) return { kind: 'during', year: Number(year[1]) };
  return LATEST.test(question) ? { kind: 'latest' } : undefined;
}

/** Whether a story published on `published` (YYYY-MM-DD) is in the period asked about. */
export function publishedDuring(published: string | undefined, intent: Extract<TimeIntent, { kind: 'during' }>): boolean {
  if (!published) return false;
  const [year, month, day] = published.split('-').map(Number) as [number, number, number];
  if (intent.year !== undefined && intent.year !== year) return false;
  if (intent.month !== undefined && intent.month !== month) return false;
  // A story of the next day or two reports the event of the day asked about.
  if (intent.day !== undefined && (day < intent.day || day > intent.day + 2)) return false;
  return true;
}

/** Month and weekday names: words of time, not names a story must contain. */
export const TIME_WORDS = new Set([...MONTHS, 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday']);
