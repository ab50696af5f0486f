// Behaviour of revocations: signed by the issuer, matched against certificates.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodeChain, issueCertificate, rootIssuerId, verifyChain } from './certificate.js';
import { generateKeyPair, publicKeyToString } from '../../core/keys.js';
import { NonceCache, signRequest, verifySignedRequest } from '../transport/request-signing.js';
import { issueRevocation, RevocationList, verifyRevocation } from './revocation.js';

const T0 = 1_700_000_000_000;
const DAY = 86_400_000;

function network() {
  const root = generateKeyPair();
  const hub = generateKeyPair();
  const store = generateKeyPair();
  const rootPub = publicKeyToString(root.publicKey);
  const hubCert = issueCertificate(
    { nodeId: 'hub-A', role: 'hub', region: 'A', publicKey: publicKeyToString(hub.publicKey), issuerId: rootIssuerId(rootPub), ttlMs: DAY },
    root.privateKey,
    T0,
  );
  const storeCert = issueCertificate(
    { nodeId: 'store-A1', role: 'store', region: 'A', publicKey: publicKeyToString(store.publicKey), issuerId: 'hub-A', ttlMs: DAY },
    hub.privateKey,
    T0,
  );
  return { root, rootPub, hub, store, hubCert, storeCert };
}

describe('revocations', () => {
  it('an issued revocation verifies with the issuer key and no other', () => {
    const { hub, storeCert } = network();
    const rev = issueRevocation({ nodeId: 'store-A1', serial: storeCert.serial, reason: 'stolen' }, 'hub-A', hub.privateKey, T0);
    expect(rev).toMatchObject({ nodeId: 'store-A1', serial: storeCert.serial, issuerId: 'hub-A', revokedAt: T0, reason: 'stolen' });
    expect(verifyRevocation(rev, hub.publicKey)).toBe(true);
    expect(verifyRevocation(rev, generateKeyPair().publicKey)).toBe(false);
  });

  it('a tampered or malformed revocation does not verify, and nothing throws', () => {
    const { hub, storeCert } = network();
    const rev = issueRevocation({ nodeId: 'store-A1', serial: storeCert.serial, reason: 'stolen' }, 'hub-A', hub.privateKey, T0);
    expect(verifyRevocation({ ...rev, nodeId: 'store-A2' }, hub.publicKey)).toBe(false);
    expect(verifyRevocation({ ...rev, extra: true }, hub.publicKey)).toBe(false);
    expect(verifyRevocation('garbage', hub.publicKey)).toBe(false);
    expect(verifyRevocation(null, hub.publicKey)).toBe(false);
  });

  it('a revoked serial is refused while other certificates of the issuer stay valid', () => {
    const { hub, storeCert, hubCert } = network();
    const list = new RevocationList();
    expect(list.add(issueRevocation({ nodeId: 'store-A1', serial: storeCert.serial, reason: 'x' }, 'hub-A', hub.privateKey, T0))).toBe(true);
    expect(list.isRevoked(storeCert)).toBe(true);
    expect(list.isRevoked(hubCert)).toBe(false);
    const sibling = issueCertificate(
      { nodeId: 'store-A2', role: 'store', region: 'A', publicKey: storeCert.publicKey, issuerId: 'hub-A', ttlMs: DAY },
      hub.privateKey,
      T0,
    );
    expect(list.isRevoked(sibling)).toBe(false);
  });

  it('revoking a node kills its older certificates but honours one re-issued afterwards', () => {
    const { hub, storeCert } = network();
    const list = new RevocationList();
    list.add(issueRevocation({ nodeId: 'store-A1', serial: randomUUID(), reason: 'x' }, 'hub-A', hub.privateKey, T0 + 10));
    expect(list.isRevoked(storeCert)).toBe(true);
    const reissued = issueCertificate(
      { nodeId: 'store-A1', role: 'store', region: 'A', publicKey: storeCert.publicKey, issuerId: 'hub-A', ttlMs: DAY },
      hub.privateKey,
      T0 + 20,
    );
    expect(list.isRevoked(reissued)).toBe(false);
  });

  it('a revocation naming a serial applies even if the issuer clock went back since issuing', () => {
    const { hub, storeCert } = network();
    const aheadCert = issueCertificate(
      { nodeId: 'store-A1', role: 'store', region: 'A', publicKey: storeCert.publicKey, issuerId: 'hub-A', ttlMs: DAY },
      hub.privateKey,
      T0 + 60_000,
    );
    const list = new RevocationList();
    list.add(issueRevocation({ nodeId: 'store-A1', serial: aheadCert.serial, reason: 'x' }, 'hub-A', hub.privateKey, T0));
    expect(list.isRevoked(aheadCert)).toBe(true);
  });

  it('a revocation from another issuer does not touch a certificate it did not issue', () => {
    const { storeCert } = network();
    const otherHub = generateKeyPair();
    const list = new RevocationList();
    list.add(issueRevocation({ nodeId: 'store-A1', serial: storeCert.serial, reason: 'x' }, 'hub-B', otherHub.privateKey, T0 + 10));
    expect(list.isRevoked(storeCert)).toBe(false);
  });

  it('adding the same revocation twice is reported as not new', () => {
    const { hub, storeCert } = network();
    const list = new RevocationList();
    const rev = issueRevocation({ nodeId: 'store-A1', serial: storeCert.serial, reason: 'x' }, 'hub-A', hub.privateKey, T0);
    expect(list.add(rev)).toBe(true);
    expect(list.add({ ...rev })).toBe(false);
    expect(list.size).toBe(1);
    expect(list.list()).toEqual([rev]);
  });

  it('a root revocation of a hub cuts off the hub and every store under it', () => {
    const { root, rootPub, hubCert, storeCert } = network();
    const list = new RevocationList();
    list.add(issueRevocation({ nodeId: 'hub-A', serial: hubCert.serial, reason: 'retired' }, rootIssuerId(rootPub), root.privateKey, T0));
    const isRevoked = list.isRevoked.bind(list);
    expect(verifyChain([hubCert], rootPub, T0, { isRevoked })).toEqual({ ok: false, reason: 'revoked' });
    expect(verifyChain([storeCert, hubCert], rootPub, T0, { isRevoked })).toEqual({ ok: false, reason: 'revoked' });
  });

  it('a revoked store is refused at the signed-request layer', () => {
    const { hub, store, rootPub, hubCert, storeCert } = network();
    const list = new RevocationList();
    list.add(issueRevocation({ nodeId: 'store-A1', serial: storeCert.serial, reason: 'x' }, 'hub-A', hub.privateKey, T0));
    const headers = signRequest({
      method: 'GET', path: '/mesh/peers', nodeId: 'store-A1', privateKey: store.privateKey,
      encodedChain: encodeChain([storeCert, hubCert]), now: T0,
    });
    const r = verifySignedRequest(
      { method: 'GET', path: '/mesh/peers', headers },
      { rootPublicKey: rootPub, now: T0, maxSkewMs: 1000, nonces: new NonceCache({ ttlMs: 2000 }), isRevoked: (c) => list.isRevoked(c) },
    );
    expect(r).toEqual({ ok: false, reason: 'revoked' });
  });
});
