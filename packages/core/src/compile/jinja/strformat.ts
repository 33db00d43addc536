/*
 * Python string formatting for templates: `'{} {}'.format(a, b)` (the format mini-language's
 * common part) and `'%s-%d' % (a, b)` (printf style).
 */
import { isDict, pyNumber, pyRepr, pyStr, pyTypeName } from './pyvalues.js';

interface Spec {
  fill: string;
  align: string;
  sign: string;
  alt: boolean;
  zero: boolean;
  width: number;
  comma: string;
  precision: number | undefined;
  type: string;
}

const SPEC_RE = /^(?:(.)?([<>=^]))?([+\- ]?)(#?)(0?)(\d*)([,_]?)(?:\.(\d+))?([bcdeEfFgGnosxX%]?)$/s;

function parseSpec(spec: string): Spec {
  const m = SPEC_RE.exec(spec);
  if (!m) throw new Error(`Invalid format specifier '${spec}'`);
  return {
    fill: m[1] ?? (m[2] ? ' ' : m[5] ? '0' : ' '),
    align: m[2] ?? (m[5] ? '=' : ''),
    sign: m[3] ?? '',
    alt: m[4] === '#',
    zero: m[5] === '0',
    width: m[6] ? Number(m[6]) : 0,
    comma: m[7] ?? '',
    precision: m[8] !== undefined ? Number(m[8]) : undefined,
    type: m[9] ?? '',
  };
}

function groupDigits(intPart: string, sep: string): string {
  return intPart.replace(/\B(?=(\d{3})+(?!\d))/g, sep);
}

function fixed(n: number, p: number): string {
  return n.toFixed(p);
}

function formatNumber(v: number, s: Spec): string {
  let body: string;
  const neg = v < 0 || Object.is(v, -0);
  const a = Math.abs(v);
  switch (s.type) {
    case 'd':
    case 'n':
      if (!Number.isInteger(v)) throw new Error(`Unknown format code 'd' for object of type 'float'`);
      body = String(a);
      break;
    case 'f':
    case 'F':
      body = fixed(a, s.precision ?? 6);
      break;
    case '%':
      body = fixed(a * 100, s.precision ?? 6) + '%';
      break;
    case 'e':
    case 'E': {
      const [m, e] = a.toExponential(s.precision ?? 6).split('e') as [string, string];
      body = `${m}e${e.startsWith('-') ? '-' : '+'}${e.replace(/^[+-]/, '').padStart(2, '0')}`;
      if (s.type === 'E') body = body.toUpperCase();
      break;
    }
    case 'x':
      body = (s.alt ? '0x' : '') + Math.trunc(a).toString(16);
      break;
    case 'X':
      body = (s.alt ? '0X' : '') + Math.trunc(a).toString(16).toUpperCase();
      break;
    case 'o':
      body = (s.alt ? '0o' : '') + Math.trunc(a).toString(8);
      break;
    case 'b':
      body = (s.alt ? '0b' : '') + Math.trunc(a).toString(2);
      break;
    case 'g':
    case 'G':
    case '':
      body = s.precision !== undefined && !Number.isInteger(v) ? String(Number(a.toPrecision(s.precision))) : pyNumber(a);
      break;
    default:
      throw new Error(`Unknown format code '${s.type}' for a number`);
  }
  if (s.comma) {
    const [i, f] = body.split('.') as [string, string | undefined];
    body = groupDigits(i, s.comma) + (f !== undefined ? '.' + f : '');
  }
  const sign = neg ? '-' : s.sign === '+' ? '+' : s.sign === ' ' ? ' ' : '';
  return pad(body, s, sign, '>');
}

function pad(body: string, s: Spec, sign: string, defaultAlign: string): string {
  const len = [...body].length + sign.length;
  if (s.width <= len) return sign + body;
  const n = s.width - len;
  const fill = s.fill.repeat(n);
  switch (s.align || defaultAlign) {
    case '<':
      return sign + body + fill;
    case '^': {
      const left = Math.floor(n / 2);
      return s.fill.repeat(left) + sign + body + s.fill.repeat(n - left);
    }
    case '=':
      return sign + fill + body;
    default:
      return fill + sign + body;
  }
}

/** format(value, spec): the part after the colon in `{:…}`. */
export function formatValue(v: unknown, spec: string): string {
  if (spec === '') return pyStr(v);
  const s = parseSpec(spec);
  if (typeof v === 'number' || typeof v === 'boolean') {
    if (s.type === 's') throw new Error(`Unknown format code 's' for object of type '${pyTypeName(v)}'`);
    if (s.type === 'c') return pad(String.fromCodePoint(Number(v)), s, '', '<');
    return formatNumber(Number(v), s);
  }
  if (s.type && s.type !== 's') throw new Error(`Unknown format code '${s.type}' for object of type '${pyTypeName(v)}'`);
  let text = pyStr(v);
  if (s.precision !== undefined) text = [...text].slice(0, s.precision).join('');
  return pad(text, s, '', '<');
}

function fieldValue(name: string, pos: unknown[], kw: Record<string, unknown>, auto: { i: number }): unknown {
  const m = /^([^.[]*)(.*)$/s.exec(name)!;
  const head = m[1]!;
  let v: unknown;
  if (head === '') {
    if (auto.i < 0) throw new Error('cannot switch from manual field specification to automatic field numbering');
    v = pos[auto.i++];
    if (auto.i > pos.length) throw new Error('Replacement index out of range for positional args tuple');
  } else if (/^\d+$/.test(head)) {
    auto.i = -1;
    if (Number(head) >= pos.length) throw new Error('Replacement index out of range for positional args tuple');
    v = pos[Number(head)];
  } else {
    if (!Object.prototype.hasOwnProperty.call(kw, head)) throw new Error(`KeyError: '${head}'`);
    v = kw[head];
  }
  const rest = m[2]!;
  const re = /\.([^.[]+)|\[([^\]]+)\]/g;
  let r: RegExpExecArray | null;
  while ((r = re.exec(rest))) {
    const key = r[1] ?? r[2]!;
    const obj = v as Record<string, unknown>;
    v = Array.isArray(obj) && /^\d+$/.test(key) ? obj[Number(key)] : obj?.[key];
  }
  return v;
}

/** str.format(*pos, **kw). */
export function strFormat(template: string, pos: unknown[], kw: Record<string, unknown>): string {
  const auto = { i: 0 };
  let out = '';
  let i = 0;
  while (i < template.length) {
    const ch = template[i]!;
    if (ch === '{') {
      if (template[i + 1] === '{') {
        out += '{';
        i += 2;
        continue;
      }
      let depth = 1;
      let j = i + 1;
      while (j < template.length && depth > 0) {
        if (template[j] === '{') depth++;
        else if (template[j] === '}') depth--;
        if (depth > 0) j++;
      }
      if (depth > 0) throw new Error("Single '{' encountered in format string");
      const field = template.slice(i + 1, j);
      const fm = /^([^!:]*)(?:!([rsa]))?(?::(.*))?$/s.exec(field)!;
      let v = fieldValue(fm[1]!, pos, kw, auto);
      if (fm[2] === 'r' || fm[2] === 'a') v = pyRepr(v);
      else if (fm[2] === 's') v = pyStr(v);
      const spec = (fm[3] ?? '').replace(/\{([^}]*)\}/g, (_x, n: string) => pyStr(fieldValue(n, pos, kw, auto)));
      out += formatValue(v, spec);
      i = j + 1;
    } else if (ch === '}') {
      if (template[i + 1] !== '}') throw new Error("Single '}' encountered in format string");
      out += '}';
      i += 2;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

const PRINTF_RE = /%(?:\(([^)]*)\))?([-+ #0]*)(\*|\d+)?(?:\.(\*|\d+))?([diouxXeEfFgGcrsa%])/g;

/** `template % args`: printf-style formatting with a value, a tuple or a dict of named fields. */
export function percentFormat(template: string, args: unknown): string {
  const list = Array.isArray(args) ? args : [args];
  let k = 0;
  const next = () => {
    if (k >= list.length) throw new Error('not enough arguments for format string');
    return list[k++];
  };
  const out = template.replace(PRINTF_RE, (_m, key: string | undefined, flags: string, width: string | undefined, prec: string | undefined, conv: string) => {
    if (conv === '%') return '%';
    const v = key !== undefined ? (isDict(args) ? args[key] : undefined) : next();
    const w = width === '*' ? Number(next()) : width ? Number(width) : 0;
    const p = prec === '*' ? Number(next()) : prec !== undefined ? Number(prec) : undefined;
    const left = flags.includes('-');
    const zero = flags.includes('0') && !left;
    const sign = flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '';
    let body: string;
    let neg = false;
    switch (conv) {
      case 's':
        body = pyStr(v);
        if (p !== undefined) body = body.slice(0, p);
        break;
      case 'r':
      case 'a':
        body = pyRepr(v);
        break;
      case 'c':
        body = typeof v === 'number' ? String.fromCodePoint(v) : pyStr(v);
        break;
      default: {
        if (typeof v !== 'number' && typeof v !== 'boolean') {
          throw new TypeError(`%${conv} format: a real number is required, not ${pyTypeName(v)}`);
        }
        const n = Number(v);
        neg = n < 0;
        const a = Math.abs(n);
        if ('diu'.includes(conv)) body = String(Math.trunc(a));
        else if (conv === 'x') body = Math.trunc(a).toString(16);
        else if (conv === 'X') body = Math.trunc(a).toString(16).toUpperCase();
        else if (conv === 'o') body = Math.trunc(a).toString(8);
        else if (conv === 'f' || conv === 'F') body = a.toFixed(p ?? 6);
        else if (conv === 'e' || conv === 'E') {
          const [m, e] = a.toExponential(p ?? 6).split('e') as [string, string];
          body = `${m}e${e.startsWith('-') ? '-' : '+'}${e.replace(/^[+-]/, '').padStart(2, '0')}`;
          if (conv === 'E') body = body.toUpperCase();
        } else body = String(Number(a.toPrecision(p ?? 6)));
      }
    }
    const sg = neg ? '-' : 'srac'.includes(conv) ? '' : sign;
    const len = body.length + sg.length;
    if (w <= len) return sg + body;
    if (left) return sg + body + ' '.repeat(w - len);
    if (zero && !'src'.includes(conv)) return sg + '0'.repeat(w - len) + body;
    return ' '.repeat(w - len) + sg + body;
  });
  if (!isDict(args) && k < list.length) {
    throw new TypeError('not all arguments converted during string formatting');
  }
  return out;
}
