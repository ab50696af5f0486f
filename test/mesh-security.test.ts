// The signed peer protocol between real `codepop node` processes (DESIGN §4):
// unsigned, forged, replayed, expired and badly chained requests are refused
// with 401 and wrong-region ones with 403, and none of them changes what the
// hub or a store knows; a join token works once; a revoked store is refused
// by its hub and its peers afterwards.
import { randomUUID, type KeyObject } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { certifyHub, loadAdmission } from '../src/mesh/admission/admission.js';
import { encodeChain, issueCertificate, rootIssuerId, type CertChain } from '../src/mesh/admission/certificate.js';
import { generateKeyPair, publicKeyToString } from '../src/core/keys.js';
import { MAX_CLOCK_SKEW_MS } from '../src/mesh/mesh.js';
import { PeerClient } from '../src/mesh/transport/peer-client.js';
import { HEADER_NODE, HEADER_SIGNATURE, signRequest } from '../src/mesh/transport/request-signing.js';
import { loadOrCreateIdentity } from '../src/core/identity.js';
import { getJson, TestNetwork, waitFor, type NodeHandle } from './harness/network.js';

interface Signer {
  nodeId: string;
  privateKey: KeyObject;
  chain: CertChain;
}

interface Prepared {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}

interface Answer {
  status: number;
  body: { status?: number; detail?: string } & Record<string, unknown>;
}

interface Card {
  name: string;
  apiBaseUrl: string;
  lat: number;
  lon: number;
}

interface MeshStatus {
  mesh: {
    mode: string;
    registered: boolean;
    registryVersion: string;
    revocations: number;
    certificate: unknown;
    peers: (Card & { nodeId: string; state: string })[];
  };
}

/** A request signed as `signer` at time `now`, ready to send (and to send again, for a replay). */
function prepare(base: string, method: 'GET' | 'POST', pathAndQuery: string, body: unknown, signer: Signer, now = Date.now()): Prepared {
  const text = body === undefined ? undefined : JSON.stringify(body);
  const headers = signRequest({
    method,
    path: pathAndQuery,
    ...(text !== undefined ? { body: text } : {}),
    nodeId: signer.nodeId,
    privateKey: signer.privateKey,
    encodedChain: encodeChain(signer.chain),
    now,
  });
  if (text !== undefined) headers['content-type'] = 'application/json';
  return { url: `${base}${pathAndQuery}`, method, headers, ...(text !== undefined ? { body: text } : {}) };
}

async function send(p: Prepared): Promise<Answer> {
  const res = await fetch(p.url, { method: p.method, headers: p.headers, ...(p.body !== undefined ? { body: p.body } : {}) });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Answer['body']) : {} };
}

function signerOf(dataDir: string): Signer {
  const identity = loadOrCreateIdentity(dataDir);
  const { chain } = loadAdmission(dataDir);
  if (!chain) throw new Error(`${dataDir} holds no certificate`);
  return { nodeId: identity.nodeId, privateKey: identity.privateKey, chain };
}

/** A key pair and a store certificate issued with `issuerKey` as `issuerId`, chained to `issuerChain`. */
function storeSigner(input: { nodeId?: string; region: string; issuerId: string; issuerKey: KeyObject; issuerChain: CertChain; issuedAt?: number; ttlMs?: number }): Signer {
  const { privateKey, publicKey } = generateKeyPair();
  const nodeId = input.nodeId ?? randomUUID();
  const cert = issueCertificate(
    { nodeId, role: 'store', region: input.region, publicKey: publicKeyToString(publicKey), issuerId: input.issuerId, ttlMs: input.ttlMs ?? 3_600_000 },
    input.issuerKey,
    input.issuedAt ?? Date.now(),
  );
  return { nodeId, privateKey, chain: [cert, ...input.issuerChain] };
}

const IMPOSTOR: Card = { name: 'Impostor', apiBaseUrl: 'http://127.0.0.1:9', lat: 41.7, lon: -111.8 };

describe('the signed peer protocol between real nodes', () => {
  const network = new TestNetwork({ heartbeatMs: 1000, backoffCapMs: 2000, pgliteTemplate: inject('pgliteTemplateDir') });
  let hub: NodeHandle;
  let logan: NodeHandle;
  let brigham: NodeHandle;
  let loganToken: string;
  let asHub: Signer;
  let asLogan: Signer;
  let asBrigham: Signer;
  let loganCard: Card;

  const printLogs = () => console.log(`node logs:\n${network.logs()}`);
  beforeEach(({ onTestFailed }) => onTestFailed(printLogs));

  const statusOf = (node: NodeHandle) => getJson<MeshStatus>(`${node.url}/api/v1/node/status`);
  const logsOf = (node: NodeHandle) => node.proc?.logs ?? [];

  /** What the nodes know: the members (and how to reach them), the registry version, revocations. */
  async function knowledge() {
    const shape = (s: MeshStatus) => ({
      registryVersion: s.mesh.registryVersion,
      revocations: s.mesh.revocations,
      members: s.mesh.peers.map((p) => `${p.nodeId} ${p.name} ${p.apiBaseUrl}`).sort(),
    });
    const [h, l, b] = await Promise.all([statusOf(hub), statusOf(logan), statusOf(brigham)]);
    return { hub: shape(h), logan: shape(l), brigham: shape(b) };
  }

  /** Sends each request and expects every one refused with `status` and a detail matching `detail`. */
  async function expectRefused(requests: Prepared[], status: number, detail: RegExp): Promise<void> {
    for (const p of requests) {
      const answer = await send(p);
      expect(answer.status, `${p.method} ${p.url}`).toBe(status);
      expect(answer.body.detail ?? '', `${p.method} ${p.url}`).toMatch(detail);
    }
  }

  /** The peer endpoints an attacker would aim at, signed as `signer` (or as modified by `tamper`). */
  function attacks(signer: Signer, tamper: (p: Prepared) => Prepared = (p) => p, now = Date.now()): Prepared[] {
    return [
      prepare(hub.url, 'POST', '/p2p/v1/register', { card: IMPOSTOR }, signer, now),
      prepare(hub.url, 'POST', '/p2p/v1/heartbeat', { card: IMPOSTOR }, signer, now),
      prepare(hub.url, 'GET', '/p2p/v1/discover?type=STORE', undefined, signer, now),
      prepare(hub.url, 'POST', '/p2p/v1/probe', { target: asBrigham.nodeId }, signer, now),
      prepare(hub.url, 'POST', '/p2p/v1/revoke', { nodeId: asBrigham.nodeId, reason: 'attack' }, signer, now),
      prepare(brigham.url, 'POST', '/p2p/v1/heartbeat', { card: IMPOSTOR }, signer, now),
      prepare(brigham.url, 'POST', '/p2p/v1/probe', { target: asLogan.nodeId }, signer, now),
    ].map(tamper);
  }

  beforeAll(async () => {
    try {
      hub = await network.defineHub('C', 41.737, -111.8338, 'Logan Hub');
      logan = await network.defineStore('C', 'Logan North', 41.76, -111.815);
      brigham = await network.defineStore('C', 'Brigham City', 41.5102, -112.0155);
      loganToken = network.joinToken('C');
      // Every start settles before going on, so a failed one leaves no process unseen by afterAll.
      const started = await Promise.allSettled([network.start(hub), network.start(logan, { joinToken: loganToken }), network.start(brigham)]);
      const failed = started.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
      await waitFor('the region to settle: everyone registered and seeing everyone alive', async () => {
        const [h, l, b] = await Promise.all([statusOf(hub), statusOf(logan), statusOf(brigham)]);
        const allAlive = (s: MeshStatus) => s.mesh.peers.length === 2 && s.mesh.peers.every((p) => p.state === 'alive');
        return l.mesh.registered && b.mesh.registered && allAlive(h) && allAlive(l) && allAlive(b) ? true : undefined;
      });
      asHub = signerOf(hub.dataDir);
      asLogan = signerOf(logan.dataDir);
      asBrigham = signerOf(brigham.dataDir);
      const info = await getJson<{ displayName: string; apiBaseUrl: string; location: { lat: number; lon: number } }>(`${logan.url}/api/v1/node`);
      loganCard = { name: info.displayName, apiBaseUrl: info.apiBaseUrl, ...info.location };
    } catch (err) {
      printLogs();
      throw err;
    }
  });

  afterAll(async () => {
    await network.stopAll();
    rmSync(network.dir, { recursive: true, force: true });
  });

  it('a genuine signed request is accepted (so the refusals below are about the signatures)', async () => {
    const answer = await send(prepare(hub.url, 'POST', '/p2p/v1/heartbeat', { card: loganCard }, asLogan));
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ known: true });
    const found = await send(prepare(hub.url, 'GET', '/p2p/v1/discover?type=STORE', undefined, asLogan));
    expect(found.status).toBe(200);
  });

  it('unsigned requests are refused with 401 and change nothing', async () => {
    const before = await knowledge();
    const bare = attacks(asLogan, (p) => {
      const headers: Record<string, string> = p.body !== undefined ? { 'content-type': 'application/json' } : {};
      return { ...p, headers };
    });
    const noSignature = attacks(asLogan, (p) => {
      const { [HEADER_SIGNATURE]: _dropped, ...headers } = p.headers;
      return { ...p, headers };
    });
    await expectRefused([...bare, ...noSignature], 401, /unsigned/);
    expect(await knowledge()).toEqual(before);
  });

  it('forged requests are refused with 401 and change nothing', async () => {
    const before = await knowledge();
    // Logan's real certificate chain, but signed with a key that is not Logan's.
    const wrongKey = attacks({ ...asLogan, privateKey: generateKeyPair().privateKey });
    // Signed by Logan, then the body altered on the way.
    const altered = attacks(asLogan, (p) => (p.body !== undefined ? { ...p, body: `${p.body} ` } : { ...p, url: `${p.url}&limit=1` }));
    // The hub's own chain, claimed by someone without the hub's key (the revoke route trusts only the hub).
    const asFakeHub = attacks({ ...asHub, privateKey: generateKeyPair().privateKey });
    await expectRefused([...wrongKey, ...altered, ...asFakeHub], 401, /bad signature/);
    // Signed by Logan but claiming to come from Brigham City.
    const claimed = attacks(asLogan, (p) => ({ ...p, headers: { ...p.headers, [HEADER_NODE]: asBrigham.nodeId } }));
    await expectRefused(claimed, 401, /node mismatch/);
    expect(await knowledge()).toEqual(before);
    expect((await knowledge()).hub.members.some((m) => m.includes('Impostor'))).toBe(false);
  });

  it('a replayed request is refused with 401 the second time', async () => {
    const before = await knowledge();
    const requests = [
      prepare(hub.url, 'POST', '/p2p/v1/heartbeat', { card: loganCard }, asLogan),
      prepare(hub.url, 'POST', '/p2p/v1/register', { card: loganCard }, asLogan),
      prepare(brigham.url, 'POST', '/p2p/v1/heartbeat', { card: loganCard }, asLogan),
    ];
    for (const p of requests) expect((await send(p)).status, p.url).toBe(200);
    await expectRefused(requests, 401, /replay/);
    expect(await knowledge()).toEqual(before);
  });

  it(`requests stamped beyond the ${MAX_CLOCK_SKEW_MS / 1000} s clock skew bound, or under an expired certificate, are refused with 401`, async () => {
    const before = await knowledge();
    await expectRefused(attacks(asLogan, undefined, Date.now() - MAX_CLOCK_SKEW_MS - 5000), 401, /clock skew/);
    await expectRefused(attacks(asLogan, undefined, Date.now() + MAX_CLOCK_SKEW_MS + 5000), 401, /clock skew/);
    // A certificate from the real hub that expired an hour ago, for a node the hub never admitted.
    const expired = storeSigner({
      region: 'C',
      issuerId: asHub.nodeId,
      issuerKey: asHub.privateKey,
      issuerChain: asHub.chain,
      issuedAt: Date.now() - 2 * 3_600_000,
      ttlMs: 3_600_000,
    });
    await expectRefused(attacks(expired), 401, /expired/);
    expect(await knowledge()).toEqual(before);

    // Within the bound a peer's slow clock is tolerated: the bound is the stated one, not tighter.
    const late = await send(prepare(hub.url, 'POST', '/p2p/v1/heartbeat', { card: loganCard }, asLogan, Date.now() - MAX_CLOCK_SKEW_MS + 5000));
    expect(late.status).toBe(200);
  });

  it('a chain that does not lead to the root is refused with 401 and changes nothing', async () => {
    const before = await knowledge();
    // Another network's root, hub and store, the store claiming Logan's node id.
    const otherRoot = generateKeyPair();
    const otherRootKey = publicKeyToString(otherRoot.publicKey);
    const otherHubKeys = generateKeyPair();
    const otherHubCert = issueCertificate(
      { nodeId: randomUUID(), role: 'hub', region: 'C', publicKey: publicKeyToString(otherHubKeys.publicKey), issuerId: rootIssuerId(otherRootKey), ttlMs: 3_600_000 },
      otherRoot.privateKey,
      Date.now(),
    );
    const otherNetwork = storeSigner({ nodeId: asLogan.nodeId, region: 'C', issuerId: otherHubCert.nodeId, issuerKey: otherHubKeys.privateKey, issuerChain: [otherHubCert] });
    // A store posing as an issuer: Logan's genuine certificate vouching for a new node.
    const storeIssued = storeSigner({ region: 'C', issuerId: asLogan.nodeId, issuerKey: asLogan.privateKey, issuerChain: [asLogan.chain[0]!] });
    // Logan's chain with its certificate's region changed after the hub signed it.
    const retagged: Signer = { ...asLogan, chain: [{ ...asLogan.chain[0]!, region: 'B' }, ...asLogan.chain.slice(1)] };
    await expectRefused([...attacks(otherNetwork), ...attacks(storeIssued), ...attacks(retagged)], 401, /bad chain/);
    expect(await knowledge()).toEqual(before);
  });

  it('a store of another region is refused with 403 and changes nothing', async () => {
    const before = await knowledge();
    // A genuine chain of this network: root → hub of region B → a store of region B.
    const hubBDir = path.join(network.dir, 'hub-B-never-started');
    const hubB = certifyHub({ rootKeyFile: network.root.keyFile, dataDir: hubBDir, region: 'B' });
    const regionB = storeSigner({ region: 'B', issuerId: hubB.nodeId, issuerKey: loadOrCreateIdentity(hubBDir).privateKey, issuerChain: hubB.chain });
    // Discovery stays open to every certified node (a store's network view asks every region's
    // hub); what a region keeps to itself is registration, heartbeats and probes.
    const requests = attacks(regionB).filter((p) => /\/p2p\/v1\/(register|heartbeat|probe)$/.test(p.url));
    expect(requests).toHaveLength(5);
    await expectRefused(requests, 403, /region B has no business with region C/);
    expect(await knowledge()).toEqual(before);
  });

  it("a store cannot revoke another store: only the hub's own key can", async () => {
    const before = await knowledge();
    await expectRefused([prepare(hub.url, 'POST', '/p2p/v1/revoke', { nodeId: asBrigham.nodeId, reason: 'a rival' }, asLogan)], 403, /hub's operator/);
    expect(await knowledge()).toEqual(before);
  });

  it('a join token used twice is refused the second time, and the second store is not admitted', async () => {
    const before = await knowledge();
    const copycat = await network.defineStore('C', 'Copycat', 41.74, -111.83);
    await network.start(copycat, { joinToken: loganToken });
    const copycatId = loadOrCreateIdentity(copycat.dataDir).nodeId;
    const failure = await waitFor('the second use of the token to be refused', async () =>
      logsOf(copycat).find((l) => l.msg === 'registration failed; retrying'),
    );
    expect(String(failure.error)).toMatch(/401.*join token already used/);
    expect(logsOf(hub).some((l) => l.msg === 'join refused' && l.reason === 'join token already used' && l.claimedNode === copycatId)).toBe(true);
    const status = await statusOf(copycat);
    expect(status.mesh).toMatchObject({ mode: 'joining', registered: false, certificate: null });
    expect(loadAdmission(copycat.dataDir).chain).toBeUndefined();
    expect(await knowledge()).toEqual(before);
    await copycat.proc!.stop(5000);
  });

  it('a revoked store is refused afterwards by its hub and its peers', async () => {
    const heartbeat = (to: NodeHandle) => prepare(to.url, 'POST', '/p2p/v1/heartbeat', { card: { ...IMPOSTOR, name: 'Brigham City' } }, asBrigham);
    // Accepted before the revocation, so the refusals after are the revocation's doing.
    expect((await send(prepare(logan.url, 'GET', '/p2p/v1/discover', undefined, asBrigham))).status).toBe(200);

    const operator = new PeerClient({ nodeId: asHub.nodeId, privateKey: asHub.privateKey, chain: () => asHub.chain, now: () => Date.now() });
    const revoked = await operator.call<{ revocation: { nodeId: string; serial: string } }>(hub.url, 'POST', '/p2p/v1/revoke', {
      nodeId: asBrigham.nodeId,
      reason: 'test: the store key was stolen',
    });
    expect(revoked.revocation).toMatchObject({ nodeId: asBrigham.nodeId, serial: asBrigham.chain[0]!.serial });

    await waitFor('Logan North to hold the revocation', async () => ((await statusOf(logan)).mesh.revocations === 1 ? true : undefined), 10_000);
    expect((await statusOf(hub)).mesh.revocations).toBe(1);
    await expectRefused([heartbeat(hub), heartbeat(logan), prepare(logan.url, 'GET', '/p2p/v1/discover', undefined, asBrigham)], 401, /revoked/);

    // The revoked store's own process keeps knocking and is turned away by both.
    for (const node of [hub, logan]) {
      await waitFor(`${node.name} to refuse the revoked store's own requests`, async () =>
        logsOf(node).some((l) => l.msg === 'peer request refused' && l.reason === 'revoked' && l.claimedNode === asBrigham.nodeId) ? true : undefined,
      10_000);
    }
    for (const node of [hub, logan]) {
      expect((await statusOf(node)).mesh.peers.map((p) => p.nodeId)).not.toContain(asBrigham.nodeId);
    }
  });
});
