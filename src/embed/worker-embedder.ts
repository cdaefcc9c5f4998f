import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { UserError } from '../errors.js';
import { PROJECT_ROOT, RUNNING_COMPILED, compiledPath } from '../shared/runtime.js';
import { knownIdentity, type Embedder, type EmbedderOptions } from './embedder.js';

/** A request to the embedding worker (src/embed/embed-worker.ts). */
export interface EmbedRequest {
  id: number;
  texts: readonly string[];
  kind: 'query' | 'passage' | undefined;
}

/** Its reply: the vectors, or the error's message (and whether it was meant for the user). */
export type EmbedReply = { id: number; vectors: Float32Array[] } | { id: number; error: string; userError: boolean };

/** What the worker says once, when its model is loaded (or could not be): what a caller without a cached identity waits for. */
export type WorkerLoaded = { loaded: Omit<Embedder, 'embed'> } | { loadError: string; userError: boolean };

/**
 * `createLazyEmbedder`'s embedder whose model starts loading at once, on a worker thread: a command that
 * will embed a few paragraphs (adding a story) reads and checks its index on the main thread
 * meanwhile, instead of loading the model (~1 s with transformers.js and ONNX Runtime) after it.
 * The vectors are the same: the same files and runtime make them. When the model's identity is
 * not cached yet, this waits for the worker to load the model and say it. The worker does not
 * keep the process alive while nothing waits for it, and is never stopped while it loads: a
 * worker stopped in the middle of loading ONNX Runtime aborts the process, and one stopped after
 * it leaves the addon unloadable on any other thread ("Module did not self-register").
 */
export async function createWorkerEmbedder(options: EmbedderOptions, settings: { quiet?: boolean } = {}): Promise<Embedder> {
  // Started before anything is awaited, so that a caller that does not await this yet has the model loading already.
  const worker = startWorker(options, settings.quiet ?? true);
  const pending = new Map<number, { resolve: (vectors: Float32Array[]) => void; reject: (error: Error) => void }>();
  let failure: Error | undefined;
  let nextId = 0;
  let awaitingLoad = false;
  const settle = () => (pending.size > 0 || awaitingLoad ? worker.ref() : worker.unref());
  let announceLoad: (message: WorkerLoaded) => void = () => {};
  const loadAnnounced = new Promise<WorkerLoaded>((resolve) => (announceLoad = resolve));
  worker.on('message', (reply: EmbedReply | WorkerLoaded) => {
    if ('loaded' in reply || 'loadError' in reply) return announceLoad(reply);
    const request = pending.get(reply.id);
    if (!request) return;
    pending.delete(reply.id);
    settle();
    if ('vectors' in reply) request.resolve(reply.vectors);
    else request.reject(reply.userError ? new UserError(reply.error) : new Error(reply.error));
  });
  const stopped = (error: Error) => {
    failure = error;
    for (const request of pending.values()) request.reject(error);
    pending.clear();
    announceLoad({ loadError: error.message, userError: false });
  };
  worker.on('error', stopped);
  worker.on('exit', (code) => stopped(new Error(`The embedding worker stopped (exit code ${code}).`)));
  settle();

  let identity = await knownIdentity(options);
  if (!identity) {
    awaitingLoad = true;
    settle();
    const announced = await loadAnnounced;
    awaitingLoad = false;
    settle();
    if ('loadError' in announced) throw announced.userError ? new UserError(announced.loadError) : new Error(announced.loadError);
    identity = announced.loaded;
  }

  return {
    ...identity,
    embed: (texts, kind) => {
      if (texts.length === 0) return Promise.resolve([]);
      if (failure) return Promise.reject(failure);
      const id = nextId++;
      return new Promise<Float32Array[]>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        settle();
        const request: EmbedRequest = { id, texts, kind };
        worker.postMessage(request);
      });
    },
  };
}

const WORKER_SOURCE = 'src/embed/embed-worker.ts';

function startWorker(options: EmbedderOptions, quiet: boolean): Worker {
  const workerData = { options, quiet };
  // Compiled, the worker is its own bundled entry (this code sits in a shared chunk elsewhere in
  // dist/); under tsx or vitest it is the TypeScript source, which tsx's loader runs.
  if (RUNNING_COMPILED) return new Worker(compiledPath(WORKER_SOURCE), { workerData });
  const source = pathToFileURL(path.join(PROJECT_ROOT, WORKER_SOURCE)).href;
  return new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(source)}); });`, { eval: true, workerData });
}
