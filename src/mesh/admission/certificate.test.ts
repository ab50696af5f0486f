// Behaviour of certificate issuing and chain verification: root → hub → store.
import type { KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type Certificate,
  certificateSchema,
  decodeChain,
  encodeChain,
  issueCertificate,
  type NodeRole,
  rootIssuerId,
  verifyChain,
} from './certificate.js';
import { generateKeyPair, publicKeyToString } from '../../core/keys.js';

const T0 = 1_700_000_000_000;
const DAY = 86_400_000;

interface Party {
  priv: KeyObject;
  pub: string;
}

function party(): Party {
  const kp = generateKeyPair();
  return { priv: kp.privateKey, pub: publicKeyToString(kp.publicKey) };
}

function cert(
  subject: Party,
  nodeId: string,
  role: NodeRole,
  region: string,
  issuerId: string,
  issuer: Party,
  now = T0,
  ttlMs = DAY,
): Certificate {
  return issueCertificate({ nodeId, role, region, publicKey: subject.pub, issuerId, ttlMs }, issuer.priv, now);
}

function network() {
  const root = party();
  const hub = party();
  const store = party();
  const hubCert = cert(hub, 'hub-A', 'hub', 'A', rootIssuerId(root.pub), root);
  const storeCert = cert(store, 'store-A1', 'store', 'A', 'hub-A', hub);
  return { root, hub, store, hubCert, storeCert };
}

function reasonOf(r: ReturnType<typeof verifyChain>): string {
  return r.ok ? 'ok' : r.reason;
}

describe('certificate chains', () => {
  it('a hub chain and a store chain verify against the root key', () => {
    const { root, hubCert, storeCert } = network();
    const hubResult = verifyChain([hubCert], root.pub, T0 + 1000);
    expect(hubResult.ok && hubResult.leaf.nodeId).toBe('hub-A');
    const storeResult = verifyChain([storeCert, hubCert], root.pub, T0 + 1000);
    expect(storeResult.ok && storeResult.leaf).toEqual(storeCert);
  });

  it('an issued certificate matches the strict schema and carries the validity period', () => {
    const { hubCert } = network();
    expect(certificateSchema.safeParse(hubCert).success).toBe(true);
    expect(hubCert.expiresAt - hubCert.issuedAt).toBe(DAY);
    expect(certificateSchema.safeParse({ ...hubCert, extra: 1 }).success).toBe(false);
  });

  it('issuing refuses an invalid region or ttl', () => {
    const root = party();
    expect(() => cert(party(), 'h', 'hub', 'AB', rootIssuerId(root.pub), root)).toThrow(/invalid input/);
    expect(() => cert(party(), 'h', 'hub', 'A', rootIssuerId(root.pub), root, T0, 0)).toThrow(/ttlMs/);
  });

  it('a chain survives encoding and garbage decodes to undefined', () => {
    const { root, hubCert, storeCert } = network();
    const decoded = decodeChain(encodeChain([storeCert, hubCert]));
    expect(decoded).toEqual([storeCert, hubCert]);
    expect(verifyChain(decoded, root.pub, T0).ok).toBe(true);
    expect(decodeChain('')).toBeUndefined();
    expect(decodeChain('%%%')).toBeUndefined();
    expect(decodeChain(Buffer.from('{not json').toString('base64url'))).toBeUndefined();
    // Valid but oversized: refused before parsing.
    expect(decodeChain(Buffer.from(JSON.stringify(['x'.repeat(20_000)])).toString('base64url'))).toBeUndefined();
  });

  it('a malformed chain is refused as malformed', () => {
    const { root, hubCert, storeCert } = network();
    expect(reasonOf(verifyChain(undefined, root.pub, T0))).toBe('malformed');
    expect(reasonOf(verifyChain([], root.pub, T0))).toBe('malformed');
    expect(reasonOf(verifyChain([storeCert, hubCert, hubCert], root.pub, T0))).toBe('malformed');
    expect(reasonOf(verifyChain([{ ...hubCert, version: 2 }], root.pub, T0))).toBe('malformed');
  });

  it('a tampered certificate body fails its signature', () => {
    const { root, hubCert, storeCert } = network();
    expect(reasonOf(verifyChain([{ ...hubCert, expiresAt: hubCert.expiresAt + DAY }], root.pub, T0))).toBe(
      'bad signature',
    );
    expect(reasonOf(verifyChain([{ ...storeCert, nodeId: 'store-A2' }, hubCert], root.pub, T0))).toBe(
      'bad signature',
    );
  });

  it('a hub certificate signed by another root is refused', () => {
    const { root } = network();
    const otherRoot = party();
    const hub = party();
    // Claims the real root as issuer but is signed by another key.
    const forged = cert(hub, 'hub-X', 'hub', 'A', rootIssuerId(root.pub), otherRoot);
    expect(reasonOf(verifyChain([forged], root.pub, T0))).toBe('bad signature');
    // Honestly names its own root: wrong issuer for this network.
    const foreign = cert(hub, 'hub-X', 'hub', 'A', rootIssuerId(otherRoot.pub), otherRoot);
    expect(reasonOf(verifyChain([foreign], root.pub, T0))).toBe('wrong issuer');
  });

  it('a store certificate signed by a hub not chained to the root is refused', () => {
    const { root, hubCert } = network();
    const rogueHub = party();
    const store = party();
    const storeCert = cert(store, 'store-A9', 'store', 'A', 'hub-A', rogueHub);
    expect(reasonOf(verifyChain([storeCert, hubCert], root.pub, T0))).toBe('bad signature');
  });

  it('a store certificate naming a different hub than the one in the chain is refused', () => {
    const { root, hub, hubCert } = network();
    const storeCert = cert(party(), 'store-A9', 'store', 'A', 'hub-B', hub);
    expect(reasonOf(verifyChain([storeCert, hubCert], root.pub, T0))).toBe('wrong issuer');
  });

  it('a hub of another region cannot admit a store claiming region X', () => {
    const { root } = network();
    const hubB = party();
    const hubBCert = cert(hubB, 'hub-B', 'hub', 'B', rootIssuerId(root.pub), root);
    const storeCert = cert(party(), 'store-A9', 'store', 'A', 'hub-B', hubB);
    expect(reasonOf(verifyChain([storeCert, hubBCert], root.pub, T0))).toBe('region mismatch');
  });

  it('a store certificate cannot act as an issuer', () => {
    const { root, store, storeCert, hubCert } = network();
    const subStore = cert(party(), 'store-A2', 'store', 'A', 'store-A1', store);
    expect(reasonOf(verifyChain([subStore, storeCert], root.pub, T0))).toBe('issuer is not a hub');
    // Even a store cert the root itself signed does not make the store an issuer.
    const rootSignedStore = cert(store, 'store-A1', 'store', 'A', rootIssuerId(root.pub), root);
    expect(reasonOf(verifyChain([rootSignedStore], root.pub, T0))).toBe('issuer is not a hub');
    expect(verifyChain([storeCert, hubCert], root.pub, T0).ok).toBe(true);
  });

  it('a hub cannot issue a hub certificate', () => {
    const { root, hub, hubCert } = network();
    const subHub = cert(party(), 'hub-A2', 'hub', 'A', 'hub-A', hub);
    expect(reasonOf(verifyChain([subHub, hubCert], root.pub, T0))).toBe('hub cannot issue a hub');
  });

  it('an expired or not-yet-valid certificate is refused, within the allowed skew', () => {
    const { root, hubCert, storeCert } = network();
    const chain = [storeCert, hubCert];
    expect(verifyChain(chain, root.pub, T0 + DAY).ok).toBe(true);
    expect(reasonOf(verifyChain(chain, root.pub, T0 + DAY + 1))).toBe('expired');
    expect(reasonOf(verifyChain(chain, root.pub, T0 - 1))).toBe('not yet valid');
    expect(verifyChain(chain, root.pub, T0 + DAY + 500, { skewMs: 500 }).ok).toBe(true);
    expect(verifyChain(chain, root.pub, T0 - 500, { skewMs: 500 }).ok).toBe(true);
    expect(reasonOf(verifyChain(chain, root.pub, T0 - 501, { skewMs: 500 }))).toBe('not yet valid');
  });

  it('an expired hub certificate invalidates the stores under it', () => {
    const { root, hub } = network();
    const shortHub = cert(hub, 'hub-A', 'hub', 'A', rootIssuerId(root.pub), root, T0, 1000);
    const storeCert = cert(party(), 'store-A1', 'store', 'A', 'hub-A', hub);
    expect(reasonOf(verifyChain([storeCert, shortHub], root.pub, T0 + 2000))).toBe('expired');
  });

  it('a revoked certificate anywhere in the chain is refused', () => {
    const { root, hubCert, storeCert } = network();
    const chain = [storeCert, hubCert];
    expect(reasonOf(verifyChain(chain, root.pub, T0, { isRevoked: (c) => c.serial === storeCert.serial }))).toBe(
      'revoked',
    );
    expect(reasonOf(verifyChain(chain, root.pub, T0, { isRevoked: (c) => c.nodeId === 'hub-A' }))).toBe('revoked');
    expect(verifyChain(chain, root.pub, T0, { isRevoked: () => false }).ok).toBe(true);
  });

  it('a bad root key is reported, not thrown', () => {
    const { hubCert } = network();
    expect(reasonOf(verifyChain([hubCert], 'not-a-key', T0))).toBe('bad root key');
  });
});
