import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { PROJECT_ROOT, RUNNING_COMPILED, compiledPath } from '../entry/runtime.js';
import { UserError } from '../errors.js';
import { createEmbedder, knownIdentity, type Embedder, type EmbedderOptions } from './embedder.js';

/** A request to the embedding worker (src/embed/embed-worker.ts). */
export interface EmbedRequest {
  id: number;
  texts: readonly string[];
  kind: 'query' | 'passage' | undefined;
}

/** Its reply: the vectors, or the error's message (and whether it was meant for the user). */
export type EmbedReply = { id: number; vectors: Float32Array[] } | { id: number; error: string; userError: boolean };

/**
 * `createLazyEmbedder`'s embedder whose model starts loading at once, on a worker thread: a command that
 * will embed a few paragraphs (adding a story) reads and checks its index on the main thread
 * meanwhile, instead of loading the model (~1 s with transformers.js and ONNX Runtime) after it.
 * The vectors are the same: the same files and runtime make them. When the model's identity is
 * not cached yet, the model loads on this thread at once, as `createLazyEmbedder` does. The worker does
 * not keep the process alive while nothing waits for it.
 */
export async function createWorkerEmbedder(options: EmbedderOptions, settings: { quiet?: boolean } = {}): Promise<Embedder> {
  // The identity first (a few file reads), and no worker when it is not cached: a worker stopped
  // after loading ONNX Runtime leaves its native addon unloadable on this thread ("Module did not
  // self-register"), and one stopped in the middle of loading it aborts the process.
  const identity = await knownIdentity(options);
  if (!identity) return createEmbedder(options);
  const worker = startWorker(options, settings.quiet ?? true);
  const pending = new Map<number, { resolve: (vectors: Float32Array[]) => void; reject: (error: Error) => void }>();
  let failure: Error | undefined;
  let nextId = 0;
  const settle = () => (pending.size > 0 ? worker.ref() : worker.unref());
  worker.on('message', (reply: EmbedReply) => {
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
  };
  worker.on('error', stopped);
  worker.on('exit', (code) => stopped(new Error(`The embedding worker stopped (exit code ${code}).`)));
  settle();

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
