/*
 * Jinja's and dbt's global functions that need no project state: return(), namespace(), dict(),
 * zip(), log(), print(), exceptions.*, tojson()/fromjson(), local_md5().
 */
import { createHash } from 'node:crypto';
import { TformError } from '../../errors/index.js';
import type { Logger } from '../../log/logger.js';
import { currentScope } from '../scope.js';
import { bindArgs, splitKwargs } from './kwargs.js';
import { pyJsonDumps, pyJsonLoads } from './pyjson.js';
import { dictKeys, isDict, iterate, Namespace, pyStr, PyTuple, truthy } from './pyvalues.js';
import { MacroReturn } from './runtime.js';

function fromPairs(v: unknown, target: Record<string, unknown>): void {
  if (isDict(v)) for (const k of dictKeys(v)) target[k] = v[k];
  else for (const pair of iterate(v)) target[pyStr((pair as unknown[])[0])] = (pair as unknown[])[1];
}

/** The global functions, reading the logger through `logger()` each time (it may be set later). */
export function jinjaGlobals(logger: () => Logger | undefined): Record<string, unknown> {
  const where = () => currentScope()?.file;
  const compilerError = (...args: unknown[]) => {
    const a = bindArgs('raise_compiler_error', args, ['msg', 'node'], { node: null });
    throw new TformError('TEMPLATE_RENDER', pyStr(a.msg));
  };
  const exceptions = {
    raise_compiler_error: compilerError,
    raise_not_implemented: (msg: unknown) => {
      throw new TformError('TEMPLATE_RENDER', pyStr(msg));
    },
    warn: (...args: unknown[]) => {
      const a = bindArgs('warn', args, ['msg', 'node'], { node: null });
      logger()?.warn(pyStr(a.msg), 'jinja_warning', { file: where() });
      return '';
    },
  };
  return {
    return: (value: unknown) => {
      throw new MacroReturn(value);
    },
    namespace: (...args: unknown[]) => {
      const { pos, kw } = splitKwargs(args);
      const init: Record<string, unknown> = {};
      for (const p of pos) fromPairs(p, init);
      return new Namespace({ ...init, ...kw });
    },
    dict: (...args: unknown[]) => {
      const { pos, kw } = splitKwargs(args);
      const out: Record<string, unknown> = {};
      for (const p of pos) fromPairs(p, out);
      return Object.assign(out, kw);
    },
    zip: (...args: unknown[]) => {
      const lists = args.map(iterate);
      const n = lists.length ? Math.min(...lists.map((l) => l.length)) : 0;
      return Array.from({ length: n }, (_x, i) => PyTuple.make(...lists.map((l) => l[i])));
    },
    log: (...args: unknown[]) => {
      const a = bindArgs('log', args, ['msg', 'info'], { info: false });
      const l = logger();
      if (l) {
        if (truthy(a.info)) l.info(pyStr(a.msg), 'jinja_log', { file: where() });
        else l.debug(pyStr(a.msg), 'jinja_log', { file: where() });
      }
      return '';
    },
    print: (msg: unknown) => {
      logger()?.info(pyStr(msg), 'jinja_print', { file: where() });
      return '';
    },
    exceptions,
    raise_compiler_error: compilerError,
    tojson: (...args: unknown[]) => {
      const a = bindArgs('tojson', args, ['value', 'default', 'sort_keys'], { default: null, sort_keys: false });
      try {
        return pyJsonDumps(a.value, { sortKeys: truthy(a.sort_keys) });
      } catch {
        return a.default;
      }
    },
    fromjson: (...args: unknown[]) => {
      const a = bindArgs('fromjson', args, ['string', 'default'], { default: null });
      try {
        return pyJsonLoads(pyStr(a.string));
      } catch {
        return a.default;
      }
    },
    local_md5: (value: unknown) => createHash('md5').update(pyStr(value)).digest('hex'),
  };
}
