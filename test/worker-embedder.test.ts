import { cpSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cachedModelHash, createEmbedder } from '../src/embed/index.js';
import { createWorkerEmbedder } from '../src/embed/worker-embedder.js';
import { UserError } from '../src/errors.js';
import { tempDir } from './helpers/corpus.js';
import { DEFAULT_MODEL, MODEL_DIR } from './helpers/project.js';

const texts = [
  'The president met the foreign minister in the Oval Office on Wednesday.',
  'Aides were present.',
  'Officials said the disclosure put a critical source of intelligence at risk.',
];

describe('createWorkerEmbedder', () => {
  it('embeds on a worker thread exactly as on this one, with the same identity', async () => {
    const here = await createEmbedder({ modelId: DEFAULT_MODEL, modelDir: MODEL_DIR });
    // The width is remembered by now (the model loaded once), so the model loads on the worker.
    const worker = await createWorkerEmbedder({ modelId: DEFAULT_MODEL, modelDir: MODEL_DIR });
    expect({ id: worker.modelId, hash: worker.modelHash, dims: worker.dimensions }).toEqual({ id: here.modelId, hash: here.modelHash, dims: here.dimensions });
    const [a, b] = await Promise.all([worker.embed(texts), worker.embed(texts.slice(1), 'query')]);
    expect(a).toEqual(await here.embed(texts));
    expect(b).toEqual(await here.embed(texts.slice(1), 'query'));
    expect(await worker.embed([])).toEqual([]);
  });

  it('waits for the worker to load a model whose identity is not cached yet, and takes the identity it reports', async () => {
    // A copy of the model without the identity cached beside it, as after a fresh install.
    const dir = tempDir();
    cpSync(path.join(MODEL_DIR, DEFAULT_MODEL), path.join(dir, DEFAULT_MODEL), { recursive: true, dereference: true });
    const worker = await createWorkerEmbedder({ modelId: DEFAULT_MODEL, modelDir: dir });
    const here = await createEmbedder({ modelId: DEFAULT_MODEL, modelDir: MODEL_DIR });
    expect({ id: worker.modelId, hash: worker.modelHash, dims: worker.dimensions }).toEqual({ id: here.modelId, hash: here.modelHash, dims: here.dimensions });
    expect(await worker.embed(texts)).toEqual(await here.embed(texts));
    // The worker cached the identity as it loaded: the next command does not wait for it.
    expect(existsSync(path.join(dir, `.${DEFAULT_MODEL}.dims.json`))).toBe(true);

    // Damaged and never loaded: the load's failure is the creation's, in one sentence.
    const damaged = tempDir();
    cpSync(path.join(MODEL_DIR, DEFAULT_MODEL), path.join(damaged, DEFAULT_MODEL), { recursive: true, dereference: true });
    writeFileSync(path.join(damaged, DEFAULT_MODEL, 'tokenizer.json'), '{');
    const failed = createWorkerEmbedder({ modelId: DEFAULT_MODEL, modelDir: damaged });
    await expect(failed).rejects.toBeInstanceOf(UserError);
    await expect(failed).rejects.toThrow(/could not be loaded .* npm run build-model -- --force\./);
  });

  it('says in one sentence when the model cannot be loaded, on the first embed', async () => {
    // A damaged copy of the model whose width is remembered, as if it had loaded before it was damaged: the worker is the one that fails.
    const dir = tempDir();
    const folder = path.join(dir, DEFAULT_MODEL);
    cpSync(path.join(MODEL_DIR, DEFAULT_MODEL), folder, { recursive: true, dereference: true });
    rmSync(path.join(folder, 'onnx'), { recursive: true, force: true });
    writeFileSync(path.join(folder, 'tokenizer.json'), '{');
    writeFileSync(path.join(dir, `.${DEFAULT_MODEL}.dims.json`), JSON.stringify({ hash: await cachedModelHash(folder), dimensions: 512 }));
    const worker = await createWorkerEmbedder({ modelId: DEFAULT_MODEL, modelDir: dir });
    expect(worker.dimensions).toBe(512);
    const failed = worker.embed(texts);
    await expect(failed).rejects.toBeInstanceOf(UserError);
    await expect(failed).rejects.toThrow(/could not be loaded .* npm run build-model -- --force\./);
  });
});
