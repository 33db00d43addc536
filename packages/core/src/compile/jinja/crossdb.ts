/*
 * dbt's cross-database macros (`dbt.dateadd(...)`, `type_string()`, …) as tform provides them:
 * the SQL of dbt's `default__` macros and of dbt-duckdb's and dbt-postgres' overrides, without the
 * macros' surrounding blank lines. Each is dispatched like dbt's (see dispatch.ts), so a project's
 * own `duckdb__dateadd` or `default__dateadd` wins over these.
 */
import { pyCompare, pyRepr, pyStr, iterate, truthy } from './pyvalues.js';

export interface CrossDbHelpers {
  /** Call another cross-database macro through dispatch (as dbt's macros call `dbt.dateadd`). */
  call(name: string, ...args: unknown[]): unknown;
  /** The target's adapter type. */
  type: string;
  raise(message: string): never;
}

type Impl = (a: Record<string, unknown>, h: CrossDbHelpers) => unknown;

export interface CrossDbMacro {
  params: string[];
  defaults?: Record<string, unknown>;
  /** Implementations by adapter type; `default` is dbt's `default__` macro. */
  impl: Record<string, Impl>;
}

const s = pyStr;

/** dbt's `api.Column.translate_type`. */
const TYPE_LABELS: Record<string, string> = { STRING: 'TEXT', TIMESTAMP: 'TIMESTAMP', FLOAT: 'FLOAT', INTEGER: 'INT', BOOLEAN: 'BOOLEAN' };

export function translateType(dtype: string): string {
  return TYPE_LABELS[dtype.toUpperCase()] ?? dtype;
}

export function numericType(dtype: string, precision: unknown, scale: unknown): string {
  return precision === null || precision === undefined || scale === null || scale === undefined ? dtype : `${dtype}(${s(precision)},${s(scale)})`;
}

const dateaddInterval: Impl = (a) => `${s(a.from_date_or_timestamp)} + ((interval '1 ${s(a.datepart)}') * (${s(a.interval)}))`;

const datediffParts: Impl = (a, h) => {
  const f = s(a.first_date);
  const t = s(a.second_date);
  const dd = (part: string) => s(h.call('datediff', a.first_date, a.second_date, part));
  const dp = (part: string, cast: string, x: string) => `date_part('${part}', (${x})::${cast})`;
  const diff = (part: string, cast: string) => `${dp(part, cast, t)} - ${dp(part, cast, f)}`;
  const floorDiff = (part: string) => `floor(${dp(part, 'timestamp', t)}) - floor(${dp(part, 'timestamp', f)})`;
  switch (a.datepart) {
    case 'year':
      return `(${diff('year', 'date')})`;
    case 'quarter':
      return `(${dd('year')} * 4 + ${diff('quarter', 'date')})`;
    case 'month':
      return `(${dd('year')} * 12 + ${diff('month', 'date')})`;
    case 'day':
      return `((${t})::date - (${f})::date)`;
    case 'week':
      return (
        `(${dd('day')} / 7 + case when ${dp('dow', 'timestamp', f)} <= ${dp('dow', 'timestamp', t)} then ` +
        `case when ${f} <= ${t} then 0 else -1 end else case when ${f} <= ${t} then 1 else 0 end end)`
      );
    case 'hour':
      return `(${dd('day')} * 24 + ${diff('hour', 'timestamp')})`;
    case 'minute':
      return `(${dd('hour')} * 60 + ${diff('minute', 'timestamp')})`;
    case 'second':
      return `(${dd('minute')} * 60 + ${floorDiff('second')})`;
    case 'millisecond':
      return `(${dd('minute')} * 60000 + ${floorDiff('millisecond')})`;
    case 'microsecond':
      return `(${dd('minute')} * 60000000 + ${floorDiff('microsecond')})`;
    default:
      return h.raise(`Unsupported datepart for macro datediff in postgres: ${pyRepr(a.datepart)}`);
  }
};

const splitPartNegative: Impl = (a) =>
  `split_part(${s(a.string_text)}, ${s(a.delimiter_text)}, length(${s(a.string_text)}) - length(replace(${s(a.string_text)}, ${s(a.delimiter_text)}, '')) + 2 + ${s(a.part_number)})`;
const splitPartDefault: Impl = (a) => `split_part(${s(a.string_text)}, ${s(a.delimiter_text)}, ${s(a.part_number)})`;

const lastDayDefault: Impl = (a, h) => `cast(${s(h.call('dateadd', 'day', '-1', h.call('dateadd', a.datepart, '1', h.call('date_trunc', a.datepart, a.date))))} as date)`;
const lastDayQuarter: Impl = (a, h) =>
  a.datepart === 'quarter' ? `cast(${s(h.call('dateadd', 'day', '-1', h.call('dateadd', 'month', '3', h.call('date_trunc', a.datepart, a.date))))} as date)` : lastDayDefault(a, h);

const orderBy = (a: Record<string, unknown>, wrap: boolean) => (truthy(a.order_by_clause) ? (wrap ? ` within group (${s(a.order_by_clause)})` : ` ${s(a.order_by_clause)}`) : '');

const notImplemented = (name: string): Impl => (_a, h) => h.raise(`${name} macro not implemented for adapter ${h.type}`);

export const CROSS_DB: Record<string, CrossDbMacro> = {
  any_value: {
    params: ['expression'],
    impl: { default: (a) => `any_value(${s(a.expression)})`, duckdb: (a) => `arbitrary(${s(a.expression)})`, postgres: (a) => `min(${s(a.expression)})` },
  },
  bool_or: { params: ['expression'], impl: { default: (a) => `bool_or(${s(a.expression)})` } },
  cast_bool_to_text: { params: ['field'], impl: { default: (a) => `cast(${s(a.field)} as ${translateType('string')})` } },
  concat: { params: ['fields'], impl: { default: (a) => iterate(a.fields).map(s).join(' || ') } },
  current_timestamp: { params: [], impl: { default: notImplemented('current_timestamp'), duckdb: () => 'now()', postgres: () => 'now()' } },
  dateadd: {
    params: ['datepart', 'interval', 'from_date_or_timestamp'],
    impl: { default: (a) => `dateadd(${s(a.datepart)}, ${s(a.interval)}, ${s(a.from_date_or_timestamp)})`, duckdb: dateaddInterval, postgres: dateaddInterval },
  },
  datediff: {
    params: ['first_date', 'second_date', 'datepart'],
    impl: { default: (a) => `datediff(${s(a.datepart)}, ${s(a.first_date)}, ${s(a.second_date)})`, duckdb: datediffParts, postgres: datediffParts },
  },
  date_trunc: { params: ['datepart', 'date'], impl: { default: (a) => `date_trunc('${s(a.datepart)}', ${s(a.date)})` } },
  escape_single_quotes: { params: ['expression'], impl: { default: (a) => s(a.expression).split("'").join("''") } },
  except: { params: [], impl: { default: () => 'except' } },
  hash: { params: ['field'], impl: { default: (a) => `md5(cast(${s(a.field)} as ${translateType('string')}))` } },
  intersect: { params: [], impl: { default: () => 'intersect' } },
  last_day: { params: ['date', 'datepart'], impl: { default: lastDayDefault, duckdb: lastDayQuarter, postgres: lastDayQuarter } },
  length: { params: ['expression'], impl: { default: (a) => `length(${s(a.expression)})` } },
  listagg: {
    params: ['measure', 'delimiter_text', 'order_by_clause', 'limit_num'],
    defaults: { delimiter_text: "','", order_by_clause: null, limit_num: null },
    impl: {
      default: (a) =>
        truthy(a.limit_num)
          ? `array_to_string(array_slice(array_agg(${s(a.measure)})${orderBy(a, true)}, 0, ${s(a.limit_num)}), ${s(a.delimiter_text)})`
          : `listagg(${s(a.measure)}, ${s(a.delimiter_text)})${orderBy(a, true)}`,
      duckdb: (a) =>
        truthy(a.limit_num)
          ? `list_aggr((array_agg(${s(a.measure)}${orderBy(a, false)}))[1:${s(a.limit_num)}], 'string_agg', ${s(a.delimiter_text)})`
          : `string_agg(${s(a.measure)}, ${s(a.delimiter_text)}${orderBy(a, false)})`,
      postgres: (a) =>
        truthy(a.limit_num)
          ? `array_to_string((array_agg(${s(a.measure)}${orderBy(a, false)}))[1:${s(a.limit_num)}], ${s(a.delimiter_text)})`
          : `string_agg(${s(a.measure)}, ${s(a.delimiter_text)}${orderBy(a, false)})`,
    },
  },
  position: { params: ['substring_text', 'string_text'], impl: { default: (a) => `position(${s(a.substring_text)} in ${s(a.string_text)})` } },
  replace: { params: ['field', 'old_chars', 'new_chars'], impl: { default: (a) => `replace(${s(a.field)}, ${s(a.old_chars)}, ${s(a.new_chars)})` } },
  right: { params: ['string_text', 'length_expression'], impl: { default: (a) => `right(${s(a.string_text)}, ${s(a.length_expression)})` } },
  safe_cast: { params: ['field', 'type'], impl: { default: (a) => `cast(${s(a.field)} as ${s(a.type)})` } },
  split_part: {
    params: ['string_text', 'delimiter_text', 'part_number'],
    impl: {
      default: splitPartDefault,
      postgres: (a, h) => (pyCompare(a.part_number, 0) >= 0 ? splitPartDefault(a, h) : splitPartNegative(a, h)),
      duckdb: (a, h) => (pyCompare(a.part_number, 0) >= 0 ? `coalesce(string_split(${s(a.string_text)}, ${s(a.delimiter_text)})[ ${s(a.part_number)} ], '')` : splitPartNegative(a, h)),
    },
  },
  string_literal: { params: ['value'], impl: { default: (a) => `'${s(a.value)}'` } },
  type_bigint: { params: [], impl: { default: () => translateType('bigint') } },
  type_boolean: { params: [], impl: { default: () => translateType('boolean') } },
  type_float: { params: [], impl: { default: () => translateType('float') } },
  type_int: { params: [], impl: { default: () => translateType('integer') } },
  type_numeric: { params: [], impl: { default: () => numericType('numeric', 28, 6) } },
  type_string: { params: [], impl: { default: () => translateType('string') } },
  type_timestamp: { params: [], impl: { default: () => translateType('timestamp') } },
};
