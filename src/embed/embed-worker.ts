// The worker thread behind `createWorkerEmbedder`: loads the model (`createEmbedder`) and embeds
// what the main thread sends, so a command can read its index while the model loads.
import { parentPort, workerData } from 'node:worker_threads';
import { UserError } from '../errors.js';
import { createEmbedder, type Embedder, type EmbedderOptions } from './embedder.js';
import type { EmbedReply, EmbedRequest, WorkerLoaded } from './worker-embedder.js';

const port = parentPort;
if (!port) throw new Error('embed-worker.ts runs as a worker thread (see createWorkerEmbedder).');

const { options, quiet } = workerData as { options: EmbedderOptions; quiet: boolean };
// transformers.js prints a model it cannot load (see `withoutConsoleNoise`); the error goes back as one sentence.
if (quiet) console.error = console.warn = () => {};
const loading: Promise<Embedder> = createEmbedder(options);
// Said once, for a caller that has no cached identity of the model and waits for this one.
loading.then(
  ({ embed: _embed, ...identity }) => port.postMessage({ loaded: identity } satisfies WorkerLoaded),
  (error: unknown) => port.postMessage({ loadError: error instanceof Error ? error.message : String(error), userError: error instanceof UserError } satisfies WorkerLoaded),
);

port.on('message', async ({ id, texts, kind }: EmbedRequest) => {
  let reply: EmbedReply;
  try {
    const vectors = await (await loading).embed(texts, kind);
    reply = { id, vectors };
    port.postMessage(reply, vectors.map((vector) => vector.buffer as ArrayBuffer));
  } catch (error) {
    reply = { id, error: error instanceof Error ? error.message : String(error), userError: error instanceof UserError };
    port.postMessage(reply);
  }
});
