// README.md's code blocks, so that the tests run the command lines the README shows and compare
// with the output it shows: if a line changes, the test that runs it changes with it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from './corpus.js';

export interface ReadmeBlock {
  /** The heading it is under, e.g. "## Asking from the terminal" or "### 4. Start". */
  section: string;
  /** The fence's language: sh, json, ini, markdown, or '' for shown output. */
  lang: string;
  /** Its non-empty lines, trimmed (a block inside a list item is indented). */
  lines: string[];
  /** Its text as written, blank lines included. */
  text: string;
}

export interface ReadmeCommand {
  section: string;
  /** The line as written (comments included: bash ignores them). */
  line: string;
}

export function readmeBlocks(readme = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8')): ReadmeBlock[] {
  const blocks: ReadmeBlock[] = [];
  let section = '';
  let open: ReadmeBlock | undefined;
  for (const raw of readme.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('```')) {
      if (open) blocks.push(open);
      open = open ? undefined : { section, lang: line.slice(3).trim(), lines: [], text: '' };
    } else if (open) {
      open.text += `${raw}\n`;
      if (line !== '') open.lines.push(line);
    } else if (/^#{1,6} /.test(raw)) section = line;
  }
  return blocks;
}

/** Every line of every ```sh block, in order. */
export function readmeCommands(): ReadmeCommand[] {
  return readmeBlocks()
    .filter((block) => block.lang === 'sh')
    .flatMap((block) => block.lines.map((line) => ({ section: block.section, line })));
}

/** The lines of one section's sh blocks. */
export function commandsUnder(section: string): string[] {
  const lines = readmeCommands()
    .filter((command) => command.section === section)
    .map((command) => command.line);
  if (lines.length === 0) throw new Error(`README.md has no sh block under "${section}"`);
  return lines;
}

/** The output the README shows in a section (its first block without a language). */
export function outputShownUnder(section: string): string[] {
  const block = readmeBlocks().find((candidate) => candidate.section === section && candidate.lang === '');
  if (!block) throw new Error(`README.md shows no output under "${section}"`);
  return block.lines;
}

/** The text of the section's first block in `lang` (e.g. the story written by hand). */
export function blockUnder(section: string, lang: string): string {
  const block = readmeBlocks().find((candidate) => candidate.section === section && candidate.lang === lang);
  if (!block) throw new Error(`README.md has no ${lang} block under "${section}"`);
  return block.text;
}

/**
 * Whether an output line is what the README shows: the same, or, where the README elides the end
 * with "…", the same start.
 */
export function asShown(actual: string, shown: string): boolean {
  return shown.endsWith(' …') ? actual.startsWith(shown.slice(0, -2)) : actual === shown;
}
