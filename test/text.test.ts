import { describe, expect, it } from 'vitest';
import { MAX_QUESTION_CHARS, cleanQuestion, isSearchable } from '../src/search/question.js';
import { reciprocalRankFusion, withSeats } from '../src/search/fusion.js';
import { splitSentences } from '../src/search/sentences.js';
import { TermStatistics, termCoverage, termMatches } from '../src/search/terms.js';
import { contentTerms, toTerm } from '../src/search/text.js';

const sentencesOf = (text: string) => splitSentences(text).map(({ start, end }) => text.slice(start, end));

describe('splitSentences', () => {
  it('keeps abbreviations, initials and dotted letters inside a sentence', () => {
    const text =
      'Thomas P. Bossert, assistant to the president, placed calls. U.S. Attorney General Jeff Sessions was forced to recuse himself. Gen. Smith left.';
    expect(sentencesOf(text)).toEqual([
      'Thomas P. Bossert, assistant to the president, placed calls.',
      'U.S. Attorney General Jeff Sessions was forced to recuse himself.',
      'Gen. Smith left.',
    ]);
  });

  it('ends a sentence inside closing quotes and splits quoted speech', () => {
    const text = '“I get great intel. I have people brief me on great intel every day,” Trump said. “Isn’t it crazy.” Then he left.';
    expect(sentencesOf(text)).toEqual([
      '“I get great intel.',
      'I have people brief me on great intel every day,” Trump said.',
      '“Isn’t it crazy.”',
      'Then he left.',
    ]);
  });

  it('does not split on a dash or a lower-case continuation', () => {
    const text = 'Ambassador Sergey Kislyak — a key figure in earlier Russia controversies — into the Oval Office. officials said no.';
    expect(sentencesOf(text)).toHaveLength(1);
  });

  it('gives offsets that cover the text without overlap', () => {
    const text = 'One. Two? Three!';
    const spans = splitSentences(text);
    expect(spans.map((s) => text.slice(s.start, s.end))).toEqual(['One.', 'Two?', 'Three!']);
    for (let i = 1; i < spans.length; i++) expect(spans[i]!.start).toBeGreaterThan(spans[i - 1]!.end);
  });
});

describe('cleanQuestion', () => {
  it('removes mentions, links and markdown but keeps the words', () => {
    expect(cleanQuestion('@everyone <@123456789012345678> who was in **the** [meeting](https://evil.example)? <@&123456789012345678>')).toBe(
      'who was in the meeting ?',
    );
    expect(cleanQuestion('see https://example.com/x and `code`')).toBe('see and code');
  });

  it('folds full-width letters and drops zero-width and control characters', () => {
    expect(cleanQuestion('Ｗｈｏ\u200b was\u0007 there\u202e?')).toBe('Who was there ?');
  });

  it('cuts long questions at a word boundary', () => {
    const cleaned = cleanQuestion('word '.repeat(2000));
    expect(cleaned.length).toBeLessThanOrEqual(MAX_QUESTION_CHARS);
    expect(cleaned.endsWith('word')).toBe(true);
  });

  it('says when nothing is left to search', () => {
    expect(isSearchable(cleanQuestion('   \u200b\n'))).toBe(false);
    expect(isSearchable(cleanQuestion('🎉🎉'))).toBe(false);
    expect(isSearchable(cleanQuestion('Кто был на встрече?'))).toBe(true);
  });
});

describe('reciprocalRankFusion', () => {
  it('ranks an item high in both lists above one that tops only one list', () => {
    const fused = reciprocalRankFusion([
      [1, 2, 3],
      [2, 4, 1],
    ]);
    expect(fused[0]!.label).toBe(2);
    expect(fused.map((f) => f.label)).toEqual([2, 1, 4, 3]);
  });

  it('is symmetric in its lists and deterministic on ties', () => {
    expect(reciprocalRankFusion([[5], [6]]).map((f) => f.label)).toEqual([5, 6]);
    expect(reciprocalRankFusion([[6], [5]]).map((f) => f.label)).toEqual([5, 6]);
  });
});

describe('withSeats', () => {
  const ranking = [
    { label: 1, score: 3 },
    { label: 2, score: 2.5, evidence: 9 },
    { label: 3, score: 2 },
    { label: 4, score: 1 },
    { label: 5, score: 0.5 },
  ];

  it('shows every seated label, the ranking\'s best in the other places, in the ranking\'s order', () => {
    const seated = withSeats(ranking, [4], 3);
    expect(seated.map((item) => item.label)).toEqual([1, 2, 4, 3, 5]);
    // Scores never rise down the list: the seated one scores what the first left out does.
    expect(seated.map((item) => item.score)).toEqual([3, 2.5, 2, 2, 0.5]);
    expect(seated[1]!.evidence).toBe(9);
  });

  it('fills every place from the seated labels when there are as many, the ones the ranking lacks last', () => {
    expect(withSeats(ranking, [5, 7, 2], 3).map((item) => item.label)).toEqual([2, 5, 7, 1, 3, 4]);
    expect(withSeats(ranking, [1, 2], 3).map((item) => item.label)).toEqual([1, 2, 3, 4, 5]);
    // Nothing left below: a label the ranking lacks scores as the last one shown, never -Infinity.
    expect(withSeats(ranking.slice(0, 2), [8], 3)).toEqual([...ranking.slice(0, 2), { label: 8, score: 2.5 }]);
  });
});

describe('terms', () => {
  it('matches stems, prefixes and one typo, not unrelated words', () => {
    expect(termMatches('photograph', 'photograph')).toBe(true);
    expect(termMatches('react', 'reaction')).toBe(true);
    expect(termMatches('lavrov', 'lavarov')).toBe(true);
    expect(termMatches('cat', 'car')).toBe(false);
    expect(termMatches('trump', 'russia')).toBe(false);
  });

  it('weights coverage by rarity and ignores question-frame words', () => {
    const stats = new TermStatistics(['Trump met Lavrov.', 'Trump met Kislyak.', 'Trump spoke.']);
    expect(contentTerms('What happened to Lavrov?')).toEqual(['lavrov']);
    const coverage = (question: string, text: string) => termCoverage(contentTerms(question), new Set(contentTerms(text)), stats);
    const rare = coverage('Trump Lavrov', 'Lavrov arrived.');
    const common = coverage('Trump Lavrov', 'Trump arrived.');
    expect(rare).toBeGreaterThan(common);
    expect(coverage('Trump Lavrov', 'Trump met Lavrov.')).toBe(1);
  });
});

describe('toTerm', () => {
  it('gives every word its own term, seen before or not, after its memory of words has filled and emptied', () => {
    const sample = ['Meetings', 'the', "Trump's", 'U.S.', 'running'];
    expect(sample.map((word) => toTerm(word))).toEqual(['meet', undefined, 'trump', 'us', 'run']);
    // More distinct words than the terms it keeps (200,000), so the memory empties on the way.
    for (let i = 0; i < 210_000; i++) toTerm(`word${i.toString(36)}`);
    expect(sample.map((word) => toTerm(word))).toEqual(['meet', undefined, 'trump', 'us', 'run']);
    expect(toTerm('word0')).toBe('word0');
  });

  it('gives the past forms of irregular verbs the term of their base form', () => {
    for (const [past, base] of [['led', 'lead'], ['took', 'take'], ['Taken', 'taking'], ['paid', 'pays'], ['sold', 'selling'], ['thought', 'think']]) {
      expect(toTerm(past!)).toBe(toTerm(base!));
    }
    // "Founded" is its own verb, not the past of "find".
    expect(toTerm('founded')).not.toBe(toTerm('find'));
    expect(toTerm('found')).toBe(toTerm('find'));
    expect(contentTerms('Who led the study?')).toEqual(contentTerms('lead study'));
  });
});
