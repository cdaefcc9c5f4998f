// The fusion rule of issue 30: the dense side counts only as much as the encoder shows it is worth
// for the question's language on this corpus, and word search takes the rest. An encoder that
// cannot read Spanish (every Spanish text lands near one point, nudged at random) must not pull a
// Spanish answer away from where word search puts it, nor refuse what the story's words answer.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Embedder } from '../src/embed/index.js';
import { loadIndex } from '../src/index/index.js';
import { buildIndexFromCorpus } from '../src/pipeline.js';
import { createRetriever } from '../src/retrieval.js';
import { readCalibration } from '../src/search/calibration.js';
import type { Reranker } from '../src/search/index.js';
import { currentGeneration } from '../src/index/index.js';
import { loadCoreConfig } from '../src/config.js';
import { fakeEmbedder } from './helpers/fake-embedder.js';
import { PROJECT_ROOT, tempDir, writeStory } from './helpers/corpus.js';

/**
 * Reads English as the fake bag of words does. Spanish it cannot read: every Spanish text lands
 * near one point (mean cosine 0.8 between them), nudged at random by its own words, and every
 * Spanish question lands on the same spot as one decoy paragraph, as a blind encoder's noise may.
 */
function englishOnly(decoy: string): Embedder {
  const english = fakeEmbedder({ modelHash: 'english-only' });
  const spanish = /\b(el|la|los|las|del|que|por|una|para|cuánto|cuándo|dónde|qué)\b/i;
  const nudged = (text: string) => {
    let seed = 0;
    for (const char of text) seed = (Math.imul(seed, 31) + char.charCodeAt(0)) >>> 0;
    const noise = Array.from({ length: english.dimensions }, () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32 - 0.5;
    });
    const noiseNorm = Math.hypot(...noise);
    const vector = new Float32Array(english.dimensions).map((_, d) => 1 / Math.sqrt(english.dimensions) + (0.5 * noise[d]!) / noiseNorm);
    const norm = Math.hypot(...vector);
    return vector.map((value) => value / norm);
  };
  return {
    ...english,
    async embed(texts, kind) {
      const read = await english.embed(texts, kind);
      return texts.map((text, i) => (!spanish.test(text) ? read[i]! : nudged(kind === 'query' ? decoy : text)));
    },
  };
}

/** A corpus and index folder of a test's own. */
function scratchConfig() {
  const root = tempDir();
  return { ...loadCoreConfig({ LOG_LEVEL: 'silent' }, PROJECT_ROOT), corpusDir: path.join(root, 'corpus'), indexDir: path.join(root, 'index') };
}

/** A retriever over the index `embedder` built in `config.indexDir`. */
function builtRetriever(config: { indexDir: string }, embedder: Embedder) {
  return createRetriever(loadIndex(config.indexDir, { modelId: embedder.modelId, modelHash: embedder.modelHash, dimensions: embedder.dimensions, efSearch: 64 }), embedder);
}

const SPANISH = [
  ['puente', ['El puente del puerto cerrará seis semanas por obras de reparación a partir de julio.', 'Los ferris saldrán cada quince minutos durante el cierre del puente, gratis para los vecinos.', 'Los inspectores encontraron corrosión en los cables del puente durante una revisión de rutina en marzo.']],
  ['biblioteca', ['La biblioteca municipal reabrió el lunes, un año después de la inundación que dañó la planta baja.', 'Las obras de la biblioteca costaron dos millones de euros, la mitad pagada por el seguro.', 'La sala infantil de la biblioteca abrirá también los domingos por la mañana.']],
  ['mercado', ['El mercado de abastos se trasladará a la plaza mayor mientras se renueva el edificio.', 'Los puestos del mercado pagarán la mitad del alquiler durante las obras.', 'La reforma del mercado terminará antes del verano, según el ayuntamiento.']],
] as const;

const QUESTIONS = [
  '¿Cuánto costaron las obras de la biblioteca?',
  '¿Cada cuánto saldrán los ferris durante el cierre?',
  '¿Dónde estarán los puestos del mercado durante las obras?',
  '¿Qué encontraron los inspectores en los cables?',
  '¿Cuándo abrirá la sala infantil?',
  '¿Cuándo terminará la reforma del mercado?',
];

describe('a reader that reads one language', () => {
  it('judges only passages in a language it reads: an English question answered from a Spanish story is not vetoed', async () => {
    const config = scratchConfig();
    // A story recorded as Spanish, whose words the question shares: a stand-in for a multilingual
    // encoder matching an English question to a Spanish paragraph (the fake reads words only).
    const festival = writeStory(config.corpusDir, 'festival', ['Mayor Gómez-Varela said the Sonorama Riverside festival starts on August 14 in the river park.', 'Tickets for the festival go on sale on Monday at the town hall.'], { title: 'Noticias del festival' });
    writeFileSync(festival, readFileSync(festival, 'utf8').replace('\n---\n', '\nlanguage: es\n---\n'));
    writeStory(config.corpusDir, 'english', ['The harbour bridge closes for six weeks of repairs from July.', 'Ferries will run every fifteen minutes during the closure.'], { title: 'Bridge closure' });
    const embedder = fakeEmbedder({ modelHash: 'words' });
    await buildIndexFromCorpus(config, embedder);
    const index = () => loadIndex(config.indexDir, { modelId: embedder.modelId, modelHash: embedder.modelHash, dimensions: embedder.dimensions, efSearch: 64 });
    const question = 'When does the Sonorama Riverside festival start, says Gómez-Varela?';
    const plain = await createRetriever(index(), embedder).search({ question });
    expect(plain.language).toBe('en');
    expect(plain.outcome.kind).toBe('answered');
    expect(plain.passages[0]!.story.language).toBe('es');
    // An English-only reader's score for a Spanish passage is no verdict (here: near nothing).
    const reader: Reranker = { score: async (_, passages) => passages.map(() => 0.0001), minScore: 0.001, candidates: 20, languages: new Set(['en']) };
    const read = await createRetriever(index(), embedder, reader).search({ question });
    expect(read.outcome.kind).toBe('answered');
    expect(read.passages[0]!.paragraph.text).toBe(plain.passages[0]!.paragraph.text);
    // Over an English passage it vetoes.
    const english = await createRetriever(index(), embedder, reader).search({ question: 'How long will the harbour bridge close for repairs?' });
    expect(english.outcome.kind).toBe('not-in-story');
  });
});

describe('fusion by language', () => {
  it('ranks a language the encoder cannot read as word search does, and answers what its words answer', async () => {
    const config = scratchConfig();
    for (const [name, paragraphs] of SPANISH) writeStory(config.corpusDir, name, [...paragraphs], { title: `Noticias del ${name}` });
    writeStory(config.corpusDir, 'english', ['The harbour bridge closes for six weeks of repairs from July.', 'Ferries will run every fifteen minutes during the closure.'], { title: 'Bridge closure' });
    // Every Spanish question looks, to the encoder, exactly like the children's-room paragraph.
    const embedder = englishOnly(SPANISH[1][1][2]);
    await buildIndexFromCorpus(config, embedder);

    // The index measured it: the encoder cannot tell Spanish paragraphs apart, and reads English.
    const calibration = readCalibration(currentGeneration(config.indexDir)!)!;
    expect(calibration.languages.es).toBe(0);

    const retriever = builtRetriever(config, embedder);
    for (const question of QUESTIONS) {
      const [hybrid, words] = [await retriever.search({ question, topK: 3 }), await retriever.search({ question, topK: 3, mode: 'bm25' })];
      expect(hybrid.language).toBe('es');
      expect(hybrid.outcome.kind, question).toBe('answered');
      expect(hybrid.passages[0]?.paragraph.text, question).toBe(words.passages[0]?.paragraph.text);
    }
  });

  it('shows word search\'s best paragraphs where the encoder cannot read the language, even from a story that covers fewer of the question\'s words', async () => {
    const config = scratchConfig();
    // The club's story holds every word of the question, spread over its paragraphs; the
    // translator's story answers it in one short paragraph that word search puts in its top three,
    // but holds only two of the question's words, so a ranking of stories by words drops it.
    writeStory(config.corpusDir, 'himno', [
      'El club presentó su nuevo himno en el estadio ante veinte mil aficionados que llenaron las gradas desde primera hora de la tarde.',
      'La directiva quiere traducir la letra al inglés y al francés para los aficionados extranjeros que siguen al equipo por internet.',
      'Los socios del club podrán descargar la canción gratis desde la web oficial a partir del lunes, según informó el presidente.',
      'El presidente del club dijo en inglés a la prensa extranjera que la canción se escuchará antes de cada partido en casa.',
    ], { title: 'El nuevo himno del club' });
    writeStory(config.corpusDir, 'traductora', [
      'Ana Ruiz traducirá el himno: Ruiz traduce himnos.',
      'Ruiz vive en la ciudad desde hace diez años.',
    ], { title: 'Una traductora para el estadio' });
    writeStory(config.corpusDir, 'english', ['The harbour bridge closes for six weeks of repairs from July.', 'Ferries will run every fifteen minutes during the closure.'], { title: 'Bridge closure' });
    const embedder = englishOnly('Los aficionados podrán descargar el himno gratis desde la web del club.');
    await buildIndexFromCorpus(config, embedder);
    expect(readCalibration(currentGeneration(config.indexDir)!)!.languages.es).toBe(0);

    const retriever = builtRetriever(config, embedder);
    const question = '¿Quién traducirá el nuevo himno del club al inglés antes del lunes, según el presidente?';
    const [hybrid, words] = [await retriever.search({ question, topK: 3 }), await retriever.search({ question, topK: 3, mode: 'bm25' })];
    const answer = 'Ana Ruiz traducirá el himno: Ruiz traduce himnos.';
    expect(words.passages.map((passage) => passage.paragraph.text)).toContain(answer);
    expect(hybrid.outcome.kind).toBe('answered');
    expect(hybrid.passages.map((passage) => passage.paragraph.text)).toContain(answer);
    // The shown scores still fall down the list.
    const scores = hybrid.passages.map((passage) => passage.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });

  it('gives word search\'s best paragraph a seat where the encoder reads the language but is not sure of the question', async () => {
    const config = scratchConfig();
    // The same shape as the Spanish case above, in English: the club's story holds every word of
    // the question spread over long paragraphs, the translator's answers it in one short one.
    writeStory(config.corpusDir, 'anthem', [
      'The club unveiled its new anthem at the stadium before twenty thousand supporters who had filled the stands since early afternoon.',
      'The board wants to translate the lyrics into English and French for the supporters abroad who follow the team online.',
      'Club members will be able to download the song for free from the official website from Monday, the president said.',
      'The club president told the foreign press in English that the song will be played before every home match.',
    ], { title: 'The club\'s new anthem' });
    writeStory(config.corpusDir, 'translator', ['Ana Ruiz will translate the anthem: Ruiz translates anthems.', 'Ruiz has lived in the city for ten years.'], { title: 'A translator for the stadium' });
    // An encoder that reads English paragraphs but is lost on this question: it puts it nearest an
    // everyday one, so the question stands no higher above off-topic than any everyday question.
    const words = fakeEmbedder({ modelHash: 'unsure' });
    const embedder: Embedder = { ...words, embed: async (texts, kind) => words.embed(kind === 'query' && texts[0]!.includes('anthem') ? texts.map(() => 'How do I bake bread at home?') : texts, kind) };
    await buildIndexFromCorpus(config, embedder);
    expect(readCalibration(currentGeneration(config.indexDir)!)!.languages.en ?? 1).toBe(1);

    const retriever = builtRetriever(config, embedder);
    const question = 'Who will translate the club anthem into English?';
    const [hybrid, wordSearch] = [await retriever.search({ question, topK: 3, keepPassagesWhenRefused: true }), await retriever.search({ question, topK: 1, mode: 'bm25', keepPassagesWhenRefused: true })];
    const answer = 'Ana Ruiz will translate the anthem: Ruiz translates anthems.';
    expect(hybrid.features!.relatedness).toBeLessThan(3);
    expect(wordSearch.passages[0]!.paragraph.text).toBe(answer);
    expect(hybrid.passages.map((passage) => passage.paragraph.text)).toContain(answer);
  });

  it('judges a question in a language the encoder reads by that language\'s own everyday questions', async () => {
    const config = scratchConfig();
    for (const [name, paragraphs] of SPANISH) writeStory(config.corpusDir, name, [...paragraphs], { title: `Noticias del ${name}` });
    writeStory(config.corpusDir, 'english', ['The harbour bridge closes for six weeks of repairs from July.', 'Ferries will run every fifteen minutes during the closure.'], { title: 'Bridge closure' });
    // A multilingual encoder as the fake bag of words reads it, with what real ones show: any two
    // Spanish texts share one extra direction, whatever they say.
    const words = fakeEmbedder({ modelHash: 'multilingual' });
    const spanish = /\b(el|la|los|las|del|que|por|una|para|un|se|es|de|en|cómo|cuánto|cuándo|dónde|qué|hay)\b/i;
    const embedder: Embedder = {
      ...words,
      dimensions: words.dimensions + 1,
      async embed(texts, kind) {
        const read = await words.embed(texts, kind);
        return read.map((vector, i) => {
          const out = new Float32Array(words.dimensions + 1);
          out.set(vector);
          out[words.dimensions] = spanish.test(texts[i]!) ? 1 : 0;
          const norm = Math.hypot(...out);
          return out.map((value) => value / norm);
        });
      },
    };
    await buildIndexFromCorpus(config, embedder);
    const calibration = readCalibration(currentGeneration(config.indexDir)!)!;
    expect(calibration.languages.es).toBeGreaterThan(0);
    expect(calibration.byLanguage.es).toBeDefined();

    const retriever = builtRetriever(config, embedder);
    // Off every topic, sharing no word with the stories: only its language is like them.
    const offTopic = await retriever.search({ question: '¿Cómo se prepara un buen mate amargo?' });
    expect(offTopic.language).toBe('es');
    expect(offTopic.outcome.kind).toBe('not-in-story');
    const onTopic = await retriever.search({ question: '¿Cuánto costaron las obras de la biblioteca?' });
    expect(onTopic.outcome.kind).toBe('answered');
    expect(onTopic.passages[0]?.paragraph.text).toContain('dos millones de euros');
  });
});

