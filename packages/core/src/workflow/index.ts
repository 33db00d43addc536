export * from './options.js';
export * from './open.js';
export * from './commands.js';
export * from './show.js';
export * from './retry.js';
export * from './state.js';
export * from './tests.js';
export * from './load.js';
