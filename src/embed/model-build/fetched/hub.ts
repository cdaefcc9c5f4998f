/**
 * The hub download transformers.js itself does (and caches under MODEL_DIR/.hub-cache), tried first,
 * bounded in time: a machine without a route to the hub fails in milliseconds (no DNS), but one whose
 * traffic is silently dropped would wait for TCP's timeouts.
 */
import path from 'node:path';

export interface HubFiles {
  config: Uint8Array;
  tokenizer: Uint8Array;
  tokenizerConfig: Uint8Array;
  onnx: Uint8Array;
}

export const HUB_TIMEOUT_MS = 20_000;

/** The four files from the hub, or the reason they could not be fetched (a short phrase). */
export async function fetchFromHub(repo: string, onnxFile: string, modelRoot: string, timeoutMs = HUB_TIMEOUT_MS): Promise<HubFiles | { failure: string }> {
  // Loaded before the clock starts: loading the library is not the hub's time.
  const [{ env }, { getModelFile }] = await Promise.all([import('@xenova/transformers'), import('@xenova/transformers/src/utils/hub.js')]);
  // transformers.js takes no abort signal: its requests get one through fetch, so that giving up
  // also closes them (a stalled request would otherwise keep the process alive for minutes), and a
  // request it starts after that fails at once instead of reaching the network.
  const controller = new AbortController();
  const originalFetch = globalThis.fetch;
  globalThis.fetch = (input, init) => (controller.signal.aborted ? Promise.reject(new Error('gave up on the hub')) : originalFetch(input, { ...init, signal: controller.signal }));
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<{ failure: string }>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve({ failure: `no answer within ${timeoutMs / 1000} s` });
    }, timeoutMs);
    timer.unref();
  });
  // transformers.js's settings are the process's: put back what others set once its requests are over.
  const saved = { allowRemoteModels: env.allowRemoteModels, allowLocalModels: env.allowLocalModels, cacheDir: env.cacheDir };
  Object.assign(env, { allowRemoteModels: true, allowLocalModels: false, cacheDir: path.join(modelRoot, '.hub-cache') });
  const fetching = (async (): Promise<HubFiles | { failure: string }> => {
    try {
      const file = (name: string) => getModelFile(repo, name, true);
      const [config, tokenizer, tokenizerConfig, onnx] = await Promise.all([file('config.json'), file('tokenizer.json'), file('tokenizer_config.json'), file(onnxFile)]);
      return { config, tokenizer, tokenizerConfig, onnx };
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      return { failure: cause ?? (error instanceof Error ? error.message.split('\n', 1)[0]! : String(error)) };
    } finally {
      Object.assign(env, saved);
      globalThis.fetch = originalFetch;
    }
  })();
  try {
    return await Promise.race([fetching, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
