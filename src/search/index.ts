export * from './retriever.js';
export * from './question.js';
export * from './sentences.js';
export * from './refusal.js';
export * from './fusion.js';
export * from './evaluation.js';
export * from './claim.js';
export * from './prepared.js';
