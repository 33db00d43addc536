export * from './TformError.js';
export { closest } from './hint.js';
