/*
 * `adapter.dispatch('name', 'pkg')` and the `dbt.` namespace: a macro is looked up as
 * `<target.type>__name`, then `default__name`, among the project's macros first and then among
 * tform's cross-database macros (crossdb.ts).
 */
import { TformError } from '../../errors/index.js';
import { currentScope } from '../scope.js';
import { CROSS_DB, numericType, translateType, type CrossDbHelpers } from './crossdb.js';
import { bindArgs } from './kwargs.js';
import { pyStr } from './pyvalues.js';

type Fn = (...args: unknown[]) => unknown;

/** Looks up the project's macros (each returned function records its use). */
export type MacroLookup = (name: string) => Fn | undefined;

export function targetType(): string {
  const t = currentScope()?.context.target as { type?: unknown } | undefined;
  return typeof t?.type === 'string' && t.type ? t.type : 'default';
}

export class Dispatcher {
  constructor(private readonly projectMacro: MacroLookup) {}

  /** The macro `adapter.dispatch(name, namespace)` resolves to. */
  resolve(name: string, namespace: string | null): Fn {
    const type = targetType();
    const tried = [`${type}__${name}`, `default__${name}`];
    for (const n of tried) {
      const f = this.projectMacro(n);
      if (f) return f;
    }
    if (namespace === null || namespace === 'dbt') {
      const b = this.builtin(name, type);
      if (b) return b;
    }
    throw new TformError(
      'TEMPLATE_RENDER',
      `In dispatch: No macro named '${name}' found within namespace: '${namespace ?? 'the project'}'. Searched for: ${tried.map((t) => `'${t}'`).join(', ')}`,
      { hint: `define a macro named ${tried[0]} or ${tried[1]} in the project's macros` },
    );
  }

  /** tform's own implementation of a dbt cross-database macro for an adapter type. */
  builtin(name: string, type: string): Fn | undefined {
    const m = Object.prototype.hasOwnProperty.call(CROSS_DB, name) ? CROSS_DB[name]! : undefined;
    if (!m) return undefined;
    const impl = m.impl[type] ?? m.impl.default!;
    return (...args: unknown[]) => impl(bindArgs(name, args, m.params, m.defaults), this.helpers(type));
  }

  private helpers(type: string): CrossDbHelpers {
    return {
      type,
      call: (name, ...args) => this.resolve(name, 'dbt')(...args),
      raise: (message) => {
        throw new TformError('TEMPLATE_RENDER', message);
      },
    };
  }

  /** `adapter.dispatch(macro_name, macro_namespace=None)`. */
  dispatch = (...args: unknown[]): Fn => {
    const a = bindArgs('dispatch', args, ['macro_name', 'macro_namespace', 'packages'], { macro_namespace: null, packages: null });
    return this.resolve(pyStr(a.macro_name), a.macro_namespace === null || a.macro_namespace === undefined ? null : pyStr(a.macro_namespace));
  };

  /** What `dbt.<name>` and the bare `<name>()` call: dispatched like dbt's own macro. */
  entry(name: string): Fn {
    return (...args: unknown[]) => this.resolve(name, 'dbt')(...args);
  }
}

/** `adapter` in templates. Other parts of tform may add methods to it (e.g. ones that read the warehouse). */
export class AdapterObject {
  [method: string]: unknown;
  constructor(dispatcher: Dispatcher) {
    this.dispatch = dispatcher.dispatch;
    this.type = () => targetType();
    this.quote = (identifier: unknown) => {
      const q = targetType() === 'bigquery' ? '`' : '"';
      return q + pyStr(identifier).split(q).join(q + q) + q;
    };
  }
}

/** `dbt` in templates: dbt's cross-database macros, plus their `default__` and adapter versions. */
export class DbtNamespace {
  [name: string]: unknown;
  constructor(dispatcher: Dispatcher) {
    for (const [name, m] of Object.entries(CROSS_DB)) {
      this[name] = dispatcher.entry(name);
      for (const type of Object.keys(m.impl)) {
        const fn = dispatcher.builtin(name, type);
        if (fn) this[`${type}__${name}`] = fn;
      }
    }
  }
}

/** `api.Column.translate_type(...)` and `api.Column.numeric_type(...)`. */
export class ApiNamespace {
  readonly Column = new (class Column {
    translate_type(dtype: unknown): string {
      return translateType(pyStr(dtype));
    }
    numeric_type(dtype: unknown, precision: unknown, scale: unknown): string {
      return numericType(pyStr(dtype), precision, scale);
    }
  })();
}
