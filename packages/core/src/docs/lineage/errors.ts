/**
 * Why lineage could not be traced. Thrown inside the lineage code and turned into
 * `{ ok: false, reason }` by columnLineage; never escapes it.
 */
export class LineageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LineageError';
  }
}

/** Throw a LineageError. */
export function fail(message: string): never {
  throw new LineageError(message);
}
