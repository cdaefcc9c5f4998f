export * from './vector-store.js';
export * from './manifest.js';
export * from './load.js';
export * from './build.js';
