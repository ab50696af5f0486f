// The order status flow: pending → paid → preparing → ready → picked_up, or
// cancelled from pending, paid or preparing. Who may take which step is part
// of the flow: only a payment marks an order paid, never a client or staff.

export const orderStatuses = ['pending', 'paid', 'preparing', 'ready', 'picked_up', 'cancelled'] as const;
export type OrderStatus = (typeof orderStatuses)[number];

/** Statuses staff set by hand (POST …/status); `paid` comes only from a payment. */
export const staffStatuses = ['preparing', 'ready', 'picked_up', 'cancelled'] as const;
export type StaffStatus = (typeof staffStatuses)[number];

const next: Record<OrderStatus, readonly OrderStatus[]> = {
  pending: ['paid', 'cancelled'],
  paid: ['preparing', 'cancelled'],
  preparing: ['ready', 'cancelled'],
  ready: ['picked_up'],
  picked_up: [],
  cancelled: [],
};

/** Every status an order may move to from `from`. */
export function nextStatuses(from: OrderStatus): readonly OrderStatus[] {
  return next[from];
}

/** The statuses staff may move an order to from `from` (the flow minus `paid`). */
export function staffNextStatuses(from: OrderStatus): OrderStatus[] {
  return next[from].filter((s) => s !== 'paid');
}

export function canMove(from: OrderStatus, to: OrderStatus): boolean {
  return next[from].includes(to);
}

/** Orders the store still has to make: they count towards the wait and the dashboard's queue. */
export const activeStatuses: readonly OrderStatus[] = ['pending', 'paid', 'preparing', 'ready'];

export const isOrderStatus = (s: string): s is OrderStatus => (orderStatuses as readonly string[]).includes(s);
