// Behaviour of signed node-to-node requests: who sent it, unaltered, not replayed.
import type { KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type CertChain, encodeChain, issueCertificate, type NodeRole, rootIssuerId } from '../admission/certificate.js';
import { generateKeyPair, publicKeyToString } from '../../core/keys.js';
import {
  ChainCache,
  HEADER_CHAIN,
  HEADER_NODE,
  HEADER_NONCE,
  HEADER_SIGNATURE,
  HEADER_TIMESTAMP,
  NonceCache,
  signingString,
  signRequest,
  type SignedRequest,
  verifySignedRequest,
  type VerifyRequestContext,
} from './request-signing.js';

const T0 = 1_700_000_000_000;
const DAY = 86_400_000;
const SKEW = 30_000;

function keys() {
  const kp = generateKeyPair();
  return { priv: kp.privateKey, pub: publicKeyToString(kp.publicKey) };
}

function certFor(pub: string, nodeId: string, role: NodeRole, issuerId: string, issuer: KeyObject, now = T0, ttl = DAY) {
  return issueCertificate({ nodeId, role, region: 'A', publicKey: pub, issuerId, ttlMs: ttl }, issuer, now);
}

function network() {
  const root = keys();
  const hub = keys();
  const store = keys();
  const hubCert = certFor(hub.pub, 'hub-A', 'hub', rootIssuerId(root.pub), root.priv);
  const storeCert = certFor(store.pub, 'store-A1', 'store', 'hub-A', hub.priv);
  const storeChain: CertChain = [storeCert, hubCert];
  return { root, hub, store, hubCert, storeCert, storeChain };
}

type Net = ReturnType<typeof network>;

function storeRequest(net: Net, over: { method?: string; path?: string; body?: string; now?: number; nonce?: string } = {}): SignedRequest {
  const method = over.method ?? 'POST';
  const path = over.path ?? '/mesh/events?since=5';
  const body = over.body ?? '{"events":[]}';
  const headers = signRequest({
    method,
    path,
    body,
    nodeId: 'store-A1',
    privateKey: net.store.priv,
    encodedChain: encodeChain(net.storeChain),
    now: over.now ?? T0,
    ...(over.nonce ? { nonce: over.nonce } : {}),
  });
  return { method, path, body, headers };
}

function ctx(net: Net, over: Partial<VerifyRequestContext> = {}): VerifyRequestContext {
  return { rootPublicKey: net.root.pub, now: T0, maxSkewMs: SKEW, nonces: new NonceCache({ ttlMs: 2 * SKEW }), ...over };
}

function reasonOf(r: ReturnType<typeof verifySignedRequest>): string {
  return r.ok ? 'ok' : r.reason;
}

describe('signing string', () => {
  it('has the documented layout with the method uppercased', () => {
    const s = signingString({ method: 'post', path: '/a?b=1', bodyHash: 'h', timestamp: 12, nonce: 'n', nodeId: 'x' });
    expect(s).toBe('codepop-v1\nPOST\n/a?b=1\nh\n12\nn\nx');
  });

  it('refuses fields with line breaks so two requests cannot share a string', () => {
    expect(() =>
      signingString({ method: 'GET', path: '/a\nb', bodyHash: '', timestamp: 1, nonce: 'n', nodeId: 'x' }),
    ).toThrow(/line breaks/);
  });
});

describe('signed requests', () => {
  it('a store request signed with its chain verifies and names the store', () => {
    const net = network();
    const req = storeRequest(net);
    expect(Object.keys(req.headers).sort()).toEqual(
      [HEADER_CHAIN, HEADER_NODE, HEADER_NONCE, HEADER_SIGNATURE, HEADER_TIMESTAMP].sort(),
    );
    expect(req.headers[HEADER_NONCE]).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const r = verifySignedRequest(req, ctx(net));
    expect(r.ok && r.nodeId).toBe('store-A1');
    expect(r.ok && r.cert).toEqual(net.storeCert);
    expect(r.ok && r.chain).toEqual(net.storeChain);
  });

  it('a hub request signed with its one-certificate chain verifies', () => {
    const net = network();
    const headers = signRequest({
      method: 'GET',
      path: '/mesh/peers',
      nodeId: 'hub-A',
      privateKey: net.hub.priv,
      encodedChain: encodeChain([net.hubCert]),
      now: T0,
    });
    const r = verifySignedRequest({ method: 'GET', path: '/mesh/peers', headers }, ctx(net));
    expect(r.ok && r.nodeId).toBe('hub-A');
  });

  it('an empty body and no body sign the same way', () => {
    const net = network();
    const headers = signRequest({
      method: 'GET', path: '/x', body: '', nodeId: 'store-A1', privateKey: net.store.priv,
      encodedChain: encodeChain(net.storeChain), now: T0,
    });
    expect(verifySignedRequest({ method: 'get', path: '/x', headers }, ctx(net)).ok).toBe(true);
  });

  it('a Buffer body verifies against the same bytes as a string', () => {
    const net = network();
    const req = storeRequest(net, { body: '{"é":1}' });
    expect(verifySignedRequest({ ...req, body: Buffer.from('{"é":1}', 'utf8') }, ctx(net)).ok).toBe(true);
  });

  it('a request missing any signing header is unsigned', () => {
    const net = network();
    for (const h of [HEADER_NODE, HEADER_TIMESTAMP, HEADER_NONCE, HEADER_SIGNATURE, HEADER_CHAIN]) {
      const req = storeRequest(net);
      const headers = { ...req.headers, [h]: undefined };
      expect(reasonOf(verifySignedRequest({ ...req, headers }, ctx(net))), h).toBe('unsigned');
    }
    expect(reasonOf(verifySignedRequest({ method: 'GET', path: '/', headers: {} }, ctx(net)))).toBe('unsigned');
  });

  it('a duplicated or malformed signing header is refused as unsigned', () => {
    const net = network();
    const req = storeRequest(net);
    const nonce = String(req.headers[HEADER_NONCE]);
    const dup: SignedRequest['headers'] = { ...req.headers, [HEADER_NONCE]: [nonce, nonce] };
    expect(reasonOf(verifySignedRequest({ ...req, headers: dup }, ctx(net)))).toBe('unsigned');
    const badTs = { ...req.headers, [HEADER_TIMESTAMP]: '1e12' };
    expect(reasonOf(verifySignedRequest({ ...req, headers: badTs }, ctx(net)))).toBe('unsigned');
    const badNonce = { ...req.headers, [HEADER_NONCE]: 'short' };
    expect(reasonOf(verifySignedRequest({ ...req, headers: badNonce }, ctx(net)))).toBe('unsigned');
  });

  it('a timestamp beyond the allowed skew is refused either way, within it accepted', () => {
    const net = network();
    expect(reasonOf(verifySignedRequest(storeRequest(net, { now: T0 - SKEW - 1 }), ctx(net)))).toBe('clock skew');
    expect(reasonOf(verifySignedRequest(storeRequest(net, { now: T0 + SKEW + 1 }), ctx(net)))).toBe('clock skew');
    expect(verifySignedRequest(storeRequest(net, { now: T0 - SKEW }), ctx(net)).ok).toBe(true);
    expect(verifySignedRequest(storeRequest(net, { now: T0 + SKEW }), ctx(net)).ok).toBe(true);
  });

  it('a tampered body, path, query or method fails the signature', () => {
    const net = network();
    const req = storeRequest(net);
    const c = ctx(net);
    expect(reasonOf(verifySignedRequest({ ...req, body: '{"events":[1]}' }, c))).toBe('bad signature');
    expect(reasonOf(verifySignedRequest({ ...req, body: undefined }, c))).toBe('bad signature');
    expect(reasonOf(verifySignedRequest({ ...req, path: '/mesh/admin?since=5' }, c))).toBe('bad signature');
    expect(reasonOf(verifySignedRequest({ ...req, path: '/mesh/events?since=0' }, c))).toBe('bad signature');
    expect(reasonOf(verifySignedRequest({ ...req, method: 'DELETE' }, c))).toBe('bad signature');
    // Nothing forged above consumed the nonce: the genuine request still passes.
    expect(verifySignedRequest(req, c).ok).toBe(true);
  });

  it('a request signed with a key other than the certificate’s is refused', () => {
    const net = network();
    const attacker = keys();
    const headers = signRequest({
      method: 'POST', path: '/mesh/events?since=5', body: '{"events":[]}', nodeId: 'store-A1',
      privateKey: attacker.priv, encodedChain: encodeChain(net.storeChain), now: T0,
    });
    const r = verifySignedRequest({ method: 'POST', path: '/mesh/events?since=5', body: '{"events":[]}', headers }, ctx(net));
    expect(reasonOf(r)).toBe('bad signature');
  });

  it('a sender claiming another node id than its certificate is refused', () => {
    const net = network();
    const req = storeRequest(net);
    const headers = { ...req.headers, [HEADER_NODE]: 'store-A2' };
    expect(reasonOf(verifySignedRequest({ ...req, headers }, ctx(net)))).toBe('node mismatch');
  });

  it('a garbage chain or a chain from another network is a bad chain', () => {
    const net = network();
    const other = network();
    const req = storeRequest(net);
    const garbage = { ...req.headers, [HEADER_CHAIN]: 'not-a-chain' };
    expect(reasonOf(verifySignedRequest({ ...req, headers: garbage }, ctx(net)))).toBe('bad chain');
    const r = verifySignedRequest(req, ctx(other));
    expect(r.ok ? 'ok' : `${r.reason}/${r.detail ?? ''}`).toBe('bad chain/wrong issuer');
  });

  it('an expired certificate is refused as expired, a future one as a bad chain', () => {
    const net = network();
    expect(reasonOf(verifySignedRequest(storeRequest(net, { now: T0 + DAY + SKEW + 1 }), ctx(net, { now: T0 + DAY + SKEW + 1 })))).toBe('expired');
    const r = verifySignedRequest(storeRequest(net, { now: T0 - SKEW - 1 }), ctx(net, { now: T0 - SKEW - 1 }));
    expect(r.ok ? 'ok' : `${r.reason}/${r.detail ?? ''}`).toBe('bad chain/not yet valid');
  });

  it('a revoked certificate is refused', () => {
    const net = network();
    const isRevoked = (c: { serial: string }) => c.serial === net.storeCert.serial;
    expect(reasonOf(verifySignedRequest(storeRequest(net), ctx(net, { isRevoked })))).toBe('revoked');
  });

  it('the exact same request sent twice is a replay the second time', () => {
    const net = network();
    const req = storeRequest(net);
    const c = ctx(net);
    expect(verifySignedRequest(req, c).ok).toBe(true);
    expect(reasonOf(verifySignedRequest(req, { ...c, now: T0 + 1000 }))).toBe('replay');
  });

  it('a forged request reusing a fresh nonce does not burn it for the genuine sender', () => {
    const net = network();
    const nonce = 'AAAAAAAAAAAAAAAAAAAAAA';
    const genuine = storeRequest(net, { nonce });
    const forged = { ...genuine, body: '{"events":["evil"]}' };
    const c = ctx(net);
    expect(reasonOf(verifySignedRequest(forged, c))).toBe('bad signature');
    expect(c.nonces.size).toBe(0);
    expect(verifySignedRequest(genuine, c).ok).toBe(true);
  });
});

describe('NonceCache', () => {
  it('remembers a nonce per node until its ttl passes', () => {
    const n = new NonceCache({ ttlMs: 1000 });
    expect(n.seen('a', 'n1', 0)).toBe(false);
    expect(n.seen('a', 'n1', 1000)).toBe(true);
    expect(n.seen('b', 'n1', 1000)).toBe(false);
    expect(n.seen('a', 'n1', 1001)).toBe(false);
  });

  it('drops expired entries lazily so memory follows traffic', () => {
    const n = new NonceCache({ ttlMs: 100 });
    for (let i = 0; i < 50; i++) n.seen('a', `n${i}`, i);
    expect(n.size).toBe(50);
    n.seen('a', 'late', 500);
    expect(n.size).toBe(1);
  });

  it('refuses new nonces when full rather than forgetting live ones', () => {
    const n = new NonceCache({ ttlMs: 100, maxEntries: 2 });
    expect(n.remember('a', 'n1', 0)).toBe('new');
    expect(n.remember('a', 'n2', 0)).toBe('new');
    expect(n.remember('a', 'n3', 50)).toBe('full');
    expect(n.remember('a', 'n1', 50)).toBe('replay');
    expect(n.remember('a', 'n3', 101)).toBe('new');
  });
});

describe('ChainCache', () => {
  it('a cached chain still has expiry and revocation checked on every use', () => {
    const net = network();
    const chains = new ChainCache();
    expect(verifySignedRequest(storeRequest(net), ctx(net, { chains })).ok).toBe(true);
    expect(chains.size).toBe(1);
    const later = T0 + DAY + SKEW + 1;
    expect(reasonOf(verifySignedRequest(storeRequest(net, { now: later }), ctx(net, { chains, now: later })))).toBe('expired');
    const isRevoked = () => true;
    expect(reasonOf(verifySignedRequest(storeRequest(net), ctx(net, { chains, isRevoked })))).toBe('revoked');
  });

  it('a cached chain does not vouch for the same chain under another root', () => {
    const net = network();
    const other = network();
    const chains = new ChainCache();
    expect(verifySignedRequest(storeRequest(net), ctx(net, { chains })).ok).toBe(true);
    expect(reasonOf(verifySignedRequest(storeRequest(net), ctx(other, { chains })))).toBe('bad chain');
  });

  it('a failed chain is not cached and the cache stays within its bound', () => {
    const chains = new ChainCache({ maxEntries: 2 });
    const nets = [network(), network(), network()];
    for (const net of nets) chains.resolve(encodeChain(net.storeChain), net.root.pub);
    expect(chains.size).toBe(2);
    expect(chains.resolve('garbage', nets[0]?.root.pub ?? '').ok).toBe(false);
    expect(chains.size).toBe(2);
  });

  it('a cache hit returns the leaf key that verifies the sender', () => {
    const net = network();
    const chains = new ChainCache();
    const first = chains.resolve(encodeChain(net.storeChain), net.root.pub);
    const second = chains.resolve(encodeChain(net.storeChain), net.root.pub);
    expect(first.ok && second.ok && first.leafKey === second.leafKey).toBe(true);
    expect(second.ok && publicKeyToString(second.leafKey)).toBe(net.store.pub);
  });
});
