// What the navigation offers, by role. Later capabilities (supply, repairs,
// analytics) add their entries here; the server checks every call anyway.
import { hasRole, type Session } from '../api/session';

export interface NavEntry {
  to: string;
  label: string;
  show: (s: Session | null) => boolean;
}

const staffStore = (s: Session | null) => s?.user.roles.find((r) => r.storeId && (r.role === 'MANAGER' || r.role === 'ADMIN'))?.storeId;

export function navEntries(s: Session | null): NavEntry[] {
  const store = staffStore(s);
  const entries: NavEntry[] = [
    { to: '/', label: 'Stores', show: () => true },
    { to: '/menu', label: 'Menu', show: () => true },
    { to: '/orders', label: 'My orders', show: () => true },
    { to: '/favorites', label: 'Favorites', show: (x) => x !== null },
    { to: `/staff/${store ?? ''}`, label: 'My store', show: () => store !== undefined },
    { to: `/staff/${store ?? ''}/inventory`, label: 'Inventory', show: () => store !== undefined },
    { to: `/staff/${store ?? ''}/supply`, label: 'Supply', show: () => store !== undefined },
    { to: '/logistics', label: 'Logistics', show: (x) => x?.user.roles.some((r) => r.role === 'LOGISTICS_MANAGER') ?? false },
    { to: `/staff/${store ?? ''}/accounts`, label: 'Accounts', show: (x) => store !== undefined && hasRole(x, 'ADMIN', store) },
    { to: '/admin', label: 'Network', show: (x) => hasRole(x, 'SUPER_ADMIN') },
    { to: '/admin/dashboard', label: 'Dashboard', show: (x) => x?.user.roles.some((r) => r.role === 'SUPER_ADMIN' || r.role === 'ADMIN') ?? false },
    { to: '/admin/people', label: 'Roles & audit', show: (x) => hasRole(x, 'SUPER_ADMIN') },
    { to: '/admin/announcements', label: 'Announcements', show: (x) => x?.user.roles.some((r) => r.role === 'SUPER_ADMIN' || r.role === 'LOGISTICS_MANAGER') ?? false },
  ];
  return entries.filter((e) => e.show(s));
}
