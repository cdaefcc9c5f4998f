// ensureModel: the entry points' first-use build of the built-in model (the builders are loaded only then).
import { describe, expect, it } from 'vitest';
import { loadCoreConfig } from '../src/config.js';
import { isLocalModel } from '../src/embed/index.js';
import { ensureModel } from '../src/entry/model.js';
import { tempDir } from './helpers/corpus.js';

describe('ensureModel', () => {
  it('builds a missing built-in model once, and leaves a built one alone', async () => {
    const config = { ...loadCoreConfig({ EMBED_MODEL: 'use-lite' }), modelDir: tempDir() };
    const said: string[] = [];
    await ensureModel(config, { info: (message) => said.push(message) });
    expect(isLocalModel(config.modelDir, 'use-lite')).toBe(true);
    expect(said[0]).toBe(`The model use-lite is not built yet: building it in ${config.modelDir} (once).`);
    const before = said.length;
    await ensureModel(config, { info: (message) => said.push(message) });
    expect(said).toHaveLength(before);
  });
});
