/* Call arguments as nunjucks passes them: positional values, then keyword arguments as one object
 * marked `__keywords`. */

export type Kwargs = Record<string, unknown>;

/** Split call arguments into positional ones and keyword ones. */
export function splitKwargs(args: unknown[]): { pos: unknown[]; kw: Kwargs } {
  const last = args[args.length - 1] as (Kwargs & { __keywords?: boolean }) | undefined;
  if (last !== null && typeof last === 'object' && Object.prototype.hasOwnProperty.call(last, '__keywords')) {
    const kw: Kwargs = {};
    for (const k of Object.keys(last)) if (k !== '__keywords') kw[k] = last[k];
    return { pos: args.slice(0, -1), kw };
  }
  return { pos: args, kw: {} };
}

/**
 * Bind call arguments to parameter names as Python does: positional first, then keywords;
 * a missing parameter takes its default. Unknown keywords and extra positional arguments are errors.
 */
export function bindArgs(fn: string, args: unknown[], params: string[], defaults: Kwargs = {}): Kwargs {
  const { pos, kw } = splitKwargs(args);
  if (pos.length > params.length) throw new TypeError(`${fn}() takes ${params.length} positional arguments but ${pos.length} were given`);
  const out: Kwargs = {};
  params.forEach((p, i) => {
    if (i < pos.length) {
      if (Object.prototype.hasOwnProperty.call(kw, p)) throw new TypeError(`${fn}() got multiple values for argument '${p}'`);
      out[p] = pos[i];
    } else if (Object.prototype.hasOwnProperty.call(kw, p)) out[p] = kw[p];
    else if (Object.prototype.hasOwnProperty.call(defaults, p)) out[p] = defaults[p];
    else throw new TypeError(`${fn}() missing required argument '${p}'`);
  });
  for (const k of Object.keys(kw)) if (!params.includes(k)) throw new TypeError(`${fn}() got an unexpected keyword argument '${k}'`);
  return out;
}
