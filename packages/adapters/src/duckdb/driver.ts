/**
 * The DuckDB driver (@duckdb/node-api, with its native library), loaded on the first connection:
 * commands that never connect (compile, ls, docs) do not pay for it.
 */
type Driver = typeof import('@duckdb/node-api');
let driver: Driver | undefined;

export async function loadDriver(): Promise<Driver> {
  return (driver ??= await import('@duckdb/node-api'));
}

/** The driver, once a connection has loaded it (results only exist after one). */
export function loadedDriver(): Driver {
  if (!driver) throw new Error('internal: the DuckDB driver is used before a connection loaded it');
  return driver;
}
