export * from './config.js';
export * from './message.js';
export * from './deliver.js';
export * from './send.js';
