// One node's place in the network: its admission (certificate chain and the
// root key), the peers it knows, the detector watching them, revocations and
// the verifier every incoming peer request passes. Routes (routes.ts) and
// background work (heartbeats.ts, bootstrap.ts) are built on this object.
import type { FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { Unauthorized } from '../http/errors.js';
import type { PeerPrincipal } from '../http/auth.js';
import type { NodeContext } from '../core/context.js';
import type { CertChain, Certificate } from './admission/certificate.js';
import { defaultDetectorConfig, FailureDetector } from './membership/failure-detector.js';
import { memberTable } from './membership/member-table.js';
import { Membership, type MemberCard } from './membership/membership.js';
import { PeerClient, type Transport } from './transport/peer-client.js';
import { ChainCache, NonceCache, verifySignedRequest } from './transport/request-signing.js';
import { RevocationList, type Revocation } from './admission/revocation.js';
import { meshRevocations } from './schema.js';
import { loadAdmission, saveAdmission } from './admission/admission.js';

/** Requests stamped further than this from our clock are refused (stated in docs/mesh.md). */
export const MAX_CLOCK_SKEW_MS = 30_000;

export type MeshMode = 'standalone' | 'joining' | 'member';

export class Mesh {
  readonly membership: Membership;
  readonly client: PeerClient;
  readonly revocations = new RevocationList();
  readonly nonces = new NonceCache({ ttlMs: 2 * MAX_CLOCK_SKEW_MS + 5_000, maxEntries: 1_000_000 });
  readonly chains = new ChainCache({ maxEntries: 10_000 });
  rootPublicKey: string | undefined;
  chain: CertChain | undefined;
  /** The hub this node reports to (a store's own hub); undefined for hubs. */
  hubId: string | undefined;
  registered = false;

  constructor(
    readonly ctx: NodeContext,
    transport?: Transport,
  ) {
    const { config, identity, clock } = ctx;
    const admission = loadAdmission(config.dataDir);
    this.rootPublicKey = admission.rootPublicKey ?? config.rootPublicKey;
    this.chain = admission.chain;
    if (this.chain && this.chain[0]?.nodeId !== identity.nodeId) {
      throw new Error(`the certificate in ${config.dataDir} belongs to node ${this.chain[0]?.nodeId}, not ${identity.nodeId}`);
    }
    if (this.chain?.[0] && this.chain[0].region !== config.region) {
      throw new Error(`this node's certificate is for region ${this.chain[0].region}, but --region says ${config.region}`);
    }
    this.hubId = this.chain?.[1]?.nodeId;
    const detector = new FailureDetector(defaultDetectorConfig(config.heartbeatMs), () => clock.random());
    this.membership = new Membership(memberTable(ctx.database.db), this.card(), detector, () => clock.now(), randomUUID().slice(0, 8), config.watchNeighbours);
    this.client = new PeerClient(
      { nodeId: identity.nodeId, privateKey: identity.privateKey, chain: () => this.chain, now: () => clock.now() },
      transport,
    );
  }

  get mode(): MeshMode {
    if (this.chain && this.rootPublicKey) return 'member';
    if (this.ctx.config.role === 'store' && this.ctx.config.joinToken) return 'joining';
    return 'standalone';
  }

  card(): MemberCard {
    const { config, identity } = this.ctx;
    return {
      nodeId: identity.nodeId,
      role: config.role,
      region: config.region,
      name: config.name,
      apiBaseUrl: this.ctx.publicUrl,
      lat: config.lat,
      lon: config.lon,
    };
  }

  async load(): Promise<void> {
    await this.membership.load();
    const rows = await this.ctx.database.db.select().from(meshRevocations);
    for (const r of rows) this.revocations.add(r);
  }

  adopt(rootPublicKey: string, chain: CertChain): void {
    saveAdmission(this.ctx.config.dataDir, { rootPublicKey, chain });
    this.rootPublicKey = rootPublicKey;
    this.chain = chain;
    this.hubId = chain[1]?.nodeId;
  }

  isRevoked = (cert: Certificate): boolean => this.revocations.isRevoked(cert);

  /** Stores a revocation whose signature the caller checked; true if it was new. */
  async addRevocation(rev: Revocation): Promise<boolean> {
    if (!this.revocations.add(rev)) return false;
    await this.ctx.database.db.insert(meshRevocations).values(rev).onConflictDoNothing();
    if (this.membership.get(rev.nodeId)) await this.membership.remove(rev.nodeId);
    this.ctx.log.warn({ revokedNode: rev.nodeId, issuer: rev.issuerId, reason: rev.reason }, 'certificate revoked');
    return true;
  }

  /** The access layer's check for routes declared 'peer'. */
  verifyPeer = async (request: FastifyRequest): Promise<PeerPrincipal> => {
    if (!this.rootPublicKey || !this.chain) throw new Unauthorized('This node has not joined a network; it takes no peer requests.');
    const result = verifySignedRequest(
      { method: request.method, path: request.url, headers: request.headers, ...(request.rawBody !== undefined ? { body: request.rawBody } : {}) },
      {
        rootPublicKey: this.rootPublicKey,
        now: this.ctx.clock.now(),
        maxSkewMs: MAX_CLOCK_SKEW_MS,
        nonces: this.nonces,
        chains: this.chains,
        isRevoked: this.isRevoked,
      },
    );
    if (!result.ok) {
      request.log.warn(
        { reason: result.reason, detail: result.detail, claimedNode: request.headers['x-codepop-node'], url: request.url },
        'peer request refused',
      );
      throw new Unauthorized(`Peer request refused: ${result.reason}.`);
    }
    return { nodeId: result.nodeId, role: result.cert.role, region: result.cert.region, chain: result.chain };
  };
}
