import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * An identity of the compiler's own code (size and modification time of the files of this
 * folder and jinja/), part of the parse cache's key: a tform built from changed sources without
 * a new version number must not reuse SQL its old built-ins or template compiler produced.
 */
function build(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const parts: string[] = [];
  for (const dir of [here, join(here, 'jinja')]) {
    for (const f of readdirSync(dir).sort()) {
      if (!f.endsWith('.js')) continue;
      const st = statSync(join(dir, f));
      parts.push(`${f}:${st.size}:${Math.trunc(st.mtimeMs)}`);
    }
  }
  return parts.join('|');
}

export const ENGINE_BUILD = build();
