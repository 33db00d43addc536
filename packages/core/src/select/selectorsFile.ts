import { closest, isTformError } from '../errors/index.js';
import { isPlainObject, parseYaml, yamlLocator } from '../project/yaml.js';
import { selectorError, suggest } from './errors.js';
import { makeCriterion, parseSelector, union, type SelectionExpr } from './syntax.js';

/**
 * selectors.yml, in dbt's format:
 *
 *   selectors:
 *     - name: nightly
 *       description: …
 *       default: true            # used when no --select/--selector is given
 *       definition: "tag:nightly,layer:gold"            # CLI syntax
 *       definition: {tag: nightly}                       # method: value
 *       definition: {method: tag, value: nightly, parents: true, parents_depth: 1,
 *                    children: true, children_depth: 2, childrens_parents: false,
 *                    exclude: [...]}
 *       definition: {union: [..., {exclude: [...]}]}     # or intersection:
 *
 * Every definition is checked when the file is read; references between selectors
 * (`selector:x` or `method: selector`) must exist and must not form a cycle.
 */
export const SELECTORS_FILE = 'selectors.yml';

export interface NamedSelector {
  name: string;
  description: string;
  default: boolean;
  expr: SelectionExpr;
  line?: number;
}

export interface NamedSelectors {
  /** Path relative to the project root, for messages. */
  file: string;
  byName: Map<string, NamedSelector>;
  /** The selector marked `default: true`, if any. */
  defaultName?: string;
}

type YamlPath = (string | number)[];
const FULL_KEYS = ['method', 'value', 'parents', 'children', 'parents_depth', 'children_depth', 'childrens_parents', 'indirect_selection', 'exclude', 'description'];
const INDIRECT = ['eager', 'cautious', 'buildable', 'empty'];

class Reader {
  private readonly locate: ReturnType<typeof yamlLocator>;

  constructor(
    readonly text: string,
    readonly file: string,
  ) {
    this.locate = yamlLocator(text);
  }

  line(at: YamlPath): number | undefined {
    return this.locate(at);
  }

  fail(message: string, at: YamlPath, hint?: string): never {
    throw selectorError(message, hint, { file: this.file, line: this.locate(at) });
  }

  /** Run `fn`, giving a selector-syntax error the file and line of `at`. */
  located<T>(at: YamlPath, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (isTformError(e) && e.code === 'SELECTOR_INVALID' && !e.file) this.fail(e.message, at, e.hint);
      throw e;
    }
  }

  definition(v: unknown, at: YamlPath): SelectionExpr {
    if (typeof v === 'string') return this.located(at, () => parseSelector(v));
    if (!isPlainObject(v)) this.fail('a selector definition is a selector string or a mapping', at, 'e.g. definition: "tag:nightly" or definition: {method: tag, value: nightly}');
    const keys = Object.keys(v);
    const setOp = keys.find((k) => k === 'union' || k === 'intersection');
    if (setOp) {
      if (keys.length > 1) this.fail(`'${setOp}' cannot be combined with other keys (${keys.filter((k) => k !== setOp).join(', ')})`, at);
      return this.setOperation(setOp as 'union' | 'intersection', v[setOp], [...at, setOp]);
    }
    if ('method' in v) return this.full(v, at);
    if (keys.length === 1) {
      const [method] = keys as [string];
      const value = this.scalar(v[method], [...at, method]);
      return this.located(at, () => ({ kind: 'criterion', criterion: makeCriterion({ raw: `${method}:${value}`, method, value, parents: 0, children: 0, childrensParents: false }) }));
    }
    this.fail(`a selector definition mapping needs 'method' and 'value', 'union' or 'intersection'; got ${keys.join(', ') || 'nothing'}`, at);
  }

  private scalar(v: unknown, at: YamlPath): string {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
    this.fail('a selector value must be a string', at);
  }

  private setOperation(op: 'union' | 'intersection', list: unknown, at: YamlPath): SelectionExpr {
    if (!Array.isArray(list) || list.length === 0) this.fail(`'${op}' needs a non-empty list`, at);
    const items: SelectionExpr[] = [];
    const excluded: SelectionExpr[] = [];
    list.forEach((item, i) => {
      if (isPlainObject(item) && 'exclude' in item) {
        if (Object.keys(item).length > 1) this.fail(`an 'exclude' item of '${op}' takes no other keys`, [...at, i]);
        excluded.push(this.excludeList(item.exclude, [...at, i, 'exclude']));
      } else {
        items.push(this.definition(item, [...at, i]));
      }
    });
    if (!items.length) this.fail(`'${op}' needs at least one item besides 'exclude'`, at);
    const base: SelectionExpr = items.length === 1 ? items[0]! : { kind: op, items };
    return excluded.length ? { kind: 'difference', base, minus: union(excluded) } : base;
  }

  private excludeList(list: unknown, at: YamlPath): SelectionExpr {
    if (!Array.isArray(list) || list.length === 0) this.fail(`'exclude' needs a non-empty list`, at);
    return union(list.map((item, i) => this.definition(item, [...at, i])));
  }

  private depth(v: unknown, at: YamlPath): number | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) this.fail(`bad depth ${JSON.stringify(v)}: a depth is a whole number from 1`, at);
    return v;
  }

  private flag(v: unknown, at: YamlPath): boolean {
    if (v === undefined || v === null) return false;
    if (typeof v !== 'boolean') this.fail(`expected true or false, got ${JSON.stringify(v)}`, at);
    return v;
  }

  private full(v: Record<string, unknown>, at: YamlPath): SelectionExpr {
    for (const k of Object.keys(v)) {
      if (!FULL_KEYS.includes(k)) this.fail(`unknown key '${k}' in a selector definition`, [...at, k], suggest(closest(k, FULL_KEYS), `keys: ${FULL_KEYS.join(', ')}`));
    }
    if (typeof v.method !== 'string' || !v.method) this.fail(`'method' must be a method name`, [...at, 'method'], 'e.g. method: tag');
    if (v.indirect_selection !== undefined && !INDIRECT.includes(String(v.indirect_selection))) {
      this.fail(`indirect_selection must be one of ${INDIRECT.join(', ')}`, [...at, 'indirect_selection']);
    }
    const method = v.method;
    const value = v.value === undefined ? '' : this.scalar(v.value, [...at, 'value']);
    const parentsDepth = this.depth(v.parents_depth, [...at, 'parents_depth']);
    const childrenDepth = this.depth(v.children_depth, [...at, 'children_depth']);
    // A depth alone implies the direction.
    const parents = this.flag(v.parents, [...at, 'parents']) || parentsDepth !== undefined ? (parentsDepth ?? Infinity) : 0;
    const children = this.flag(v.children, [...at, 'children']) || childrenDepth !== undefined ? (childrenDepth ?? Infinity) : 0;
    const childrensParents = this.flag(v.childrens_parents, [...at, 'childrens_parents']);
    if (childrensParents && (parents || children)) this.fail(`'childrens_parents' cannot be combined with 'parents' or 'children'`, at, 'childrens_parents already adds the children and all their parents');
    const raw = `${childrensParents ? '@' : ''}${parents ? `${parents === Infinity ? '' : parents}+` : ''}${method}:${value}${children ? `+${children === Infinity ? '' : children}` : ''}`;
    const base: SelectionExpr = this.located([...at, 'method'], () => ({ kind: 'criterion', criterion: makeCriterion({ raw, method, value, parents, children, childrensParents }) }));
    if (v.exclude === undefined) return base;
    return { kind: 'difference', base, minus: this.excludeList(v.exclude, [...at, 'exclude']) };
  }
}

/** Names of the selectors an expression refers to (`selector:x`). */
function references(e: SelectionExpr, out: string[] = []): string[] {
  if (e.kind === 'criterion') {
    if (e.criterion.method === 'selector') out.push(e.criterion.value);
  } else if (e.kind === 'difference') {
    references(e.base, out);
    references(e.minus, out);
  } else {
    for (const i of e.items) references(i, out);
  }
  return out;
}

/** Parse and check a selectors.yml text. */
export function parseSelectorsFile(text: string, file = SELECTORS_FILE): NamedSelectors {
  const r: Reader = new Reader(text, file);
  const doc = parseYaml(text, file);
  if (doc === null || doc === undefined) return { file, byName: new Map() };
  if (!isPlainObject(doc) || !Array.isArray(doc.selectors)) r.fail(`${file} must have a 'selectors:' list`, ['selectors'], 'selectors:\n    - name: nightly\n      definition: "tag:nightly"');
  const byName = new Map<string, NamedSelector>();
  let defaultName: string | undefined;
  doc.selectors.forEach((s: unknown, i: number) => {
    const at: YamlPath = ['selectors', i];
    if (!isPlainObject(s)) r.fail('each selector is a mapping with name and definition', at);
    if (typeof s.name !== 'string' || !s.name) r.fail(`selector #${i + 1} has no name`, at);
    const name = s.name;
    if (byName.has(name)) r.fail(`selector '${name}' is defined twice`, [...at, 'name'], 'names in selectors.yml must be unique');
    if (s.definition === undefined) r.fail(`selector '${name}' has no definition`, at, 'e.g. definition: "tag:nightly"');
    for (const k of Object.keys(s)) {
      if (!['name', 'description', 'default', 'definition'].includes(k)) r.fail(`unknown key '${k}' in selector '${name}'`, [...at, k], 'keys: name, description, default, definition');
    }
    const isDefault = s.default === true;
    if (isDefault && defaultName) r.fail(`selectors '${defaultName}' and '${name}' are both marked default`, [...at, 'default']);
    if (isDefault) defaultName = name;
    const expr = r.definition(s.definition, [...at, 'definition']);
    byName.set(name, { name, description: typeof s.description === 'string' ? s.description : '', default: isDefault, expr, line: r.line(at) });
  });
  // References must exist and must not loop.
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]) => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      const cycle = [...path.slice(path.indexOf(name)), name];
      r.fail(`selectors refer to each other in a cycle: ${cycle.join(' -> ')}`, ['selectors', [...byName.keys()].indexOf(name)]);
    }
    state.set(name, 'visiting');
    for (const ref of references(byName.get(name)!.expr)) {
      if (!byName.has(ref)) {
        r.fail(`selector '${name}' refers to unknown selector '${ref}'`, ['selectors', [...byName.keys()].indexOf(name), 'definition'], suggest(closest(ref, byName.keys()), `selectors: ${[...byName.keys()].join(', ')}`));
      }
      visit(ref, [...path, name]);
    }
    state.set(name, 'done');
  };
  for (const name of byName.keys()) visit(name, []);
  return { file, byName, defaultName };
}
