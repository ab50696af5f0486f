// Node certificates and chains of trust: root → hub → store. A hub's
// certificate is signed by the network root key, a store's by its hub; every
// node checks a peer's chain against the root public key alone.
import { type KeyObject, randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  canonicalJson,
  fingerprint,
  isBase64url,
  publicKeyFromString,
  signBytes,
  verifyBytes,
} from '../../core/keys.js';

export type NodeRole = 'hub' | 'store';

// Printable ASCII without spaces: ids travel in HTTP headers and in
// newline-separated signing strings, so they must not carry whitespace.
export const nodeIdSchema = z.string().regex(/^[\x21-\x7e]{1,128}$/, 'node id must be 1-128 printable characters');
export const regionSchema = z.string().regex(/^[A-Z]$/, 'region must be a single letter A-Z');
export const publicKeyStringSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'public key must be 43 base64url characters');
export const signatureSchema = z.string().regex(/^[A-Za-z0-9_-]{86}$/, 'signature must be 86 base64url characters');
const timestampSchema = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const certificateSchema = z.strictObject({
  version: z.literal(1),
  serial: z.uuid(),
  nodeId: nodeIdSchema,
  role: z.enum(['hub', 'store']),
  region: regionSchema,
  publicKey: publicKeyStringSchema,
  issuerId: nodeIdSchema,
  issuedAt: timestampSchema,
  expiresAt: timestampSchema,
  signature: signatureSchema,
});

export type Certificate = z.infer<typeof certificateSchema>;
export type CertificateBody = Omit<Certificate, 'signature'>;
/** `[hubCert]` for a hub, `[storeCert, hubCert]` for a store: leaf first. */
export type CertChain = Certificate[];

export interface IssueCertificateInput {
  nodeId: string;
  role: NodeRole;
  region: string;
  publicKey: string;
  issuerId: string;
  ttlMs: number;
  /** Only for deterministic tests and simulation; normally a fresh UUID. */
  serial?: string;
}

export type VerifyChainResult =
  | { ok: true; leaf: Certificate; chain: CertChain }
  | { ok: false; reason: string };

export interface ChainValidityOptions {
  skewMs?: number;
  isRevoked?: (c: Certificate) => boolean;
}

/** The issuer id every hub certificate must carry: names the root key it chains to. */
export function rootIssuerId(rootPublicKey: string): string {
  return `root:${fingerprint(rootPublicKey)}`;
}

/** Picks the signed fields explicitly so an extra property can never slip into, or out of, a signature. */
export function certificateBody(c: CertificateBody): CertificateBody {
  return {
    version: c.version,
    serial: c.serial,
    nodeId: c.nodeId,
    role: c.role,
    region: c.region,
    publicKey: c.publicKey,
    issuerId: c.issuerId,
    issuedAt: c.issuedAt,
    expiresAt: c.expiresAt,
  };
}

export function issueCertificate(
  input: IssueCertificateInput,
  issuerPrivateKey: KeyObject,
  now: number,
): Certificate {
  if (!Number.isSafeInteger(input.ttlMs) || input.ttlMs <= 0) {
    throw new Error('issueCertificate: ttlMs must be a positive integer');
  }
  const body: CertificateBody = {
    version: 1,
    serial: input.serial ?? randomUUID(),
    nodeId: input.nodeId,
    role: input.role,
    region: input.region,
    publicKey: input.publicKey,
    issuerId: input.issuerId,
    issuedAt: now,
    expiresAt: now + input.ttlMs,
  };
  const cert = { ...body, signature: signBytes(canonicalJson(body), issuerPrivateKey) };
  const parsed = certificateSchema.safeParse(cert);
  if (!parsed.success) {
    throw new Error(`issueCertificate: invalid input: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

function verifyCertSignature(cert: Certificate, issuerKey: KeyObject): boolean {
  return verifyBytes(canonicalJson(certificateBody(cert)), cert.signature, issuerKey);
}

function tryKey(s: string): KeyObject | undefined {
  try {
    return publicKeyFromString(s);
  } catch {
    return undefined;
  }
}

/**
 * Shape, structure and signatures only: everything about a chain that cannot
 * change with time, so a cache may remember the answer. Time and revocation
 * are {@link checkChainValidity}'s job and must be checked on every use.
 */
export function verifyChainSignatures(chain: unknown, rootPublicKey: string): VerifyChainResult {
  const parsed = z.array(certificateSchema).min(1).max(2).safeParse(chain);
  if (!parsed.success) return { ok: false, reason: 'malformed' };
  const certs = parsed.data;
  for (const c of certs) {
    if (c.expiresAt <= c.issuedAt) return { ok: false, reason: 'malformed' };
  }
  const rootKey = tryKey(rootPublicKey);
  if (!rootKey) return { ok: false, reason: 'bad root key' };

  const hub = certs[certs.length - 1];
  const leaf = certs[0];
  if (!hub || !leaf) return { ok: false, reason: 'malformed' };
  // Only the root issues hub certificates: a store cert at the top of the
  // chain (a store posing as issuer) or a hub issued by a hub both fail here.
  if (hub.role !== 'hub') return { ok: false, reason: 'issuer is not a hub' };
  if (hub.issuerId !== rootIssuerId(rootPublicKey)) return { ok: false, reason: 'wrong issuer' };
  if (!verifyCertSignature(hub, rootKey)) return { ok: false, reason: 'bad signature' };

  if (certs.length === 2) {
    if (leaf.role !== 'store') return { ok: false, reason: 'hub cannot issue a hub' };
    if (leaf.issuerId !== hub.nodeId) return { ok: false, reason: 'wrong issuer' };
    if (leaf.region !== hub.region) return { ok: false, reason: 'region mismatch' };
    const hubKey = tryKey(hub.publicKey);
    if (!hubKey || !verifyCertSignature(leaf, hubKey)) return { ok: false, reason: 'bad signature' };
  }
  return { ok: true, leaf, chain: certs };
}

/** Validity period and revocation of every certificate in an already-verified chain. */
export function checkChainValidity(
  chain: CertChain,
  now: number,
  opts: ChainValidityOptions = {},
): { ok: true } | { ok: false; reason: 'expired' | 'not yet valid' | 'revoked' } {
  const skew = opts.skewMs ?? 0;
  for (const c of chain) {
    if (now > c.expiresAt + skew) return { ok: false, reason: 'expired' };
    if (now < c.issuedAt - skew) return { ok: false, reason: 'not yet valid' };
  }
  if (opts.isRevoked && chain.some((c) => opts.isRevoked?.(c) === true)) {
    return { ok: false, reason: 'revoked' };
  }
  return { ok: true };
}

export function verifyChain(
  chain: unknown,
  rootPublicKey: string,
  now: number,
  opts: ChainValidityOptions = {},
): VerifyChainResult {
  const structural = verifyChainSignatures(chain, rootPublicKey);
  if (!structural.ok) return structural;
  const validity = checkChainValidity(structural.chain, now, opts);
  if (!validity.ok) return validity;
  return structural;
}

export function encodeChain(chain: CertChain): string {
  return Buffer.from(JSON.stringify(chain), 'utf8').toString('base64url');
}

// Two certificates are well under 2 KB; the cap keeps a hostile header from
// costing a large JSON parse before anything is verified.
const MAX_ENCODED_CHAIN = 16_384;

/** Never throws: garbage decodes to undefined and fails verification later. */
export function decodeChain(s: string): unknown {
  if (typeof s !== 'string' || s.length === 0 || s.length > MAX_ENCODED_CHAIN || !isBase64url(s)) {
    return undefined;
  }
  try {
    return JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
