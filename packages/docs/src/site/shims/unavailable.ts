/**
 * `node:fs` and `node:module` for the browser bundle: the selector code only reads files for
 * `--state` and selectors.yml, which the docs site does not offer.
 */
function unavailable(): never {
  throw new Error('reading files is not available in the docs site');
}

export const readFileSync = unavailable;
export const existsSync = unavailable;
export const statSync = unavailable;
export const createRequire = unavailable;

export default { readFileSync, existsSync, statSync, createRequire };
