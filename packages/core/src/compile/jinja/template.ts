/* A nunjucks Template built from tform's Jinja compiler and run with tform's runtime. */
import nunjucks from 'nunjucks';
import { compileJinja } from './compiler.js';
import type { Any } from './nunjucksInternals.js';
import { jinjaRuntime } from './runtime.js';

/**
 * Compile `source` (syntax errors throw nunjucks' TemplateError with the line) and wrap it as a
 * nunjucks Template whose render functions receive tform's runtime.
 */
export function jinjaTemplate(source: string, path: string, env: nunjucks.Environment): nunjucks.Template {
  const props = compileJinja(source, path, env);
  const bound: Record<string, Any> = {};
  for (const [k, fn] of Object.entries(props)) {
    bound[k] = (e: Any, ctx: Any, frame: Any, _rt: Any, cb: Any) => fn(e, ctx, frame, jinjaRuntime, cb);
  }
  const t = new nunjucks.Template({ type: 'code', obj: bound } as unknown as string, env, path);
  (t as unknown as { compile(): void }).compile();
  return t;
}
