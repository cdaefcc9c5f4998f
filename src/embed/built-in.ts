// Names of the models this project builds itself, kept apart from the modules that load models:
// checking a name must not load transformers.js.

/** Cross-encoders that ship as project build output (build-model), never fetched from a hub. */
export const BUILT_IN_RERANKERS = new Set(['tiny-reranker', 'minilm-l6-reranker']);
