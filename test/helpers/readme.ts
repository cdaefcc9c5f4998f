// README.md's command lines, so that the tests run what the README says: if a line changes, the
// test that runs it changes with it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from './corpus.js';

export interface ReadmeCommand {
  /** The heading it is under, e.g. "## Asking from the terminal" or "### 4. Start". */
  section: string;
  /** The line as written (comments included: bash ignores them). */
  line: string;
}

/** Every non-empty line of every ```sh block, in order. */
export function readmeCommands(readme = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8')): ReadmeCommand[] {
  const commands: ReadmeCommand[] = [];
  let section = '';
  let inShell = false;
  let inOther = false;
  for (const raw of readme.split('\n')) {
    const line = raw.trim();
    if (!inShell && !inOther && /^#{1,6} /.test(raw)) section = raw.trim();
    else if (line.startsWith('```')) {
      if (inShell || inOther) inShell = inOther = false;
      else if (line === '```sh') inShell = true;
      else inOther = true;
    } else if (inShell && line !== '') commands.push({ section, line });
  }
  return commands;
}

/** The lines of one section's sh blocks. */
export function commandsUnder(section: string, commands = readmeCommands()): string[] {
  const lines = commands.filter((command) => command.section === section).map((command) => command.line);
  if (lines.length === 0) throw new Error(`README.md has no sh block under "${section}"`);
  return lines;
}
