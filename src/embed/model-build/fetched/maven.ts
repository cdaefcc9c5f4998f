/**
 * Brings one JAR from Maven Central with Maven's own client (`mvn dependency:copy`), which keeps it
 * in the local repository (~/.m2): a second build reads it from there with no network and no mvn.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../../../errors.js';
import type { MavenSource } from './catalog.js';
import { runClient } from './client.js';

export const coordinates = ({ group, artifact, version }: MavenSource): string => `${group}:${artifact}:${version}`;

/** Where Maven keeps the JAR once fetched: `$M2_REPO` or `~/.m2/repository` (Maven's default). */
export function cachedJarPath(source: MavenSource, env: NodeJS.ProcessEnv = process.env): string {
  const repository = env.M2_REPO ?? path.join(os.homedir(), '.m2', 'repository');
  return path.join(repository, ...source.group.split('.'), source.artifact, source.version, `${source.artifact}-${source.version}.jar`);
}

/** Generous: Maven fetches its dependency plugin on first use, then the JAR (16-133 MB). */
const MVN_TIMEOUT_MS = 15 * 60 * 1000;

/** The JAR's bytes, and whether it was already in the local repository. */
export async function fetchJar(source: MavenSource, log: (message: string) => void): Promise<{ jar: Uint8Array; cached: boolean }> {
  const cached = cachedJarPath(source);
  if (existsSync(cached)) return { jar: await readFile(cached), cached: true };
  log(`fetching ${coordinates(source)} from Maven Central with mvn…`);
  const outDir = await mkdtemp(path.join(os.tmpdir(), 'verbatim-mvn-'));
  try {
    const repository = process.env.M2_REPO ? [`-Dmaven.repo.local=${process.env.M2_REPO}`] : [];
    await runMvn(['-B', '-q', ...repository, 'dependency:copy', `-Dartifact=${coordinates(source)}`, `-DoutputDirectory=${outDir}`], outDir);
    return { jar: await readFile(path.join(outDir, `${source.artifact}-${source.version}.jar`)), cached: false };
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

async function runMvn(args: string[], cwd: string): Promise<void> {
  // cwd is an empty folder: dependency:copy needs no project, and must not pick up one around it.
  const run = await runClient('mvn', args, cwd, MVN_TIMEOUT_MS);
  if (run.kind === 'ok') return;
  if (run.kind === 'missing') {
    throw new UserError('Maven (mvn) is not installed, and the model comes from a Maven Central package: install Maven and Java 17 (e.g. apt-get install maven openjdk-17-jre-headless), then run this again.');
  }
  const reason = run.stdout.split('\n').find((line) => line.includes('[ERROR]'))?.replace(/.*\[ERROR\]\s*/, '').slice(0, 300) ?? run.message;
  throw new UserError(`Maven could not fetch the model's package (${reason}): check that this machine reaches Maven Central, then run this again.`);
}
