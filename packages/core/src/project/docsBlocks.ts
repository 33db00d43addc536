import { TformError } from '../errors/index.js';

/** A `{% docs name %}…{% enddocs %}` block of a markdown file under docs-paths. */
export interface DocBlock {
  name: string;
  /** File it is in, relative to the project root. */
  path: string;
  /** 1-based line of the `{% docs %}` tag. */
  line: number;
  /** The text between the tags, trimmed (as dbt keeps it). */
  contents: string;
}

const OPEN = /\{%-?\s*docs\s+([^\s%]+)\s*-?%\}/g;
const CLOSE = /\{%-?\s*enddocs\s*-?%\}/g;

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Every docs block of one markdown file. Text outside blocks is ignored, as dbt ignores it. */
export function parseDocBlocks(text: string, path: string): DocBlock[] {
  const out: DocBlock[] = [];
  OPEN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = OPEN.exec(text))) {
    const name = m[1]!;
    const line = lineAt(text, m.index);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new TformError('TEMPLATE_SYNTAX', `docs block name '${name}' is not an identifier`, { file: path, line, hint: 'use letters, digits and underscores, e.g. {% docs order_status %}' });
    }
    CLOSE.lastIndex = OPEN.lastIndex;
    const end = CLOSE.exec(text);
    const nested = text.slice(OPEN.lastIndex, end ? end.index : text.length).search(/\{%-?\s*docs\s/);
    if (!end || nested >= 0) {
      throw new TformError('TEMPLATE_SYNTAX', `docs block '${name}' has no {% enddocs %}`, { file: path, line, hint: 'close each {% docs name %} with {% enddocs %} before the next one starts' });
    }
    out.push({ name, path, line, contents: text.slice(OPEN.lastIndex, end.index).trim() });
    OPEN.lastIndex = CLOSE.lastIndex;
  }
  return out;
}

/** Collect blocks from many files; a name defined twice is an error at the second one. */
export function collectDocBlocks(files: { path: string; text: string }[]): Map<string, DocBlock> {
  const out = new Map<string, DocBlock>();
  for (const f of files) {
    for (const b of parseDocBlocks(f.text, f.path)) {
      const prev = out.get(b.name);
      if (prev) {
        throw new TformError('DUPLICATE_NAME', `docs block '${b.name}' is defined twice: ${prev.path}:${prev.line} and ${b.path}:${b.line}`, {
          file: b.path,
          line: b.line,
          hint: 'docs block names are global to the project; rename one',
        });
      }
      out.set(b.name, b);
    }
  }
  return out;
}
