import nunjucks from 'nunjucks';
import { TformError } from '../errors/index.js';
import type { Logger } from '../log/logger.js';
import { registerSecret, SECRET_ENV_PREFIXES } from '../log/secrets.js';
import type { Dispatcher } from './jinja/dispatch.js';
import { installJinja } from './jinja/install.js';
import { pyLiteralEval } from './jinja/pyliteral.js';
import { pyStr } from './jinja/pyvalues.js';
import { output } from './jinja/runtime.js';
import { staticPieces, type StaticPiece } from './jinja/staticTemplate.js';
import { jinjaTemplate } from './jinja/template.js';
import { callLine, currentScope, withScope, type RenderScope } from './scope.js';
import { templateError } from './templateErrors.js';

export interface MacroFile {
  /** Path relative to the project root. */
  path: string;
  source: string;
}

export interface MacroInfo {
  name: string;
  path: string;
  /** Names the macro's arguments, for docs and manifest. */
  args: string[];
}

export interface EngineOptions {
  vars: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
  /** Where `log()`, `print()` and `exceptions.warn()` in templates write. */
  logger?: Logger;
  /** The static fast path (default on); off renders every file through the template compiler. */
  staticFastPath?: boolean;
}

/** Template variables that come from the rendering scope rather than being fixed globals. */
const CONTEXT_NAMES = ['this', 'target', 'model', 'execute', 'project_name', 'run_started_at', 'invocation_id', 'tform_version'];

type Kwargs = Record<string, unknown> & { __keywords?: boolean };

/** Split nunjucks call arguments into positional args and keyword args. */
export function splitArgs(args: unknown[]): { pos: unknown[]; kw: Record<string, unknown> } {
  const last = args[args.length - 1] as Kwargs | undefined;
  if (last && typeof last === 'object' && last.__keywords) {
    const { __keywords: _k, ...kw } = last;
    return { pos: args.slice(0, -1), kw };
  }
  return { pos: args, kw: {} };
}

function requireScope(fn: string): RenderScope {
  const s = currentScope();
  if (!s) throw new TformError('TEMPLATE_RENDER', `${fn}() can only be called while rendering a model`);
  return s;
}

/**
 * The template engine: Jinja as dbt projects use it, built on nunjucks (parser and runtime changed
 * where Jinja means something else: see jinja/compiler.ts), autoescape off, tform's globals (ref,
 * source, config, var, env_var, is_incremental, this, target, adapter.dispatch, dbt.*, …) and the
 * project's macros callable from every model. Rendering is synchronous; more globals can be added
 * with `engine.env.addGlobal()`.
 */
export class TemplateEngine {
  readonly env: nunjucks.Environment;
  readonly macros = new Map<string, MacroInfo>();
  private readonly vars: Record<string, unknown>;
  private readonly procEnv: NodeJS.ProcessEnv;
  private readonly templates = new Map<string, { source: string; template: nunjucks.Template }>();
  private readonly macroFns = new Map<string, (...a: unknown[]) => unknown>();
  /** Resolves `adapter.dispatch()` and `dbt.*` over the project's macros and tform's own. */
  readonly dispatcher: Dispatcher;
  /** Where `log()` and `exceptions.warn()` write; settable after construction. */
  logger: Logger | undefined;
  /** Render files that only call ref/source/config with literals without the template compiler. */
  staticFastPath: boolean;
  private readonly statics = new Map<string, StaticPiece[] | null>();

  constructor(opts: EngineOptions) {
    this.vars = opts.vars;
    this.procEnv = opts.env ?? process.env;
    this.logger = opts.logger;
    this.staticFastPath = opts.staticFastPath ?? true;
    // dev: keep nunjucks' TemplateError (with its `cause`) instead of a plain Error, so a
    // TformError raised inside ref()/var()/env_var() keeps its code and hint.
    this.env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: false, dev: true });
    this.installContextGlobals();
    this.dispatcher = installJinja(this.env, { macro: (name) => this.macroFns.get(name), logger: () => this.logger });
    this.installGlobals();
  }

  /**
   * Macros keep the context they were loaded with, which has no `this` or `target`. These names
   * are globals whose getters read the scope of whichever node is rendering; a model's own render
   * context still takes precedence (nunjucks looks up the context before globals).
   */
  private installContextGlobals(): void {
    for (const name of CONTEXT_NAMES) {
      Object.defineProperty((this.env as unknown as { globals: object }).globals, name, {
        enumerable: true,
        configurable: true,
        get: () => currentScope()?.context[name],
      });
    }
  }

  private installGlobals(): void {
    const env = this.env;
    env.addGlobal('ref', (...args: unknown[]) => {
      const s = requireScope('ref');
      const { pos, kw } = splitArgs(args);
      const strs = pos.map(String);
      if (strs.length < 1 || strs.length > 2) throw new TformError('TEMPLATE_RENDER', `ref() takes a model name, or a package and a model name; got ${pos.length} arguments`);
      const [pkg, name] = strs.length === 2 ? [strs[0], strs[1]] : [undefined, strs[0]];
      void kw;
      // Finding the call's line costs a scan of the file: only parse mode records it.
      const line = s.mode === 'parse' ? callLine(s.raw, 'ref', strs) : 0;
      if (s.mode === 'parse') s.refs.push({ name: name!, package: pkg, line });
      return s.resolveRef(name!, pkg, line);
    });
    env.addGlobal('source', (...args: unknown[]) => {
      const s = requireScope('source');
      const { pos } = splitArgs(args);
      if (pos.length !== 2) throw new TformError('TEMPLATE_RENDER', `source() takes a source name and a table name; got ${pos.length} arguments`);
      const [src, tbl] = pos.map(String) as [string, string];
      const line = s.mode === 'parse' ? callLine(s.raw, 'source', [src, tbl]) : 0;
      if (s.mode === 'parse') s.sources.push({ source: src, table: tbl, line });
      return s.resolveSource(src, tbl, line);
    });
    const config = (...args: unknown[]) => {
      const s = requireScope('config');
      const { pos, kw } = splitArgs(args);
      const obj: Record<string, unknown> = {};
      for (const p of pos) if (p && typeof p === 'object') Object.assign(obj, p);
      Object.assign(obj, kw);
      if (s.mode === 'parse') Object.assign(s.config, obj);
      return '';
    };
    (config as unknown as { get: unknown }).get = (key: string, dflt?: unknown) => {
      const s = requireScope('config.get');
      const v = s.mode === 'compile' ? s.resolvedConfig?.[key] : s.config[key];
      return v === undefined ? (dflt ?? null) : v;
    };
    (config as unknown as { require: unknown }).require = (key: string) => {
      const s = requireScope('config.require');
      const v = s.mode === 'compile' ? s.resolvedConfig?.[key] : s.config[key];
      if (v === undefined && s.mode === 'compile') throw new TformError('CONFIG_INVALID', `config '${key}' is required but not set`);
      return v ?? null;
    };
    env.addGlobal('config', config);
    env.addGlobal('var', (name: string, ...rest: unknown[]) => {
      const s = currentScope();
      s?.vars.add(name);
      if (Object.prototype.hasOwnProperty.call(this.vars, name)) return this.vars[name];
      const { pos } = splitArgs(rest);
      if (pos.length > 0) return pos[0];
      if (s?.mode === 'parse') return null; // dbt tolerates missing vars while parsing; compile reports it
      throw new TformError('VAR_MISSING', `required var '${name}' is not set`, {
        line: s ? callLine(s.raw, 'var', [name]) : undefined,
        file: s?.file,
        hint: `set it under vars: in tform_project.yml, or pass --vars '{${name}: ...}', or give a default: var('${name}', 'default')`,
      });
    });
    env.addGlobal('env_var', (name: string, ...rest: unknown[]) => this.envVar(name, rest));
    env.addGlobal('is_incremental', () => currentScope()?.isIncremental ?? false);
  }

  /** env_var() as dbt has it: missing without default is an error; secret-prefixed values are masked. */
  envVar(name: string, rest: unknown[] = []): unknown {
    const s = currentScope();
    s?.envVars.add(name);
    const v = this.procEnv[name];
    if (v !== undefined) {
      if (SECRET_ENV_PREFIXES.some((p) => name.startsWith(p))) registerSecret(v);
      return v;
    }
    const { pos } = splitArgs(rest);
    if (pos.length > 0) return pos[0];
    throw new TformError('ENV_VAR_MISSING', `environment variable '${name}' is not set and env_var() has no default`, {
      hint: `export ${name}=..., or give a default: env_var('${name}', 'value')`,
    });
  }

  /** Compile a template once (cached by path); syntax errors name the file and line. */
  template(source: string, path: string): nunjucks.Template {
    const key = path + '\u0000' + source.length;
    const hit = this.templates.get(key);
    if (hit && hit.source === source) return hit.template;
    let t: nunjucks.Template;
    try {
      t = jinjaTemplate(source, path, this.env);
    } catch (e) {
      throw templateError(e, path, 'compile');
    }
    this.templates.set(key, { source, template: t });
    return t;
  }

  /**
   * The pieces of `source` when it renders on the static fast path (only ref/source/config calls
   * with literal arguments, and no project macro replaces those), else undefined.
   */
  staticPieces(source: string): StaticPiece[] | undefined {
    if (!this.staticFastPath) return undefined;
    let hit = this.statics.get(source);
    if (hit === undefined) {
      hit = staticPieces(source) ?? null;
      if (hit && hit.some((p) => typeof p !== 'string' && this.macroFns.has(p.fn))) hit = null;
      this.statics.set(source, hit);
    }
    return hit ?? undefined;
  }

  /** Render static pieces: the same global functions the compiled template would call, printed the same way. */
  private renderStatic(pieces: StaticPiece[]): string {
    let out = '';
    for (const p of pieces) {
      if (typeof p === 'string') out += p;
      else {
        const fn = this.env.getGlobal(p.fn) as (...a: unknown[]) => unknown;
        out += output(p.kwargs ? fn(...p.args, { ...p.kwargs, __keywords: true }) : fn(...p.args));
      }
    }
    return out;
  }

  /** Render `source` with `scope` active; errors carry the template's file and line. */
  render(source: string, path: string, scope: RenderScope, ctx: Record<string, unknown> = {}): string {
    const pieces = this.staticPieces(source);
    if (pieces) {
      try {
        return withScope(scope, () => this.renderStatic(pieces));
      } catch {
        // rendered again below, so the error is reported exactly as the template engine reports it
      }
    }
    const t = this.template(source, path);
    return withScope(scope, () => {
      try {
        return t.render({ ...scope.context, ...ctx });
      } catch (e) {
        throw templateError(e, path, 'render');
      }
    });
  }

  /**
   * Render as dbt's native renderer does (test arguments, test config): a string that is one
   * `{{ expression }}` gives the expression's value itself (a list stays a list); anything else
   * renders to text, which becomes a number, boolean, None, list or dict when it reads as a Python
   * literal, and stays text otherwise (a quoted string keeps its quotes).
   */
  renderNative(source: string, path: string, scope: RenderScope): unknown {
    const single = /^\{\{-?([\s\S]*?)-?\}\}$/.exec(source);
    if (single && !/\{\{|\}\}|\{%|%\}/.test(single[1]!)) {
      let value: unknown;
      this.render(`{{ __tform_native_capture(${single[1]}) }}`, path, scope, {
        __tform_native_capture: (v: unknown) => {
          value = v;
          return '';
        },
      });
      return value;
    }
    const text = this.render(source, path, scope);
    const lit = pyLiteralEval(text);
    return lit.ok && typeof lit.value !== 'string' ? lit.value : text;
  }

  /** Load macro files: each macro becomes a global callable from every model and macro. */
  loadMacros(files: MacroFile[]): void {
    for (const f of files) {
      const t = this.template(f.source, f.path);
      let exported: Record<string, unknown> = {};
      try {
        (t as unknown as { getExported(ctx: unknown, frame: unknown, cb: (e: unknown, r: Record<string, unknown>) => void): void }).getExported(
          {},
          null,
          (err, res) => {
            if (err) throw err;
            exported = res;
          },
        );
      } catch (e) {
        throw templateError(e, f.path, 'render');
      }
      for (const [name, fn] of Object.entries(exported)) {
        if (typeof fn !== 'function') continue;
        const prev = this.macros.get(name);
        if (prev) {
          throw new TformError('DUPLICATE_NAME', `macro '${name}' is defined twice: in ${prev.path} and ${f.path}`, {
            file: f.path,
            line: macroLine(f.source, name),
            hint: 'rename one of them',
          });
        }
        const args = macroArgs(f.source, name);
        this.macros.set(name, { name, path: f.path, args });
        const wrapped = (...a: unknown[]) => {
          currentScope()?.macros.add(name);
          return (fn as (...x: unknown[]) => unknown)(...a);
        };
        this.macroFns.set(name, wrapped);
        this.env.addGlobal(name, wrapped);
      }
    }
  }

  hasMacro(name: string): boolean {
    return this.macroFns.has(name);
  }

  /** Call a project macro with an active scope and return its output (or its `return()` value) as text. */
  callMacro(name: string, args: unknown[], scope: RenderScope): string {
    const fn = this.macroFns.get(name);
    if (!fn) throw new Error(`no macro ${name}`);
    return withScope(scope, () => {
      try {
        return pyStr(fn(...args));
      } catch (e) {
        throw templateError(e, this.macros.get(name)!.path, 'render');
      }
    });
  }


}

/** 1-based line of `{% macro name` in a macro file (1 when not found). */
function macroLine(source: string, name: string): number {
  const m = new RegExp(`{%-?\\s*macro\\s+${name}\\b`).exec(source);
  return m ? source.slice(0, m.index).split('\n').length : 1;
}

function macroArgs(source: string, name: string): string[] {
  const m = new RegExp(`{%-?\\s*macro\\s+${name}\\s*\\(([^)]*)\\)`).exec(source);
  if (!m || !m[1]!.trim()) return [];
  return m[1]!.split(',').map((a) => a.split('=')[0]!.trim()).filter(Boolean);
}
