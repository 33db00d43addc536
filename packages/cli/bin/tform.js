#!/usr/bin/env node
import { existsSync } from 'node:fs';

// Embedded drivers run statements on libuv's thread pool (4 threads by default); size it for
// --threads before any asynchronous I/O starts, or concurrent models would queue behind each other.
process.env.UV_THREADPOOL_SIZE ??= '16';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('tform is not built: run `npm run build` (or `npm ci`, which builds) in the repository root.\n');
  process.exit(2);
}
const { run } = await import(main.href);
await run(process.argv.slice(2));
