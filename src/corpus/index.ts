export * from './story.js';
export * from './load.js';
export * from './write.js';
