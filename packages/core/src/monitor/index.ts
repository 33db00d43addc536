export * from './expectEvery.js';
export * from './judge.js';
export * from './monitor.js';
