export * from './types.js';
export * from './dialect.js';
export * from './transaction.js';
export * from './lockTracking.js';
