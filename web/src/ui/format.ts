// Formatting for people: money, distances, times, statuses.
export function money(cents: number): string {
  const sign = cents < 0 ? '−' : '';
  return `${sign}$${(Math.abs(cents) / 100).toFixed(2)}`;
}

export function miles(m: number): string {
  return m < 0.1 ? 'here' : `${m < 10 ? m.toFixed(1) : Math.round(m)} mi`;
}

export function timeOfDay(iso: string | null | undefined, timeZone?: string): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return d.toLocaleTimeString('en-US', { hour: 'numeric', minute: '2-digit', ...(timeZone ? { timeZone } : {}) });
}

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '—' : d.toLocaleString('en-US', { dateStyle: 'medium', timeStyle: 'short' });
}

const STATUS_WORDS: Record<string, string> = {
  pending: 'Awaiting payment',
  paid: 'Paid, in the queue',
  preparing: 'Being made',
  ready: 'Ready in the locker',
  picked_up: 'Picked up',
  cancelled: 'Cancelled',
};

export function orderStatus(status: string): string {
  return STATUS_WORDS[status] ?? status;
}

/** Stock level against its threshold: ≥ 50 % ok, 20–49 % low, < 20 % critical (colour is never the only signal). */
export function stockLevel(available: number, threshold: number): { level: 'ok' | 'low' | 'critical'; label: string; percent: number } {
  const percent = threshold > 0 ? Math.round((available / threshold) * 100) : available > 0 ? 100 : 0;
  if (percent >= 50) return { level: 'ok', label: 'OK', percent };
  if (percent >= 20) return { level: 'low', label: 'Low', percent };
  return { level: 'critical', label: 'Critical', percent };
}
