/** Month names and abbreviations in the languages news pages most often use, to month number. */
const MONTHS: Record<string, number> = {};
const MONTH_NAMES = [
  ['january', 'jan', 'janvier', 'janv', 'januar', 'enero', 'ene', 'gennaio', 'gen', 'janeiro'],
  ['february', 'feb', 'février', 'fevrier', 'févr', 'fevr', 'februar', 'febrero', 'febbraio', 'fevereiro', 'fev'],
  ['march', 'mar', 'mars', 'märz', 'marz', 'marzo', 'março', 'marco'],
  ['april', 'apr', 'avril', 'avr', 'abril', 'abr', 'aprile'],
  ['may', 'mai', 'mayo', 'maggio', 'mag', 'maio'],
  ['june', 'jun', 'juin', 'juni', 'junio', 'giugno', 'giu', 'junho'],
  ['july', 'jul', 'juillet', 'juil', 'juli', 'julio', 'luglio', 'lug', 'julho'],
  ['august', 'aug', 'août', 'aout', 'agosto', 'ago'],
  ['september', 'sep', 'sept', 'septembre', 'septiembre', 'settembre', 'set', 'setembro'],
  ['october', 'oct', 'octobre', 'oktober', 'okt', 'octubre', 'ottobre', 'ott', 'outubro', 'out'],
  ['november', 'nov', 'novembre', 'noviembre', 'novembro'],
  ['december', 'dec', 'décembre', 'decembre', 'déc', 'dezember', 'dez', 'diciembre', 'dic', 'dicembre', 'dezembro'],
];
// Russian month names (nominative, genitive and short forms), by month.
const RUSSIAN_MONTHS = ['январь января янв', 'февраль февраля фев', 'март марта', 'апрель апреля апр', 'май мая', 'июнь июня', 'июль июля', 'август августа авг', 'сентябрь сентября сент', 'октябрь октября окт', 'ноябрь ноября нояб', 'декабрь декабря дек'];
RUSSIAN_MONTHS.forEach((names, index) => MONTH_NAMES[index]!.push(...names.split(' ')));
MONTH_NAMES.forEach((names, index) => names.forEach((name) => (MONTHS[name] = index + 1)));
const MONTH = `(${Object.keys(MONTHS).sort((a, b) => b.length - a.length).join('|')})\\.?`;

const ISO = /(\d{4})-(\d{2})-(\d{2})/;
const COMPACT = /^(\d{4})(\d{2})(\d{2})(?:$|T|\d)/;
// Word edges that work for every script (\b only knows ASCII letters).
const START = '(?<![\\p{L}\\p{N}])';
const END = '(?![\\p{L}\\p{N}])';
const MONTH_DAY_YEAR = new RegExp(`${START}${MONTH}\\s+(\\d{1,2})(?:st|nd|rd|th)?,?\\s+(\\d{4})${END}`, 'iu');
const DAY_MONTH_YEAR = new RegExp(`${START}(\\d{1,2})(?:st|nd|rd|th|\\.)?\\s+(?:de\\s+)?${MONTH},?\\s+(?:de\\s+)?(\\d{4})${END}`, 'iu');
const NUMERIC_US = /\b(\d{1,2})\/(\d{1,2})\/(\d{4})\b/;
const NUMERIC_EU = /\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b/;
const YEAR_MONTH_DAY_SLASH = /\b(\d{4})\/(\d{1,2})\/(\d{1,2})\b/;

/**
 * The calendar date a text names, as YYYY-MM-DD: the date as the page wrote it (an ISO time
 * keeps its own day, whatever its zone), so "2017-05-15T22:30:00-04:00" is 2017-05-15.
 */
export function parseDate(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const value = text.trim();
  const iso = ISO.exec(value);
  if (iso) return valid(+iso[1]!, +iso[2]!, +iso[3]!);
  const compact = COMPACT.exec(value);
  if (compact) return valid(+compact[1]!, +compact[2]!, +compact[3]!);
  const mdy = MONTH_DAY_YEAR.exec(value);
  if (mdy) return valid(+mdy[3]!, MONTHS[mdy[1]!.toLowerCase()]!, +mdy[2]!);
  const dmy = DAY_MONTH_YEAR.exec(value);
  if (dmy) return valid(+dmy[3]!, MONTHS[dmy[2]!.toLowerCase()]!, +dmy[1]!);
  const ymd = YEAR_MONTH_DAY_SLASH.exec(value);
  if (ymd) return valid(+ymd[1]!, +ymd[2]!, +ymd[3]!);
  const us = NUMERIC_US.exec(value);
  if (us) return valid(+us[3]!, +us[1]!, +us[2]!) ?? valid(+us[3]!, +us[2]!, +us[1]!);
  const eu = NUMERIC_EU.exec(value);
  if (eu) return valid(+eu[3]!, +eu[2]!, +eu[1]!);
  // RFC 822 and other forms Date understands ("Tue, 05 Mar 2024 14:20:00 GMT").
  if (/[a-z]/i.test(value) && /\d{4}/.test(value)) {
    const parsed = new Date(value);
    if (!Number.isNaN(parsed.getTime())) return parsed.toISOString().slice(0, 10);
  }
  return undefined;
}

/** The date in a URL path such as /2019/02/21/ or /20190221/. */
export function dateFromUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  let pathname: string;
  try {
    pathname = new URL(url).pathname;
  } catch {
    return undefined;
  }
  const parts = /\/((?:19|20)\d{2})[/-](\d{1,2})[/-](\d{1,2})(?:\/|$|-)/.exec(pathname);
  if (parts) return valid(+parts[1]!, +parts[2]!, +parts[3]!);
  const compact = /[/-]((?:19|20)\d{2})(\d{2})(\d{2})(?:[/-]|$)/.exec(pathname);
  return compact ? valid(+compact[1]!, +compact[2]!, +compact[3]!) : undefined;
}

function valid(year: number, month: number, day: number): string | undefined {
  if (year < 1900 || year > 2200 || month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1) return undefined;
  return date.toISOString().slice(0, 10);
}
