/*
 * Python's ast.literal_eval over rendered text, as dbt's native rendering applies it: numbers,
 * strings, True/False/None, and lists, tuples and dicts of those. Anything else is not a literal.
 */
import { PyTuple } from './pyvalues.js';

const FAIL = Symbol('not a literal');

class LiteralParser {
  private i = 0;
  constructor(private readonly s: string) {}

  parseAll(): unknown {
    const v = this.value();
    this.ws();
    return this.i === this.s.length ? v : FAIL;
  }

  private ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++;
  }

  private value(): unknown {
    this.ws();
    const c = this.s[this.i];
    if (c === undefined) return FAIL;
    if (c === '[') return this.sequence(']');
    if (c === '(') return this.sequence(')');
    if (c === '{') return this.dict();
    if (c === "'" || c === '"') return this.string();
    const word = /^(True|False|None)\b/.exec(this.s.slice(this.i));
    if (word) {
      this.i += word[0].length;
      return word[0] === 'True' ? true : word[0] === 'False' ? false : null;
    }
    const num = /^[+-]?(?:\d[\d_]*\.?[\d_]*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)/.exec(this.s.slice(this.i));
    if (num) {
      this.i += num[0].length;
      const n = Number(num[0].replace(/_/g, ''));
      return Number.isNaN(n) ? FAIL : n;
    }
    return FAIL;
  }

  private string(): unknown {
    let out = '';
    // adjacent literals concatenate, as in Python
    while (this.s[this.i] === "'" || this.s[this.i] === '"') {
      const q = this.s[this.i++]!;
      for (;;) {
        const c = this.s[this.i++];
        if (c === undefined || c === '\n') return FAIL;
        if (c === q) break;
        if (c === '\\') {
          const e = this.s[this.i++];
          const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0' };
          out += e !== undefined && e in map ? map[e] : `\\${e ?? ''}`;
        } else out += c;
      }
      this.ws();
    }
    return out;
  }

  private items(close: string, item: () => unknown): unknown[] | typeof FAIL {
    this.i++;
    const out: unknown[] = [];
    for (;;) {
      this.ws();
      if (this.s[this.i] === close) {
        this.i++;
        return out;
      }
      const v = item();
      if (v === FAIL) return FAIL;
      out.push(v);
      this.ws();
      if (this.s[this.i] === ',') this.i++;
      else if (this.s[this.i] !== close) return FAIL;
    }
  }

  private sequence(close: ']' | ')'): unknown {
    const items = this.items(close, () => this.value());
    if (items === FAIL) return FAIL;
    return close === ')' ? PyTuple.make(...items) : items;
  }

  private dict(): unknown {
    const entries = this.items('}', () => {
      const k = this.value();
      if (k === FAIL || (typeof k !== 'string' && typeof k !== 'number' && typeof k !== 'boolean')) return FAIL;
      this.ws();
      if (this.s[this.i++] !== ':') return FAIL;
      const v = this.value();
      return v === FAIL ? FAIL : [String(k), v];
    });
    if (entries === FAIL) return FAIL;
    return Object.fromEntries(entries as [string, unknown][]);
  }
}

/** `ast.literal_eval(text)`, or `{ ok: false }` when the text is not a Python literal. */
export function pyLiteralEval(text: string): { ok: true; value: unknown } | { ok: false } {
  const v = new LiteralParser(text).parseAll();
  return v === FAIL ? { ok: false } : { ok: true, value: v };
}
