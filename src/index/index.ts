export * from './vector-store.js';
export * from './manifest.js';
export * from './load.js';
export * from './build.js';
export * from './centroids.js';
export * from './checkpoint.js';
export * from './paragraphs-file.js';
export * from './drift.js';
