/**
 * A BERT WordPiece tokenizer in Hugging Face `tokenizer.json` form, as transformers.js loads it
 * with AutoTokenizer: lower-casing BERT normaliser, BERT pre-tokeniser (splits on spaces and
 * punctuation), WordPiece model, and the post-processor that frames a pair as
 * `[CLS] question [SEP] passage [SEP]` with token types 0 then 1 (what a cross-encoder reads).
 *
 * The vocabulary is laid out like bert-base-uncased's (ids 0 [PAD], 100 [UNK], 101 [CLS], 102 [SEP],
 * 103 [MASK]), then punctuation, single characters and their `##` continuations, then whole words, so every
 * word tokenises to something (an unknown word becomes characters, as real BERT vocabularies split
 * rare words), then `[unused…]` fillers up to `size`.
 */

export const PAD_TOKEN = '[PAD]';
export const UNKNOWN_TOKEN = '[UNK]';
export const CLS_TOKEN = '[CLS]';
export const SEP_TOKEN = '[SEP]';
export const MASK_TOKEN = '[MASK]';
const SPECIAL_IDS: ReadonlyArray<[string, number]> = [
  [PAD_TOKEN, 0],
  [UNKNOWN_TOKEN, 100],
  [CLS_TOKEN, 101],
  [SEP_TOKEN, 102],
  [MASK_TOKEN, 103],
];
const FIRST_FREE_ID = 104;
/** Characters every word can fall back to. */
const CHARACTERS = [...'abcdefghijklmnopqrstuvwxyz0123456789'];
/** The BERT pre-tokeniser makes each of these a token of its own. */
const PUNCTUATION = [...'!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'];

/** The vocabulary, token by id: specials, characters, `words` (lower-cased, deduplicated), then fillers up to `size` if given. */
export function wordPieceVocabulary(words: Iterable<string>, size?: number): string[] {
  const vocabulary: string[] = Array.from({ length: FIRST_FREE_ID }, (_, id) => `[unused${id}]`);
  for (const [token, id] of SPECIAL_IDS) vocabulary[id] = token;
  const seen = new Set(vocabulary);
  const add = (token: string) => {
    if (!seen.has(token)) {
      seen.add(token);
      vocabulary.push(token);
    }
  };
  for (const character of [...PUNCTUATION, ...CHARACTERS]) add(character);
  for (const character of CHARACTERS) add(`##${character}`);
  for (const word of [...words].map((word) => word.toLowerCase()).filter((word) => /^[a-z0-9]+$/.test(word)).sort()) add(word);
  if (size === undefined) return vocabulary;
  if (vocabulary.length > size) throw new Error(`a vocabulary of ${size} cannot hold ${vocabulary.length} tokens`);
  for (let filler = FIRST_FREE_ID; vocabulary.length < size; filler++) add(`[unused${filler}]`);
  return vocabulary;
}

const specialToken = (content: string, id: number) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });

/** tokenizer.json for `vocabulary` (from `wordPieceVocabulary`). */
export function buildWordPieceTokenizerJson(vocabulary: readonly string[]): Record<string, unknown> {
  const idOf = (token: string) => {
    const id = vocabulary.indexOf(token);
    if (id < 0) throw new Error(`the vocabulary has no ${token}`);
    return id;
  };
  const cls = idOf(CLS_TOKEN);
  const sep = idOf(SEP_TOKEN);
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_IDS.map(([token, id]) => specialToken(token, id)),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: CLS_TOKEN, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: SEP_TOKEN, type_id: 0 } }],
      pair: [
        { SpecialToken: { id: CLS_TOKEN, type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: SEP_TOKEN, type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: SEP_TOKEN, type_id: 1 } },
      ],
      special_tokens: {
        [CLS_TOKEN]: { id: CLS_TOKEN, ids: [cls], tokens: [CLS_TOKEN] },
        [SEP_TOKEN]: { id: SEP_TOKEN, ids: [sep], tokens: [SEP_TOKEN] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: UNKNOWN_TOKEN,
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocabulary.map((token, id) => [token, id])),
    },
  };
}

/** tokenizer_config.json: the BERT tokenizer class, its special tokens and the longest input. */
export function buildWordPieceTokenizerConfig(modelMaxLength: number): Record<string, unknown> {
  return {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: true,
    model_max_length: modelMaxLength,
    cls_token: CLS_TOKEN,
    sep_token: SEP_TOKEN,
    pad_token: PAD_TOKEN,
    unk_token: UNKNOWN_TOKEN,
    mask_token: MASK_TOKEN,
    clean_up_tokenization_spaces: true,
  };
}
