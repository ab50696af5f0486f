// Admission material on disk. The network root key stays with the operator
// (`codepop network init`); a hub's data directory holds its root-signed
// certificate; a store's holds the chain its hub issued when it joined. Every
// node keeps the root public key it checks every chain against.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { identityDir, loadOrCreateIdentity, writePrivateFile } from '../../core/identity.js';
import { issueCertificate, rootIssuerId, verifyChain, type CertChain } from './certificate.js';
import { issueJoinToken } from './join-token.js';
import { generateKeyPair, privateKeyFromPem, privateKeyToPem, publicKeyToString } from '../../core/keys.js';
import { issueRevocation, type Revocation } from './revocation.js';

const DAY = 24 * 60 * 60 * 1000;
export const HUB_CERT_TTL_MS = 5 * 365 * DAY;
export const STORE_CERT_TTL_MS = 365 * DAY;

export interface Admission {
  rootPublicKey?: string;
  chain?: CertChain;
}

const chainFile = (dataDir: string) => path.join(identityDir(dataDir), 'certificate.json');
const rootPubFile = (dataDir: string) => path.join(identityDir(dataDir), 'root.pub');

export function loadAdmission(dataDir: string): Admission {
  const out: Admission = {};
  if (existsSync(rootPubFile(dataDir))) out.rootPublicKey = readFileSync(rootPubFile(dataDir), 'utf8').trim();
  if (existsSync(chainFile(dataDir))) out.chain = JSON.parse(readFileSync(chainFile(dataDir), 'utf8')) as CertChain;
  return out;
}

export function saveAdmission(dataDir: string, admission: Required<Admission>): void {
  mkdirSync(identityDir(dataDir), { recursive: true, mode: 0o700 });
  writePrivateFile(rootPubFile(dataDir), `${admission.rootPublicKey}\n`);
  writePrivateFile(chainFile(dataDir), `${JSON.stringify(admission.chain, null, 2)}\n`);
}

/** `codepop network init`: the network's root key pair, for the operator to keep offline. */
export function initNetwork(outDir: string): { rootPublicKey: string; keyFile: string; pubFile: string } {
  mkdirSync(outDir, { recursive: true, mode: 0o700 });
  const keyFile = path.join(outDir, 'root.key');
  const pubFile = path.join(outDir, 'root.pub');
  if (existsSync(keyFile)) throw new Error(`${keyFile} exists already: a network has one root key; not overwriting it`);
  const { privateKey, publicKey } = generateKeyPair();
  const rootPublicKey = publicKeyToString(publicKey);
  writePrivateFile(keyFile, privateKeyToPem(privateKey));
  writeFileSync(pubFile, `${rootPublicKey}\n`);
  return { rootPublicKey, keyFile, pubFile };
}

export function readRootKey(keyFile: string): { privateKey: KeyObject; rootPublicKey: string } {
  const privateKey = privateKeyFromPem(readFileSync(keyFile, 'utf8'));
  return { privateKey, rootPublicKey: publicKeyToString(createPublicKey(privateKey)) };
}

/** `codepop network add-hub`: gives the hub in `dataDir` (identity created if new) a root-signed certificate. */
export function certifyHub(input: { rootKeyFile: string; dataDir: string; region: string; now?: number }): {
  nodeId: string;
  chain: CertChain;
} {
  const { privateKey, rootPublicKey } = readRootKey(input.rootKeyFile);
  const identity = loadOrCreateIdentity(input.dataDir);
  const existing = loadAdmission(input.dataDir);
  const now = input.now ?? Date.now();
  if (existing.chain && existing.rootPublicKey === rootPublicKey) {
    const check = verifyChain(existing.chain, rootPublicKey, now);
    if (check.ok && check.leaf.region === input.region && check.leaf.nodeId === identity.nodeId) {
      return { nodeId: identity.nodeId, chain: existing.chain };
    }
  }
  const cert = issueCertificate(
    {
      nodeId: identity.nodeId,
      role: 'hub',
      region: input.region,
      publicKey: identity.publicKeyString,
      issuerId: rootIssuerId(rootPublicKey),
      ttlMs: HUB_CERT_TTL_MS,
    },
    privateKey,
    now,
  );
  saveAdmission(input.dataDir, { rootPublicKey, chain: [cert] });
  return { nodeId: identity.nodeId, chain: [cert] };
}

/** `codepop hub issue-join-token`: signed offline with the hub's key; one-time use is enforced by the hub. */
export function issueJoinTokenFor(input: {
  hubDataDir: string;
  region?: string;
  ttlMs: number;
  hubUrl?: string;
  now?: number;
}): { token: string; tokenId: string; expiresAt: number } {
  const identity = loadOrCreateIdentity(input.hubDataDir);
  const admission = loadAdmission(input.hubDataDir);
  const hubCert = admission.chain?.[0];
  if (!hubCert || hubCert.role !== 'hub' || !admission.rootPublicKey) {
    throw new Error(`${input.hubDataDir} holds no hub certificate: run \`codepop network add-hub\` for it first`);
  }
  if (input.region && input.region !== hubCert.region) {
    throw new Error(`this hub serves region ${hubCert.region}; it cannot admit stores to region ${input.region}`);
  }
  const { token, payload } = issueJoinToken(
    {
      hubId: identity.nodeId,
      region: hubCert.region,
      rootPublicKey: admission.rootPublicKey,
      ...(input.hubUrl ? { hubUrl: input.hubUrl } : {}),
      ttlMs: input.ttlMs,
    },
    identity.privateKey,
    input.now ?? Date.now(),
  );
  return { token, tokenId: payload.tokenId, expiresAt: payload.expiresAt };
}

/** `codepop hub revoke`: a revocation signed with the hub's key, for the hub to spread. */
export function revokeFrom(input: { hubDataDir: string; nodeId: string; serial: string; reason: string; now?: number }): Revocation {
  const identity = loadOrCreateIdentity(input.hubDataDir);
  return issueRevocation(
    { nodeId: input.nodeId, serial: input.serial, reason: input.reason },
    identity.nodeId,
    identity.privateKey,
    input.now ?? Date.now(),
  );
}
