import { readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Embedder } from '../embed/index.js';
import { BACKGROUND_QUESTIONS } from './background-questions.js';
import { BACKGROUND_QUESTIONS_BY_LANGUAGE } from './background-questions-languages.js';
import { contentTerms } from './text.js';
import { dot } from './vectors.js';

/**
 * What "unrelated" looks like for this index's encoder on this corpus, so that the refusal needs
 * no constant tuned to one encoder. Cosine scales differ from model to model (bge scores
 * unrelated texts around 0.5, the built-in encoder around 0.1), and from corpus to corpus (an
 * everyday question finds something vaguely like it among a year of news more easily than in one
 * story). So the index measures it: every background question (everyday questions no story
 * answers, src/search/background-questions.ts) is asked of the corpus, and its best cosine, less
 * its likeness to the other background questions, is what an off-topic question scores here.
 * A question's relatedness is how many standard deviations it stands above that.
 */
export interface RefusalCalibration {
  version: number;
  /** The encoder's identity (`Embedder.modelHash`): a calibration of another encoder does not apply. */
  modelHash: string;
  /** Paragraphs in the corpus when it was measured: a corpus that grew or shrank much is measured again. */
  paragraphs: number;
  /** Mean and standard deviation of the background questions' relatedness score on this corpus. */
  offTopic: { mean: number; sd: number };
  /** The background questions' mean likeness to each other: a question only as like them as that pays nothing. */
  typicalLikeness: number;
  /** Standard deviation of the background questions' best cosines: how far apart this encoder spreads texts (see `denseWeight`). */
  cosineSpread: number;
  /**
   * What the encoder is worth in each language of the corpus, from 0 to 1 (see `languageWorth`):
   * how far apart it keeps that language's paragraphs, beside the best it does for any text.
   */
  languages: Record<string, number>;
  /** The background questions' vectors (unit length), to measure how like them a question is. */
  background: Float32Array[];
  /**
   * The same off-topic level measured with a language's own everyday questions, for each language
   * of the corpus the encoder reads (worth above 0) that has a list: a multilingual encoder scores
   * a question higher against paragraphs in its own language whatever it asks, so English
   * questions would set the bar too low for a Chinese one.
   */
  byLanguage: Record<string, OffTopicLevel>;
}

/** What an everyday question scores on this corpus, measured with one list of background questions. */
export interface OffTopicLevel {
  offTopic: { mean: number; sd: number };
  typicalLikeness: number;
  background: Float32Array[];
}

/** Bumped when the background questions or the measure change: older calibrations are measured again. */
export const CALIBRATION_VERSION = 8;
/**
 * The spread of best cosines at which a cosine difference counts as it is in ranking: the
 * built-in encoder's (0.074-0.082 on every eval corpus), where the fusion's weights were measured.
 */
const REFERENCE_SPREAD = 0.08;
/** Kept in the index's generation folder, beside the manifest. */
export const CALIBRATION_FILE = 'calibration.json';
/** A question's likeness to the background is its mean cosine with this many nearest background questions. */
const LIKENESS_NEIGHBOURS = 3;
/** A corpus that changed by more than this share of its paragraphs since it was measured is measured again. */
const RECALIBRATE_SHARE = 0.1;
/**
 * The share of its unlikeness to everyday questions a text gains. None (until 2026-12-07) wrongly
 * refused 5 of news-dev's 36 answerable questions with e5-small-v2 and 3 with bge-small-en-v1.5;
 * all of it let a line of SQL stand 3 standard deviations above off-topic; half keeps both
 * encoders at 0-1 and the SQL line below the bar (docs/quality.md, "Refusal with any encoder").
 */
const UNLIKENESS_CREDIT = 0.5;
/** Below this the background questions all scored alike (a degenerate encoder): a spread this small still divides. */
const MIN_SPREAD = 1e-3;

/** The mean cosine between `vector` and its nearest background questions (leaving out the one at `skip`). */
export function backgroundLikeness(vector: Float32Array, background: readonly Float32Array[], skip = -1): number {
  const nearest: number[] = [];
  background.forEach((other, i) => {
    if (i !== skip) nearest.push(dot(vector, other));
  });
  nearest.sort((a, b) => b - a);
  const taken = nearest.slice(0, LIKENESS_NEIGHBOURS);
  return taken.length === 0 ? 0 : taken.reduce((sum, value) => sum + value, 0) / taken.length;
}

/**
 * How far a question stands above an everyday off-topic question on this corpus, in standard
 * deviations: its best cosine with the searched paragraphs, less its likeness to the background
 * questions, against the background questions' own scores.
 */
export function relatedness(bestSimilarity: number, vector: Float32Array, calibration: RefusalCalibration, language?: string): number {
  // The question's own language's level where it was measured, else the English one.
  const level: OffTopicLevel = (language !== undefined ? calibration.byLanguage[language] : undefined) ?? calibration;
  const score = relatednessScore(bestSimilarity, backgroundLikeness(vector, level.background), level.typicalLikeness);
  return (score - level.offTopic.mean) / level.offTopic.sd;
}

/**
 * A best cosine, less how much more the text is like the background questions than they are like
 * each other: an everyday question pays for its likeness in full. A text less like them than they
 * are like each other gains only UNLIKENESS_CREDIT of the difference: a question about the news is
 * unlike everyday chat, but so is a line of SQL or a string of symbols.
 */
function relatednessScore(bestSimilarity: number, likeness: number, typicalLikeness: number): number {
  const beyondTypical = likeness - typicalLikeness;
  return bestSimilarity - (beyondTypical > 0 ? beyondTypical : UNLIKENESS_CREDIT * beyondTypical);
}

/**
 * How much a cosine counts beside the share of words in ranking: an encoder that packs every text
 * into a narrow band of cosines (bge and e5 score unrelated texts 0.5-0.7) tells passages apart by
 * smaller differences, which count for more. 1 for the built-in encoder; bounded so that a
 * degenerate measurement cannot let either side vanish.
 */
export function denseWeight(calibration: RefusalCalibration): number {
  return Math.min(4, Math.max(0.25, REFERENCE_SPREAD / calibration.cosineSpread));
}

/**
 * A language whose paragraphs the encoder keeps less than this share as far apart as the texts it
 * spreads widest is one it cannot read (worth 0); from READS_SHARE on it reads it (worth 1), in
 * between a straight line. Measured with the built-in encoder: every other language of XQuAD and
 * of our fixture pages 0.04-0.30 (Russian, Hindi, Arabic, Greek, Korean near 0; Spanish,
 * German, Chinese, Japanese 0.12-0.30), English 0.52 on one story on one subject and 0.93-1.0 on
 * many. The share is relative to what the encoder does for texts it reads, not a cosine: an
 * encoder that reads Spanish keeps Spanish paragraphs as far apart as English ones.
 */
const BLIND_SHARE = 0.3;
const READS_SHARE = 0.5;

/** Paragraphs of a language whose vectors are compared with each other: enough for a stable mean, few enough to be quick. */
export const LANGUAGE_SAMPLE = 60;

/** How alike the encoder makes a set of texts: one minus their mean cosine with each other (0 when it cannot tell them apart). */
function spread(vectors: readonly Float32Array[]): number {
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i < vectors.length; i++) {
    for (let j = i + 1; j < vectors.length; j++) {
      sum += dot(vectors[i]!, vectors[j]!);
      pairs++;
    }
  }
  return pairs === 0 ? 0 : 1 - sum / pairs;
}

/**
 * What the encoder is worth in each language: an encoder that does not know a language maps all
 * of its texts close together (the built-in English encoder puts Russian or Hindi paragraphs at a
 * mean cosine of 0.97 with each other, English ones at 0.27), so the spread of a language's
 * paragraphs, beside the widest spread it gives any texts here (the background questions', or
 * another language's), says how much its cosines can tell them apart. A language with fewer than
 * two paragraphs is not measured (worth 1).
 */
export function languageWorth(background: readonly Float32Array[], paragraphsByLanguage: ReadonlyMap<string, readonly Float32Array[]>): Record<string, number> {
  const spreads = new Map<string, number>();
  for (const [language, vectors] of paragraphsByLanguage) if (vectors.length >= 2) spreads.set(language, spread(vectors));
  const widest = Math.max(spread(background), ...spreads.values());
  const worth = (share: number) => Math.min(1, Math.max(0, (share - BLIND_SHARE) / (READS_SHARE - BLIND_SHARE)));
  return Object.fromEntries([...spreads].map(([language, value]) => [language, widest > 0 ? worth(value / widest) : 1]));
}

/** The encoder's worth for a question's language (1 where the corpus has no paragraph of it to measure). */
export function worthIn(calibration: RefusalCalibration, language: string | undefined): number {
  return (language !== undefined ? calibration.languages[language] : undefined) ?? 1;
}

/**
 * A paragraph with fewer different content words than this cannot show what a question is about:
 * "Yes.", "“No,” he said.", "(Reuters)". Encoders put such short texts near every question
 * (e5-small-v2 put "Yes." nearer than any paragraph of the shipped story to 42 of the 70 everyday
 * questions, "(Reuters)" to all 70), so one of them in a corpus would raise the refusal's bar for
 * every question. They are still searched and quoted; their cosines do not count for the bar.
 */
export const MIN_TOPIC_TERMS = 2;

/** Whether a paragraph with these content terms (its distinct ones) counts for the refusal's cosine (see MIN_TOPIC_TERMS). */
export function showsTopic(terms: ReadonlySet<string>): boolean {
  return terms.size >= MIN_TOPIC_TERMS;
}

/**
 * The languages whose paragraphs a cosine is taken over: those the encoder reads (worth above 0),
 * when the corpus also has some it cannot read. An encoder maps a language it cannot read to one
 * crowded spot, and paragraphs there can stand nearer to every question than the ones it reads
 * (e5-small-v2 put most English everyday questions nearest a Korean or Arabic paragraph of our
 * pages): their cosines say nothing of what a question is about. Undefined where every language
 * counts: all read, or none.
 */
export function readLanguages(languages: Readonly<Record<string, number>>): ReadonlySet<string> | undefined {
  const read = Object.keys(languages).filter((language) => (languages[language] ?? 0) > 0);
  return read.length === 0 || read.length === Object.keys(languages).length ? undefined : new Set(read);
}

/**
 * Measures the encoder on the corpus: `bestSimilarity` gives a vector's highest cosine with a
 * paragraph that shows a topic (`showsTopic`), among the paragraphs of `languages` when given.
 */
export async function calibrateRefusal(
  embedder: Pick<Embedder, 'embed' | 'modelHash'>,
  bestSimilarity: (vector: Float32Array, languages?: ReadonlySet<string>) => number,
  paragraphs: number,
  paragraphsByLanguage: ReadonlyMap<string, readonly Float32Array[]> = new Map(),
): Promise<RefusalCalibration> {
  const background = await embedder.embed([...BACKGROUND_QUESTIONS], 'query');
  const languages = languageWorth(background, paragraphsByLanguage);
  const read = readLanguages(languages);
  const best = (vector: Float32Array) => bestSimilarity(vector, read);
  const { level, best: bestOfEach } = await offTopicLevel(embedder, best, BACKGROUND_QUESTIONS, background);
  const byLanguage: Record<string, OffTopicLevel> = {};
  for (const [language, worth] of Object.entries(languages)) {
    const questions = BACKGROUND_QUESTIONS_BY_LANGUAGE[language];
    // Where the encoder cannot read the language its relatedness does not count: nothing to measure.
    if (language !== 'en' && worth > 0 && questions) byLanguage[language] = (await offTopicLevel(embedder, best, questions)).level;
  }
  // Ranking weighs cosines against every language's paragraphs, so their spread is taken over all of them.
  const spreadOver = read ? background.map((vector) => bestSimilarity(vector)) : bestOfEach;
  return { version: CALIBRATION_VERSION, modelHash: embedder.modelHash, paragraphs, ...level, cosineSpread: meanAndSpread(spreadOver).sd, languages, byLanguage };
}

/** Background questions asked of the corpus: what an everyday question scores here, and each one's best cosine. */
async function offTopicLevel(
  embedder: Pick<Embedder, 'embed'>,
  bestSimilarity: (vector: Float32Array) => number,
  questions: readonly string[],
  embedded?: Float32Array[],
): Promise<{ level: OffTopicLevel; best: number[] }> {
  const background = embedded ?? (await embedder.embed([...questions], 'query'));
  const best = background.map((vector) => bestSimilarity(vector));
  const likeness = background.map((vector, i) => backgroundLikeness(vector, background, i));
  const typicalLikeness = likeness.reduce((sum, value) => sum + value, 0) / likeness.length;
  const offTopic = meanAndSpread(best.map((value, i) => relatednessScore(value, likeness[i]!, typicalLikeness)));
  return { level: { offTopic, typicalLikeness, background }, best };
}

/** What a corpus is measured from: its stories' languages, its paragraphs' stories, and the dense index. */
export interface CalibratedCorpus {
  stories: ReadonlyArray<{ id: string; language?: string | undefined }>;
  paragraphs: ReadonlyArray<{ storyId: string; text: string }>;
  store: { search(vector: Float32Array, k: number, accept?: (label: number) => boolean): ReadonlyArray<{ similarity: number }>; vector(label: number): Float32Array };
}

/** `calibrateRefusal` for a loaded index: its background questions searched, its languages' paragraphs sampled. */
export function calibrateCorpus(embedder: Pick<Embedder, 'embed' | 'modelHash'>, corpus: CalibratedCorpus): Promise<RefusalCalibration> {
  const languageOfStory = new Map(corpus.stories.map((story) => [story.id, story.language]));
  const sample = sampleByLanguage(corpus.paragraphs.length, (label) => languageOfStory.get(corpus.paragraphs[label]!.storyId));
  const vectors = new Map([...sample].map(([language, labels]) => [language, labels.map((label) => corpus.store.vector(label))]));
  const topical = new Map<number, boolean>();
  const showsTopicAt = (label: number) => {
    let shows = topical.get(label);
    if (shows === undefined) {
      const paragraph = corpus.paragraphs[label]!;
      shows = showsTopic(new Set(contentTerms(paragraph.text, languageOfStory.get(paragraph.storyId))));
      topical.set(label, shows);
    }
    return shows;
  };
  const best = (vector: Float32Array, languages?: ReadonlySet<string>) => {
    const accept = (label: number) => (!languages || languages.has(languageOfStory.get(corpus.paragraphs[label]!.storyId) ?? '')) && showsTopicAt(label);
    return corpus.store.search(vector, 1, accept)[0]?.similarity ?? 0;
  };
  return calibrateRefusal(embedder, best, corpus.paragraphs.length, vectors);
}

/**
 * Up to LANGUAGE_SAMPLE paragraph labels of each language, spread evenly over the corpus, for
 * `calibrateRefusal`: `languageOf` gives a label's language.
 */
export function sampleByLanguage(paragraphs: number, languageOf: (label: number) => string | undefined): Map<string, number[]> {
  const byLanguage = new Map<string, number[]>();
  for (let label = 0; label < paragraphs; label++) {
    const language = languageOf(label);
    if (language === undefined) continue;
    const labels = byLanguage.get(language) ?? [];
    labels.push(label);
    byLanguage.set(language, labels);
  }
  for (const [language, labels] of byLanguage) {
    const step = labels.length / Math.min(labels.length, LANGUAGE_SAMPLE);
    byLanguage.set(language, Array.from({ length: Math.min(labels.length, LANGUAGE_SAMPLE) }, (_, i) => labels[Math.floor(i * step)]!));
  }
  return byLanguage;
}

function meanAndSpread(values: readonly number[]): { mean: number; sd: number } {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / Math.max(1, values.length - 1);
  return { mean, sd: Math.max(MIN_SPREAD, Math.sqrt(variance)) };
}

/**
 * Whether a calibration still applies to an index of `paragraphs` paragraphs made with the encoder
 * `modelHash`, whose `languages` (those with two paragraphs or more) it measured.
 */
export function calibrationApplies(calibration: RefusalCalibration | undefined, modelHash: string, paragraphs: number, languages: readonly string[] = []): calibration is RefusalCalibration {
  if (!calibration || calibration.version !== CALIBRATION_VERSION || calibration.modelHash !== modelHash) return false;
  // A language new to the corpus has no worth measured: the encoder would count at full weight there, read or not.
  if (languages.some((language) => !(language in calibration.languages))) return false;
  return Math.abs(paragraphs - calibration.paragraphs) <= RECALIBRATE_SHARE * Math.max(paragraphs, calibration.paragraphs);
}

/** As `calibration.json` holds it: the background vectors as base64 of one Float32Array after another. */
type StoredLevel = Omit<OffTopicLevel, 'background'> & { background: string };
type StoredCalibration = Omit<RefusalCalibration, 'background' | 'byLanguage'> & { dimensions: number; background: string; byLanguage?: Record<string, StoredLevel> };

function encodeVectors(vectors: readonly Float32Array[], dimensions: number): string {
  const flat = new Float32Array(vectors.length * dimensions);
  vectors.forEach((vector, i) => flat.set(vector, i * dimensions));
  return Buffer.from(flat.buffer, flat.byteOffset, flat.byteLength).toString('base64');
}

/** Vectors of `dimensions` decoded from base64; undefined when the bytes do not divide into them. */
function decodeVectors(text: string, dimensions: number): Float32Array[] | undefined {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length % (4 * dimensions) !== 0) return undefined;
  // Copied out of the decoded buffer: a Float32Array view needs 4-byte alignment the buffer may lack.
  const flat = new Float32Array(bytes.length / 4);
  new Uint8Array(flat.buffer).set(bytes);
  return Array.from({ length: flat.length / dimensions }, (_, i) => flat.subarray(i * dimensions, (i + 1) * dimensions));
}

const storeLevel = (level: OffTopicLevel, dimensions: number): StoredLevel => ({ offTopic: level.offTopic, typicalLikeness: level.typicalLikeness, background: encodeVectors(level.background, dimensions) });

/** A stored level, undefined when it is damaged (vectors that do not divide, a spread that cannot divide). */
function readLevel(stored: Partial<StoredLevel>, dimensions: number): OffTopicLevel | undefined {
  const { mean, sd } = stored.offTopic ?? {};
  const background = typeof stored.background === 'string' ? decodeVectors(stored.background, dimensions) : undefined;
  if (!background || !Number.isFinite(mean) || !Number.isFinite(sd) || !(sd! > 0) || !Number.isFinite(stored.typicalLikeness)) return undefined;
  return { offTopic: { mean: mean!, sd: sd! }, typicalLikeness: stored.typicalLikeness!, background };
}

export function serializeCalibration(calibration: RefusalCalibration): string {
  const dimensions = calibration.background[0]?.length ?? 0;
  const stored: StoredCalibration = {
    version: calibration.version,
    modelHash: calibration.modelHash,
    paragraphs: calibration.paragraphs,
    cosineSpread: calibration.cosineSpread,
    languages: calibration.languages,
    dimensions,
    ...storeLevel(calibration, dimensions),
    byLanguage: Object.fromEntries(Object.entries(calibration.byLanguage).map(([language, level]) => [language, storeLevel(level, dimensions)])),
  };
  return `${JSON.stringify(stored)}\n`;
}

export function parseCalibration(text: string): RefusalCalibration | undefined {
  try {
    const stored = JSON.parse(text) as StoredCalibration;
    const { dimensions } = stored;
    if (!Number.isInteger(dimensions) || dimensions <= 0) return undefined;
    const english = readLevel(stored, dimensions);
    if (!english || !(stored.cosineSpread > 0) || typeof stored.modelHash !== 'string' || !Number.isInteger(stored.paragraphs)) return undefined;
    const byLanguage: Record<string, OffTopicLevel> = {};
    for (const [language, level] of Object.entries(stored.byLanguage ?? {})) {
      const read = readLevel(level, dimensions);
      if (!read) return undefined;
      byLanguage[language] = read;
    }
    return { version: stored.version, modelHash: stored.modelHash, paragraphs: stored.paragraphs, ...english, cosineSpread: stored.cosineSpread, languages: stored.languages ?? {}, byLanguage };
  } catch {
    return undefined; // unreadable: measured again
  }
}

/** The calibration stored in a generation folder, if there is a readable one. */
export function readCalibration(dir: string): RefusalCalibration | undefined {
  let text: string;
  try {
    text = readFileSync(path.join(dir, CALIBRATION_FILE), 'utf8');
  } catch {
    return undefined;
  }
  return parseCalibration(text);
}

/** Stores a calibration in a generation folder (written aside and renamed: a reader never sees half of it). */
export async function writeCalibration(dir: string, calibration: RefusalCalibration): Promise<void> {
  const target = path.join(dir, CALIBRATION_FILE);
  const temporary = `${target}.tmp-${process.pid}`;
  await writeFile(temporary, serializeCalibration(calibration));
  await rename(temporary, target);
}
