/**
 * Embedding speed of built models on the shipped story's paragraphs, and how far each model's int8
 * export (`<name>-q`) is from its float32 one (cosine per paragraph). Measurement, not CI.
 *
 *   npx tsx tools/encoders/speed.ts all-minilm-l6-v2 all-minilm-l6-v2-q …   (models built in MODEL_DIR, default models/)
 */
import path from 'node:path';
import { loadCorpus } from '../../src/corpus/load.js';
import { createEmbedder } from '../../src/embed/embedder.js';
import { embeddingPooling } from '../../src/embed/pooling.js';
import { embeddingPrefixes } from '../../src/embed/prefixes.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const modelDir = path.resolve(process.env.MODEL_DIR ?? path.join(ROOT, 'models'));
const paragraphs = (await loadCorpus(path.join(ROOT, 'corpus'))).flatMap((story) => story.paragraphs.map((paragraph) => paragraph.text));
const vectorsOf = new Map<string, Float32Array[]>();
for (const model of process.argv.slice(2)) {
  const embedder = await createEmbedder({ modelId: model, modelDir, pooling: embeddingPooling(model), prefixes: embeddingPrefixes(model) });
  await embedder.embed(paragraphs.slice(0, 4));
  const started = performance.now();
  const vectors = await embedder.embed(paragraphs);
  const seconds = (performance.now() - started) / 1000;
  vectorsOf.set(model, vectors);
  const float32 = vectorsOf.get(model.replace(/-q$/, ''));
  const drift = model.endsWith('-q') && float32 ? vectors.map((vector, i) => vector.reduce((sum, value, k) => sum + value * float32[i]![k]!, 0)) : undefined;
  console.log(
    `${model}: ${paragraphs.length} paragraphs in ${seconds.toFixed(2)} s = ${(paragraphs.length / seconds).toFixed(1)} ¶/s` +
      (drift ? `; cosine to the float32 export min ${Math.min(...drift).toFixed(4)}, mean ${(drift.reduce((s, c) => s + c, 0) / drift.length).toFixed(4)}` : ''),
  );
}
