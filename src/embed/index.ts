export * from './embedder.js';
export * from './prefixes.js';
