import { describe, expect, it } from 'vitest';
import {
  closingAfter,
  hoursProblems,
  isOpenAt,
  isValidTimeZone,
  isWithinHours,
  localTimeOf,
  nextOpening,
  standardHours,
  zonedTimeToUtc,
  type WeeklyHours,
} from './hours.js';

const at = (iso: string) => new Date(iso);
const closedWeek = (): WeeklyHours => ({ mon: null, tue: null, wed: null, thu: null, fri: null, sat: null, sun: null });

describe('isOpenAt reads the hours in the store’s own time zone', () => {
  const hours = standardHours(); // Mon–Thu 06–22, Fri 06–23, Sat 07–23, Sun 08–20

  it('the same instant is open in Logan and closed in New York', () => {
    // 2025-01-15 03:30Z is still Tuesday in both: 20:30 MST (open until 22), 22:30 EST (closed at 22).
    const instant = at('2025-01-15T03:30:00Z');
    expect(isOpenAt(hours, 'America/Denver', instant)).toBe(true);
    expect(isOpenAt(hours, 'America/New_York', instant)).toBe(false);
  });

  it('opens on the minute and closes on the minute', () => {
    expect(isOpenAt(hours, 'America/Denver', at('2025-01-15T12:59:59Z'))).toBe(false); // 05:59:59 MST
    expect(isOpenAt(hours, 'America/Denver', at('2025-01-15T13:00:00Z'))).toBe(true); // 06:00
    expect(isOpenAt(hours, 'America/Denver', at('2025-01-16T04:59:59Z'))).toBe(true); // 21:59:59
    expect(isOpenAt(hours, 'America/Denver', at('2025-01-16T05:00:00Z'))).toBe(false); // 22:00
  });

  it('uses the local weekday, not the UTC one', () => {
    // Saturday 2025-01-18 06:30 MST = 13:30Z: Saturday opens at 07:00, so closed, although weekdays open at 06:00.
    expect(isOpenAt(hours, 'America/Denver', at('2025-01-18T13:30:00Z'))).toBe(false);
    // Sunday 2025-01-19 01:00Z is still Saturday 18:00 in Denver: open.
    expect(isOpenAt(hours, 'America/Denver', at('2025-01-19T01:00:00Z'))).toBe(true);
  });

  it('Phoenix keeps standard time all year while Denver moves', () => {
    // 2025-07-16 12:30Z: Denver MDT 06:30 (open), Phoenix MST 05:30 (closed).
    expect(isOpenAt(hours, 'America/Denver', at('2025-07-16T12:30:00Z'))).toBe(true);
    expect(isOpenAt(hours, 'America/Phoenix', at('2025-07-16T12:30:00Z'))).toBe(false);
  });

  it('overnight hours (18:00–02:00) stay open past midnight into the next day', () => {
    const late: WeeklyHours = { ...closedWeek(), fri: { open: '18:00', close: '02:00' } };
    expect(isOpenAt(late, 'America/Chicago', at('2025-01-17T23:59:00Z'))).toBe(false); // Fri 17:59 CST
    expect(isOpenAt(late, 'America/Chicago', at('2025-01-18T00:00:00Z'))).toBe(true); // Fri 18:00
    expect(isOpenAt(late, 'America/Chicago', at('2025-01-18T07:59:00Z'))).toBe(true); // Sat 01:59
    expect(isOpenAt(late, 'America/Chicago', at('2025-01-18T08:00:00Z'))).toBe(false); // Sat 02:00
    // Saturday itself is closed: Saturday 18:00 is not open.
    expect(isOpenAt(late, 'America/Chicago', at('2025-01-19T00:00:00Z'))).toBe(false);
  });

  it('a closed day is closed all day, and 00:00–24:00 is open all day', () => {
    const week: WeeklyHours = { ...closedWeek(), tue: { open: '00:00', close: '24:00' } };
    expect(isOpenAt(week, 'UTC', at('2025-01-13T12:00:00Z'))).toBe(false); // Monday
    expect(isOpenAt(week, 'UTC', at('2025-01-14T00:00:00Z'))).toBe(true);
    expect(isOpenAt(week, 'UTC', at('2025-01-14T23:59:59Z'))).toBe(true);
    expect(isOpenAt(week, 'UTC', at('2025-01-15T00:00:00Z'))).toBe(false);
  });
});

describe('daylight-saving days', () => {
  const hours = standardHours();

  it('spring forward: 06:00 local is 13:00Z the day after the change and 12:00Z on it', () => {
    // US DST began Sunday 2025-03-09 at 02:00 local. Sunday opens 08:00.
    expect(isOpenAt(hours, 'America/Denver', at('2025-03-09T14:00:00Z'))).toBe(true); // 08:00 MDT
    expect(isOpenAt(hours, 'America/Denver', at('2025-03-09T14:59:00Z'))).toBe(true);
    expect(isOpenAt(hours, 'America/Denver', at('2025-03-09T13:59:00Z'))).toBe(false); // 07:59 MDT
    expect(nextOpening(hours, 'America/Denver', at('2025-03-09T08:00:00Z'))?.toISOString()).toBe('2025-03-09T14:00:00.000Z');
    expect(nextOpening(hours, 'America/Denver', at('2025-03-08T08:00:00Z'))?.toISOString()).toBe('2025-03-08T14:00:00.000Z'); // Sat 07:00 MST
  });

  it('fall back: the repeated hour counts once, opening follows the new offset', () => {
    // US DST ended Sunday 2025-11-02 at 02:00 local.
    expect(nextOpening(hours, 'America/New_York', at('2025-11-02T05:30:00Z'))?.toISOString()).toBe('2025-11-02T13:00:00.000Z'); // 08:00 EST
    expect(nextOpening(hours, 'America/New_York', at('2025-11-01T05:30:00Z'))?.toISOString()).toBe('2025-11-01T11:00:00.000Z'); // Sat 07:00 EDT
  });

  it('overnight hours across the fall-back night close at 02:00 local after the repeated hour', () => {
    const late: WeeklyHours = { ...closedWeek(), sat: { open: '18:00', close: '02:00' } };
    const tz = 'America/Chicago';
    expect(isOpenAt(late, tz, at('2025-11-02T06:30:00Z'))).toBe(true); // 01:30 CDT (first pass)
    expect(isOpenAt(late, tz, at('2025-11-02T07:30:00Z'))).toBe(true); // 01:30 CST (second pass)
    expect(isOpenAt(late, tz, at('2025-11-02T08:00:00Z'))).toBe(false); // 02:00 CST
    expect(closingAfter(late, tz, at('2025-11-02T03:00:00Z'))?.toISOString()).toBe('2025-11-02T08:00:00.000Z');
  });

  it('a local time skipped by the change moves forward by the gap; a repeated one is the earlier', () => {
    expect(new Date(zonedTimeToUtc({ year: 2025, month: 3, day: 9 }, 2 * 60 + 30, 'America/Denver')).toISOString()).toBe('2025-03-09T09:30:00.000Z');
    expect(new Date(zonedTimeToUtc({ year: 2025, month: 11, day: 2 }, 60 + 30, 'America/Denver')).toISOString()).toBe('2025-11-02T07:30:00.000Z');
    expect(new Date(zonedTimeToUtc({ year: 2025, month: 1, day: 15 }, 6 * 60, 'Asia/Kolkata')).toISOString()).toBe('2025-01-15T00:30:00.000Z');
  });
});

describe('next opening, closing, scheduled times', () => {
  const hours = standardHours();

  it('the next opening after a late Saturday is Sunday 08:00 local', () => {
    expect(nextOpening(hours, 'America/Denver', at('2025-01-19T06:30:00Z'))?.toISOString()).toBe('2025-01-19T15:00:00.000Z');
  });

  it('a store with no hours never opens', () => {
    expect(nextOpening(closedWeek(), 'UTC', at('2025-01-15T00:00:00Z'))).toBeNull();
    expect(isOpenAt(closedWeek(), 'UTC', at('2025-01-15T00:00:00Z'))).toBe(false);
  });

  it('closes at the end of today’s period, and through back-to-back periods', () => {
    expect(closingAfter(hours, 'America/Denver', at('2025-01-15T20:00:00Z'))?.toISOString()).toBe('2025-01-16T05:00:00.000Z');
    expect(closingAfter(hours, 'America/Denver', at('2025-01-16T06:00:00Z'))).toBeNull();
    const chained: WeeklyHours = { ...closedWeek(), mon: { open: '20:00', close: '24:00' }, tue: { open: '00:00', close: '03:00' } };
    expect(closingAfter(chained, 'UTC', at('2025-01-13T21:00:00Z'))?.toISOString()).toBe('2025-01-14T03:00:00.000Z');
  });

  it('isWithinHours accepts a pickup inside the hours with room before closing', () => {
    expect(isWithinHours(hours, 'America/Denver', at('2025-01-15T20:00:00Z'), 15)).toBe(true);
    expect(isWithinHours(hours, 'America/Denver', at('2025-01-16T04:50:00Z'), 15)).toBe(false); // 21:50, closes 22:00
    expect(isWithinHours(hours, 'America/Denver', at('2025-01-16T04:50:00Z'))).toBe(true);
    expect(isWithinHours(hours, 'America/Denver', at('2025-01-16T06:00:00Z'))).toBe(false);
  });
});

describe('validation', () => {
  it('names the day and field of a bad time', () => {
    const bad: WeeklyHours = { ...standardHours(), mon: { open: '25:00', close: '22:00' }, tue: { open: '09:00', close: '09:00' } };
    expect(hoursProblems(bad).map((p) => p.path)).toEqual(['mon.open', 'tue.close']);
    expect(hoursProblems({ ...standardHours(), wed: { open: '00:00', close: '24:00' } })).toEqual([]);
    expect(hoursProblems({ ...standardHours(), wed: { open: '24:00', close: '02:00' } }).map((p) => p.path)).toEqual(['wed.open']);
  });

  it('knows IANA zones', () => {
    expect(isValidTimeZone('America/Boise')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
  });

  it('local time is the wall clock of the zone', () => {
    expect(localTimeOf(at('2025-01-15T03:30:45Z'), 'America/Denver')).toMatchObject({ year: 2025, month: 1, day: 14, weekday: 'tue', minutes: 20 * 60 + 30 });
  });
});
