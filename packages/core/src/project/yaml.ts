import { readFileSync } from 'node:fs';
import jsyaml from 'js-yaml';
import { createRequire } from 'node:module';
import type { LineCounter, parseDocument, Node as YamlNode } from 'yaml';

type YamlLib = typeof import('yaml');
let yamlLib: YamlLib | undefined;
/** The position-keeping YAML parser, loaded the first time a location is asked for (only to report a problem). */
function positions(): YamlLib {
  return (yamlLib ??= createRequire(import.meta.url)('yaml') as YamlLib);
}
import { TformError } from '../errors/index.js';

/**
 * YAML is parsed with js-yaml (fast). Positions are only needed to report a problem, so a file is
 * re-read with `yaml` (slower, keeps positions) only when a problem must name a line.
 */
export function parseYaml(text: string, file: string): unknown {
  try {
    return jsyaml.load(text, { filename: file });
  } catch (e) {
    if (e instanceof jsyaml.YAMLException) {
      const m = e.mark;
      throw new TformError('YAML_SYNTAX', `YAML syntax error: ${e.reason}`, {
        file,
        line: m ? m.line + 1 : undefined,
        column: m ? m.column + 1 : undefined,
        hint: 'check indentation and quoting near this line',
      });
    }
    throw e;
  }
}

export function readText(absPath: string, file: string): string {
  let buf: Buffer;
  try {
    buf = readFileSync(absPath);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new TformError('IO', `cannot read file: ${err.code ?? err.message}`, { file });
  }
  return buf.toString('utf8');
}

export function readYaml(absPath: string, file: string): unknown {
  return parseYaml(readText(absPath, file), file);
}

/** 1-based line of the value at `path` in a YAML text (keys or sequence indexes); undefined when absent. */
export function yamlLine(text: string, path: (string | number)[], exact = false): number | undefined {
  return yamlLocator(text)(path, exact);
}

/**
 * A line finder for one YAML text that parses it with positions at most once, and only when
 * asked: the happy path never pays for the slow position-keeping parser.
 */
export function yamlLocator(text: string): (path: (string | number)[], exact?: boolean) => number | undefined {
  let parsed: { doc: ReturnType<typeof parseDocument>; lc: LineCounter } | undefined;
  return (path, exact = false) => {
    if (!parsed) {
      const { LineCounter: Counter, parseDocument: parse } = positions();
      const lc = new Counter();
      parsed = { doc: parse(text, { lineCounter: lc }), lc };
    }
    return lineIn(parsed.doc, parsed.lc, path, exact);
  };
}

/** Line of the node at `path`; when part of the path is missing, its nearest ancestor's (or none if `exact`). */
function lineIn(doc: ReturnType<typeof parseDocument>, lc: LineCounter, path: (string | number)[], exact: boolean): number | undefined {
  const { isMap, isSeq } = positions();
  let node: unknown = doc.contents;
  let last: YamlNode | undefined = doc.contents ?? undefined;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => {
        const k = p.key as { value?: unknown } | null;
        return k !== null && typeof k === 'object' && k.value === key;
      });
      if (!pair) {
        if (exact) return undefined;
        break;
      }
      last = (pair.key as YamlNode) ?? last;
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number' && node.items[key]) {
      node = node.items[key];
      last = node as YamlNode;
    } else {
      if (exact) return undefined;
      break;
    }
  }
  const range = last?.range;
  return range ? lc.linePos(range[0]).line : undefined;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
