export * from './vector-store.js';
export * from './manifest.js';
export * from './load.js';
// The build's files (build, append, remove, update-in-place, generation, …) export helpers to each
// other; what the rest of the project uses of them, and of centroids.ts, is listed here.
export { buildIndex, upToDate } from './build.js';
export type { BuildOptions, BuildReport } from './build-options.js';
export type { DerivationInput, DerivedFile, DerivedFileMaker, ExtensionInput, RemovalInput } from './derived-files.js';
export { appendStories, type AppendOptions } from './append.js';
export { removeStories } from './remove.js';
export { storyChanges } from './changes.js';
export { EMBED_CHUNK, appendEmbedCalls, embeddingChunks } from './embedding.js';
export { CENTROIDS_FILE, centroidFileContent, readCentroids, storyCentroids } from './centroids.js';
export * from './checkpoint.js';
export * from './paragraphs-file.js';
export * from './drift.js';
