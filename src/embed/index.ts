export * from './embedder.js';
export * from './prefixes.js';
export { embeddingPooling, type Pooling } from './pooling.js';
