/**
 * strptime-style date and timestamp formats (the subset DuckDB's `dateformat`/`timestampformat`
 * and Python share), parsed in JS for warehouses that do not parse such formats themselves: the
 * value becomes an ISO string the warehouse reads as is. Pure: no I/O.
 *
 * Specifiers: %Y (year), %y (two-digit year: 69–99 → 19xx, 00–68 → 20xx), %m, %d, %j (day of
 * year), %H, %I with %p (AM/PM), %M, %S, %f (fraction, up to 6 digits), %g (milliseconds), %n
 * (up to 9 digits, kept to microseconds), %b/%h and %B (English month names), %a and %A
 * (weekday names, read and ignored), %z (Z, ±HH, ±HHMM, ±HH:MM), %%. A `-` flag (%-d, %-m, …)
 * is accepted; numbers read one digit or up to their full width either way. Any other
 * character must match itself.
 */

export interface DateTimeParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 … 999999 */
  micros: number;
  /** Minutes east of UTC, when the value carries an offset (%z). */
  offsetMinutes?: number;
}

type Piece = { lit: string } | { spec: string };

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

/** Specifiers understood (without the `-` flag). */
export const DATETIME_SPECIFIERS: ReadonlySet<string> = new Set(['Y', 'y', 'm', 'd', 'e', 'j', 'H', 'I', 'M', 'S', 'f', 'g', 'n', 'p', 'b', 'h', 'B', 'a', 'A', 'z', '%']);

/** A problem with a format string (not with a value). */
export class DateTimeFormatError extends Error {}

function compile(format: string): Piece[] {
  const out: Piece[] = [];
  let lit = '';
  for (let i = 0; i < format.length; i++) {
    const ch = format[i]!;
    if (ch !== '%') {
      lit += ch;
      continue;
    }
    let spec = format[++i];
    if (spec === '-') spec = format[++i];
    if (spec === undefined) throw new DateTimeFormatError(`format '${format}' ends with a lone '%'`);
    if (!DATETIME_SPECIFIERS.has(spec)) throw new DateTimeFormatError(`format '${format}' uses %${spec}, which tform does not read (supported: ${[...DATETIME_SPECIFIERS].map((s) => '%' + s).join(' ')})`);
    if (spec === '%') {
      lit += '%';
      continue;
    }
    if (lit) out.push({ lit });
    lit = '';
    out.push({ spec });
  }
  if (lit) out.push({ lit });
  return out;
}

/** Throws a DateTimeFormatError when `format` uses something parseDateTime() cannot read. */
export function checkDateTimeFormat(format: string): void {
  compile(format);
}

const cache = new Map<string, Piece[]>();

function pieces(format: string): Piece[] {
  let p = cache.get(format);
  if (!p) {
    p = compile(format);
    if (cache.size > 100) cache.clear();
    cache.set(format, p);
  }
  return p;
}

const WIDTH: Record<string, number> = { Y: 4, y: 2, m: 2, d: 2, e: 2, j: 3, H: 2, I: 2, M: 2, S: 2, f: 6, g: 3, n: 9 };

function daysIn(year: number, month: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month, 0);
  return d.getUTCDate();
}

/**
 * Read `value` with `format`; undefined when it does not match or names an impossible date or
 * time. Missing parts default to 1970-01-01 00:00:00.
 */
export function parseDateTime(value: string, format: string): DateTimeParts | undefined {
  const v = value.trim();
  let pos = 0;
  let year = 1970;
  let month = 1;
  let day = 1;
  let yday: number | undefined;
  let hour = 0;
  let hour12: number | undefined;
  let pm: boolean | undefined;
  let minute = 0;
  let second = 0;
  let micros = 0;
  let offset: number | undefined;
  const digits = (max: number): string | undefined => {
    let end = pos;
    while (end < v.length && end - pos < max && v.charCodeAt(end) >= 48 && v.charCodeAt(end) <= 57) end++;
    if (end === pos) return undefined;
    const s = v.slice(pos, end);
    pos = end;
    return s;
  };
  const word = (names: string[], short: boolean): number | undefined => {
    const rest = v.slice(pos).toLowerCase();
    for (let i = 0; i < names.length; i++) {
      const n = short ? names[i]!.slice(0, 3) : names[i]!;
      if (rest.startsWith(n)) {
        pos += n.length;
        return i;
      }
    }
    return undefined;
  };
  for (const p of pieces(format)) {
    if ('lit' in p) {
      if (!v.startsWith(p.lit, pos)) return undefined;
      pos += p.lit.length;
      continue;
    }
    const s = p.spec;
    if (s in WIDTH) {
      const sign = s === 'Y' && (v[pos] === '-' || v[pos] === '+') ? v[pos++] : '';
      const d = digits(WIDTH[s]!);
      if (d === undefined) return undefined;
      const n = Number(d);
      switch (s) {
        case 'Y': year = sign === '-' ? -n : n; break;
        case 'y': year = n < 69 ? 2000 + n : 1900 + n; break;
        case 'm': month = n; break;
        case 'd': case 'e': day = n; break;
        case 'j': yday = n; break;
        case 'H': hour = n; break;
        case 'I': hour12 = n; break;
        case 'M': minute = n; break;
        case 'S': second = n; break;
        case 'f': case 'n': micros = Number((d + '000000').slice(0, 6)); break;
        case 'g': micros = Number((d + '000').slice(0, 3)) * 1000; break;
      }
    } else if (s === 'p') {
      const w = v.slice(pos, pos + 2).toLowerCase();
      if (w !== 'am' && w !== 'pm') return undefined;
      pm = w === 'pm';
      pos += 2;
    } else if (s === 'b' || s === 'h' || s === 'B') {
      // %B also takes the short name, as strptime does.
      const m = word(MONTHS, false) ?? word(MONTHS, true);
      if (m === undefined) return undefined;
      month = m + 1;
    } else if (s === 'a' || s === 'A') {
      if (word(DAYS, false) === undefined && word(DAYS, true) === undefined) return undefined;
    } else if (s === 'z') {
      if (v[pos] === 'Z' || v[pos] === 'z') {
        pos++;
        offset = 0;
        continue;
      }
      const m = /^([+-])(\d{2})(?::?(\d{2}))?/.exec(v.slice(pos));
      if (!m) return undefined;
      pos += m[0].length;
      offset = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0));
    }
  }
  if (pos !== v.length) return undefined;
  if (hour12 !== undefined) {
    if (hour12 < 1 || hour12 > 12) return undefined;
    hour = (hour12 % 12) + (pm ? 12 : 0);
  } else if (pm !== undefined) {
    if (hour < 1 || hour > 12) return undefined;
    hour = (hour % 12) + (pm ? 12 : 0);
  }
  if (yday !== undefined) {
    const leap = daysIn(year, 2) === 29;
    if (yday < 1 || yday > (leap ? 366 : 365)) return undefined;
    const d = new Date(0);
    d.setUTCFullYear(year, 0, yday);
    month = d.getUTCMonth() + 1;
    day = d.getUTCDate();
  }
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  if (offset !== undefined && Math.abs(offset) > 18 * 60) return undefined;
  return { year, month, day, hour, minute, second, micros, ...(offset === undefined ? {} : { offsetMinutes: offset }) };
}

const pad = (n: number, w = 2) => String(Math.abs(n)).padStart(w, '0');

function yearText(y: number): string {
  return (y < 0 ? '-' : '') + pad(y, 4);
}

/** `YYYY-MM-DD` */
export function isoDate(p: DateTimeParts): string {
  return `${yearText(p.year)}-${pad(p.month)}-${pad(p.day)}`;
}

/**
 * `YYYY-MM-DD HH:MM:SS[.ffffff]`. A value with an offset is converted to UTC first; `withZone`
 * appends `+00:00` then (for a `timestamp with time zone` column).
 */
export function isoTimestamp(p: DateTimeParts, withZone = false): string {
  let q = p;
  if (p.offsetMinutes !== undefined && p.offsetMinutes !== 0) {
    const d = new Date(0);
    d.setUTCFullYear(p.year, p.month - 1, p.day); // not Date.UTC: it maps years 0–99 to 19xx
    d.setUTCHours(p.hour, p.minute - p.offsetMinutes, p.second, 0);
    q = { ...p, year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() };
  }
  const frac = q.micros ? `.${pad(q.micros, 6)}` : '';
  const zone = withZone && p.offsetMinutes !== undefined ? '+00:00' : '';
  return `${isoDate(q)} ${pad(q.hour)}:${pad(q.minute)}:${pad(q.second)}${frac}${zone}`;
}
