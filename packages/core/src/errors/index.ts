export * from './TformError.js';
export { closest, didYouMean } from './hint.js';
