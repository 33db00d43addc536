/**
 * `node:crypto` for the browser bundle. Only `state:` selection hashes (macro checksums), and
 * `state:` compares with an earlier manifest the docs site does not have.
 */
export function createHash(): never {
  throw new Error("state: selectors compare with an earlier run's manifest and are not available in the docs site");
}

export default { createHash };
