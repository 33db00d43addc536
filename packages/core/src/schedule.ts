import { createRequire } from 'node:module';

type Cron = typeof import('cron-parser');
let cron: Cron | undefined;
/** cron-parser (with its date library), loaded when a schedule is first read. */
const cronParser = () => (cron ??= createRequire(import.meta.url)('cron-parser') as Cron).CronExpressionParser;
import { TformError, type ErrorLocation } from './errors/index.js';

/** Words a `schedule:` may use instead of a cron expression. */
const ALIASES: Record<string, string> = {
  hourly: '0 * * * *',
  '@hourly': '0 * * * *',
  daily: '0 0 * * *',
  '@daily': '0 0 * * *',
  weekly: '0 0 * * 1',
  '@weekly': '0 0 * * 1',
  monthly: '0 0 1 * *',
  '@monthly': '0 0 1 * *',
};

/** The cron expression of a `schedule:` config value; a bad one is a user error where it was set. */
export function cronOf(value: unknown, where: ErrorLocation = {}): string {
  const raw = typeof value === 'string' ? value.trim() : '';
  const expr = ALIASES[raw] ?? raw;
  try {
    if (!expr) throw new Error('empty');
    cronParser().parse(expr, { tz: 'UTC' });
  } catch (e) {
    throw new TformError('CONFIG_INVALID', `schedule ${JSON.stringify(value)} is not a cron expression or one of ${Object.keys(ALIASES).filter((k) => !k.startsWith('@')).join(', ')}`, {
      ...where,
      hint: "e.g. schedule: '*/5 * * * *' (every 5 minutes), hourly, daily",
    });
  }
  return expr;
}

/** The first scheduled time strictly after `after`. */
export function nextRun(expr: string, after: Date, tz = 'UTC'): Date {
  return cronParser().parse(expr, { currentDate: after, tz }).next().toDate();
}

/**
 * Due for `tform run --due`: never succeeded, or a scheduled time has come since the last success.
 * Times are the settable clock's (`--now`), so a 5-minute tick can be replayed in tests.
 */
export function isDue(expr: string, lastSuccess: Date | undefined, now: Date, tz = 'UTC'): boolean {
  if (!lastSuccess) return true;
  return nextRun(expr, lastSuccess, tz).getTime() <= now.getTime();
}

/** The five fields of a cron expression: the values each allows, and the field as written. */
export interface CronFields {
  minute: number[];
  hour: number[];
  dayOfMonth: (number | 'L')[];
  month: number[];
  dayOfWeek: number[];
  /** The expression's fields as written (minute hour day-of-month month day-of-week). */
  text: [string, string, string, string, string];
}

/** The fields of a (checked) cron expression. */
export function cronFields(expr: string): CronFields {
  const f = cronParser().parse(expr, { tz: 'UTC' }).fields;
  const parts = expr.trim().split(/\s+/);
  // Expressions with seconds have six fields: the last five are the usual ones.
  const five = (parts.length === 6 ? parts.slice(1) : parts) as CronFields['text'];
  return {
    minute: [...f.minute.values] as number[],
    hour: [...f.hour.values] as number[],
    dayOfMonth: [...f.dayOfMonth.values] as (number | 'L')[],
    month: [...f.month.values] as number[],
    dayOfWeek: [...f.dayOfWeek.values].map((d) => (Number(d) === 7 ? 0 : Number(d))),
    text: five,
  };
}
