// Who is signed in. The token lives in sessionStorage, so it survives a
// reload but not a closed browser, unless the person asked to stay signed in
// (then localStorage). Tokens never go in a URL. Guest orders keep their own
// per-order token the same way.
import type { Schemas } from './client';

export type User = Schemas['login']['user'];
export type Role = User['roles'][number];

export interface Session {
  token: string;
  expiresAt: string;
  user: User;
}

const KEY = 'codepop.session';
const GUEST_KEY = 'codepop.guestOrders';
type Listener = () => void;
const listeners = new Set<Listener>();

function read(storage: Storage): Session | null {
  try {
    const raw = storage.getItem(KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Session;
    return Date.parse(s.expiresAt) > Date.now() ? s : null;
  } catch {
    return null;
  }
}

let current: Session | null = read(sessionStorage) ?? read(localStorage);

export function getSession(): Session | null {
  return current;
}

export function setSession(s: Session | null, staySignedIn = false): void {
  sessionStorage.removeItem(KEY);
  localStorage.removeItem(KEY);
  if (s) (staySignedIn ? localStorage : sessionStorage).setItem(KEY, JSON.stringify(s));
  current = s;
  for (const l of listeners) l();
}

export function onSessionChange(l: Listener): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

export function hasRole(s: Session | null, role: Role['role'], storeId?: string): boolean {
  if (!s) return false;
  return s.user.roles.some((r) => r.role === 'SUPER_ADMIN' || (r.role === role && (storeId === undefined || r.storeId === undefined || r.storeId === storeId)));
}

export interface GuestOrder {
  orderId: string;
  storeId: string;
  apiBaseUrl: string;
  token: string;
}

export function guestOrders(): GuestOrder[] {
  try {
    return JSON.parse(sessionStorage.getItem(GUEST_KEY) ?? '[]') as GuestOrder[];
  } catch {
    return [];
  }
}

export function rememberGuestOrder(o: GuestOrder): void {
  sessionStorage.setItem(GUEST_KEY, JSON.stringify([o, ...guestOrders().filter((g) => g.orderId !== o.orderId)].slice(0, 20)));
}

export function guestTokenFor(orderId: string): string | undefined {
  return guestOrders().find((g) => g.orderId === orderId)?.token;
}
