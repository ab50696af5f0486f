// Join tokens: the expiring credential a hub operator hands to a new store.
// The store reads the root key and hub id out of it unverified (it has no
// other source yet); the hub verifies its own signature when the store
// presents it. One-time use is the hub database's job, not this module's.
import { type KeyObject, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { nodeIdSchema, publicKeyStringSchema, regionSchema, signatureSchema } from './certificate.js';
import { isBase64url, signBytes, verifyBytes } from '../../core/keys.js';

const PREFIX = 'cpj1';
// Tokens get pasted into terminals and env files; anything far larger than a
// real one is garbage and is refused before decoding.
const MAX_TOKEN_LENGTH = 4096;

export const joinTokenPayloadSchema = z.strictObject({
  tokenId: z.uuid(),
  hubId: nodeIdSchema,
  region: regionSchema,
  rootPublicKey: publicKeyStringSchema,
  hubUrl: z.url({ protocol: /^https?$/ }).optional(),
  expiresAt: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
});

export type JoinTokenPayload = z.infer<typeof joinTokenPayloadSchema>;

export interface IssueJoinTokenInput {
  hubId: string;
  region: string;
  rootPublicKey: string;
  hubUrl?: string;
  ttlMs: number;
  /** Only for deterministic tests and simulation; normally a fresh UUID. */
  tokenId?: string;
}

export type VerifyJoinTokenResult =
  | { ok: true; payload: JoinTokenPayload }
  | { ok: false; reason: 'bad format' | 'bad signature' | 'expired' };

export function issueJoinToken(
  input: IssueJoinTokenInput,
  hubPrivateKey: KeyObject,
  now: number,
): { token: string; payload: JoinTokenPayload } {
  if (!Number.isSafeInteger(input.ttlMs) || input.ttlMs <= 0) {
    throw new Error('issueJoinToken: ttlMs must be a positive integer');
  }
  const candidate = {
    tokenId: input.tokenId ?? randomUUID(),
    hubId: input.hubId,
    region: input.region,
    rootPublicKey: input.rootPublicKey,
    ...(input.hubUrl === undefined ? {} : { hubUrl: input.hubUrl }),
    expiresAt: now + input.ttlMs,
  };
  const parsed = joinTokenPayloadSchema.safeParse(candidate);
  if (!parsed.success) {
    throw new Error(`issueJoinToken: invalid input: ${z.prettifyError(parsed.error)}`);
  }
  const payload = parsed.data;
  // The signature covers the encoded payload segment itself, so the verifier
  // checks exactly the bytes it received without re-serializing anything.
  const payloadPart = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
  const token = `${PREFIX}.${payloadPart}.${signBytes(payloadPart, hubPrivateKey)}`;
  return { token, payload };
}

interface TokenParts {
  payloadPart: string;
  signature: string;
  payload: JoinTokenPayload;
}

function splitToken(token: unknown): TokenParts | undefined {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return undefined;
  const parts = token.trim().split('.');
  if (parts.length !== 3) return undefined;
  const [prefix, payloadPart, signature] = parts;
  if (prefix !== PREFIX || !payloadPart || !signature) return undefined;
  if (!isBase64url(payloadPart) || !signatureSchema.safeParse(signature).success) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payloadPart, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const parsed = joinTokenPayloadSchema.safeParse(json);
  return parsed.success ? { payloadPart, signature, payload: parsed.data } : undefined;
}

/** Parse without verifying; never throws. */
export function readJoinToken(token: string): JoinTokenPayload | undefined {
  return splitToken(token)?.payload;
}

export function verifyJoinToken(token: string, hubPublicKey: KeyObject, now: number): VerifyJoinTokenResult {
  const parts = splitToken(token);
  if (!parts) return { ok: false, reason: 'bad format' };
  if (!verifyBytes(parts.payloadPart, parts.signature, hubPublicKey)) {
    return { ok: false, reason: 'bad signature' };
  }
  if (now > parts.payload.expiresAt) return { ok: false, reason: 'expired' };
  return { ok: true, payload: parts.payload };
}
