// Bootstrap (DESIGN §4): static hub list → register with the region's hub,
// retrying with capped exponential backoff and jitter, forever, logged →
// receive the region's peers → heartbeats take over. Hubs register with
// every other hub the same way, which makes the hubs a full mesh. A hub that
// comes up after its stores is found at the next retry, without a restart.
import { Backoff } from '../../lib/backoff.js';
import type { Job } from '../../core/jobs.js';
import { verifyChain, type CertChain } from '../admission/certificate.js';
import { acceptRevocations, cardBody } from './heartbeats.js';
import { readJoinToken } from '../admission/join-token.js';
import type { Member } from './membership.js';
import type { Mesh } from '../mesh.js';
import { httpTransport } from '../transport/peer-client.js';

export interface RegisterReply {
  chain?: CertChain;
  rootPublicKey: string;
  hub: Member;
  members: Member[];
  revocations: unknown[];
}

interface Target {
  url?: string;
  backoff: Backoff;
  nextAt: number;
  done: boolean;
}

async function healthNodeId(url: string): Promise<string | undefined> {
  try {
    const res = await httpTransport.send(`${url.replace(/\/$/, '')}/p2p/v1/health`, { method: 'GET', headers: {}, timeoutMs: 2000 });
    return res.status === 200 ? (res.body as { nodeId?: string } | undefined)?.nodeId : undefined;
  } catch {
    return undefined;
  }
}

/** Where this store's hub is: the token's hint, the last known address, or the hub list searched by node id. */
async function findHubUrl(mesh: Mesh, hubId: string): Promise<string | undefined> {
  const known = mesh.membership.get(hubId)?.apiBaseUrl;
  const hint = mesh.ctx.config.joinToken ? readJoinToken(mesh.ctx.config.joinToken)?.hubUrl : undefined;
  for (const url of [known, hint].filter((u): u is string => !!u)) {
    if ((await healthNodeId(url)) === hubId) return url;
  }
  for (const url of mesh.ctx.config.hubs) {
    if ((await healthNodeId(url)) === hubId) return url;
  }
  return undefined;
}

async function registerStore(mesh: Mesh): Promise<void> {
  const { config, identity } = mesh.ctx;
  const token = mesh.chain ? undefined : config.joinToken;
  const payload = token ? readJoinToken(token) : undefined;
  if (!mesh.chain && !payload) throw new Error('the join token cannot be read; ask the hub operator for a new one');
  const hubId = mesh.hubId ?? payload!.hubId;
  const url = await findHubUrl(mesh, hubId);
  if (!url) throw new Error(`hub ${hubId} is not reachable at any known address`);
  const reply = await mesh.client.call<RegisterReply>(url, 'POST', '/p2p/v1/register', {
    card: cardBody(mesh),
    ...(token ? { joinToken: token, publicKey: identity.publicKeyString } : {}),
  });
  if (!mesh.chain) {
    const root = config.rootPublicKey ?? payload!.rootPublicKey;
    const checked = reply.chain && verifyChain(reply.chain, root, mesh.ctx.clock.now());
    if (!checked || !checked.ok || checked.leaf.nodeId !== identity.nodeId || checked.leaf.publicKey !== identity.publicKeyString) {
      throw new Error(`the hub answered with a certificate that does not check out (${checked && !checked.ok ? checked.reason : 'missing'})`);
    }
    mesh.adopt(root, reply.chain!);
    mesh.ctx.log.info({ hub: hubId, region: checked.leaf.region }, 'joined the network: certificate received from the hub');
  }
  await adoptMembers(mesh, reply);
}

async function adoptMembers(mesh: Mesh, reply: RegisterReply): Promise<void> {
  await mesh.membership.upsert({ ...reply.hub, apiBaseUrl: reply.hub.apiBaseUrl });
  for (const m of reply.members) await mesh.membership.upsert(m);
  await acceptRevocations(mesh, reply.revocations);
}

async function registerWithHub(mesh: Mesh, url: string): Promise<void> {
  const reply = await mesh.client.call<RegisterReply>(url, 'POST', '/p2p/v1/register', { card: cardBody(mesh) });
  await adoptMembers(mesh, reply);
}

export function bootstrapJob(mesh: Mesh): Job {
  const { config, clock, log } = mesh.ctx;
  const backoffOptions = { baseMs: 250, capMs: config.backoffCapMs };
  const newTarget = (url?: string): Target => ({
    ...(url ? { url } : {}),
    backoff: new Backoff(backoffOptions, () => clock.random()),
    nextAt: 0,
    done: false,
  });
  const storeTarget = newTarget();
  const hubTargets = new Map<string, Target>();

  async function attempt(target: Target, what: string, fn: () => Promise<void>): Promise<void> {
    if (target.done || clock.now() < target.nextAt) return;
    try {
      await fn();
      target.done = true;
      target.backoff.reset();
      log.info({ target: what }, 'registered');
    } catch (err) {
      const delay = target.backoff.next();
      target.nextAt = clock.now() + delay;
      log.warn({ target: what, attempt: target.backoff.attempt, retryInMs: delay, error: (err as Error).message }, 'registration failed; retrying');
    }
  }

  return {
    name: 'bootstrap',
    intervalMs: 500, // a registered node returns at once; an unregistered one retries on its backoff, at this grain
    async run() {
      if (mesh.mode === 'standalone') return;
      if (config.role === 'store') {
        if (!mesh.registered) storeTarget.done = false;
        await attempt(storeTarget, 'region hub', () => registerStore(mesh));
        mesh.registered = storeTarget.done;
        return;
      }
      for (const url of config.hubs) {
        if (url.replace(/\/$/, '') === mesh.ctx.publicUrl.replace(/\/$/, '')) continue;
        const target = hubTargets.get(url) ?? newTarget(url);
        hubTargets.set(url, target);
        await attempt(target, url, () => registerWithHub(mesh, url));
      }
      mesh.registered = [...hubTargets.values()].every((t) => t.done);
    },
  };
}
