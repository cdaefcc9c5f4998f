import type { SearchMode, SearchResult } from '../search/index.js';
import { attributionLine, refusalSentence } from './attribution.js';

export interface TerminalStyle {
  /** Wrap the answering sentence; ANSI bold on a terminal, `**` when piped. */
  bold: (text: string) => string;
  dim: (text: string) => string;
}

export const ANSI_STYLE: TerminalStyle = { bold: (text) => `\u001b[1m${text}\u001b[22m`, dim: (text) => `\u001b[2m${text}\u001b[22m` };
export const PLAIN_STYLE: TerminalStyle = { bold: (text) => `**${text}**`, dim: (text) => text };

/** Paragraph text with the answering sentence emphasised; the words themselves are untouched. */
export function emphasise(text: string, span: { start: number; end: number } | undefined, bold: (text: string) => string): string {
  if (!span) return text;
  return `${text.slice(0, span.start)}${bold(text.slice(span.start, span.end))}${text.slice(span.end)}`;
}

/**
 * The question as echoed on a terminal: control characters (escape sequences that could move the
 * cursor or clear the screen) and text-direction overrides are shown as spaces.
 */
export function echoQuestion(asked: string): string {
  return asked.replace(/[\p{Cc}\u202A-\u202E\u2066-\u2069]/gu, ' ').trim();
}

/** A human-readable answer for the terminal. */
export function formatForTerminal(asked: string, result: SearchResult, style: TerminalStyle = PLAIN_STYLE): string {
  const lines = [`Q: ${echoQuestion(asked)}`];
  if (result.outcome.kind === 'empty') {
    lines.push('', 'There is nothing to search for in that question: ask it in words.');
    return lines.join('\n');
  }
  if (result.outcome.kind === 'not-in-story') {
    const titles = result.searched.map((story) => `“${story.title}” (${story.outlet})`).join(', ');
    lines.push('', `${refusalSentence(result.searched.length)} Searched: ${titles}.`);
    return lines.join('\n');
  }
  result.passages.forEach((passage, i) => {
    const source = { ...passage.story };
    const answer = emphasise(passage.paragraph.text, passage.highlight, style.bold);
    lines.push(
      '',
      // An interview's answer is shown under the interviewer's question it replies to.
      passage.inReplyTo ? `${i + 1}. ${style.dim(passage.inReplyTo.text)}\n   ${answer}` : `${i + 1}. ${answer}`,
      style.dim(`   — ${attributionLine(source, passage.paragraph.number)}`),
      style.dim(`   ${passage.link}`),
      style.dim(`   score ${passage.score.toFixed(3)} · similarity ${passage.similarity.toFixed(3)}${passage.rerankScore === undefined ? '' : ` · re-ranker ${passage.rerankScore.toFixed(3)}`}`),
    );
  });
  return lines.join('\n');
}

/**
 * Why an answer quotes fewer passages than asked for, in one sentence; undefined when it quotes
 * them all (or refused). BM25 ranks only paragraphs holding one of the question's words; the
 * other modes rank the paragraphs of the stories that match, which a short story can run out of.
 */
export function fewerPassagesNote(result: SearchResult, asked: number, mode: SearchMode): string | undefined {
  const quoted = result.passages.length;
  if (result.outcome.kind !== 'answered' || quoted >= asked) return undefined;
  const only = `Only ${quoted} of the ${asked} passages asked for`;
  return mode === 'bm25'
    ? `${only}: bm25 quotes only paragraphs that hold the question's words (--mode hybrid also finds paragraphs by meaning).`
    : `${only}: the stories that match the question hold no more.`;
}
