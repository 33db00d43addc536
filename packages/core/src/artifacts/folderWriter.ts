import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** A file writer that creates each file's folder the first time it writes there. */
export function folderWriter(): (abs: string, text: string) => void {
  const made = new Set<string>();
  return (abs, text) => {
    const dir = dirname(abs);
    if (!made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    writeFileSync(abs, text);
  };
}
