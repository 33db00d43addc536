export * from './types.js';
export * from './dialect.js';
