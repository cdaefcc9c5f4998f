import { FRONT_MATTER, frontMatterSchema, splitParagraphs } from '../corpus/index.js';
import { UserError } from '../errors.js';
import { parseYaml } from '../corpus/yaml.js';
import { withOverrides, type Attribution, type AttributionOverrides } from './attribute.js';
import type { ImportedArticle } from './page.js';
import { normaliseText } from './text.js';

/**
 * A .txt or .md story: paragraphs at blank lines. Front matter, if any, gives the attribution;
 * otherwise a short first line that is not a sentence is taken as the headline.
 */
export function importText(text: string, options: { source: string; overrides?: AttributionOverrides }): ImportedArticle {
  const front = FRONT_MATTER.exec(text);
  let attribution: Attribution = { authors: [] };
  if (front) {
    let raw: unknown;
    try {
      raw = parseYaml(front[1] ?? '');
    } catch {
      throw new UserError(`${options.source} has front matter that is not valid YAML: fix it or remove it and pass --title, --outlet, --author, --published and --url.`);
    }
    const fields = frontMatterSchema.partial().safeParse(raw ?? {});
    if (fields.success) attribution = { ...fields.data, authors: fields.data.authors ?? [] };
    text = text.slice(front[0].length);
  }
  let paragraphs = splitParagraphs(text).map(normaliseText).filter(Boolean);
  const first = paragraphs[0];
  // A short first line that is not a sentence is the file's headline, not a paragraph to quote.
  if (!front && first && first.length <= 160 && !/[.!?…]["”’']?$/.test(first) && paragraphs.length > 1) {
    attribution.title = first.replace(/^#+\s*/, '');
    paragraphs = paragraphs.slice(1);
  }
  if (paragraphs.length === 0) throw new UserError(`${options.source} holds no paragraphs.`);
  return { attribution: withOverrides(attribution, options.overrides), paragraphs };
}
