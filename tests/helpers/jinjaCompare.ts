/**
 * Render the same templates with tform's engine and with real Jinja2 (tests/helpers/jinja_render.py,
 * one python process for a whole batch), with dbt's context functions stubbed the same way on
 * both sides: ref('x') prints "s"."x", source('a', 'b') prints "a"."b", var/env_var read the
 * case's dicts, config.get reads the case's config, log/warn are collected.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Logger, Relation, TemplateEngine, type LogEvent, type MacroFile } from '@tform/core';
import { newScope } from '../../packages/core/src/compile/scope.js';

export interface JinjaCase {
  name: string;
  template: string;
  macros?: MacroFile[];
  vars?: Record<string, unknown>;
  env?: Record<string, string>;
  target?: Record<string, unknown>;
  this?: { database?: string | null; schema: string; identifier: string };
  config?: Record<string, unknown>;
  /** Extra template variables. */
  context?: Record<string, unknown>;
  isIncremental?: boolean;
  /** `run_started_at` (ISO text, UTC). */
  runStartedAt?: string;
  /** Both sides must fail; tform's message must contain this text. */
  error?: string;
}

export interface RenderResult {
  output?: string;
  error?: string;
  logs: [string, string][];
}

const PY = fileURLToPath(new URL('./jinja_render.py', import.meta.url));
const DEFAULT_TARGET = { name: 'dev', type: 'duckdb', schema: 'main', database: 'warehouse', threads: 4 };

class CaptureLogger extends Logger {
  readonly events: [string, string][] = [];
  constructor() {
    super({ format: 'json', debug: true, write: () => {} });
  }
  override emit(e: LogEvent): void {
    this.events.push([e.level, e.msg]);
  }
}

/** Render one case with tform's TemplateEngine in compile mode. */
export function renderTform(c: JinjaCase): RenderResult {
  const logger = new CaptureLogger();
  const engine = new TemplateEngine({ vars: c.vars ?? {}, env: c.env ?? {}, logger });
  const me = c.this ?? { database: null, schema: 'main', identifier: 'm' };
  try {
    engine.loadMacros(c.macros ?? []);
    const scope = newScope({
      mode: 'compile',
      file: 'models/m.sql',
      raw: c.template,
      resolvedConfig: c.config ?? {},
      isIncremental: c.isIncremental ?? false,
      resolveRef: (name: string) => new Relation({ schema: 's', identifier: name }, null, `"s"."${name}"`),
      resolveSource: (s: string, t: string) => new Relation({ schema: s, identifier: t }, null, `"${s}"."${t}"`),
      context: {
        target: c.target ?? DEFAULT_TARGET,
        this: new Relation({ database: me.database ?? undefined, schema: me.schema, identifier: me.identifier }, null, `"${me.schema}"."${me.identifier}"`),
        ...(c.runStartedAt ? { run_started_at: new Date(c.runStartedAt) } : {}),
        ...(c.context ?? {}),
      },
    });
    return { output: engine.render(c.template, 'models/m.sql', scope), logs: logger.events };
  } catch (e) {
    return { error: (e as Error).message, logs: logger.events };
  }
}

/** Render every case with Jinja2 in one python process. */
export function renderJinja(cases: JinjaCase[]): RenderResult[] {
  const req = {
    cases: cases.map((c) => ({
      template: c.template,
      macros: c.macros ?? [],
      vars: c.vars ?? {},
      env: c.env ?? {},
      target: c.target ?? DEFAULT_TARGET,
      this: c.this ?? { database: null, schema: 'main', identifier: 'm' },
      config: c.config ?? {},
      context: c.context ?? {},
      is_incremental: c.isIncremental ?? false,
      run_started_at: c.runStartedAt ?? null,
    })),
  };
  const r = spawnSync('python3', [PY], { input: JSON.stringify(req), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`jinja_render.py failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as RenderResult[];
}

/** Whether python3 with Jinja2 is available here. */
export function haveJinja2(): boolean {
  return spawnSync('python3', ['-c', 'import jinja2'], { encoding: 'utf8' }).status === 0;
}
