export * from './story.js';
export * from './load.js';
