import { TformError } from '../errors/index.js';
import type { MacroFile, TemplateEngine } from '../compile/templating.js';

/**
 * Custom generic tests: `{% test name(model, column_name, arg=default) %} select … {% endtest %}`
 * in `tests/generic/*.sql` or in macro files. nunjucks has no `test` tag, so each block is
 * rewritten in place into `{% macro test_<name>(…) %} … {% endmacro %}` (dbt names them the same
 * way) before the file is loaded into the TemplateEngine. Only the tag words change, never a line
 * break, so template errors keep pointing at the right line.
 */

export interface GenericTestDef {
  /** The name declarations use (`- is_even`). */
  name: string;
  /** The macro the block becomes: `test_<name>`. */
  macroName: string;
  /** File it is defined in, relative to the project root. */
  path: string;
  line: number;
  /** Parameters after `model` and `column_name`, in order. */
  args: string[];
  /** Parameters without a default value (besides model and column_name). */
  required: string[];
  /** Whether the test takes `column_name` (a column-level test). */
  takesColumn: boolean;
}

export const TEST_MACRO_PREFIX = 'test_';

const OPEN_RE = /\{%(-?)(\s*)test(\s+)([A-Za-z_][A-Za-z0-9_]*)(\s*)\(/g;
const CLOSE_RE = /\{%(-?)(\s*)endtest(\s*)(-?)%\}/g;

/** Rewrite `{% test x(…) %}…{% endtest %}` blocks into macros `test_x`; other text is unchanged. */
export function translateTestBlocks(source: string): string {
  if (!source.includes('test')) return source;
  return source
    .replace(OPEN_RE, (_m, dash: string, ws: string, ws2: string, name: string, ws3: string) => `{%${dash}${ws}macro${ws2}${TEST_MACRO_PREFIX}${name}${ws3}(`)
    .replace(CLOSE_RE, (_m, dash: string, ws: string, ws2: string, dash2: string) => `{%${dash}${ws}endmacro${ws2}${dash2}%}`);
}

/** Split a parameter list at top-level commas (defaults may hold lists, calls and strings). */
function splitParams(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let cur = '';
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth--;
    else if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += ch;
  }
  if (cur.trim()) out.push(cur);
  return out.map((p) => p.trim()).filter(Boolean);
}

/** The parameter list of a `{% test name(` block starting at `start` (index of its `(`). */
function paramText(source: string, open: number): string | undefined {
  let depth = 0;
  let quote: string | undefined;
  for (let i = open; i < source.length; i++) {
    const ch = source[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) return source.slice(open + 1, i);
  }
  return undefined;
}

function lineAt(source: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (source.charCodeAt(i) === 10) line++;
  return line;
}

/** The custom generic tests defined in one file (its raw, untranslated text). */
export function genericTestsIn(file: MacroFile): GenericTestDef[] {
  const out: GenericTestDef[] = [];
  for (const m of file.source.matchAll(OPEN_RE)) {
    const name = m[4]!;
    const line = lineAt(file.source, m.index);
    const params = paramText(file.source, m.index + m[0].length - 1);
    if (params === undefined) {
      throw new TformError('TEMPLATE_SYNTAX', `test '${name}': its parameter list is not closed`, { file: file.path, line, hint: '{% test name(model, column_name) %} … {% endtest %}' });
    }
    const parts = splitParams(params).map((p) => {
      const eq = p.indexOf('=');
      return eq < 0 ? { name: p, dflt: false } : { name: p.slice(0, eq).trim(), dflt: true };
    });
    if (parts[0]?.name !== 'model') {
      throw new TformError('TEMPLATE_SYNTAX', `test '${name}' must take 'model' as its first parameter`, { file: file.path, line, hint: `{% test ${name}(model, column_name) %}` });
    }
    const rest = parts.slice(1).filter((p) => p.name !== 'column_name');
    out.push({
      name,
      macroName: TEST_MACRO_PREFIX + name,
      path: file.path,
      line,
      args: rest.map((p) => p.name),
      required: rest.filter((p) => !p.dflt).map((p) => p.name),
      takesColumn: parts.some((p) => p.name === 'column_name'),
    });
  }
  return out;
}

/**
 * Find the custom generic tests of `files` (tests/generic/*.sql and macro files), translate their
 * blocks and load the files into `engine`. Returns the tests by name; a name defined twice is an
 * error. Files already loaded as macros must not be passed again (translate them with
 * translateTestBlocks before their loadMacros instead, and pass them to genericTestsIn).
 */
export function loadGenericTests(engine: TemplateEngine, files: MacroFile[]): Map<string, GenericTestDef> {
  const defs = genericTestDefs(files);
  engine.loadMacros(files.map((f) => ({ path: f.path, source: translateTestBlocks(f.source) })));
  return defs;
}

/** The custom generic tests of `files` by name (no loading). */
export function genericTestDefs(files: MacroFile[]): Map<string, GenericTestDef> {
  const defs = new Map<string, GenericTestDef>();
  for (const f of files) {
    for (const d of genericTestsIn(f)) {
      const prev = defs.get(d.name);
      if (prev) {
        throw new TformError('DUPLICATE_NAME', `generic test '${d.name}' is defined twice: in ${prev.path}:${prev.line} and ${d.path}:${d.line}`, {
          file: d.path,
          line: d.line,
          hint: 'rename one of them',
        });
      }
      defs.set(d.name, d);
    }
  }
  return defs;
}
