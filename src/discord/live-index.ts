// The index the bot answers from, swapped for a new one when `npm run build-index` (any process)
// points index/CURRENT at a new generation. Each answer takes one snapshot and finishes with it,
// so a swap never breaks an answer in flight; the loaded index lives in memory, and builds keep
// the previous generation on disk one build back anyway.
import { readdirSync, statSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { CoreConfig } from '../config.js';
import type { Embedder } from '../embed/index.js';
import { describeError } from '../errors.js';
import { CURRENT_FILE, currentGeneration, driftSentence, indexDrift, type IndexDrift, type LoadedIndex } from '../index/index.js';
import type { Logger } from '../log.js';
import { createRetriever, openIndex, openRetriever } from '../retrieval.js';
import { Retriever } from '../search/index.js';

/** How often CURRENT is re-read in case file-system events are missed (network mounts, Docker). */
export const DEFAULT_POLL_MS = 5000;

export interface IndexSnapshot {
  retriever: Retriever;
  /** The index as loaded (its generation folder and manifest): a reload shares its base graph when the new generation links the same file. */
  index: LoadedIndex;
}

export type ReloadEvent = { ok: true; dir: string } | { ok: false; dir: string; error: unknown };

export interface LiveIndex {
  /** The model questions are embedded with (and new stories, by the news desk). */
  readonly embedder: Embedder;
  /** The index to answer the next question from. */
  current(): IndexSnapshot;
  /** How the corpus folder differs from the files the current index was built from (a readdir and a stat per file); undefined when in step. */
  behind(): Promise<IndexDrift | undefined>;
  /** Re-reads CURRENT and loads a new generation if there is one (the watcher calls this). */
  checkNow(): Promise<void>;
  /** Called after every reload attempt; returns a function that stops listening. */
  onReload(listener: (event: ReloadEvent) => void): () => void;
  /** Stops watching. */
  close(): void;
}

export interface LiveIndexOptions {
  logger: Logger;
  /** Defaults to the configured model; tests pass a fake. */
  embedder?: Embedder;
  /** Build the index from the corpus when there is none yet. */
  buildIfMissing?: boolean;
  pollMs?: number;
  /** Called once the first load has started reading the graph on another thread (see `openRetriever`). */
  whileGraphLoads?: () => void;
}

/** Loads the index once (building it first if asked) and keeps it current. */
export async function openLiveIndex(config: CoreConfig, options: LiveIndexOptions): Promise<LiveIndex> {
  const { logger } = options;
  const opened = await openRetriever(config, {
    embedder: options.embedder,
    buildIfMissing: options.buildIfMissing,
    reporter: { info: (text) => logger.info(text) },
    whileGraphLoads: options.whileGraphLoads,
  });
  const embedder = opened.embedder;
  let snapshot: IndexSnapshot = { retriever: opened.retriever, index: opened.index };
  logger.info({ generation: snapshot.index.dir, stories: snapshot.retriever.stories.length, builtAt: snapshot.index.manifest.builtAt }, 'index loaded');

  const behind = () => indexDrift(config.corpusDir, snapshot.index.manifest);
  /** Logs a warning when the index just loaded is behind the corpus folder; never throws. */
  async function warnIfBehind(): Promise<void> {
    try {
      const drift = await behind();
      if (drift) logger.warn({ notIndexed: drift.added, gone: drift.removed, changed: drift.changed }, driftSentence(drift));
    } catch (error) {
      logger.warn({ reason: describeError(error) }, 'cannot compare the index with the corpus folder');
    }
  }
  await warnIfBehind();

  const listeners = new Set<(event: ReloadEvent) => void>();
  // A generation that failed to load is tried again once its folder changes (it appears, a file
  // in it is written: CURRENT switched before the generation was all there) or CURRENT names
  // another; a damaged one that stays as it is is not reloaded every poll.
  let failed: { dir: string; state: string } | undefined;

  async function reloadIfChanged(): Promise<void> {
    let named: string | undefined;
    try {
      named = currentGeneration(config.indexDir);
    } catch (error) {
      logger.warn({ reason: describeError(error) }, 'cannot read the index pointer; will try again');
      return;
    }
    if (!named || named === snapshot.index.dir) return;
    if (failed && failed.dir === named && failed.state === folderState(named)) return;
    let event: ReloadEvent;
    try {
      const index = await openIndex(config, embedder, { previous: snapshot.index });
      if (index.dir === snapshot.index.dir) return;
      // One assignment: answers already running keep the snapshot they took.
      snapshot = { retriever: createRetriever(index, embedder, opened.reranker), index };
      failed = undefined;
      logger.info({ generation: index.dir, stories: index.stories.length, builtAt: index.manifest.builtAt }, 'index reloaded');
      event = { ok: true, dir: index.dir };
      await warnIfBehind();
    } catch (error) {
      failed = { dir: named, state: folderState(named) };
      logger.error({ generation: named, reason: describeError(error) }, 'index reload failed; still answering from the previous index; will try again when it changes');
      event = { ok: false, dir: named, error };
    }
    for (const listener of listeners) listener(event);
  }

  // Checks run one at a time; a request during a check runs once more after it.
  let running: Promise<void> | undefined;
  let again = false;
  function checkNow(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await reloadIfChanged();
      } while (again);
    })().finally(() => {
      running = undefined;
    });
    return running;
  }

  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(config.indexDir, (_event, file) => {
      // CURRENT, or the generation that failed to load appearing or being renamed into place.
      if (!file || file === CURRENT_FILE || (failed && file === path.basename(failed.dir))) void checkNow();
    });
    watcher.on('error', (error) => {
      logger.warn({ reason: describeError(error) }, 'index watcher stopped; polling only');
      watcher?.close();
    });
    watcher.unref();
  } catch (error) {
    logger.warn({ reason: describeError(error) }, 'cannot watch the index folder; polling only');
  }
  const poll = setInterval(() => void checkNow(), options.pollMs ?? DEFAULT_POLL_MS);
  poll.unref();

  return {
    embedder,
    current: () => snapshot,
    behind,
    checkNow,
    onReload(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      clearInterval(poll);
      watcher?.close();
    },
  };
}

/** A generation folder's files with their sizes and times ('missing' when there is none): what tells that it changed. */
function folderState(dir: string): string {
  try {
    return readdirSync(dir)
      .sort()
      .map((name) => {
        const info = statSync(path.join(dir, name));
        return `${name}:${info.size}:${info.mtimeMs}`;
      })
      .join('|');
  } catch {
    return 'missing';
  }
}
