/*
 * The static fast path: most model files call only ref(), source() and config() with literal
 * arguments. Such a file is split here, without the template compiler, into text and those calls;
 * rendering it is then a walk over the pieces that calls the same globals the compiled template
 * would call, with the same whitespace control. Anything else — a block tag, another expression,
 * a non-literal argument, a backslash in a string — returns undefined and the file goes through
 * the full template engine. The equivalence of both paths is tested byte for byte.
 */

/** A call the static path renders: the global's name, positional arguments and keyword arguments. */
export interface StaticCall {
  fn: 'ref' | 'source' | 'config';
  args: unknown[];
  kwargs?: Record<string, unknown>;
}

export type StaticPiece = string | StaticCall;

const NOT_STATIC = Symbol('not static');
type Result<T> = T | typeof NOT_STATIC;

/** A cursor over the inside of one `{{ … }}` tag. */
class ExprReader {
  i: number;
  constructor(
    private readonly s: string,
    start: number,
  ) {
    this.i = start;
  }

  ws(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.i++;
      else break;
    }
  }

  ident(): string | undefined {
    const m = /[A-Za-z_][A-Za-z0-9_]*/y;
    m.lastIndex = this.i;
    const r = m.exec(this.s);
    if (!r) return undefined;
    this.i += r[0].length;
    return r[0];
  }

  eat(ch: string): boolean {
    if (this.s[this.i] !== ch) return false;
    this.i++;
    return true;
  }

  /** A literal: string (no escapes), number, true/false/none (either case), or a list of them. */
  literal(): Result<unknown> {
    const s = this.s;
    const c = s[this.i];
    if (c === "'" || c === '"') {
      const end = s.indexOf(c, this.i + 1);
      if (end < 0) return NOT_STATIC;
      const text = s.slice(this.i + 1, end);
      if (text.includes('\\') || text.includes('\n')) return NOT_STATIC;
      this.i = end + 1;
      return text;
    }
    if (c === '[') {
      this.i++;
      const out: unknown[] = [];
      for (;;) {
        this.ws();
        if (this.eat(']')) return out;
        const v = this.literal();
        if (v === NOT_STATIC) return NOT_STATIC;
        out.push(v);
        this.ws();
        if (this.eat(',')) continue;
        if (this.eat(']')) return out;
        return NOT_STATIC;
      }
    }
    const num = /-?\d+(?:\.\d+)?(?![\w.])/y;
    num.lastIndex = this.i;
    const n = num.exec(s);
    if (n) {
      this.i += n[0].length;
      return Number(n[0]);
    }
    const word = this.ident();
    if (word === 'true' || word === 'True') return true;
    if (word === 'false' || word === 'False') return false;
    if (word === 'none' || word === 'None') return null;
    return NOT_STATIC;
  }

  /** `fn(literal, …, key=literal, …)` of ref/source/config. */
  call(): Result<StaticCall> {
    const fn = this.ident();
    if (fn !== 'ref' && fn !== 'source' && fn !== 'config') return NOT_STATIC;
    this.ws();
    if (!this.eat('(')) return NOT_STATIC;
    const args: unknown[] = [];
    let kwargs: Record<string, unknown> | undefined;
    for (let first = true; ; first = false) {
      this.ws();
      // `f()` closes at once; after a comma another argument must follow (the engine rejects `f(a,)`)
      if (first && this.eat(')')) break;
      const save = this.i;
      const key = this.ident();
      this.ws();
      if (key !== undefined && this.s[this.i] === '=' && this.s[this.i + 1] !== '=') {
        this.i++;
        this.ws();
        const v = this.literal();
        if (v === NOT_STATIC) return NOT_STATIC;
        (kwargs ??= {})[key] = v;
      } else {
        if (kwargs) return NOT_STATIC; // positional after keyword
        this.i = save;
        const v = this.literal();
        if (v === NOT_STATIC) return NOT_STATIC;
        args.push(v);
      }
      this.ws();
      if (this.eat(',')) continue;
      if (this.eat(')')) break;
      return NOT_STATIC;
    }
    if (fn !== 'config' && (kwargs || !args.every((a) => typeof a === 'string'))) return NOT_STATIC;
    if (fn === 'config' && args.length) return NOT_STATIC;
    return kwargs ? { fn, args, kwargs } : { fn, args };
  }
}

const WS_END = /\s+$/;

/** Trim trailing whitespace of the last text piece (a `{{-` or `{#-` tag follows). */
function trimLast(out: StaticPiece[]): void {
  const last = out[out.length - 1];
  if (typeof last === 'string') out[out.length - 1] = last.replace(WS_END, '');
}

/** Length of the whitespace at `s[i…]`. */
function wsLength(s: string, i: number): number {
  let j = i;
  while (j < s.length && /\s/.test(s[j]!)) j++;
  return j - i;
}

/**
 * Split `source` into text and literal ref/source/config calls, or undefined when the file needs
 * the full template engine.
 */
export function staticPieces(source: string): StaticPiece[] | undefined {
  const out: StaticPiece[] = [];
  let i = 0;
  let stripNext = false;
  for (;;) {
    const open = source.indexOf('{', i);
    let at = open;
    // the next tag start: `{{`, `{%` or `{#`
    while (at >= 0 && !(source[at + 1] === '{' || source[at + 1] === '%' || source[at + 1] === '#')) at = source.indexOf('{', at + 1);
    let text = at < 0 ? source.slice(i) : source.slice(i, at);
    if (stripNext) text = text.slice(wsLength(text, 0));
    stripNext = false;
    // the template engine rejects a stray comment end in text: leave that error to it
    if (text.includes('#}')) return undefined;
    if (text) out.push(text);
    if (at < 0) break;
    const kind = source[at + 1];
    if (kind === '%') return undefined;
    let p = at + 2;
    const trimBefore = source[p] === '-';
    if (trimBefore) {
      p++;
      trimLast(out);
    }
    if (kind === '#') {
      const end = source.indexOf('#}', p);
      if (end < 0) return undefined;
      stripNext = source[end - 1] === '-' && end - 1 >= at + 2;
      i = end + 2;
      out.push(''); // a later `{{-` trims only the text after the comment
      continue;
    }
    const r = new ExprReader(source, p);
    r.ws();
    const call = r.call();
    if (call === NOT_STATIC) return undefined;
    r.ws();
    if (source[r.i] === '-' && source[r.i + 1] === '}' && source[r.i + 2] === '}') {
      stripNext = true;
      r.i += 1;
    }
    if (source[r.i] !== '}' || source[r.i + 1] !== '}') return undefined;
    out.push(call);
    i = r.i + 2;
  }
  return out.filter((p) => p !== '');
}
