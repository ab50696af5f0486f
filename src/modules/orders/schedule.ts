// When an order may be placed and for when: an order for now needs the store
// open now; a scheduled pickup must fall inside the store's hours (read in
// its own time zone), far enough ahead to make it and not beyond a week.
// Refusals name body.pickupTime and say when the store next opens.
import { Conflict, Invalid } from '../../http/errors.js';
import { isOpenAt, isWithinHours, nextOpening, type WeeklyHours } from '../../lib/hours.js';

/** A scheduled pickup needs at least this long to be made. */
export const MIN_LEAD_MINUTES = 5;
export const MAX_AHEAD_DAYS = 7;

/** "Tue 06:00 MDT (2025-01-07T13:00:00.000Z)": the wall clock the customer reads on the door, and the instant. */
export function describeInstant(ms: number, timeZone: string): string {
  const local = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short' }).format(ms);
  return `${local} (${new Date(ms).toISOString()})`;
}

function opensAgain(hours: WeeklyHours, timeZone: string, after: number): string {
  const next = nextOpening(hours, timeZone, after);
  return next ? `it next opens ${describeInstant(next.getTime(), timeZone)}` : 'it has no opening hours set';
}

export function checkSchedule(store: { name: string; timeZone: string; weeklyHours: WeeklyHours }, now: number, pickupMs: number | undefined): void {
  const { weeklyHours: hours, timeZone } = store;
  if (pickupMs === undefined) {
    if (isOpenAt(hours, timeZone, now)) return;
    throw new Conflict(`${store.name} is closed now; ${opensAgain(hours, timeZone, now)}. Schedule the order for then with pickupTime.`, [
      { field: 'body.pickupTime', message: `the store is closed now; ${opensAgain(hours, timeZone, now)}` },
    ], 'store_closed');
  }
  const field = 'body.pickupTime';
  if (pickupMs < now + MIN_LEAD_MINUTES * 60_000) {
    throw new Invalid(`A scheduled pickup must be at least ${MIN_LEAD_MINUTES} minutes from now.`, [{ field, message: `at least ${MIN_LEAD_MINUTES} minutes from now` }]);
  }
  if (pickupMs > now + MAX_AHEAD_DAYS * 86_400_000) {
    throw new Invalid(`Orders are scheduled at most ${MAX_AHEAD_DAYS} days ahead.`, [{ field, message: `at most ${MAX_AHEAD_DAYS} days ahead` }]);
  }
  if (!isWithinHours(hours, timeZone, pickupMs)) {
    throw new Invalid(`${store.name} is closed at ${describeInstant(pickupMs, timeZone)}; ${opensAgain(hours, timeZone, pickupMs)}.`, [
      { field, message: `outside the store's hours; ${opensAgain(hours, timeZone, pickupMs)}` },
    ]);
  }
}
