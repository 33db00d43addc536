export * from './datetime.js';
export * from './discover.js';
export * from './records.js';
