// Certificate revocations: signed by the issuer of the revoked certificate
// (the root for hubs, the hub for its stores) so they can be gossiped and
// checked by anyone. The list here is pure and in memory; callers verify
// signatures before adding and persist what they add.
import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import type { Certificate } from './certificate.js';
import { nodeIdSchema, signatureSchema } from './certificate.js';
import { canonicalJson, signBytes, verifyBytes } from '../../core/keys.js';

export const revocationSchema = z.strictObject({
  nodeId: nodeIdSchema,
  serial: z.uuid(),
  issuerId: nodeIdSchema,
  revokedAt: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  reason: z.string().max(500),
  signature: signatureSchema,
});

export type Revocation = z.infer<typeof revocationSchema>;
export type RevocationBody = Omit<Revocation, 'signature'>;

function revocationBody(r: RevocationBody): RevocationBody {
  return { nodeId: r.nodeId, serial: r.serial, issuerId: r.issuerId, revokedAt: r.revokedAt, reason: r.reason };
}

export function issueRevocation(
  input: { nodeId: string; serial: string; reason: string },
  issuerId: string,
  issuerPrivateKey: KeyObject,
  now: number,
): Revocation {
  const body: RevocationBody = { nodeId: input.nodeId, serial: input.serial, issuerId, revokedAt: now, reason: input.reason };
  const parsed = revocationSchema.safeParse({ ...body, signature: signBytes(canonicalJson(body), issuerPrivateKey) });
  if (!parsed.success) throw new Error(`issueRevocation: invalid input: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** Never throws; also rejects anything that is not a well-formed revocation. */
export function verifyRevocation(rev: unknown, issuerPublicKey: KeyObject): boolean {
  const parsed = revocationSchema.safeParse(rev);
  if (!parsed.success) return false;
  return verifyBytes(canonicalJson(revocationBody(parsed.data)), parsed.data.signature, issuerPublicKey);
}

/**
 * A revocation only ever applies to certificates of its own issuer, so a hub
 * cannot revoke another hub's stores. It matches by serial, or by node id for
 * every certificate that issuer gave the node up to the revocation: revoking
 * a node kills its older certificates too, while a certificate deliberately
 * re-issued afterwards is honoured.
 */
export class RevocationList {
  private readonly bySerial = new Map<string, Revocation>();
  /** issuer + nodeId → latest revokedAt */
  private readonly byNode = new Map<string, number>();

  get size(): number {
    return this.bySerial.size;
  }

  /** True if new; a repeat of a known (issuer, serial) is ignored. */
  add(rev: Revocation): boolean {
    const serialKey = `${rev.issuerId}\n${rev.serial}`;
    if (this.bySerial.has(serialKey)) return false;
    this.bySerial.set(serialKey, rev);
    const nodeKey = `${rev.issuerId}\n${rev.nodeId}`;
    this.byNode.set(nodeKey, Math.max(this.byNode.get(nodeKey) ?? -Infinity, rev.revokedAt));
    return true;
  }

  isRevoked(cert: Certificate): boolean {
    if (this.bySerial.has(`${cert.issuerId}\n${cert.serial}`)) return true;
    const revokedAt = this.byNode.get(`${cert.issuerId}\n${cert.nodeId}`);
    return revokedAt !== undefined && cert.issuedAt <= revokedAt;
  }

  list(): Revocation[] {
    return [...this.bySerial.values()];
  }
}
