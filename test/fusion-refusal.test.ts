import { describe, expect, it } from 'vitest';
import { ANSWER_TYPE_WEIGHT, FOCUSED_ANSWER_WEIGHT, answerTypeBonus, expectedAnswerType, holdsAnswerType } from '../src/search/answer-type.js';
import { bestSentence, sentenceTerms } from '../src/search/highlight.js';
import { evaluate, highlightHits } from '../src/search/evaluation.js';
import { contentTerms } from '../src/search/text.js';
import { DEFAULT_REFUSAL, isAnswered, questionNames, unknownNames } from '../src/search/refusal.js';
import { TermStatistics, contextCoverage } from '../src/search/terms.js';
import { publishedDuring, timeIntent } from '../src/search/time-intent.js';
import { editDistance } from '../src/search/terms.js';

describe('refusal', () => {
  it('finds the names a question mentions, not its first word or lower-case words', () => {
    expect(questionNames('What did Vladimir Putin say about the 2018 summit?')).toEqual(['vladimir', 'putin', '2018']);
    expect(questionNames('Who won the world cup?')).toEqual([]);
    expect(questionNames('WHO WAS IN THE MEETING WITH LAVROV?')).toEqual([]);
    // A question full of names is not "shouting"; a short acronym is no name to refuse over (the story may spell it out).
    expect(questionNames('Did Angela Merkel comment?')).toEqual(['angela', 'merkel']);
    expect(questionNames('What did the FBI say?')).toEqual([]);
    expect(questionNames("Why do NYC's pipes freeze?")).toEqual([]);
    expect(questionNames('What did NATO and Stoltenberg say?')).toEqual(['stoltenberg']);
  });

  it('knows a misspelt name: a swap, a doubled or a missing letter', () => {
    const vocabulary = ['michael', 'flynn', 'kislyak', 'lavrov'];
    expect(unknownNames(['micheal', 'flyn', 'kisliack', 'lavarov'], vocabulary)).toEqual([]);
    expect(unknownNames(['merkel', 'putin', 'tillerson'], vocabulary)).toEqual(['merkel', 'putin', 'tillerson']);
  });

  it('treats a name as known when the story has it, allowing a typo', () => {
    expect(unknownNames(['lavarov', 'putin'], ['lavrov', 'kislyak', 'meet'])).toEqual(['putin']);
  });

  it('finds a name inside a longer word of the story, from five letters on', () => {
    // "transatlantic radio transmission" answers a question about the Atlantic; a German compound holds its parts.
    expect(unknownNames(['atlant', 'pacif'], ['transatlant', 'radio'])).toEqual(['pacif']);
    expect(unknownNames(['kanzlerin'], ['bundeskanzlerin'])).toEqual([]);
    // A short name inside a word is chance ("Ural" in "natural"), not the name.
    expect(unknownNames(['ural'], ['natural'])).toEqual(['ural']);
  });

  it('answers from relatedness and word evidence together, at exactly the threshold too', () => {
    const base = { similarity: 0.4, coverage: 0.5, relatedness: 1.5, storyEvidence: 0.5, unknownNames: [] as string[] };
    // 1.5 / 3 + 0.5 = 1: exactly the threshold answers.
    expect(isAnswered(base)).toBe(true);
    expect(isAnswered({ ...base, storyEvidence: 0.49 })).toBe(false);
    expect(isAnswered({ ...base, relatedness: 1.45 })).toBe(false);
    // Either alone, when strong enough: every word of the question in the story, or three standard deviations above off-topic.
    expect(isAnswered({ ...base, relatedness: -1, storyEvidence: 1 })).toBe(true);
    expect(isAnswered({ ...base, relatedness: -1, storyEvidence: 0.99 })).toBe(false);
    expect(isAnswered({ ...base, relatedness: 3, storyEvidence: 0 })).toBe(true);
    // What ranking uses (cosine, resembling words) does not decide.
    expect(isAnswered({ ...base, similarity: 0.9, coverage: 1, relatedness: 0, storyEvidence: 0.3 })).toBe(false);
    expect(isAnswered({ ...base, unknownNames: ['putin'] })).toBe(false);
    expect(isAnswered({ ...base, unknownNames: ['putin'] }, { ...DEFAULT_REFUSAL, refuseUnknownNames: false })).toBe(true);
    expect(isAnswered({ ...base, missingAnswer: true })).toBe(false);
  });

  it('leans on words where the encoder cannot read the question\'s language', () => {
    const base = { similarity: 0.9, coverage: 0.5, relatedness: 6, storyEvidence: 0.1, unknownNames: [] as string[] };
    // A blind encoder's high relatedness is noise: 15 % of the question's words are needed then.
    expect(isAnswered({ ...base, denseWorth: 0 })).toBe(false);
    expect(isAnswered({ ...base, denseWorth: 0, storyEvidence: 0.15 })).toBe(true);
    expect(isAnswered({ ...base, denseWorth: 0, relatedness: -5, storyEvidence: 0.15 })).toBe(true);
    // Where it reads the language, relatedness counts in full.
    expect(isAnswered({ ...base, denseWorth: 1 })).toBe(true);
    expect(isAnswered({ ...base, denseWorth: 1, relatedness: 0 })).toBe(false);
  });
});

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and adjacent swaps as one edit each', () => {
    expect(editDistance('michael', 'micheal')).toBe(1);
    expect(editDistance('flyn', 'flynn')).toBe(1);
    expect(editDistance('kislyak', 'kisliack')).toBe(2);
    expect(editDistance('putin', 'lavrov')).toBe(6);
    expect(editDistance('abc', 'abc')).toBe(0);
  });

  it('stops early past the limit', () => {
    expect(editDistance('putin', 'lavrovsky', 2)).toBe(3);
  });
});

describe('answer types', () => {
  it.each([
    ['Who voted against the plan?', 'person'],
    ['How many books were ruined?', 'number'],
    ['How much did the repairs cost?', 'money'],
    ['How much have allergies gone up?', 'number'],
    ['When will construction start?', 'time'],
    ['What year did the fair begin?', 'time'],
    ["What's the starting wage at the plant?", 'money'],
    ['What would a full rebuild cost?', 'money'],
    ['What did the mayor say about the cost?', undefined],
    ['How tall is the new tower?', 'measure'],
    ['How heavy was the bell?', 'measure'],
    // Asked figuratively as often as not, and answered without units.
    ['How far will the council go?', undefined],
    ['How long did the meeting last?', undefined],
    ['Why did the council vote no?', undefined],
    ['What did the mayor say?', undefined],
  ])('%s asks for %s', (question, type) => {
    expect(expectedAnswerType(question)).toBe(type);
  });

  it('finds an answer of the kind asked for, and not one the question already gave', () => {
    expect(holdsAnswerType('Council member Frank Dobbs cast the only vote against the plan.', 'person', 'Who voted no?')).toBe(true);
    expect(holdsAnswerType('the council voted against it.', 'person', 'Who voted no?')).toBe(false);
    expect(holdsAnswerType('The project will cost $4.2 million.', 'money', 'How much will it cost?')).toBe(true);
    expect(holdsAnswerType('The project is expensive, officials said.', 'money', 'How much will it cost?')).toBe(false);
    // Amounts written with a scale word or in words are amounts too ("how much did it cost" was refused over these).
    // Stories in other languages write amounts with their own scale words.
    for (const amount of ['It cost 55 million dollars to fix.', 'Tickets are ten euros.', 'The fine was 3m pounds.', 'It costs 1,200 dollars a year.', 'rund 6,8 Millionen Euro', 'custará 2 milhões de euros', '400 millones de dólares']) {
      expect(holdsAnswerType(amount, 'money', 'How much did it cost?')).toBe(true);
    }
    expect(holdsAnswerType('He spent ten years and a fortune there.', 'money', 'How much did it cost?')).toBe(false);
    expect(holdsAnswerType('The city has 2 million residents.', 'money', 'How much did it cost?')).toBe(false);
    expect(holdsAnswerType('Construction begins in September.', 'time', 'When does it start?')).toBe(true);
    expect(holdsAnswerType('It ruined 30,000 books.', 'number', 'How many of the 2,000 shelves?')).toBe(true);
    expect(holdsAnswerType('It ruined 2,000 shelves.', 'number', 'How many of the 2,000 shelves?')).toBe(false);
    for (const size of ['The stack rises 90 feet over the bay.', 'a 12-foot wall', 'The bell weighs two tons.', 'The hall is three stories high.', 'a 40-metre mast']) {
      expect(holdsAnswerType(size, 'measure', 'How tall is it?')).toBe(true);
    }
    expect(holdsAnswerType('The cannery opened in 1911 and employed 300 people.', 'measure', 'How tall is the stack?')).toBe(false);
  });

  it('puts in bold the sentence holding the kind of answer asked for, among sentences that match about as well', () => {
    const text = 'Police said the dress is made of pearls ... 6,000 white Akoya pearls, and it is worth about $150,000.';
    const question = 'How many pearls were on the stolen gown?';
    const terms = contentTerms(question);
    const stats = TermStatistics.fromTermSets([new Set(contentTerms(text))]);
    const bold = (answer?: { type: 'number'; question: string }) => {
      const span = bestSentence(text, terms, stats, sentenceTerms(text), answer)!;
      return text.slice(span.start, span.end);
    };
    // On words alone the first sentence wins the tie ("pearls" in both).
    expect(bold()).toMatch(/^Police said/);
    expect(bold({ type: 'number', question })).toMatch(/^6,000 white Akoya pearls/);
  });

  it('scores the bold sentence against the expected answers', () => {
    const text = 'The dress is made of pearls ... 6,000 white Akoya pearls, worth $150,000.';
    const second = { start: text.indexOf('6,000'), end: text.length };
    expect(highlightHits(text, second, ['6,000 white akoya pearls'])).toBe(true);
    expect(highlightHits(text, { start: 0, end: second.start }, ['6,000 white Akoya pearls'])).toBe(false);
    const metrics = evaluate(
      [
        { id: 'a', question: 'How many pearls?', answers: ['6,000 white Akoya pearls'] },
        { id: 'b', question: 'How many pearls?', answers: ['6,000 white Akoya pearls'] },
      ],
      [
        { ranked: [text], answered: true, highlights: [second] },
        { ranked: [text], answered: true, highlights: [{ start: 0, end: second.start }] },
      ],
    );
    expect(metrics.boldOnAnswer).toBe(0.5);
  });

  it('counts the refusals of unanswerable and of answerable questions apart', () => {
    const metrics = evaluate(
      [
        { id: 'a', question: 'Off topic?', answers: [] },
        { id: 'b', question: 'Also off topic?', answers: [] },
        { id: 'c', question: 'How many pearls?', answers: ['6,000 white Akoya pearls'] },
      ],
      [
        { ranked: [], answered: false },
        { ranked: ['Pearls.'], answered: true },
        { ranked: ['It held 6,000 white Akoya pearls.'], answered: false },
      ],
    );
    expect(metrics).toMatchObject({ unanswerable: 2, rightRefusals: 1, refusalAccuracy: 0.5, answerable: 1, wrongRefusals: 1 });
  });

  it('weighs an answer of the kind asked for more where it stands beside the question\'s words', () => {
    const question = 'How many pearls were sewn onto the gown?';
    const bonus = (text: string) => answerTypeBonus(text, sentenceTerms(text), 'number', question, contentTerms(question));
    // The number describes the pearls: the sentence a reader would look in.
    const focused = bonus('The gown was shown in Paris in May. It carries 6,000 white pearls, each sewn by hand.');
    // A number about something else in the paragraph holds the kind of answer, but not where the question points.
    const elsewhere = bonus('The gown, covered in pearls, was shown in Paris. The show drew 2,000 guests.');
    const none = bonus('The gown was covered in white pearls sewn by hand.');
    expect(focused).toBeCloseTo(ANSWER_TYPE_WEIGHT + FOCUSED_ANSWER_WEIGHT);
    expect(elsewhere).toBeCloseTo(ANSWER_TYPE_WEIGHT);
    expect(none).toBe(0);
  });
});

describe('context coverage', () => {
  it('counts a question word found only next door as half', () => {
    const stats = new TermStatistics(['alpha beta', 'gamma delta', 'epsilon zeta']);
    const own = new Set(['gamma']);
    const around = [new Set(['alpha', 'beta'])];
    const full = contextCoverage(['gamma', 'alpha'], new Set(['gamma', 'alpha']), [], stats);
    const half = contextCoverage(['gamma', 'alpha'], own, around, stats);
    const none = contextCoverage(['gamma', 'alpha'], own, [], stats);
    expect(full).toBeCloseTo(1);
    expect(none).toBeCloseTo(0.5);
    expect(half).toBeCloseTo(0.75);
  });
});

describe('time in questions', () => {
  it.each([
    ["What's the latest on the budget?", { kind: 'latest' }],
    ['How much is the fare now?', { kind: 'latest' }],
    ['Did they get the ambulance in the end?', { kind: 'latest' }],
    ['What happened in March?', { kind: 'during', month: 3 }],
    ['What did the council decide on May 21, 2024?', { kind: 'during', month: 5, day: 21, year: 2024 }],
    ['Who won back in 2023?', { kind: 'during', year: 2023 }],
    ['What did the mayor say?', undefined],
    ['Will they march on the bridge?', undefined],
  ])('%s', (question, intent) => {
    expect(timeIntent(question)).toEqual(intent);
  });

  it('matches a story published in the period asked about (or a day or two after a date)', () => {
    expect(publishedDuring('2024-03-12', { kind: 'during', month: 3 })).toBe(true);
    expect(publishedDuring('2024-03-12', { kind: 'during', month: 3, year: 2023 })).toBe(false);
    expect(publishedDuring('2024-05-22', { kind: 'during', month: 5, day: 21 })).toBe(true);
    expect(publishedDuring('2024-05-25', { kind: 'during', month: 5, day: 21 })).toBe(false);
  });

  it('does not take month and weekday names for names the story must hold', () => {
    expect(questionNames('What did the council decide in January?')).toEqual([]);
    expect(questionNames('What did Okoro say on Monday?')).toEqual(['okoro']);
  });
});
