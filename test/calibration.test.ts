import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Embedder } from '../src/embed/index.js';
import { currentGeneration, loadIndex } from '../src/index/index.js';
import { buildIndexFromCorpus } from '../src/pipeline.js';
import { createRetriever } from '../src/retrieval.js';
import { BACKGROUND_QUESTIONS } from '../src/search/background-questions.js';
import { BACKGROUND_QUESTIONS_BY_LANGUAGE } from '../src/search/background-questions-languages.js';
import {
  CALIBRATION_FILE,
  CALIBRATION_VERSION,
  calibrateRefusal,
  calibrationApplies,
  denseWeight,
  languageWorth,
  worthIn,
  parseCalibration,
  readCalibration,
  relatedness,
  serializeCalibration,
} from '../src/search/calibration.js';
import { loadCoreConfig } from '../src/config.js';
import { fakeEmbedder } from './helpers/fake-embedder.js';
import { PROJECT_ROOT, tempDir, writeStory } from './helpers/corpus.js';
import { SHIPPED_CORPUS } from './helpers/project.js';

const PASSAGES = [
  'The council voted to close the harbour bridge for repairs in March.',
  'The ferry to Gull Island will run every hour while the bridge is shut.',
  'Repairs to the bridge deck will cost the city four million dollars.',
  'The mayor said the harbour ferry fares would not rise this year.',
];

/**
 * The fake bag-of-words encoder, made anisotropic as many real encoders are (bge scores unrelated
 * texts around 0.5): every vector gets the same extra direction, so each cosine c becomes
 * (shared² + c) / (shared² + 1). `shared` 0 is the plain encoder.
 */
function anisotropic(shared: number): Embedder {
  const base = fakeEmbedder({ dimensions: 64, modelHash: `shared-${shared}` });
  return {
    ...base,
    dimensions: 65,
    async embed(texts, kind) {
      const vectors = await base.embed(texts, kind);
      return vectors.map((vector) => {
        const out = new Float32Array(65);
        out.set(vector);
        out[64] = shared;
        const norm = Math.hypot(...out);
        return out.map((value) => value / norm);
      });
    },
  };
}

async function measured(embedder: Embedder, questions: string[]) {
  const passages = await embedder.embed(PASSAGES);
  const best = (vector: Float32Array) => Math.max(...passages.map((passage) => passage.reduce((sum, value, i) => sum + value * vector[i]!, 0)));
  const calibration = await calibrateRefusal(embedder, best, PASSAGES.length);
  const vectors = await embedder.embed(questions, 'query');
  return { calibration, scores: vectors.map((vector) => relatedness(best(vector), vector, calibration)), raw: vectors.map(best) };
}

describe('the refusal calibration', () => {
  it('measures every background question against the corpus', async () => {
    const embedder = fakeEmbedder();
    const calibration = await calibrateRefusal(embedder, () => 0.3, 10);
    expect(calibration.background).toHaveLength(BACKGROUND_QUESTIONS.length);
    expect(embedder.embeddedTexts).toEqual([...BACKGROUND_QUESTIONS]);
    expect(calibration.offTopic.sd).toBeGreaterThan(0);
    expect(calibration.paragraphs).toBe(10);
  });

  it('gives the same relatedness whatever the encoder\'s cosine scale, where a fixed cosine threshold does not', async () => {
    const questions = ['When will the harbour bridge close for repairs?', 'How do I bake bread at home?'];
    const plain = await measured(anisotropic(0), questions);
    const shifted = await measured(anisotropic(1.2), questions);
    // The shifted encoder scores everything far higher ...
    expect(shifted.raw[1]!).toBeGreaterThan(plain.raw[1]! + 0.4);
    // ... yet the question about the story and the off-topic one stand where they stood.
    shifted.scores.forEach((score, i) => expect(score).toBeCloseTo(plain.scores[i]!, 4));
    expect(plain.scores[0]!).toBeGreaterThan(3);
    expect(plain.scores[1]!).toBeLessThan(1);
    // In ranking, the shifted encoder's narrower band of cosines counts for more, by as much as it is narrower.
    const narrowing = (1 - 1.2 ** 2 / (1.2 ** 2 + 1)) ;
    expect(shifted.calibration.cosineSpread).toBeCloseTo(plain.calibration.cosineSpread * narrowing, 4);
    expect(denseWeight(shifted.calibration) * narrowing).toBeCloseTo(denseWeight(plain.calibration), 4);
  });

  it('judges a question by its own language\'s everyday questions where the encoder reads that language', async () => {
    // A multilingual encoder scores any German text higher against German paragraphs: the fake one
    // gives every German text one shared extra direction. Measured with English background
    // questions alone, a German question off every topic would stand far above "off-topic".
    const germanPassages = [
      'Der Stadtrat hat beschlossen, die Hafenbrücke im März für Reparaturen zu sperren.',
      'Die Fähre zur Möweninsel fährt stündlich, solange die Brücke gesperrt ist.',
      'Die Reparatur der Brückenfahrbahn kostet die Stadt vier Millionen Euro.',
      'Der Bürgermeister sagte, die Fährpreise würden dieses Jahr nicht steigen.',
    ];
    const germanQuestions = ['Wie lange muss ein Schweinebraten in den Ofen?', 'Wann fährt die Fähre zur Möweninsel, solange die Brücke gesperrt ist?'];
    const german = new Set([...germanPassages, ...germanQuestions, ...(BACKGROUND_QUESTIONS_BY_LANGUAGE.de ?? [])]);
    const base = fakeEmbedder({ dimensions: 64, modelHash: 'language-direction' });
    const embedder: Embedder = {
      ...base,
      dimensions: 65,
      async embed(texts, kind) {
        const vectors = await base.embed(texts, kind);
        return vectors.map((vector, i) => {
          const out = new Float32Array(65);
          out.set(vector);
          out[64] = german.has(texts[i]!) ? 1.0 : 0;
          const norm = Math.hypot(...out);
          return out.map((value) => value / norm);
        });
      },
    };
    const passages = await embedder.embed(germanPassages);
    const best = (vector: Float32Array) => Math.max(...passages.map((passage) => passage.reduce((sum, value, i) => sum + value * vector[i]!, 0)));
    const calibration = await calibrateRefusal(embedder, best, passages.length, new Map([['de', passages]]));
    expect(calibration.languages.de).toBeGreaterThan(0);
    expect(calibration.byLanguage.de?.background).toHaveLength(BACKGROUND_QUESTIONS_BY_LANGUAGE.de!.length);
    const [offTopic, onTopic] = await embedder.embed(germanQuestions, 'query');
    const inGerman = (vector: Float32Array) => relatedness(best(vector), vector, calibration, 'de');
    const byEnglishOnly = (vector: Float32Array) => relatedness(best(vector), vector, calibration, 'en');
    expect(byEnglishOnly(offTopic!)).toBeGreaterThan(3);
    expect(inGerman(offTopic!)).toBeLessThan(1);
    expect(inGerman(onTopic!)).toBeGreaterThan(inGerman(offTopic!) + 3);
  });

  it('counts cosines as they are at the built-in encoder\'s spread, more for a narrower one, within bounds', () => {
    const at = (cosineSpread: number) => denseWeight({ version: 5, modelHash: 'm', paragraphs: 1, offTopic: { mean: 0, sd: 1 }, typicalLikeness: 0.2, cosineSpread, languages: {}, background: [], byLanguage: {} });
    expect(at(0.08)).toBe(1);
    expect(at(0.04)).toBe(2);
    expect(at(0.001)).toBe(4);
    expect(at(1)).toBe(0.25);
  });

  it('values the encoder in a language by how far apart it keeps that language\'s paragraphs', () => {
    const unit = (...values: number[]) => { const norm = Math.hypot(...values); return new Float32Array(values.map((value) => value / norm)); };
    // Background questions and English paragraphs spread over the axes; "ru" paragraphs all but one point.
    const background = [unit(1, 0, 0, 0), unit(0, 1, 0, 0), unit(0, 0, 1, 0)];
    const english = [unit(1, 0.1, 0, 0), unit(0, 0, 1, 0.1), unit(0, 1, 0, 0.2)];
    const russian = [unit(0.1, 0.1, 0.1, 1), unit(0.12, 0.1, 0.1, 1), unit(0.1, 0.13, 0.1, 1)];
    const worth = languageWorth(background, new Map([['en', english], ['ru', russian], ['el', [unit(1, 0, 0, 0)]]]));
    expect(worth.en).toBeGreaterThan(0.9);
    expect(worth.ru).toBeLessThan(0.05);
    // One paragraph tells nothing: not measured, so counted at full worth.
    expect(worth.el).toBeUndefined();
    const calibration = { version: 5, modelHash: 'm', paragraphs: 7, offTopic: { mean: 0, sd: 1 }, typicalLikeness: 0.2, cosineSpread: 0.08, languages: worth, background, byLanguage: {} };
    expect(worthIn(calibration, 'ru')).toBe(worth.ru);
    expect(worthIn(calibration, 'el')).toBe(1);
    expect(worthIn(calibration, undefined)).toBe(1);
  });

  it('is stored and read back whole, and a damaged file is measured again', () => {
    const background = [new Float32Array([0.6, 0.8]), new Float32Array([1, 0])];
    const german = { offTopic: { mean: 0.4, sd: 0.05 }, typicalLikeness: 0.5, background: [new Float32Array([0, 1])] };
    const calibration = { version: 5, modelHash: 'm', paragraphs: 40, offTopic: { mean: -0.2, sd: 0.1 }, typicalLikeness: 0.2, cosineSpread: 0.05, languages: { en: 1, de: 0.25 }, background, byLanguage: { de: german } };
    const read = parseCalibration(serializeCalibration(calibration));
    expect(read?.byLanguage.de?.offTopic).toEqual(german.offTopic);
    expect(read?.byLanguage.de?.background.map((vector) => [...vector])).toEqual([[0, 1]]);
    expect(read?.offTopic).toEqual(calibration.offTopic);
    expect(read?.cosineSpread).toBe(0.05);
    expect(read?.languages).toEqual({ en: 1, de: 0.25 });
    expect(read?.background.map((vector) => [...vector])).toEqual([[0.6000000238418579, 0.800000011920929], [1, 0]]);
    expect(parseCalibration('{"version":1')).toBeUndefined();
    expect(parseCalibration(serializeCalibration({ ...calibration, offTopic: { mean: 0, sd: 0 } }))).toBeUndefined();
  });

  it('applies to the encoder it measured and a corpus within a tenth of the size it was measured at', () => {
    const calibration = { version: CALIBRATION_VERSION, modelHash: 'm', paragraphs: 1000, offTopic: { mean: 0, sd: 0.1 }, typicalLikeness: 0.2, cosineSpread: 0.08, languages: {}, background: [], byLanguage: {} };
    expect(calibrationApplies(calibration, 'm', 1000)).toBe(true);
    expect(calibrationApplies(calibration, 'm', 1100)).toBe(true);
    expect(calibrationApplies(calibration, 'm', 1200)).toBe(false);
    expect(calibrationApplies(calibration, 'm', 850)).toBe(false);
    expect(calibrationApplies(calibration, 'other', 1000)).toBe(false);
    expect(calibrationApplies({ ...calibration, version: 0 }, 'm', 1000)).toBe(false);
  });

  it('takes cosines only over the languages the encoder reads, so a language it crowds into one spot does not raise the bar', async () => {
    // An English encoder that cannot read Korean puts every Korean paragraph on one spot, and here
    // that spot lies nearer every everyday question than any English paragraph does (e5-small-v2
    // did this with the Korean and Arabic pages of our fixtures).
    const words = fakeEmbedder({ modelHash: 'crowds-korean' });
    const [hub] = await words.embed([BACKGROUND_QUESTIONS.join(' ')]);
    const embedder: Embedder = {
      ...words,
      embed: async (texts, kind) => {
        const read = await words.embed(texts, kind);
        return texts.map((text, i) => (/\p{Script=Hangul}/u.test(text) ? hub! : read[i]!));
      },
    };
    const measure = async (withKorean: boolean) => {
      const root = tempDir();
      const config = { ...loadCoreConfig({ LOG_LEVEL: 'silent' }, PROJECT_ROOT), corpusDir: path.join(root, 'corpus'), indexDir: path.join(root, 'index') };
      writeStory(config.corpusDir, 'bridge', PASSAGES, { title: 'Harbour bridge closes' });
      if (withKorean) writeStory(config.corpusDir, 'library', ['청람시는 옛 세관 건물에 첫 공공 도서관을 열었다.', '도서관은 매일 오전 아홉 시부터 저녁 여덟 시까지 문을 연다.', '시는 내년에 어린이 열람실을 늘릴 계획이다.'], { title: '청람시 첫 공공 도서관 개관' });
      await buildIndexFromCorpus(config, embedder);
      const calibration = readCalibration(currentGeneration(config.indexDir)!)!;
      const retriever = createRetriever(loadIndex(config.indexDir, { modelId: embedder.modelId, modelHash: embedder.modelHash, dimensions: embedder.dimensions, efSearch: 64 }), embedder);
      const asked = await retriever.search({ question: 'How much will the repairs to the bridge deck cost?', keepPassagesWhenRefused: true });
      return { calibration, relatedness: asked.features!.relatedness, answered: asked.outcome.kind === 'answered' };
    };
    const alone = await measure(false);
    const mixed = await measure(true);
    expect(mixed.calibration.languages.ko).toBe(0);
    expect(mixed.calibration.offTopic.mean).toBeCloseTo(alone.calibration.offTopic.mean, 6);
    expect(mixed.relatedness).toBeCloseTo(alone.relatedness, 6);
    expect(mixed.answered).toBe(true);
  });

  it('does not let a paragraph too short to show a topic ("Yes.") raise the bar, and still quotes it', async () => {
    // Encoders put short texts near every question (e5-small-v2: "Yes." nearer than any paragraph
    // of the shipped story to 42 of the 70 everyday questions); the fake one puts them on the
    // spot nearest all of the everyday questions.
    const words = fakeEmbedder({ modelHash: 'short-hubs' });
    const [hub] = await words.embed([BACKGROUND_QUESTIONS.join(' ')]);
    const short = new Set(['Yes.', '“No,” he said.']);
    const embedder: Embedder = { ...words, embed: async (texts, kind) => (await words.embed(texts, kind)).map((vector, i) => (short.has(texts[i]!) ? hub! : vector)) };
    const measure = async (withShortAnswers: boolean) => {
      const root = tempDir();
      const config = { ...loadCoreConfig({ LOG_LEVEL: 'silent' }, PROJECT_ROOT), corpusDir: path.join(root, 'corpus'), indexDir: path.join(root, 'index') };
      writeStory(config.corpusDir, 'bridge', PASSAGES, { title: 'Harbour bridge closes' });
      const interview = ['Q: Will the ferry fares rise while the bridge is shut?', 'Yes.', 'Q: Did the council consider a temporary bridge?', '“No,” he said.'];
      writeStory(config.corpusDir, 'interview', withShortAnswers ? interview : interview.filter((line) => !short.has(line)), { title: 'Five questions for the harbour master' });
      await buildIndexFromCorpus(config, embedder);
      const retriever = createRetriever(loadIndex(config.indexDir, { modelId: embedder.modelId, modelHash: embedder.modelHash, dimensions: embedder.dimensions, efSearch: 64 }), embedder);
      const asked = await retriever.search({ question: 'How much will the repairs to the bridge deck cost?', keepPassagesWhenRefused: true });
      return { calibration: readCalibration(currentGeneration(config.indexDir)!)!, asked, retriever };
    };
    const alone = await measure(false);
    const mixed = await measure(true);
    expect(mixed.calibration.offTopic.mean).toBeCloseTo(alone.calibration.offTopic.mean, 6);
    expect(mixed.asked.features!.relatedness).toBeCloseTo(alone.asked.features!.relatedness, 6);
    expect(mixed.asked.outcome.kind).toBe('answered');
    // The short answers are still there to quote, under the questions that ask them.
    const fares = await mixed.retriever.search({ question: 'Will the ferry fares rise while the bridge is shut?', keepPassagesWhenRefused: true });
    expect(fares.passages.map((passage) => passage.paragraph.text)).toContain('Yes.');
  });

  it('is measured when the index is built, kept by a small change, and used by the retriever instead of measuring again', async () => {
    const root = tempDir();
    const config = { ...loadCoreConfig({ LOG_LEVEL: 'silent' }, PROJECT_ROOT), corpusDir: path.join(root, 'corpus'), indexDir: path.join(root, 'index') };
    const { cp } = await import('node:fs/promises');
    await cp(SHIPPED_CORPUS, config.corpusDir, { recursive: true });
    const embedder = fakeEmbedder();
    const report = await buildIndexFromCorpus(config, embedder);
    expect(existsSync(path.join(report.dir, CALIBRATION_FILE))).toBe(true);
    const stored = readCalibration(report.dir)!;
    expect(stored.modelHash).toBe(embedder.modelHash);
    expect(stored.paragraphs).toBe(report.paragraphs);

    // One short story more: the same calibration, carried to the new generation without measuring.
    writeStory(config.corpusDir, 'brief', ['The harbour bridge closes on Monday for two weeks of repairs.']);
    const before = embedder.embeddedTexts.length;
    const appended = await buildIndexFromCorpus(config, embedder);
    expect(appended.dir).not.toBe(report.dir);
    expect(currentGeneration(config.indexDir)).toBe(appended.dir);
    expect(readCalibration(appended.dir)?.offTopic).toEqual(stored.offTopic);
    expect(embedder.embeddedTexts.slice(before)).not.toContain(BACKGROUND_QUESTIONS[0]);

    const index = loadIndex(config.indexDir, { modelId: embedder.modelId, modelHash: embedder.modelHash, dimensions: embedder.dimensions, efSearch: 64 });
    const retriever = createRetriever(index, embedder);
    const asked = embedder.embeddedTexts.length;
    await retriever.search({ question: 'Who was in the meeting?' });
    expect(embedder.embeddedTexts.slice(asked)).toEqual(['Who was in the meeting?']);

    // A short story in a language the corpus did not have: as small a change, but the encoder's
    // worth in that language was never measured, so the calibration is measured again.
    expect(stored.languages.es).toBeUndefined();
    writeStory(config.corpusDir, 'puente', ['El puente del puerto cerrará seis semanas por obras a partir de julio.', 'Los ferris saldrán cada quince minutos durante el cierre del puente.']);
    const beforeSpanish = embedder.embeddedTexts.length;
    const withSpanish = await buildIndexFromCorpus(config, embedder);
    expect(embedder.embeddedTexts.slice(beforeSpanish)).toContain(BACKGROUND_QUESTIONS[0]);
    expect(readCalibration(withSpanish.dir)?.languages.es).toBeDefined();
  });
});
