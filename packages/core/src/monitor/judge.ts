import { nextRun } from '../schedule.js';
import type { ModelRunHistory } from '../state/runHistory.js';
import { durationText } from './expectEvery.js';

/**
 * When a model is expected to have succeeded, and whether it has. Pure: `now` is passed in.
 *
 * | expectation                | late when                                                          |
 * |----------------------------|--------------------------------------------------------------------|
 * | `expect_every: 1 day`      | the last success is more than a day before now, or there is none   |
 * | `schedule: <cron>`         | a whole scheduled period went by without a success: the scheduled  |
 * |                            | time after the one it was due at has come too (`tform run --due`   |
 * |                            | had a full tick to run it)                                         |
 * | neither                    | no success within `--days-back N` days                             |
 *
 * Whatever the expectation, a model whose latest run failed is failing.
 */
export type Expectation =
  | { kind: 'every'; ms: number; text: string }
  | { kind: 'schedule'; cron: string }
  | { kind: 'lookback'; ms: number; days: number };

export type ModelCheckStatus = 'ok' | 'late' | 'fail';

export interface ModelJudgement {
  status: ModelCheckStatus;
  /** The expectation in words. */
  expected: string;
  detail: string;
}

/** The expectation in words: `every 1 day`, `schedule 0 * * * *`, `within 2 days`. */
export function expectationText(e: Expectation): string {
  if (e.kind === 'every') return `every ${e.text.trim()}`;
  if (e.kind === 'schedule') return `schedule ${e.cron}`;
  return `within ${e.days} day${e.days === 1 ? '' : 's'}`;
}

function firstLine(text: string): string {
  const l = text.split('\n').find((x) => x.trim()) ?? '';
  return l.length > 200 ? `${l.slice(0, 199)}…` : l;
}

/** Judge one model's run history against its expectation at `now`. */
export function judgeModel(e: Expectation, h: ModelRunHistory | undefined, now: Date): ModelJudgement {
  const expected = expectationText(e);
  const last = h?.lastSuccess;
  const lastRun = h?.lastRun;
  if (lastRun?.status === 'error') {
    const msg = lastRun.message ? `: ${firstLine(lastRun.message)}` : '';
    return { status: 'fail', expected, detail: `the latest run failed at ${lastRun.at.toISOString()}${msg}` };
  }
  if (!last) return { status: 'late', expected, detail: 'no successful run recorded' };
  const age = `last success ${durationText(now.getTime() - last.getTime())} ago`;
  if (e.kind === 'schedule') {
    const dueAt = nextRun(e.cron, last);
    const lateAt = nextRun(e.cron, dueAt);
    if (lateAt.getTime() <= now.getTime()) return { status: 'late', expected, detail: `${age}; due at ${dueAt.toISOString()} and not run by ${lateAt.toISOString()}` };
    return { status: 'ok', expected, detail: `${age}; next due ${dueAt.toISOString()}` };
  }
  if (now.getTime() - last.getTime() > e.ms) return { status: 'late', expected, detail: `${age}, more than ${durationText(e.ms)}` };
  return { status: 'ok', expected, detail: age };
}
