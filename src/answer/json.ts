import type { SearchResult } from '../search/index.js';

export interface JsonAnswer {
  question: string;
  answered: boolean;
  passages: Array<{
    text: string;
    paragraph: number;
    score: number;
    similarity: number;
    /** The re-ranker's probability that the passage answers (RERANK_MODEL set). */
    rerankScore?: number;
    /** Character offsets of the answering sentence in `text`. */
    highlight: { start: number; end: number } | null;
    /** The story's address with a text fragment that opens it on the answering sentence (the plain address where none is unique). */
    link: string;
    /** In an interview: the interviewer's question the paragraph answers, when that is what matched. */
    inReplyTo?: { paragraph: number; text: string };
    /** `published` is null when the page gave no date. */
    source: { id: string; title: string; outlet: string; authors: string[]; published: string | null; url: string };
  }>;
}

/** The `--json` shape: one object per question, texts exactly as in the corpus. */
export function toJsonAnswer(asked: string, result: SearchResult): JsonAnswer {
  return {
    question: asked,
    answered: result.outcome.kind === 'answered',
    passages: result.outcome.kind !== 'answered' ? [] : result.passages.map((passage) => ({
      text: passage.paragraph.text,
      paragraph: passage.paragraph.number,
      score: round(passage.score),
      similarity: round(passage.similarity),
      ...(passage.rerankScore !== undefined ? { rerankScore: round(passage.rerankScore) } : {}),
      highlight: passage.highlight ? { start: passage.highlight.start, end: passage.highlight.end } : null,
      link: passage.link,
      ...(passage.inReplyTo ? { inReplyTo: { paragraph: passage.inReplyTo.number, text: passage.inReplyTo.text } } : {}),
      source: {
        id: passage.story.id,
        title: passage.story.title,
        outlet: passage.story.outlet,
        authors: [...passage.story.authors],
        published: passage.story.published ?? null,
        url: passage.story.url,
      },
    })),
  };
}

function round(value: number): number {
  return Math.round(value * 10000) / 10000;
}
