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
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<{ failure: string }>((resolve) => {
    timer = setTimeout(() => resolve({ failure: `no answer within ${timeoutMs / 1000} s` }), timeoutMs);
    timer.unref();
  });
  const fetching = (async (): Promise<HubFiles | { failure: string }> => {
    try {
      const { env } = await import('@xenova/transformers');
      const { getModelFile } = await import('@xenova/transformers/src/utils/hub.js');
      env.allowRemoteModels = true;
      env.allowLocalModels = false;
      env.cacheDir = path.join(modelRoot, '.hub-cache');
      const file = (name: string) => getModelFile(repo, name, true);
      const [config, tokenizer, tokenizerConfig, onnx] = await Promise.all([file('config.json'), file('tokenizer.json'), file('tokenizer_config.json'), file(onnxFile)]);
      return { config, tokenizer, tokenizerConfig, onnx };
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      return { failure: cause ?? (error instanceof Error ? error.message.split('\n', 1)[0]! : String(error)) };
    }
  })();
  try {
    return await Promise.race([fetching, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
