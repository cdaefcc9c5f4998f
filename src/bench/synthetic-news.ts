// A seeded, deterministic "year of news" for benchmarks: ten stories a day across many beats,
// towns and outlets, with recurring people, new names appearing all year, quotes, numbers and
// dates, and one planted fact per story that a question can be asked about. The text is
// synthetic; its lengths and vocabulary growth are what matter to the index.
import { mkdir } from 'node:fs/promises';
import { renderStory, writeStoryFile } from '../corpus/index.js';
import { seededRandom } from '../shared/random.js';

export interface SyntheticOptions {
  stories: number;
  seed?: number;
  /** First publication day (ISO); about ten stories a day follow. */
  startDate?: string;
}

export interface SyntheticStory {
  id: string;
  title: string;
  outlet: string;
  authors: string[];
  published: string;
  url: string;
  paragraphs: string[];
  /** The planted fact a question can ask about: its question, and the exact words that answer it. */
  fact: { question: string; answer: string; paragraph: number };
  /** A question about this story's people and place that the story does not answer. */
  unanswerable: string;
}

export interface SyntheticQuestion {
  id: string;
  question: string;
  answers: string[];
  storyId: string | null;
}

const FIRST = `Ada Alan Alma Amir Ana Andre Anya Arjun Ava Ben Bianca Boris Carla Carmen Chen Chloe Cyrus Dana Dara Daniel Diego Dmitri Elena Eli Emil Emma Erin Ezra Farah Felix Fiona Gabe Gemma Grace Hana Hector Helen Hugo Ian Ines Iris Ivan Jada James Jana Javier Jin Joel Jonah Julia Kai Kara Kenji Kofi Lara Leah Leo Lena Liam Lila Lucia Luis Maya Mei Mia Milo Mira Nadia Nate Nia Nico Nina Noah Nora Omar Owen Pablo Paul Pia Priya Quinn Rafael Rania Ravi Rosa Ruth Sam Sara Sean Selma Sofia Tariq Tess Theo Tomas Uma Vera Victor Wen Yara Yusuf Zara Zoe`.split(' ');
const SURNAME_PARTS = ['ash', 'bell', 'brook', 'dal', 'fair', 'gar', 'hal', 'ken', 'lind', 'mar', 'nor', 'oak', 'pen', 'quin', 'ros', 'stan', 'thorn', 'val', 'win', 'york', 'bar', 'cor', 'des', 'fen', 'gil', 'har', 'mor', 'rid', 'sel', 'tor'];
const SURNAME_ENDS = ['ley', 'ton', 'wood', 'field', 'er', 'son', 'man', 'ford', 'well', 'ard', 'ini', 'ez', 'ova', 'ski', 'berg', 'stein', 'ski', 'ian', 'ado', 'ström'];
const TOWN_PARTS = ['River', 'North', 'South', 'East', 'West', 'Cedar', 'Maple', 'Harbor', 'Pine', 'Stone', 'Mill', 'Fair', 'Green', 'Lake', 'Red', 'Silver', 'Oak', 'Bright', 'Cold', 'Iron'];
const TOWN_ENDS = ['ton', 'field', 'brook', 'port', 'ville', 'wood', 'ford', 'haven', 'dale', 'bury', 'ridge', 'view', ' Falls', ' Springs', ' Hollow'];
const PAPERS = ['Ledger', 'Courier', 'Herald', 'Tribune', 'Gazette', 'Chronicle', 'Sentinel', 'Observer', 'Daily', 'Post', 'Record', 'Times', 'Journal', 'Press', 'Public Radio'];
const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

interface Beat {
  name: string;
  things: string[];
  verbs: string[];
  roles: string[];
  headline: (s: Slots) => string;
  lead: (s: Slots) => string;
  fact: (s: Slots) => { sentence: string; question: string; answer: string };
  unanswerable: (s: Slots) => string;
}

interface Slots {
  town: string;
  thing: string;
  person: string;
  official: string;
  org: string;
  money: string;
  count: string;
  day: string;
  date: string;
}

const BEATS: Beat[] = [
  {
    name: 'council',
    things: ['library expansion', 'bike lane plan', 'water treatment upgrade', 'riverfront park', 'parking garage', 'senior center', 'bus depot', 'stormwater tunnel', 'skate park', 'fire station'],
    verbs: ['approved', 'delayed', 'rejected', 'revised', 'funded'],
    roles: ['council member', 'city manager', 'mayor', 'budget director'],
    headline: (s) => `${s.town} council ${pick(['approves', 'delays', 'debates', 'funds'], s.count)} ${s.thing}`,
    lead: (s) => `The ${s.town} City Council voted on ${s.day} on the ${s.thing}, after ${s.official} asked members to settle a debate that had run for months.`,
    fact: (s) => ({ sentence: `The ${s.thing} is expected to cost ${s.money}, according to the city budget office.`, question: `How much will the ${s.thing} in ${s.town} cost?`, answer: `expected to cost ${s.money}` }),
    unanswerable: (s) => `Who designed the ${s.thing} in ${s.town}?`,
  },
  {
    name: 'courts',
    things: ['fraud trial', 'zoning lawsuit', 'appeal', 'wrongful arrest case', 'contract dispute', 'eviction case', 'injunction'],
    verbs: ['ruled', 'delayed', 'dismissed', 'heard'],
    roles: ['judge', 'defense attorney', 'prosecutor', 'clerk'],
    headline: (s) => `Judge rules in ${s.town} ${s.thing}`,
    lead: (s) => `A judge in ${s.town} ruled on ${s.day} in the ${s.thing} brought by ${s.org}, a decision both sides said they would study before deciding what to do next.`,
    fact: (s) => ({ sentence: `The court ordered ${s.org} to pay ${s.money} in damages and costs.`, question: `How much was ${s.org} ordered to pay in the ${s.town} ${s.thing}?`, answer: `ordered ${s.org} to pay ${s.money}` }),
    unanswerable: (s) => `Will ${s.org} appeal the ruling in the ${s.town} ${s.thing}?`,
  },
  {
    name: 'weather',
    things: ['ice storm', 'heat wave', 'flood', 'windstorm', 'snowstorm', 'wildfire smoke', 'drought'],
    verbs: ['hit', 'battered', 'swept through', 'lingered over'],
    roles: ['forecaster', 'emergency manager', 'utility spokesperson', 'fire chief'],
    headline: (s) => `${s.thing} leaves thousands without power in ${s.town}`,
    lead: (s) => `A ${s.thing} swept through ${s.town} on ${s.day}, knocking down power lines and closing schools, emergency officials said.`,
    fact: (s) => ({ sentence: `At the peak, ${s.count} homes and businesses in the ${s.town} area had lost power, the utility said.`, question: `How many homes lost power in ${s.town} during the ${s.thing}?`, answer: `${s.count} homes and businesses in the ${s.town} area` }),
    unanswerable: (s) => `How much did the ${s.thing} in ${s.town} cost the city in overtime?`,
  },
  {
    name: 'sports',
    things: ['football team', 'hockey club', 'basketball squad', 'soccer side', 'baseball team', 'rowing crew'],
    verbs: ['signed', 'traded', 'lost', 'won'],
    roles: ['coach', 'general manager', 'captain', 'athletic director'],
    headline: (s) => `${s.town} ${s.thing} signs ${s.person}`,
    lead: (s) => `The ${s.town} ${s.thing} signed ${s.person} on ${s.day}, a move the coach said would steady a roster that had lost three starters since spring.`,
    fact: (s) => ({ sentence: `The contract runs for three seasons and is worth ${s.money}, the club said.`, question: `What is ${s.person}'s contract with the ${s.town} ${s.thing} worth?`, answer: `is worth ${s.money}` }),
    unanswerable: (s) => `What position will ${s.person} play for the ${s.town} ${s.thing}?`,
  },
  {
    name: 'business',
    things: ['grocery chain', 'bakery', 'robotics plant', 'brewery', 'software startup', 'shipyard', 'bookstore', 'hotel'],
    verbs: ['opened', 'closed', 'expanded', 'sold'],
    roles: ['owner', 'chief executive', 'economist', 'union steward'],
    headline: (s) => `${s.org} to open ${s.thing} in ${s.town}`,
    lead: (s) => `${s.org} will open a ${s.thing} in ${s.town}, the company said on ${s.day}, bringing jobs to a downtown that has struggled since the mill closed.`,
    fact: (s) => ({ sentence: `The ${s.thing} will employ ${s.count} people when it is fully staffed, according to the company.`, question: `How many people will the new ${s.org} ${s.thing} in ${s.town} employ?`, answer: `will employ ${s.count} people` }),
    unanswerable: (s) => `What will the starting wage be at the ${s.org} ${s.thing} in ${s.town}?`,
  },
  {
    name: 'health',
    things: ['urgent care clinic', 'vaccination drive', 'hospital wing', 'mental health line', 'dental program', 'measles outbreak'],
    verbs: ['opened', 'expanded', 'reported', 'launched'],
    roles: ['nurse', 'health officer', 'hospital spokesperson', 'epidemiologist'],
    headline: (s) => `${s.town} ${pick(['opens', 'expands', 'launches'], s.count)} ${s.thing}`,
    lead: (s) => `Health officials in ${s.town} announced the ${s.thing} on ${s.day}, saying demand had outgrown what the county could offer.`,
    fact: (s) => ({ sentence: `The ${s.thing} will open to patients on ${s.date}, the health department said.`, question: `When does the ${s.thing} in ${s.town} open?`, answer: `open to patients on ${s.date}` }),
    unanswerable: (s) => `Who will run the ${s.thing} in ${s.town}?`,
  },
  {
    name: 'schools',
    things: ['school board', 'bus contract', 'teacher contract', 'new high school', 'lunch program', 'reading program'],
    verbs: ['approved', 'delayed', 'debated', 'cut'],
    roles: ['superintendent', 'principal', 'board member', 'teacher'],
    headline: (s) => `${s.town} ${s.thing} vote ${pick(['delayed', 'approved', 'split'], s.count)}`,
    lead: (s) => `The ${s.town} school board took up the ${s.thing} on ${s.day}, with parents filling the room and ${s.official} urging patience.`,
    fact: (s) => ({ sentence: `The district's plan for the ${s.thing} was drawn up by ${s.person}, who chairs the finance committee.`, question: `Who drew up the district's plan for the ${s.thing} in ${s.town}?`, answer: `drawn up by ${s.person}` }),
    unanswerable: (s) => `How many students are enrolled in ${s.town} schools?`,
  },
  {
    name: 'transport',
    things: ['ferry route', 'bridge repair', 'rail line', 'airport terminal', 'highway ramp', 'night bus'],
    verbs: ['reopened', 'closed', 'extended', 'added'],
    roles: ['transit director', 'engineer', 'commuter', 'port official'],
    headline: (s) => `${s.town} ${s.thing} ${pick(['reopens', 'closes for repairs', 'adds service'], s.count)}`,
    lead: (s) => `Commuters in ${s.town} will see changes to the ${s.thing} starting ${s.day}, transit officials said.`,
    fact: (s) => ({ sentence: `Work on the ${s.thing} is scheduled to finish on ${s.date}, the transit agency said.`, question: `When will work on the ${s.town} ${s.thing} be finished?`, answer: `scheduled to finish on ${s.date}` }),
    unanswerable: (s) => `How many riders use the ${s.town} ${s.thing} each day?`,
  },
  {
    name: 'culture',
    things: ['film festival', 'museum exhibit', 'jazz festival', 'theater season', 'book fair', 'art walk'],
    verbs: ['opened', 'drew', 'returned', 'featured'],
    roles: ['curator', 'director', 'artist', 'organizer'],
    headline: (s) => `${s.town} ${s.thing} returns with record crowds`,
    lead: (s) => `The ${s.town} ${s.thing} opened on ${s.day} with long lines at the door, organizers said.`,
    fact: (s) => ({ sentence: `This year's ${s.thing} was curated by ${s.person}, who spent two years preparing it.`, question: `Who curated this year's ${s.thing} in ${s.town}?`, answer: `curated by ${s.person}` }),
    unanswerable: (s) => `How much does a ticket to the ${s.town} ${s.thing} cost?`,
  },
  {
    name: 'crime',
    things: ['burglary ring', 'car thefts', 'arson', 'copper theft', 'scam calls', 'vandalism'],
    verbs: ['arrested', 'charged', 'investigated', 'warned'],
    roles: ['police chief', 'detective', 'sheriff', 'prosecutor'],
    headline: (s) => `Police in ${s.town} investigate ${s.thing}`,
    lead: (s) => `Police in ${s.town} said on ${s.day} that they were investigating a string of ${s.thing} reported over the past month.`,
    fact: (s) => ({ sentence: `Investigators have linked ${s.count} reports to the same group, ${s.official} said.`, question: `How many reports have police in ${s.town} linked to the ${s.thing}?`, answer: `linked ${s.count} reports` }),
    unanswerable: (s) => `Has anyone been charged over the ${s.thing} in ${s.town}?`,
  },
];

const FILLERS = [
  (s: Slots) => `“We have been waiting a long time for this,” said ${s.person}, who has lived in ${s.town} for ${s.count.replace(/,/g, '').length + 9} years. “People want to see it done right.”`,
  (s: Slots) => `${s.official} said the decision followed months of public meetings, surveys and a review by outside consultants hired last year.`,
  (s: Slots) => `Not everyone agreed. ${s.person} said the process had moved too quickly and left out residents who work evenings and could not attend.`,
  (s: Slots) => `The ${s.thing} has been discussed in ${s.town} since at least 2019, when a first proposal stalled over questions about money and timing.`,
  (s: Slots) => `${s.org} said in a statement that it would keep working with neighbors and local businesses as the work goes on.`,
  (s: Slots) => `Residents can find more information at the city hall information desk, which is open on weekdays from 9 a.m. to 5 p.m.`,
  (s: Slots) => `In a letter to the editor last month, ${s.person} wrote that the ${s.thing} would change how families in ${s.town} spend their weekends.`,
  (s: Slots) => `The county's figures show that similar projects in neighboring towns took between two and four years to finish, often running over budget.`,
  (s: Slots) => `${s.official} acknowledged the concerns. “We hear them,” ${s.official.split(' ')[0]} said. “We will report back in public, with numbers.”`,
  (s: Slots) => `Several speakers at ${s.day}'s meeting asked about traffic, noise and what would happen to the trees along the old rail corridor.`,
  (s: Slots) => `Supporters pointed to a survey in which most respondents said they would use the ${s.thing} at least once a month.`,
  (s: Slots) => `The next public hearing is planned for later this season; the date will be posted on the city's website and in the library.`,
];

/**
 * Real news keeps meeting new words all year (places, people, firms, products, jargon): newswire
 * follows Heaps' law, about 44·N^0.49 distinct words in N words (Reuters RCV1), some 80,000 in a
 * year's five million; these templates alone give about 10,000. Sentences of made-up words drawn
 * from a Zipf-distributed lexicon stand in for that growth, which the BM25 index, the word
 * statistics and the spelling vocabulary all grow with.
 */
const VARIED: Array<(s: Slots, w: (capital?: boolean) => string) => string> = [
  (s, w) => `The ${w(true)} ${w()} project drew questions about ${w()} and ${w()} costs from residents near ${s.town}, ${s.official} said.`,
  (s, w) => `${w(true)} ${w(true)}, a ${w()} consultant hired by ${s.org}, said the ${w()} findings would go to the ${w(true)} committee.`,
  (_, w) => `Earlier plans for the site at ${w(true)} Road included a ${w()} garden, a ${w()} workshop and a center for ${w()} families.`,
  (s, w) => `A report by the ${w(true)} Institute found ${w()} levels higher than in ${w(true)} and ${w(true)}, two towns near ${s.town}.`,
  (_, w) => `The ${w(true)} family, which runs a ${w()} shop on ${w(true)} Street, said the ${w()} changes had hurt ${w()} sales.`,
  (s, w) => `${s.person} compared it with the ${w(true)} ${w()} of a decade ago, when ${w()} and ${w()} were the words everyone used.`,
];
const VARIED_SHARE = 0.8;
const LEXICON_SIZE = 200_000;
const SYLLABLES = Array.from('bcdfghklmnprstvz').flatMap((consonant) => ['a', 'e', 'i', 'o', 'u', 'ai'].map((vowel) => consonant + vowel));

/** The made-up word of a lexicon rank: two syllables for the commonest, three after. */
function lexiconWord(rank: number): string {
  const n = SYLLABLES.length;
  const parts = [SYLLABLES[rank % n]!, SYLLABLES[Math.floor(rank / n) % n]!];
  if (rank >= n * n) parts.push(SYLLABLES[Math.floor(rank / (n * n)) % n]!, 'n');
  return parts.join('');
}

let zipfTable: Float64Array | undefined;

/** A lexicon rank drawn with probability proportional to 1 / rank. */
function zipfRank(random: () => number): number {
  if (!zipfTable) {
    zipfTable = new Float64Array(LEXICON_SIZE);
    let sum = 0;
    for (let rank = 0; rank < LEXICON_SIZE; rank++) zipfTable[rank] = sum += 1 / (rank + 1);
  }
  const target = random() * zipfTable[LEXICON_SIZE - 1]!;
  let [low, high] = [0, LEXICON_SIZE - 1];
  while (low < high) {
    const middle = (low + high) >> 1;
    if (zipfTable[middle]! < target) low = middle + 1;
    else high = middle;
  }
  return low;
}

function pick<T>(list: readonly T[], key: string | number): T {
  const n = typeof key === 'number' ? key : [...key].reduce((sum, ch) => sum + ch.charCodeAt(0), 0);
  return list[Math.abs(n) % list.length]!;
}

function cap(text: string): string {
  return text[0]!.toUpperCase() + text.slice(1);
}

function slug(text: string): string {
  return text.toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}

/** The stories, one at a time, the same for the same seed. */
export function* syntheticStories(options: SyntheticOptions): Generator<SyntheticStory> {
  const random = seededRandom(options.seed ?? 1);
  const int = (n: number) => Math.floor(random() * n);
  const choose = <T>(list: readonly T[]): T => list[int(list.length)]!;
  const start = Date.parse(`${options.startDate ?? '2025-01-01'}T00:00:00Z`);
  const towns = Array.from({ length: 60 }, (_, i) => `${TOWN_PARTS[i % TOWN_PARTS.length]}${TOWN_ENDS[(i * 7) % TOWN_ENDS.length]}`);
  const outlets = towns.slice(0, 30).map((town, i) => `The ${town} ${PAPERS[i % PAPERS.length]}`);
  // New surnames keep appearing through the year: the pool grows with the story count.
  const surname = () => cap(`${choose(SURNAME_PARTS)}${choose(SURNAME_ENDS)}${random() < 0.3 ? choose(SURNAME_PARTS) : ''}`);
  const person = () => `${choose(FIRST)} ${surname()}`;
  // Officials recur across the year's stories of their town.
  const officials = new Map(towns.map((town) => [town, Array.from({ length: 4 }, () => person())]));
  const word = (capital = false) => (capital ? cap : (text: string) => text)(lexiconWord(zipfRank(random)));
  const orgs = Array.from({ length: 400 }, () => `${surname()} ${choose(['Group', 'Partners', 'Foundation', 'Holdings', 'Cooperative', 'Works', 'Associates', 'Labs'])}`);

  for (let i = 0; i < options.stories; i++) {
    const day = new Date(start + Math.floor(i / 10) * 86_400_000);
    const published = day.toISOString().slice(0, 10);
    const beat = BEATS[i % BEATS.length]!;
    const town = choose(towns);
    const outlet = outlets[towns.indexOf(town) % outlets.length]!;
    const later = new Date(day.getTime() + (20 + int(200)) * 86_400_000);
    // Unique per story, so each planted fact is found in exactly one paragraph of the corpus.
    const slots: Slots = {
      town,
      // A name of its own ("the Kenford skate park"), so a question can tell this story from the
      // town's other stories on the same beat; a sports story has its signing for that.
      thing: beat.name === 'sports' ? choose(beat.things) : `${surname()} ${choose(beat.things)}`,
      person: person(),
      official: `${choose(beat.roles)} ${choose(officials.get(town)!)}`,
      org: choose(orgs),
      money: `$${(1 + int(90)).toString()}.${String(i % 100).padStart(2, '0')}${String(Math.floor(i / 100)).padStart(2, '0')} million`,
      count: (1000 + i * 7 + int(5)).toLocaleString('en-US'),
      day: WEEKDAYS[day.getUTCDay()]!,
      date: `${MONTHS[later.getUTCMonth()]} ${later.getUTCDate()}, ${later.getUTCFullYear()} (notice ${i + 1})`,
    };
    const fact = beat.fact(slots);
    const length = 15 + int(31);
    const factAt = 2 + int(Math.min(8, length - 3));
    const paragraphs: string[] = [beat.lead(slots)];
    while (paragraphs.length < length) {
      if (paragraphs.length === factAt) {
        paragraphs.push(`${fact.sentence} ${choose(FILLERS)({ ...slots, person: person() })}`);
        continue;
      }
      const sentences = 1 + int(3);
      const local = { ...slots, person: random() < 0.5 ? slots.person : person() };
      const varied = random() < VARIED_SHARE ? int(sentences) : -1;
      paragraphs.push(Array.from({ length: sentences }, (_, k) => (k === varied ? choose(VARIED)(local, word) : choose(FILLERS)(local))).join(' '));
    }
    const title = beat.headline(slots);
    const authors = random() < 0.1 ? [] : random() < 0.8 ? [person()] : [person(), person()];
    const id = slug(`${slug(outlet).replace(/^the-/, '').slice(0, 30)}-${published}-${slug(title).slice(0, 40)}-${i + 1}`);
    yield {
      id,
      title,
      outlet,
      authors,
      published,
      url: `https://www.${slug(outlet).replace(/-/g, '')}.example/${published.replace(/-/g, '/')}/${slug(title)}-${i + 1}`,
      paragraphs,
      fact: { question: fact.question, answer: fact.answer, paragraph: factAt + 1 },
      unanswerable: beat.unanswerable(slots),
    };
  }
}

/** Writes the stories as corpus files. */
export async function writeSyntheticCorpus(dir: string, options: SyntheticOptions): Promise<{ stories: number; paragraphs: number }> {
  await mkdir(dir, { recursive: true });
  let stories = 0;
  let paragraphs = 0;
  for (const story of syntheticStories(options)) {
    await writeStoryFile(dir, story.id, renderStory(story));
    stories++;
    paragraphs += story.paragraphs.length;
  }
  return { stories, paragraphs };
}

/**
 * Questions over the corpus: `count` planted facts from stories spread over the year (worded
 * from the question side, not the paragraph's), and about 15 % more that ask the same stories
 * for a fact they never give.
 */
export function syntheticQuestions(options: SyntheticOptions & { count: number }): SyntheticQuestion[] {
  const total = options.count + Math.ceil(options.count * 0.15);
  // Spread over the year and over the beats (stories rotate through the beats).
  const chosen = new Set(Array.from({ length: total }, (_, k) => Math.min(options.stories - 1, Math.floor((k * options.stories) / total) + (k % BEATS.length))));
  const questions: SyntheticQuestion[] = [];
  let n = 0;
  for (const story of syntheticStories(options)) {
    if (!chosen.has(n++)) continue;
    const index = questions.length;
    // One in eight (from the second on) asks the story for a fact it never gives.
    if (index % 8 === 1) questions.push({ id: `y${index + 1}`, question: story.unanswerable, answers: [], storyId: null });
    else questions.push({ id: `y${index + 1}`, question: story.fact.question, answers: [story.fact.answer], storyId: story.id });
  }
  return questions;
}
