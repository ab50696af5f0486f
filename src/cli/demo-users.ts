// The demo's people (domain notes §1.4): a super admin, a logistics manager
// per region, region C's repair staff, a manager and an admin for each of
// the first five Logan stores, and ten customers. They are made through the
// running nodes' own HTTP API, as an operator would: each signs up at their
// home node, then gets their role there with the operator token. Passwords
// are generated at the first start and printed once (the super admin's comes
// from CODEPOP_ADMIN_PASSWORD when set); nothing is fixed in code. Progress is
// kept in an owner-only file, so an interrupted seeding resumes and a second
// run seeds nothing.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writePrivateFile } from '../core/identity.js';
import { call, failure, Retryable, retrying, transient } from './demo-http.js';

/** What seeding needs to know of a running demo node (demo.ts's DemoNode has it). */
export interface DemoNode {
  slug: string;
  role: 'hub' | 'store';
  name: string;
  region: string;
  url: string;
}

type SeededRole = 'SUPER_ADMIN' | 'LOGISTICS_MANAGER' | 'REPAIR_STAFF' | 'MANAGER' | 'ADMIN';

export interface DemoUserPlan {
  username: string;
  /** The node the person signs up at: their store, or their region's hub. */
  home: DemoNode;
  role?: { roleType: SeededRole; store?: DemoNode; regionCode?: string; hub?: DemoNode };
}

interface SeededUser {
  /** Empty until the sign-up is known to have succeeded (the password is recorded before it is sent). */
  userId: string;
  /** null when it came from the environment (the super admin's CODEPOP_ADMIN_PASSWORD). */
  password: string | null;
  roleGiven: boolean;
}

interface SeedState {
  users: Record<string, SeededUser>;
}

export const ADMIN_PASSWORD_ENV = 'CODEPOP_ADMIN_PASSWORD';
const CUSTOMERS = 10;
const STAFFED_STORES = 5;

/** Who the demo seeds, given the nodes it runs; stores not started (a smaller demo) get no staff. */
export function planDemoUsers(nodes: readonly DemoNode[]): DemoUserPlan[] {
  const hubOf = (region: string) => nodes.find((n) => n.role === 'hub' && n.region === region);
  const loganStores = nodes.filter((n) => n.role === 'store' && n.region === 'C');
  const plans: DemoUserPlan[] = [];
  const primary = hubOf('C');
  if (!primary) return plans;
  plans.push({ username: 'superadmin', home: primary, role: { roleType: 'SUPER_ADMIN' } });
  for (const hub of nodes.filter((n) => n.role === 'hub')) {
    plans.push({ username: `logistics_${hub.region.toLowerCase()}`, home: hub, role: { roleType: 'LOGISTICS_MANAGER', regionCode: hub.region, hub } });
  }
  plans.push({ username: 'repair_c', home: primary, role: { roleType: 'REPAIR_STAFF', regionCode: 'C' } });
  for (const store of loganStores.slice(0, STAFFED_STORES)) {
    const number = store.slug.replace(/^store-/, '');
    plans.push({ username: `manager_${number}`, home: store, role: { roleType: 'MANAGER', store } });
    plans.push({ username: `admin_${number}`, home: store, role: { roleType: 'ADMIN', store } });
  }
  for (let i = 1; i <= CUSTOMERS; i++) {
    plans.push({ username: `user${i}`, home: loganStores.length > 0 ? loganStores[(i - 1) % loganStores.length]! : primary });
  }
  return plans;
}

function loadState(file: string): SeedState {
  if (!existsSync(file)) return { users: {} };
  return JSON.parse(readFileSync(file, 'utf8')) as SeedState;
}

const generatePassword = (): string => randomBytes(12).toString('base64url');

export interface SeedOptions {
  dataDir: string;
  nodes: readonly DemoNode[];
  operatorToken: string;
  out: (line: string) => void;
  env?: NodeJS.ProcessEnv;
  /** Sign-ups at once; each costs an argon2 hash (~100 ms) at its node. */
  parallel?: number;
}

/** Seeds the demo's people once; prints the new ones with their passwords. */
export async function seedDemoUsers(o: SeedOptions): Promise<void> {
  const file = path.join(o.dataDir, 'demo-users.json');
  const state = loadState(file);
  const save = () => writePrivateFile(file, `${JSON.stringify(state, null, 2)}\n`);
  const plans = planDemoUsers(o.nodes);
  const pending = plans.filter((p) => !state.users[p.username]?.userId || !state.users[p.username]?.roleGiven);
  if (pending.length === 0) {
    o.out('');
    o.out(`Demo users: ${plans.length} seeded earlier; their passwords are in ${file}`);
    return;
  }

  o.out('');
  o.out(`Seeding ${pending.length} demo users (sign-up at each one's home node, then their role)…`);
  const nodeIds = new Map<DemoNode, string>();
  const nodeIdOf = async (n: DemoNode): Promise<string> => {
    let known = nodeIds.get(n);
    if (!known) {
      const res = await call<{ nodeId: string }>(`${n.url}/api/v1/node`, 'GET');
      known = res.body.nodeId;
      nodeIds.set(n, known);
    }
    return known;
  };

  const adminPassword = o.env?.[ADMIN_PASSWORD_ENV];
  const made: DemoUserPlan[] = [];
  const seedOne = async (p: DemoUserPlan): Promise<void> => {
    let user = state.users[p.username];
    if (!user?.userId) {
      const fromEnv = p.role?.roleType === 'SUPER_ADMIN' && adminPassword !== undefined && adminPassword !== '';
      // The password is on record before the sign-up is sent: a run cut short after the node made the
      // account (a timeout, Ctrl-C) finds it again by logging in with it, instead of losing the person.
      const password = fromEnv ? adminPassword : (user?.password ?? generatePassword());
      user = { userId: '', password: fromEnv ? null : password, roleGiven: p.role === undefined };
      state.users[p.username] = user;
      save();
      user.userId = await retrying(`signing up ${p.username}`, o.out, async () => {
        const res = await call<{ user?: { id: string } }>(`${p.home.url}/api/v1/auth/register`, 'POST', { username: p.username, email: `${p.username}@demo.codepop.example`, password });
        if (res.status === 201 && res.body.user) return res.body.user.id;
        if (transient(res.status)) throw new Retryable(`HTTP ${res.status}`);
        if (res.status !== 409) throw failure(`signing up ${p.username} at ${p.home.name}${fromEnv ? ` (password from ${ADMIN_PASSWORD_ENV})` : ''}`, res.status, res.body);
        // Taken: by an earlier attempt of ours (the password on record logs in), or by somebody else.
        const login = await call<{ user?: { id: string } }>(`${p.home.url}/api/v1/auth/login`, 'POST', { username: p.username, password });
        if (login.status === 200 && login.body.user) return login.body.user.id;
        if (transient(login.status)) throw new Retryable(`HTTP ${login.status} logging in`);
        throw new Error(`${p.username} is registered already with a password this demo does not have (its record in ${file} is gone); start from a fresh --data-dir`);
      });
      save();
      made.push(p);
    }
    if (!user.roleGiven && p.role) {
      const { roleType, store, regionCode, hub } = p.role;
      const body = {
        userId: user.userId,
        roleType,
        ...(store ? { storeId: await nodeIdOf(store) } : {}),
        ...(regionCode ? { regionCode } : {}),
        ...(hub ? { supplyHubId: await nodeIdOf(hub) } : {}),
      };
      // At the home node: it holds the new account already; the role travels on `global` to every node.
      await retrying(`giving ${p.username} the role ${roleType}`, o.out, async () => {
        const res = await call(`${p.home.url}/api/v1/roles`, 'POST', body, o.operatorToken);
        if (transient(res.status)) throw new Retryable(`HTTP ${res.status}`);
        if (res.status !== 201 && res.status !== 200) throw failure(`giving ${p.username} the role ${roleType}`, res.status, res.body);
      });
      user.roleGiven = true;
      save();
    }
  };

  let next = 0;
  const worker = async () => {
    while (next < pending.length) await seedOne(pending[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(o.parallel ?? 8, pending.length) }, worker));

  o.out(`Demo users (${made.length} made now; passwords shown this once, also kept in ${file}):`);
  for (const p of plans.filter((plan) => made.includes(plan))) {
    const user = state.users[p.username]!;
    const role = p.role ? `${p.role.roleType}${p.role.store ? ` of ${p.role.store.name}` : p.role.regionCode ? ` of region ${p.role.regionCode}` : ''}` : 'ACCOUNT_USER';
    const password = user.password ?? `(from ${ADMIN_PASSWORD_ENV})`;
    o.out(`  ${p.username.padEnd(18)} ${password.padEnd(24)} ${role.padEnd(40)} signs up at ${p.home.url}`);
  }
}
