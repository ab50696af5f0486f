// Opening hours in a store's own time zone. Hours are local wall-clock times
// ('HH:MM'), so a store that opens at 06:00 opens at 06:00 on both sides of a
// daylight-saving change; converting to instants happens only at the edges.
// A day whose close is not after its open runs overnight (18:00–02:00 closes
// at 02:00 the next morning). Pure: the Intl API only, no I/O.

export type DayOfWeek = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

export const daysOfWeek: readonly DayOfWeek[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

export interface DailyHours {
  /** 'HH:MM', 00:00–23:59. */
  open: string;
  /** 'HH:MM', 00:00–24:00; at or before `open` means it closes the next day. */
  close: string;
}

/** Local wall-clock opening hours per weekday; null = closed that day. */
export type WeeklyHours = Record<DayOfWeek, DailyHours | null>;

const MINUTES_PER_DAY = 1440;
const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;

/** Minutes after midnight of 'HH:MM' ('24:00' allowed when `allowMidnightEnd`); undefined when malformed. */
export function parseClock(hhmm: string, allowMidnightEnd = false): number | undefined {
  const m = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(hhmm);
  if (!m) return undefined;
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  if (minutes > MINUTES_PER_DAY || (minutes === MINUTES_PER_DAY && !allowMidnightEnd)) return undefined;
  return minutes;
}

/** What is wrong with a week of hours, per day and field; empty when it is fine. */
export function hoursProblems(hours: WeeklyHours): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  for (const day of daysOfWeek) {
    const h = hours[day];
    if (h === null) continue;
    const open = parseClock(h.open);
    const close = parseClock(h.close, true);
    if (open === undefined) problems.push({ path: `${day}.open`, message: 'a time HH:MM from 00:00 to 23:59' });
    if (close === undefined) problems.push({ path: `${day}.close`, message: 'a time HH:MM from 00:00 to 24:00' });
    if (open !== undefined && close !== undefined && open === close % MINUTES_PER_DAY && !(open === 0 && close === MINUTES_PER_DAY)) {
      problems.push({ path: `${day}.close`, message: 'must differ from open (use 00:00–24:00 for all day)' });
    }
  }
  return problems;
}

// ---------------------------------------------------------------- time zones

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterOf(timeZone);
    return true;
  } catch {
    return false;
  }
}

export interface LocalTime {
  year: number;
  /** 1–12. */
  month: number;
  day: number;
  weekday: DayOfWeek;
  /** Minutes after local midnight. */
  minutes: number;
}

const weekdayOf: Record<string, DayOfWeek> = { Mon: 'mon', Tue: 'tue', Wed: 'wed', Thu: 'thu', Fri: 'fri', Sat: 'sat', Sun: 'sun' };

function computeLocalTime(epochMs: number, timeZone: string): LocalTime & { second: number } {
  const parts: Record<string, string> = {};
  for (const p of formatterOf(timeZone).formatToParts(epochMs)) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    weekday: weekdayOf[parts.weekday ?? ''] ?? 'mon',
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
    second: Number(parts.second),
  };
}

// formatToParts costs microseconds; a nearby listing asks for the same few
// zones at the same minute many times, so the last answer per zone is kept.
// Zone offsets are whole minutes, so one answer holds for the whole minute.
const lastMinute = new Map<string, { minute: number; local: Readonly<LocalTime> }>();

/** The wall-clock date and time (to the minute) in `timeZone` at an instant. */
export function localTimeOf(at: Date | number, timeZone: string): Readonly<LocalTime> {
  const epochMs = typeof at === 'number' ? at : at.getTime();
  const minute = Math.floor(epochMs / MS_PER_MINUTE);
  const hit = lastMinute.get(timeZone);
  if (hit && hit.minute === minute) return hit.local;
  const { second: _second, ...local } = computeLocalTime(minute * MS_PER_MINUTE, timeZone);
  lastMinute.set(timeZone, { minute, local });
  return local;
}

/** Offset of `timeZone` from UTC at an instant, in ms (local = utc + offset). */
function offsetAt(epochMs: number, timeZone: string): number {
  const whole = Math.floor(epochMs / 1000) * 1000;
  const l = computeLocalTime(whole, timeZone);
  const asUtc = Date.UTC(l.year, l.month - 1, l.day, 0, l.minutes, l.second);
  return asUtc - whole;
}

/**
 * The instant a local wall-clock time happens in `timeZone`. A time that
 * happens twice (the hour repeated when clocks go back) is the earlier one; a
 * time that never happens (skipped when clocks go forward) moves forward by
 * the gap, as a person would read the sign "opens 02:30" on that night.
 */
export function zonedTimeToUtc(date: { year: number; month: number; day: number }, minutes: number, timeZone: string): number {
  const wall = Date.UTC(date.year, date.month - 1, date.day, 0, minutes);
  const before = offsetAt(wall - MS_PER_DAY / 2, timeZone);
  const after = offsetAt(wall + MS_PER_DAY / 2, timeZone);
  const candidates = [...new Set([wall - before, wall - after])].sort((a, b) => a - b);
  for (const t of candidates) if (t + offsetAt(t, timeZone) === wall) return t;
  return wall - before;
}

// ---------------------------------------------------------------- open or closed

interface Span {
  open: number;
  close: number;
  overnight: boolean;
}

function spanOf(h: DailyHours | null): Span | undefined {
  if (!h) return undefined;
  const open = parseClock(h.open);
  const close = parseClock(h.close, true);
  if (open === undefined || close === undefined) return undefined;
  return { open, close, overnight: close <= open };
}

const previous: Record<DayOfWeek, DayOfWeek> = { mon: 'sun', tue: 'mon', wed: 'tue', thu: 'wed', fri: 'thu', sat: 'fri', sun: 'sat' };
function previousDay(day: DayOfWeek): DayOfWeek {
  return previous[day];
}

/** Calendar date `delta` days from a local date (pure calendar arithmetic, no zone). */
function addDays(date: { year: number; month: number; day: number }, delta: number): { year: number; month: number; day: number; weekday: DayOfWeek } {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day) + delta * MS_PER_DAY);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), weekday: daysOfWeek[(d.getUTCDay() + 6) % 7]! };
}

// Parsed spans per hours object: a nearby listing asks about the same few
// weeks over and over, and parsing 'HH:MM' is most of the cost of asking.
// Keyed by identity, so callers must not mutate a week after asking about it.
const parsedWeeks = new WeakMap<WeeklyHours, Record<DayOfWeek, Span | undefined>>();

function spansOf(hours: WeeklyHours): Record<DayOfWeek, Span | undefined> {
  let spans = parsedWeeks.get(hours);
  if (!spans) {
    spans = { mon: spanOf(hours.mon), tue: spanOf(hours.tue), wed: spanOf(hours.wed), thu: spanOf(hours.thu), fri: spanOf(hours.fri), sat: spanOf(hours.sat), sun: spanOf(hours.sun) };
    parsedWeeks.set(hours, spans);
  }
  return spans;
}

/** Whether the store is open at an instant, reading its hours in its own time zone. */
export function isOpenAt(hours: WeeklyHours, timeZone: string, at: Date | number): boolean {
  const local = localTimeOf(at, timeZone);
  const m = local.minutes;
  const spans = spansOf(hours);
  const today = spans[local.weekday];
  if (today && (today.overnight ? m >= today.open : m >= today.open && m < today.close)) return true;
  const yesterday = spans[previousDay(local.weekday)];
  return yesterday !== undefined && yesterday.overnight && m < yesterday.close;
}

/** Opening and closing instants of every period that starts from the day before `at` to a week after. */
function periodsAround(hours: WeeklyHours, timeZone: string, at: number): { opensAt: number; closesAt: number }[] {
  const local = localTimeOf(at, timeZone);
  const out: { opensAt: number; closesAt: number }[] = [];
  for (let delta = -1; delta <= 8; delta++) {
    const date = addDays(local, delta);
    const span = spanOf(hours[date.weekday]);
    if (!span) continue;
    // An overnight span, and one that runs to 24:00, ends on the next calendar day.
    const closeOn = span.overnight || span.close === MINUTES_PER_DAY ? addDays(date, 1) : date;
    const closeMinutes = span.close % MINUTES_PER_DAY;
    out.push({ opensAt: zonedTimeToUtc(date, span.open, timeZone), closesAt: zonedTimeToUtc(closeOn, closeMinutes, timeZone) });
  }
  return out;
}

/** When the store next opens after `at` (a period starting later than `at`); null if it has no hours at all. */
export function nextOpening(hours: WeeklyHours, timeZone: string, at: Date | number): Date | null {
  const t = typeof at === 'number' ? at : at.getTime();
  const next = periodsAround(hours, timeZone, t).find((p) => p.opensAt > t);
  return next ? new Date(next.opensAt) : null;
}

/**
 * When the store closes, if it is open at `at`: the end of the period it is
 * in, followed through periods that begin as the previous one ends (a store
 * open 00:00–24:00 every day never closes within the week looked at).
 */
export function closingAfter(hours: WeeklyHours, timeZone: string, at: Date | number): Date | null {
  const t = typeof at === 'number' ? at : at.getTime();
  if (!isOpenAt(hours, timeZone, t)) return null;
  const periods = periodsAround(hours, timeZone, t);
  let closesAt: number | undefined;
  for (const p of periods) if (p.opensAt <= t && t < p.closesAt) closesAt = Math.max(closesAt ?? p.closesAt, p.closesAt);
  if (closesAt === undefined) return null;
  for (let extended = true; extended; ) {
    extended = false;
    for (const p of periods) {
      if (p.opensAt <= closesAt && p.closesAt > closesAt) {
        closesAt = p.closesAt;
        extended = true;
      }
    }
  }
  return new Date(closesAt);
}

/**
 * Whether a scheduled time falls within the store's hours, with at least
 * `minutesBeforeClose` left before it closes (a pickup one minute before
 * closing is no use to anyone).
 */
export function isWithinHours(hours: WeeklyHours, timeZone: string, at: Date | number, minutesBeforeClose = 0): boolean {
  const t = typeof at === 'number' ? at : at.getTime();
  const closesAt = closingAfter(hours, timeZone, t);
  return closesAt !== null && closesAt.getTime() - t >= minutesBeforeClose * MS_PER_MINUTE;
}

/** The chain's standard hours (domain notes §1.3), given to a store until its manager sets its own. */
export function standardHours(): WeeklyHours {
  const weekday = (): DailyHours => ({ open: '06:00', close: '22:00' });
  return {
    mon: weekday(),
    tue: weekday(),
    wed: weekday(),
    thu: weekday(),
    fri: { open: '06:00', close: '23:00' },
    sat: { open: '07:00', close: '23:00' },
    sun: { open: '08:00', close: '20:00' },
  };
}
