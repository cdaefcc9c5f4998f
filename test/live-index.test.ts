// The bot's index when CURRENT is switched to a generation that is not there (a build that died
// between switching and writing, a copy made in the wrong order): the bot keeps answering from
// the index it has, and loads the new one once its folder is there, without a restart.
import { cpSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadCoreConfig, type CoreConfig } from '../src/config.js';
import { openLiveIndex, type LiveIndex, type ReloadEvent } from '../src/discord/live-index.js';
import { CURRENT_FILE, currentGeneration } from '../src/index/index.js';
import { createLogger } from '../src/log.js';
import { buildIndexFromCorpus } from '../src/pipeline.js';
import { copyFixtureCorpus, tempDir, writeStory } from './helpers/corpus.js';
import { fakeEmbedder } from './helpers/fake-embedder.js';

const embedder = fakeEmbedder();
let live: LiveIndex | undefined;
afterEach(() => {
  live?.close();
  live = undefined;
});

/** Points CURRENT at `name` the way a build does: a write, then a rename over it. */
function pointAt(indexDir: string, name: string): void {
  const pointer = path.join(indexDir, CURRENT_FILE);
  writeFileSync(`${pointer}.tmp`, `${name}\n`);
  renameSync(`${pointer}.tmp`, pointer);
}

async function setup(): Promise<{ config: CoreConfig; newGeneration: string; scratch: string }> {
  const config = { ...loadCoreConfig({}, tempDir()), corpusDir: copyFixtureCorpus(), indexDir: path.join(tempDir(), 'index') };
  await buildIndexFromCorpus(config, embedder);
  // The next generation, built beside the live folder (so the bot does not see it yet).
  const scratch = path.join(tempDir(), 'index');
  cpSync(config.indexDir, scratch, { recursive: true });
  writeStory(config.corpusDir, 'aquarium', ['The new aquarium will open on Pier 9 next spring.'], { title: 'City picks Pier 9' });
  await buildIndexFromCorpus({ ...config, indexDir: scratch }, embedder);
  const newGeneration = path.basename(currentGeneration(scratch)!);
  expect(path.basename(currentGeneration(config.indexDir)!)).not.toBe(newGeneration);
  return { config, newGeneration, scratch };
}

describe('CURRENT switched to a generation that is not there', () => {
  it.each([
    ['polling only (file-system events missed)', 60_000 * 60, 'poll'],
    ['file-system events', 60_000 * 60, 'watch'],
  ] as const)('keeps answering from the old index, then loads the new one once its folder appears (%s)', async (_how, pollMs, mode) => {
    const { config, newGeneration, scratch } = await setup();
    const logs: Array<Record<string, unknown>> = [];
    const logger = createLogger('info', { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
    live = await openLiveIndex(config, { logger, embedder, pollMs });
    const old = live.current();
    const events: ReloadEvent[] = [];
    live.onReload((event) => events.push(event));

    pointAt(config.indexDir, newGeneration);
    await live.checkNow(); // what the watcher or the next poll does
    expect(events).toEqual([expect.objectContaining({ ok: false, dir: path.join(config.indexDir, newGeneration) })]);
    expect(live.current()).toBe(old);
    expect(live.current().retriever.stories.map((story) => story.id)).not.toContain('aquarium');
    await live.checkNow(); // tried again while it is still missing: still the old one, no second load attempt logged
    expect(live.current()).toBe(old);
    expect(logs.filter((line) => String(line['msg']).startsWith('index reload failed'))).toHaveLength(1);

    // The folder arrives (copied beside, renamed into place, as a build writes it).
    cpSync(path.join(scratch, newGeneration), path.join(config.indexDir, `${newGeneration}.part`), { recursive: true });
    renameSync(path.join(config.indexDir, `${newGeneration}.part`), path.join(config.indexDir, newGeneration));
    if (mode === 'poll') await live.checkNow();
    // The reload event comes after the swap (and the drift check): wait for it.
    await vi.waitFor(() => expect(events.at(-1)).toMatchObject({ ok: true, dir: path.join(config.indexDir, newGeneration) }), { timeout: 10_000, interval: 20 });
    expect(live.current().index.dir).toBe(path.join(config.indexDir, newGeneration));
    expect(live.current().retriever.stories.map((story) => story.id)).toContain('aquarium');
    expect(readFileSync(path.join(config.indexDir, CURRENT_FILE), 'utf8').trim()).toBe(newGeneration);
  });

  it('a damaged generation that stays as it is is not loaded again on every check', async () => {
    const { config, newGeneration } = await setup();
    const logger = createLogger('silent');
    live = await openLiveIndex(config, { logger, embedder, pollMs: 60_000 });
    const events: ReloadEvent[] = [];
    live.onReload((event) => events.push(event));
    // A folder with nothing loadable in it.
    cpSync(path.join(config.indexDir, path.basename(currentGeneration(config.indexDir)!)), path.join(config.indexDir, newGeneration), { recursive: true });
    writeFileSync(path.join(config.indexDir, newGeneration, 'manifest.json'), '{ not json');
    pointAt(config.indexDir, newGeneration);
    await live.checkNow();
    await live.checkNow();
    await live.checkNow();
    expect(events.filter((event) => !event.ok)).toHaveLength(1);
  });
});
