import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCorpus } from '../src/corpus/index.js';
import { createEmbedder, type Embedder } from '../src/embed/index.js';
import { buildIndex, loadIndex } from '../src/index/index.js';
import { Retriever, asksQuestion } from '../src/search/index.js';
import { FIXTURE_CORPUS, tempDir, writeStory } from './helpers/corpus.js';
import { DEFAULT_MODEL, MODEL_DIR } from './helpers/project.js';

let embedder: Embedder;

async function retrieverFor(corpusDir: string): Promise<Retriever> {
  const indexDir = path.join(tempDir(), 'index');
  await buildIndex({ stories: await loadCorpus(corpusDir), embedder, indexDir });
  const index = loadIndex(indexDir, { modelId: embedder.modelId, modelHash: embedder.modelHash, dimensions: embedder.dimensions, efSearch: 64 });
  return new Retriever(index, embedder);
}

beforeAll(async () => {
  embedder = await createEmbedder({ modelId: DEFAULT_MODEL, modelDir: MODEL_DIR });
});

describe('Retriever on several stories', () => {
  let retriever: Retriever;
  beforeAll(async () => {
    retriever = await retrieverFor(FIXTURE_CORPUS);
  });

  it.each([
    ['How much will the bike lanes cost?', 'riverton-bike-lanes', '$4.2 million'],
    ['When did the library open again?', 'riverton-library-reopens', 'reopened its doors on Saturday'],
    ['How long will the bridge be closed?', 'harbor-bridge-repairs', 'close to all traffic for six weeks'],
    ['Who voted against the bike lanes?', 'riverton-bike-lanes', 'Frank Dobbs'],
  ])('answers %j from the right story', async (question, storyId, expected) => {
    const result = await retriever.search({ question });
    expect(result.outcome.kind).toBe('answered');
    expect(result.passages[0]!.story.id).toBe(storyId);
    // The answering paragraph is among the quoted ones (the story's lead can outrank it: docs/quality.md).
    expect(result.passages.find((p) => p.paragraph.text.includes(expected))?.story.id).toBe(storyId);
  });

  it('limits the search to one story when asked', async () => {
    const everywhere = await retriever.search({ question: 'What did Mayor Elena Ruiz do?', topK: 5 });
    expect(new Set(everywhere.passages.map((p) => p.story.id)).size).toBeGreaterThan(1);
    const libraryOnly = await retriever.search({ question: 'What did Mayor Elena Ruiz do?', storyId: 'riverton-library-reopens', topK: 5 });
    expect(libraryOnly.passages.length).toBeGreaterThan(0);
    expect(libraryOnly.passages.every((p) => p.story.id === 'riverton-library-reopens')).toBe(true);
    expect(libraryOnly.searched.map((s) => s.id)).toEqual(['riverton-library-reopens']);
  });

  it('quotes only the story a question is about, however many others share its words', async () => {
    const result = await retriever.search({ question: 'Riverton bike lanes on Harbor Avenue vote cost construction', topK: 4 });
    expect(result.passages).toHaveLength(4);
    expect(result.passages.every((p) => p.story.id === 'riverton-bike-lanes')).toBe(true);
    // "More passages" stays in that story too.
    const more = await retriever.search({ question: 'Riverton bike lanes on Harbor Avenue vote cost construction', topK: 1, offset: 4 });
    expect(more.passages.map((p) => p.story.id)).toEqual(['riverton-bike-lanes']);
  });

  it('quotes both stories when the question is about both', async () => {
    const result = await retriever.search({ question: 'How much did the library repairs and the bike lanes cost?', topK: 3 });
    const stories = new Set(result.passages.map((p) => p.story.id));
    expect(stories).toEqual(new Set(['riverton-library-reopens', 'riverton-bike-lanes']));
    expect(result.passages.some((p) => p.paragraph.text.includes('$1.8 million'))).toBe(true);
    expect(result.passages.some((p) => p.paragraph.text.includes('$4.2 million'))).toBe(true);
  });

  it('shows scores that agree with the order of the passages', async () => {
    for (const question of ['What did Mayor Elena Ruiz do?', 'How long will the bridge be closed?', 'Who voted against the bike lanes?']) {
      const { passages } = await retriever.search({ question, topK: 5 });
      const scores = passages.map((p) => p.score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
    }
  });

  it('pages through results without repeats ("More passages")', async () => {
    const first = await retriever.search({ question: 'What did the mayor say?', topK: 2 });
    const next = await retriever.search({ question: 'What did the mayor say?', topK: 2, offset: 2 });
    const ids = [...first.passages, ...next.passages].map((p) => p.paragraph.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('refuses a question about a name no story mentions', async () => {
    const result = await retriever.search({ question: 'What did Governor Hargreaves say about the bridge?' });
    expect(result.outcome.kind).toBe('not-in-story');
    expect(result.passages).toEqual([]);
  });

  it('refuses an off-topic question and an empty one', async () => {
    expect((await retriever.search({ question: 'Who won the 2018 FIFA World Cup?' })).outcome.kind).toBe('not-in-story');
    expect((await retriever.search({ question: '  @everyone 🎉  ' })).outcome.kind).toBe('empty');
  });

  it('marks the sentence that answers inside the paragraph', async () => {
    const result = await retriever.search({ question: 'Who paid for the library repairs?' });
    const answering = result.passages.find((p) => p.paragraph.text.startsWith('The repairs cost'))!;
    expect(answering.paragraph.text.slice(answering.highlight!.start, answering.highlight!.end)).toBe(
      'The repairs cost $1.8 million and were covered mostly by insurance, with the rest raised by a community bake sale and an online fund.',
    );
  });

  it('gives the paragraphs around a passage for "Show context"', async () => {
    const result = await retriever.search({ question: 'How much will the bike lanes cost?' });
    const answering = result.passages.find((p) => p.paragraph.number === 2 && p.story.id === 'riverton-bike-lanes')!;
    expect(retriever.context(answering.label, 1).map((p) => p.number)).toEqual([1, 2, 3]);
    const first = result.passages.find((p) => p.paragraph.number === 1)!;
    // The first paragraph has nothing before it, and context never crosses into another story.
    expect(retriever.context(first.label, 1).map((p) => [p.storyId, p.number])).toEqual([
      ['riverton-bike-lanes', 1],
      ['riverton-bike-lanes', 2],
    ]);
  });
});

describe('Retriever on stories written from one template', () => {
  it('finds the story the question names, not another story holding the same kind of paragraph', async () => {
    const dir = path.join(tempDir(), 'corpus');
    // Eighty signings, as a year of sports pages holds: more contract paragraphs of the same shape than the dense search returns.
    const towns = ['Millbrook', 'Eastford', 'Harborville', 'Stoneport', 'Westfield', 'Oakhaven', 'Pineview', 'Riverton', 'Cedarwood', 'Lakefield'];
    const first = ['Sara', 'Nadia', 'Daniel', 'Kenji'];
    const surnames = ['Bar', 'Gil', 'Quo', 'Vex', 'Tor', 'Hum', 'Fen', 'Ash', 'Dov', 'Pim'].flatMap((start) =>
      ['mannor', 'strud', 'kowitz', 'ayne', 'bolt', 'ferrin', 'ogle', 'sund'].map((end) => start + end),
    );
    const signings = Array.from({ length: 80 }, (_, i) => [towns[i % 10]!, `${first[i % 4]} ${surnames[i]}`, (10 + i * 1.7).toFixed(1)]);
    for (const [town, player, millions] of signings) {
      writeStory(dir, `${town!.toLowerCase()}-signs-${player!.split(' ')[1]!.toLowerCase()}`, [
        `The ${town} hockey club signed ${player} on Tuesday, a move the coach said would steady a roster that had lost three starters since spring.`,
        `${player} played four seasons in the northern league and led it in assists last winter.`,
        `The contract runs for three seasons and is worth $${millions} million, the club said.`,
        `Season tickets for the ${town} arena go on sale next month.`,
      ]);
    }
    const retriever = await retrieverFor(dir);
    for (const [town, player, millions] of [signings[0]!, signings[13]!, signings[27]!, signings[58]!]) {
      const result = await retriever.search({ question: `What is ${player}'s contract with the ${town} hockey club worth?` });
      expect(result.outcome.kind).toBe('answered');
      const story = `${town!.toLowerCase()}-signs-${player!.split(' ')[1]!.toLowerCase()}`;
      expect(result.passages[0]!.story.id).toBe(story);
      const contract = result.passages.find((p) => p.paragraph.text.startsWith('The contract runs'));
      expect(contract?.story.id).toBe(story);
      expect(contract?.paragraph.text).toContain(`$${millions} million`);
    }
  });
});

describe('Retriever on an interview', () => {
  it('quotes the answer, not the interviewer\'s question that shares the reader\'s words', async () => {
    const dir = path.join(tempDir(), 'corpus');
    const paragraphs = [
      'For 22 years, Rosa Lindqvist has kept the Gull Point lighthouse on the north shore. She retires in June.',
      'Q: Why has the coast guard struggled to find a new lighthouse keeper to replace you?',
      'A: Few people want to live alone on a rock for nine months a year, and the pay has not changed since 1998.',
      'Q: What will you miss most?',
      'A: The foghorn at dawn, and the seals on the south ledge.',
    ];
    writeStory(dir, 'lighthouse-keeper', paragraphs);
    writeStory(dir, 'harbor-ferry', ['The harbor ferry will add a late sailing on Fridays from May, the port authority said.']);
    const retriever = await retrieverFor(dir);
    const result = await retriever.search({ question: 'Why is it hard to find a new lighthouse keeper to replace her?', topK: 3 });
    expect(result.outcome.kind).toBe('answered');
    const order = result.passages.map((p) => p.paragraph.text);
    expect(order[0]).toBe(paragraphs[2]);
    // Shown under the question it answers, since that is what matched.
    expect(result.passages[0]!.inReplyTo?.text).toBe(paragraphs[1]);
    // The interviewer's question is shown with its answer, not again as a passage of its own.
    expect(order).not.toContain(paragraphs[1]);
  });

  it('knows a paragraph that only asks', () => {
    expect(asksQuestion('Q: What will you miss most?')).toBe(true);
    expect(asksQuestion('Question: Is the wall worth saving?')).toBe(true);
    expect(asksQuestion('So what happens to the stallholders now?')).toBe(true);
    expect(asksQuestion('A: The foghorn at dawn.')).toBe(false);
    expect(asksQuestion('Q: What will you miss most? A: The foghorn at dawn.')).toBe(false);
    expect(asksQuestion('The council met on Monday. What it decided surprised many?')).toBe(false);
    expect(asksQuestion('Quentin said the vote would be close.')).toBe(false);
  });
});

describe('Retriever hygiene', () => {
  it('never returns the same paragraph text twice', async () => {
    const dir = path.join(tempDir(), 'corpus');
    const repeated = 'The council approved the budget after a long debate on Tuesday night.';
    writeStory(dir, 'one', [repeated, 'Something else entirely about trains.']);
    writeStory(dir, 'two', [repeated, 'A note about the weather in spring.']);
    const retriever = await retrieverFor(dir);
    const result = await retriever.search({ question: 'Did the council approve the budget?', topK: 4 });
    const texts = result.passages.map((p) => p.paragraph.text);
    expect(texts.filter((t) => t === repeated)).toHaveLength(1);
  });
});
