import { finished } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { FileLoadError, readFileRecords, type FileToLoad } from '@tform/core';
import type { PostgresDialect } from './dialect.js';
import { isServerError } from './errors.js';

/**
 * Loading a raw file into a table on Postgres: the file is read on the client (COPY FROM a file
 * would read the *server's* disk) by core's streaming reader (gunzip, CSV or JSON lines, dates in
 * a declared format rewritten as ISO text), and sent with `COPY … FROM STDIN (format csv)` through
 * pg-copy-streams. Postgres converts the text to the declared types.
 *
 * Records go in batches, one COPY per batch (BATCH_ROWS rows or BATCH_BYTES of CSV text, whichever
 * comes first), so that memory stays bounded and a row the server rejects can be mapped back to
 * the line of the file: the server reports the failing row as `COPY t, line N` of the batch, and
 * the batch keeps the file line of each of its rows.
 */

export const BATCH_ROWS = 10_000;
export const BATCH_BYTES = 4 * 1024 * 1024;

/** One field in COPY's CSV format: NULL is an empty unquoted field, every value is quoted. */
function csvField(v: string | null): string {
  if (v === null) return '';
  return `"${v.includes('"') ? v.replace(/"/g, '""') : v}"`;
}

interface Batch {
  text: string[];
  bytes: number;
  lines: number[];
}

/** Send one batch with its own COPY; returns the rows the server reports. */
async function copyBatch(client: pg.ClientBase, sql: string, batch: Batch): Promise<number> {
  const stream = client.query(copyFrom(sql));
  stream.end(batch.text.join(''));
  await finished(stream);
  return stream.rowCount;
}

/** A server error during COPY as a FileLoadError at the file's line (COPY reports `line N` of the batch). */
function copyError(e: unknown, batch: Batch, file: FileToLoad): Error {
  if (!isServerError(e)) return e instanceof Error ? e : new Error(String(e));
  const where = (e as { where?: string }).where ?? '';
  const m = /\bline (\d+)(?:, column ([^:]+))?/.exec(where);
  const line = m ? batch.lines[Number(m[1]) - 1] : undefined;
  const column = m?.[2]?.trim();
  const msg = column && !e.message.includes(column) ? `column ${column}: ${e.message}` : e.message;
  const known = column !== undefined && file.columns.some((c) => c.name === column);
  return new FileLoadError(msg, { ...(line !== undefined ? { line } : {}), ...(known ? { column } : {}), cause: e });
}

/**
 * Append the rows of `file` to `target` on `client`, which must be inside a transaction (the
 * caller's): a failure leaves rows of earlier batches behind until it rolls back.
 */
export async function copyFileInto(client: pg.ClientBase, dialect: PostgresDialect, target: string, file: FileToLoad): Promise<number> {
  const cols = [...file.columns.map((c) => c.name), file.fileColumn].map((c) => dialect.quoteIdent(c)).join(', ');
  const sql = `copy ${target} (${cols}) from stdin with (format csv)`;
  const tail = `,${csvField(file.relPath)}\n`;
  let rows = 0;
  let batch: Batch = { text: [], bytes: 0, lines: [] };
  const flush = async () => {
    if (batch.lines.length === 0) return;
    try {
      rows += await copyBatch(client, sql, batch);
    } catch (e) {
      throw copyError(e, batch, file);
    }
    batch = { text: [], bytes: 0, lines: [] };
  };
  for await (const rec of readFileRecords(file)) {
    const line = rec.values.map(csvField).join(',') + tail;
    batch.text.push(line);
    batch.bytes += line.length;
    batch.lines.push(rec.line);
    if (batch.lines.length >= BATCH_ROWS || batch.bytes >= BATCH_BYTES) await flush();
  }
  await flush();
  return rows;
}
