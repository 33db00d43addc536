import { cronFields } from '../schedule.js';
import type { OpenProject } from '../workflow/open.js';
import type { SelectionOptions } from '../workflow/options.js';
import { selectFor } from '../workflow/state.js';
import { shellQuote } from './commandLine.js';

/**
 * `tform schedule`: the crontab line that serves every model's `schedule:` with one
 * `tform run --due`. The line's tick fires at every minute and hour any schedule fires at (the
 * union of their minute and hour fields), so each scheduled time is a tick; at each tick
 * `--due` runs only the models whose time has come. Day fields are kept when all schedules
 * share them, else every day. Schedules are UTC, hence `CRON_TZ=UTC` when hours or days matter.
 */

export interface ScheduledModel {
  uniqueId: string;
  name: string;
  schedule: string;
}

export interface Crontab {
  /** The five cron fields of the line, or undefined when no selected model has a schedule. */
  tick?: string;
  models: ScheduledModel[];
  /** The crontab text, line by line (comments included). */
  lines: string[];
}

/** A cron field from the values it must allow, within lo..hi: `*`, `*\/n` or a list. */
export function cronField(values: Iterable<number>, lo: number, hi: number): string {
  const v = [...new Set(values)].sort((a, b) => a - b);
  if (v.length === hi - lo + 1) return '*';
  if (v.length > 1 && v[0] === lo) {
    const step = v[1]! - v[0]!;
    const regular = v.every((x, i) => x === lo + i * step) && v[v.length - 1]! + step > hi;
    if (regular) return `*/${step}`;
  }
  return v.join(',');
}

/** The tick (five cron fields) that fires at every time any of `schedules` fires. */
export function crontabTick(schedules: readonly string[]): string {
  const fields = schedules.map(cronFields);
  const minute = cronField(fields.flatMap((f) => f.minute), 0, 59);
  const hour = cronField(fields.flatMap((f) => f.hour), 0, 23);
  const days = fields.map((f) => f.text.slice(2).join(' '));
  const day = days.every((d) => d === days[0]) ? days[0]! : '* * *';
  return `${minute} ${hour} ${day}`;
}

export interface CrontabOptions extends SelectionOptions {
  /** How cron starts tform (default `npx tform`). */
  bin?: string;
}

/** The crontab for the selected models' schedules (see the top of this file). */
export function crontabFor(p: OpenProject, o: CrontabOptions = {}): Crontab {
  const m = p.session.manifest;
  const models: ScheduledModel[] = selectFor(p, o, ['model'])
    .map((id) => m.nodes[id]!)
    .filter((n) => typeof n.config.schedule === 'string' && n.config.schedule)
    .map((n) => ({ uniqueId: n.uniqueId, name: n.name, schedule: n.config.schedule as string }));
  const lines = [`# tform schedule: project ${p.project.config.name}, target ${p.target.name}`];
  if (!models.length) {
    lines.push('# No selected model has a schedule: (e.g. {{ config(schedule=\'hourly\') }}); nothing to add to crontab.');
    return { models, lines };
  }
  const width = Math.max(...models.map((x) => x.name.length));
  for (const x of models) lines.push(`#   ${x.name.padEnd(width)}  ${x.schedule}`);
  const tick = crontabTick(models.map((x) => x.schedule));
  const flags = [
    ...(p.opts.target ? ['--target', p.opts.target] : []),
    ...(p.opts.profilesDir ? ['--profiles-dir', p.opts.profilesDir] : []),
    ...(o.select?.length ? ['--select', ...o.select] : []),
    ...(o.exclude?.length ? ['--exclude', ...o.exclude] : []),
    ...(o.selector ? ['--selector', o.selector] : []),
  ];
  lines.push('# One tick serves every schedule: at each tick `run --due` builds only the models that are due.');
  if (tick.split(' ').slice(1).some((f) => f !== '*')) lines.push('CRON_TZ=UTC');
  lines.push(`${tick} cd ${shellQuote(p.project.root)} && ${o.bin ?? 'npx tform'} run --due${flags.length ? ' ' + flags.map(shellQuote).join(' ') : ''}`);
  return { tick, models, lines };
}
