import { UserError } from '../errors.js';
import type { Retriever, SearchMode } from './retriever.js';
import { foldText } from './text.js';

/** One line of an eval file: `answers` are substrings of the answering paragraph; none = not in the story. */
export interface EvalQuestion {
  id: string;
  question: string;
  answers: string[];
}

/** What a system under evaluation returns for one question. */
export interface EvalRun {
  /** Ranked paragraph texts, best first (at least 3). */
  ranked: string[];
  answered: boolean;
  /** The sentence put in bold in each ranked paragraph, as offsets into its text. */
  highlights?: ReadonlyArray<{ start: number; end: number } | undefined>;
}

export interface EvalMetrics {
  answerable: number;
  unanswerable: number;
  recallAt1: number;
  recallAt3: number;
  mrr: number;
  /** Unanswerable questions refused, as a share of them. */
  refusalAccuracy: number;
  /** Unanswerable questions refused. */
  rightRefusals: number;
  /** Answerable questions refused. */
  wrongRefusals: number;
  /** Of all refusals, the share that were right. */
  refusalPrecision: number;
  /** Of the unanswerable questions, the share refused (same as refusalAccuracy). */
  refusalRecall: number;
  misses: Array<{ id: string; rank: number | null; answered: boolean }>;
  /** Of the answers quoted among the first three passages, the share whose bold sentence is (part of) the answer. */
  boldOnAnswer: number;
}

/**
 * Whether the sentence at `span` of `text` overlaps one of the expected answers (quotes
 * straightened and case folded, which keep the offsets; the answer must appear as written).
 */
export function highlightHits(text: string, span: { start: number; end: number }, answers: readonly string[]): boolean {
  const fold = (value: string) => value.replace(/[\u2018\u2019]/g, "'").replace(/[\u201C\u201D]/g, '"').toLowerCase();
  const folded = fold(text);
  if (folded.length !== text.length) return passageHits(text.slice(span.start, span.end), answers);
  return answers.some((answer) => {
    const at = folded.indexOf(fold(answer));
    return at >= 0 && at < span.end && at + answer.length > span.start;
  });
}

/** Whether a paragraph holds one of the expected answers (quotes straightened, case and spacing folded). */
export function passageHits(text: string, answers: readonly string[]): boolean {
  const normalise = (value: string) => foldText(value).replace(/\s+/g, ' ').trim();
  const haystack = normalise(text);
  return answers.some((answer) => haystack.includes(normalise(answer)));
}

export function evaluate(questions: readonly EvalQuestion[], runs: readonly EvalRun[]): EvalMetrics {
  let answerable = 0;
  let hit1 = 0;
  let hit3 = 0;
  let reciprocal = 0;
  let unanswerable = 0;
  let rightRefusals = 0;
  let wrongRefusals = 0;
  let quoted = 0;
  let bold = 0;
  const misses: EvalMetrics['misses'] = [];
  questions.forEach((question, i) => {
    const run = runs[i]!;
    if (question.answers.length === 0) {
      unanswerable++;
      if (!run.answered) rightRefusals++;
      else misses.push({ id: question.id, rank: null, answered: true });
      return;
    }
    answerable++;
    if (!run.answered) wrongRefusals++;
    const rank = run.ranked.findIndex((text) => passageHits(text, question.answers));
    if (rank === 0) hit1++;
    if (rank >= 0 && rank < 3) hit3++;
    if (rank >= 0) reciprocal += 1 / (rank + 1);
    if (run.answered && rank >= 0 && rank < 3 && run.highlights) {
      quoted++;
      const span = run.highlights[rank];
      if (span && highlightHits(run.ranked[rank]!, span, question.answers)) bold++;
    }
    if (rank !== 0 || !run.answered) misses.push({ id: question.id, rank: rank >= 0 ? rank + 1 : null, answered: run.answered });
  });
  const refusals = rightRefusals + wrongRefusals;
  return {
    answerable,
    unanswerable,
    recallAt1: ratio(hit1, answerable),
    recallAt3: ratio(hit3, answerable),
    mrr: ratio(reciprocal, answerable),
    refusalAccuracy: ratio(rightRefusals, unanswerable),
    rightRefusals,
    wrongRefusals,
    refusalPrecision: refusals === 0 ? 1 : rightRefusals / refusals,
    refusalRecall: ratio(rightRefusals, unanswerable),
    misses,
    boldOnAnswer: ratio(bold, quoted),
  };
}

function ratio(part: number, whole: number): number {
  return whole === 0 ? 0 : part / whole;
}

/** Parses a JSONL eval file; errors name the line. */
export function parseEvalFile(text: string, file: string): EvalQuestion[] {
  return text
    .split('\n')
    .map((line, i) => [line.trim(), i + 1] as const)
    .filter(([line]) => line.length > 0)
    .map(([line, number]) => {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        throw new UserError(`${file} line ${number} is not JSON.`);
      }
      const record = value as Partial<EvalQuestion>;
      if (typeof record.question !== 'string' || !Array.isArray(record.answers)) {
        throw new UserError(`${file} line ${number} needs "question" (text) and "answers" (list).`);
      }
      return { id: String(record.id ?? `line-${number}`), question: record.question, answers: record.answers.map(String) };
    });
}

/** Runs every question through a retriever in one mode and scores the answers. */
export async function evaluateRetriever(retriever: Retriever, questions: readonly EvalQuestion[], mode: SearchMode): Promise<EvalMetrics> {
  const runs: EvalRun[] = [];
  for (const question of questions) {
    const result = await retriever.search({ question: question.question, mode, topK: 10, keepPassagesWhenRefused: true });
    runs.push({
      ranked: result.passages.map((passage) => passage.paragraph.text),
      answered: result.outcome.kind === 'answered',
      highlights: result.passages.map((passage) => passage.highlight),
    });
  }
  return evaluate(questions, runs);
}
