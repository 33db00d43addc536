export * from './errors/index.js';
export * from './log/index.js';
export * from './clock.js';
export * from './adapter/index.js';
