import { describe, expect, it } from 'vitest';
import {
  TformError,
  describeIntervals,
  expectedIntervals,
  floorToGrain,
  intervalLabel,
  intervalsBetween,
  markOpen,
  mergeRanges,
  missingIntervals,
  type Interval,
} from '@tform/core';

const d = (s: string) => new Date(s);
const iso = (is: Interval[]) => is.map((i) => [i.start.toISOString(), i.end.toISOString()]);
const hours = (i: Interval) => (i.end.getTime() - i.start.getTime()) / 3_600_000;

describe('intervalsBetween', () => {
  it('hour grain: UTC hours overlapping [start, end), floored and extended to boundaries', () => {
    expect(iso(intervalsBetween(d('2024-01-01T00:30:00Z'), d('2024-01-01T03:00:00Z'), 'hour'))).toEqual([
      ['2024-01-01T00:00:00.000Z', '2024-01-01T01:00:00.000Z'],
      ['2024-01-01T01:00:00.000Z', '2024-01-01T02:00:00.000Z'],
      ['2024-01-01T02:00:00.000Z', '2024-01-01T03:00:00.000Z'],
    ]);
    expect(intervalsBetween(d('2024-01-01T00:00:00Z'), d('2024-01-01T02:00:01Z'), 'hour')).toHaveLength(3);
  });

  it('hour grain ignores the time zone (plain UTC hours, also on DST days)', () => {
    const a = intervalsBetween(d('2024-03-31T00:00:00Z'), d('2024-04-01T00:00:00Z'), 'hour', 'Europe/Berlin');
    expect(a).toHaveLength(24);
    expect(a.every((i) => hours(i) === 1 && i.start.getUTCMinutes() === 0)).toBe(true);
  });

  it('day grain: UTC days without a zone, empty when end <= start', () => {
    expect(iso(intervalsBetween(d('2024-01-01T12:00:00Z'), d('2024-01-03T00:00:00Z'), 'day'))).toEqual([
      ['2024-01-01T00:00:00.000Z', '2024-01-02T00:00:00.000Z'],
      ['2024-01-02T00:00:00.000Z', '2024-01-03T00:00:00.000Z'],
    ]);
    expect(intervalsBetween(d('2024-01-03T00:00:00Z'), d('2024-01-03T00:00:00Z'), 'day')).toEqual([]);
    expect(intervalsBetween(d('2024-01-03T00:00:00Z'), d('2024-01-01T00:00:00Z'), 'day')).toEqual([]);
  });

  it('day grain in Europe/Berlin: local midnights, a 23-hour day in spring and a 25-hour day in autumn', () => {
    // 2024-03-31: clocks go 02:00 → 03:00 (CET → CEST); 2024-10-27: 03:00 → 02:00 (CEST → CET).
    const spring = intervalsBetween(d('2024-03-30T12:00:00Z'), d('2024-04-01T12:00:00Z'), 'day', 'Europe/Berlin');
    expect(iso(spring)).toEqual([
      ['2024-03-29T23:00:00.000Z', '2024-03-30T23:00:00.000Z'],
      ['2024-03-30T23:00:00.000Z', '2024-03-31T22:00:00.000Z'],
      ['2024-03-31T22:00:00.000Z', '2024-04-01T22:00:00.000Z'],
    ]);
    expect(spring.map(hours)).toEqual([24, 23, 24]);
    expect(spring.map((i) => intervalLabel(i.start, 'day', 'Europe/Berlin'))).toEqual(['2024-03-30', '2024-03-31', '2024-04-01']);

    const autumn = intervalsBetween(d('2024-10-26T00:00:00Z'), d('2024-10-28T00:00:00Z'), 'day', 'Europe/Berlin');
    expect(iso(autumn)).toEqual([
      ['2024-10-25T22:00:00.000Z', '2024-10-26T22:00:00.000Z'],
      ['2024-10-26T22:00:00.000Z', '2024-10-27T23:00:00.000Z'],
      ['2024-10-27T23:00:00.000Z', '2024-10-28T23:00:00.000Z'],
    ]);
    expect(autumn.map(hours)).toEqual([24, 25, 24]);
  });

  it('day grain where DST skips midnight (America/Santiago): the day starts at local 01:00', () => {
    // 2024-09-08 00:00 local does not exist in Chile (clocks jump 00:00 → 01:00, −04 → −03).
    const days = intervalsBetween(d('2024-09-07T12:00:00Z'), d('2024-09-09T12:00:00Z'), 'day', 'America/Santiago');
    expect(iso(days)).toEqual([
      ['2024-09-07T04:00:00.000Z', '2024-09-08T04:00:00.000Z'],
      ['2024-09-08T04:00:00.000Z', '2024-09-09T03:00:00.000Z'],
      ['2024-09-09T03:00:00.000Z', '2024-09-10T03:00:00.000Z'],
    ]);
    expect(days.map(hours)).toEqual([24, 23, 24]);
    expect(days.map((i) => intervalLabel(i.start, 'day', 'America/Santiago'))).toEqual(['2024-09-07', '2024-09-08', '2024-09-09']);
  });

  it('floors an instant to its local day', () => {
    // 2024-03-31T21:59Z is 23:59 CEST on the 31st; 22:00Z is midnight of April 1st.
    expect(floorToGrain(d('2024-03-31T21:59:59Z'), 'day', 'Europe/Berlin').toISOString()).toBe('2024-03-30T23:00:00.000Z');
    expect(floorToGrain(d('2024-03-31T22:00:00Z'), 'day', 'Europe/Berlin').toISOString()).toBe('2024-03-31T22:00:00.000Z');
    expect(floorToGrain(d('2024-01-01T05:30:00Z'), 'hour').toISOString()).toBe('2024-01-01T05:00:00.000Z');
  });

  it('refuses an unknown time zone and invalid dates', () => {
    expect(() => intervalsBetween(d('2024-01-01'), d('2024-01-02'), 'day', 'Mars/Olympus')).toThrow(TformError);
    expect(() => intervalsBetween(d('2024-01-01'), d('2024-01-02'), 'day', 'Mars/Olympus')).toThrow(/unknown time zone 'Mars\/Olympus'/);
    expect(() => intervalsBetween(new Date('nope'), d('2024-01-02'), 'day')).toThrow(/valid Date/);
  });
});

describe('open interval, missing intervals, display', () => {
  it('marks the interval containing now as partial and leaves out future ones', () => {
    const e = expectedIntervals(d('2024-01-01T00:00:00Z'), d('2024-01-03T10:00:00Z'), 'day');
    expect(e.map((i) => [i.start.toISOString().slice(0, 10), i.status])).toEqual([
      ['2024-01-01', 'complete'],
      ['2024-01-02', 'complete'],
      ['2024-01-03', 'partial'],
    ]);
    // now exactly at a boundary: the interval starting at now is open.
    const atBoundary = expectedIntervals(d('2024-01-01T00:00:00Z'), d('2024-01-01T02:00:00Z'), 'hour');
    expect(atBoundary.map((i) => i.status)).toEqual(['complete', 'complete', 'partial']);
    expect(markOpen(intervalsBetween(d('2024-01-01'), d('2024-01-02'), 'day'), d('2030-01-01'))[0]!.status).toBe('complete');
  });

  it('finds missing intervals: partial records and gaps are missing; coverage may be finer-grained', () => {
    const expected = intervalsBetween(d('2024-01-01'), d('2024-01-08'), 'day');
    const processed = expected
      .filter((i) => i.start.getUTCDate() !== 3)
      .map((i) => ({ ...i, status: i.start.getUTCDate() === 5 ? ('partial' as const) : ('complete' as const) }));
    expect(missingIntervals(expected, processed).map((i) => i.start.toISOString().slice(0, 10))).toEqual(['2024-01-03', '2024-01-05']);
    expect(missingIntervals(expected, [])).toEqual(expected);
    expect(missingIntervals(expected, expected)).toEqual([]);
    // 24 hourly records cover one day.
    const day = intervalsBetween(d('2024-01-01'), d('2024-01-02'), 'day');
    const hourly = intervalsBetween(d('2024-01-01'), d('2024-01-02'), 'hour');
    expect(missingIntervals(day, hourly)).toEqual([]);
    expect(missingIntervals(day, hourly.slice(1))).toEqual(day);
  });

  it('merges ranges for display', () => {
    const days = intervalsBetween(d('2024-01-01'), d('2024-01-08'), 'day');
    const merged = mergeRanges([days[4]!, days[0]!, days[1]!, days[5]!]);
    expect(iso(merged)).toEqual([
      ['2024-01-01T00:00:00.000Z', '2024-01-03T00:00:00.000Z'],
      ['2024-01-05T00:00:00.000Z', '2024-01-07T00:00:00.000Z'],
    ]);
    const expected = expectedIntervals(d('2024-01-01'), d('2024-01-08T06:00:00Z'), 'day');
    const processed = expected.filter((i) => ![3, 5, 6, 8].includes(i.start.getUTCDate()));
    expect(describeIntervals(expected, processed, 'day')).toBe('2024-01-01 .. 2024-01-07, missing 2024-01-03, 2024-01-05 .. 2024-01-06, 2024-01-08 partial');
    expect(describeIntervals(expected.slice(0, 7), expected, 'day')).toBe('2024-01-01 .. 2024-01-07');
    expect(describeIntervals([], [], 'day')).toBe('no intervals');
    const h = expectedIntervals(d('2024-01-01T00:00:00Z'), d('2024-01-01T03:00:00Z'), 'hour');
    expect(describeIntervals(h, [h[0]!], 'hour')).toBe('2024-01-01 00:00 .. 2024-01-01 02:00, missing 2024-01-01 01:00 .. 2024-01-01 02:00, 2024-01-01 03:00 partial');
  });

  it('labels days in the zone across DST', () => {
    const e = expectedIntervals(d('2024-10-26T00:00:00Z'), d('2024-10-28T12:00:00Z'), 'day', 'Europe/Berlin');
    expect(describeIntervals(e, [e[0]!], 'day', 'Europe/Berlin')).toBe('2024-10-26 .. 2024-10-27, missing 2024-10-27, 2024-10-28 partial');
  });
});
