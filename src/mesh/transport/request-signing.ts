// Signing and verifying node-to-node HTTP requests. Every peer request carries
// the sender's certificate chain and a signature over method, path, body
// hash, timestamp and nonce, so a receiver needs nothing but the root public
// key to know who sent it and that nobody altered or replayed it.
import { type KeyObject, randomBytes } from 'node:crypto';
import {
  type CertChain,
  type Certificate,
  checkChainValidity,
  decodeChain,
  verifyChainSignatures,
} from '../admission/certificate.js';
import { publicKeyFromString, sha256Hex, signBytes, verifyBytes } from '../../core/keys.js';

export const HEADER_NODE = 'x-codepop-node';
export const HEADER_TIMESTAMP = 'x-codepop-timestamp';
export const HEADER_NONCE = 'x-codepop-nonce';
export const HEADER_SIGNATURE = 'x-codepop-signature';
export const HEADER_CHAIN = 'x-codepop-chain';

const SIGNING_VERSION = 'codepop-v1';
const NONCE_PATTERN = /^[A-Za-z0-9_-]{22}$/; // 16 bytes, unpadded base64url
const TIMESTAMP_PATTERN = /^\d{1,16}$/;

export interface SigningFields {
  method: string;
  path: string;
  bodyHash: string;
  timestamp: number | string;
  nonce: string;
  nodeId: string;
}

/**
 * Fields are newline-separated, so none may contain a newline: otherwise two
 * different requests could produce the same string and share a signature.
 */
export function signingString(f: SigningFields): string {
  const fields = [f.method.toUpperCase(), f.path, f.bodyHash, String(f.timestamp), f.nonce, f.nodeId];
  if (fields.some((x) => x.includes('\n') || x.includes('\r'))) {
    throw new Error('signingString: fields must not contain line breaks');
  }
  return [SIGNING_VERSION, ...fields].join('\n');
}

/**
 * An empty body hashes like no body: frameworks disagree on whether a GET
 * has `''` or `undefined` as its body, and the signature must not depend on
 * which one the sender's and the receiver's happen to use.
 */
export function bodyHash(body: string | Buffer | undefined): string {
  if (body === undefined || body.length === 0) return '';
  return sha256Hex(body);
}

export function newNonce(): string {
  return randomBytes(16).toString('base64url');
}

export interface SignRequestInput {
  method: string;
  path: string;
  body?: string | Buffer;
  nodeId: string;
  privateKey: KeyObject;
  encodedChain: string;
  now: number;
  /** Injected by the simulation for determinism; normally 16 random bytes. */
  nonce?: string;
}

export function signRequest(input: SignRequestInput): Record<string, string> {
  const nonce = input.nonce ?? newNonce();
  const timestamp = String(Math.trunc(input.now));
  const str = signingString({
    method: input.method,
    path: input.path,
    bodyHash: bodyHash(input.body),
    timestamp,
    nonce,
    nodeId: input.nodeId,
  });
  return {
    [HEADER_NODE]: input.nodeId,
    [HEADER_TIMESTAMP]: timestamp,
    [HEADER_NONCE]: nonce,
    [HEADER_SIGNATURE]: signBytes(str, input.privateKey),
    [HEADER_CHAIN]: input.encodedChain,
  };
}

export type NonceOutcome = 'new' | 'replay' | 'full';

/**
 * Remembers recently used (nodeId, nonce) pairs. Entries expire lazily from
 * the oldest end; insertion order stands in for age, so if `now` ever goes
 * backwards some entries merely live longer, which is safe.
 *
 * When full (after dropping expired entries) it refuses rather than forgets:
 * forgetting a live nonce would reopen a replay window, whereas refusing only
 * delays honest peers until entries expire. Only requests whose signature
 * already verified reach this cache, so filling it takes a certified node.
 */
export class NonceCache {
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly expiries = new Map<string, number>();

  constructor(opts: { ttlMs: number; maxEntries?: number }) {
    if (!(opts.ttlMs > 0)) throw new Error('NonceCache: ttlMs must be positive');
    this.ttlMs = opts.ttlMs;
    this.maxEntries = opts.maxEntries ?? 100_000;
    if (!(this.maxEntries > 0)) throw new Error('NonceCache: maxEntries must be positive');
  }

  get size(): number {
    return this.expiries.size;
  }

  /** True if already seen (a replay) or if the cache is full; otherwise remembers it. */
  seen(nodeId: string, nonce: string, now: number): boolean {
    return this.remember(nodeId, nonce, now) !== 'new';
  }

  remember(nodeId: string, nonce: string, now: number): NonceOutcome {
    this.dropExpired(now);
    const key = `${nodeId}\n${nonce}`;
    const expiry = this.expiries.get(key);
    if (expiry !== undefined && now <= expiry) return 'replay';
    // Re-inserting an expired twin moves it to the young end, keeping order ≈ age.
    if (expiry !== undefined) this.expiries.delete(key);
    else if (this.expiries.size >= this.maxEntries) return 'full';
    this.expiries.set(key, now + this.ttlMs);
    return 'new';
  }

  private dropExpired(now: number): void {
    for (const [key, expiry] of this.expiries) {
      if (now <= expiry) break;
      this.expiries.delete(key);
    }
  }
}

interface CachedChain {
  chain: CertChain;
  leaf: Certificate;
  leafKey: KeyObject;
}

export type ResolveChainResult =
  | { ok: true; chain: CertChain; leaf: Certificate; leafKey: KeyObject }
  | { ok: false; reason: string };

function resolveUncached(encodedChain: string, rootPublicKey: string): ResolveChainResult {
  const decoded = decodeChain(encodedChain);
  if (decoded === undefined) return { ok: false, reason: 'malformed' };
  const checked = verifyChainSignatures(decoded, rootPublicKey);
  if (!checked.ok) return checked;
  try {
    return { ok: true, chain: checked.chain, leaf: checked.leaf, leafKey: publicKeyFromString(checked.leaf.publicKey) };
  } catch {
    return { ok: false, reason: 'bad leaf key' };
  }
}

/**
 * Memoizes the time-independent part of chain verification (shape and two
 * signatures) by the encoded chain string. Validity period and revocation
 * change with time, so callers still check them on every use. Least recently
 * used entries are evicted when full; a miss only costs a re-verification.
 */
export class ChainCache {
  private readonly maxEntries: number;
  private readonly entries = new Map<string, CachedChain>();

  constructor(opts: { maxEntries?: number } = {}) {
    this.maxEntries = opts.maxEntries ?? 1_000;
    if (!(this.maxEntries > 0)) throw new Error('ChainCache: maxEntries must be positive');
  }

  get size(): number {
    return this.entries.size;
  }

  resolve(encodedChain: string, rootPublicKey: string): ResolveChainResult {
    // The root key is part of the key so one cache can never vouch for a
    // chain under a root it was not checked against.
    const key = `${rootPublicKey}\n${encodedChain}`;
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return { ok: true, ...hit };
    }
    const result = resolveUncached(encodedChain, rootPublicKey);
    if (result.ok) {
      if (this.entries.size >= this.maxEntries) {
        const oldest = this.entries.keys().next();
        if (!oldest.done) this.entries.delete(oldest.value);
      }
      this.entries.set(key, { chain: result.chain, leaf: result.leaf, leafKey: result.leafKey });
    }
    return result;
  }
}

export interface SignedRequest {
  method: string;
  path: string;
  body?: string | Buffer;
  headers: Record<string, string | string[] | undefined>;
}

export interface VerifyRequestContext {
  rootPublicKey: string;
  now: number;
  maxSkewMs: number;
  /**
   * Its ttl must be at least 2×maxSkewMs: a request stamped t is accepted
   * while the receiver's clock is anywhere in [t - skew, t + skew], so its
   * nonce must be remembered for the whole 2×skew window or it could be
   * replayed after being forgotten.
   */
  nonces: NonceCache;
  chains?: ChainCache;
  isRevoked?: (c: Certificate) => boolean;
}

export type VerifyRequestFailure =
  | 'unsigned'
  | 'bad chain'
  | 'revoked'
  | 'expired'
  | 'clock skew'
  | 'replay'
  | 'bad signature'
  | 'node mismatch';

export type VerifyRequestResult =
  | { ok: true; nodeId: string; cert: Certificate; chain: CertChain }
  | { ok: false; reason: VerifyRequestFailure; detail?: string };

function headerValue(headers: SignedRequest['headers'], name: string): string | undefined {
  const v = headers[name];
  // A duplicated header is ambiguous about which value was signed; refuse it.
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

export function verifySignedRequest(req: SignedRequest, ctx: VerifyRequestContext): VerifyRequestResult {
  const nodeId = headerValue(req.headers, HEADER_NODE);
  const timestamp = headerValue(req.headers, HEADER_TIMESTAMP);
  const nonce = headerValue(req.headers, HEADER_NONCE);
  const signature = headerValue(req.headers, HEADER_SIGNATURE);
  const encodedChain = headerValue(req.headers, HEADER_CHAIN);
  if (!nodeId || !timestamp || !nonce || !signature || !encodedChain) {
    return { ok: false, reason: 'unsigned', detail: 'missing or duplicated signing header' };
  }
  if (!TIMESTAMP_PATTERN.test(timestamp)) return { ok: false, reason: 'unsigned', detail: 'malformed timestamp' };
  if (!NONCE_PATTERN.test(nonce)) return { ok: false, reason: 'unsigned', detail: 'malformed nonce' };

  if (Math.abs(ctx.now - Number(timestamp)) > ctx.maxSkewMs) {
    return { ok: false, reason: 'clock skew', detail: `timestamp ${timestamp}, now ${ctx.now}` };
  }

  const resolved = ctx.chains
    ? ctx.chains.resolve(encodedChain, ctx.rootPublicKey)
    : resolveUncached(encodedChain, ctx.rootPublicKey);
  if (!resolved.ok) return { ok: false, reason: 'bad chain', detail: resolved.reason };
  // Certificate validity gets the same clock tolerance as the timestamp:
  // both compare the sender's clock (at issue) with ours.
  const validity = checkChainValidity(resolved.chain, ctx.now, {
    skewMs: ctx.maxSkewMs,
    ...(ctx.isRevoked ? { isRevoked: ctx.isRevoked } : {}),
  });
  if (!validity.ok) {
    if (validity.reason === 'revoked') return { ok: false, reason: 'revoked' };
    if (validity.reason === 'expired') return { ok: false, reason: 'expired' };
    // Not yet valid beyond the allowed skew: the chain is unusable now, but
    // calling it "expired" would send an operator looking for the wrong fix.
    return { ok: false, reason: 'bad chain', detail: validity.reason };
  }

  if (nodeId !== resolved.leaf.nodeId) {
    return { ok: false, reason: 'node mismatch', detail: `header ${nodeId}, certificate ${resolved.leaf.nodeId}` };
  }

  let str: string;
  try {
    str = signingString({ method: req.method, path: req.path, bodyHash: bodyHash(req.body), timestamp, nonce, nodeId });
  } catch {
    return { ok: false, reason: 'bad signature', detail: 'unsignable request line' };
  }
  if (!verifyBytes(str, signature, resolved.leafKey)) return { ok: false, reason: 'bad signature' };

  // Recorded only now, after the signature verified: a forged request must
  // not be able to burn a nonce and get the genuine one refused as a replay.
  const outcome = ctx.nonces.remember(nodeId, nonce, ctx.now);
  if (outcome === 'replay') return { ok: false, reason: 'replay' };
  if (outcome === 'full') return { ok: false, reason: 'replay', detail: 'nonce cache full' };

  return { ok: true, nodeId, cert: resolved.leaf, chain: resolved.chain };
}
