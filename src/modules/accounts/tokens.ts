// Login tokens: JWTs signed with the issuing node's Ed25519 key (EdDSA, npm
// jose). The header carries the issuer's certificate chain, so any node of
// the network verifies a token with no call to the issuer: the chain proves
// the key against the root key (and revocations), the key proves the token.
import { createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT, jwtVerify, type JWTPayload } from 'jose';
import type { Identity } from '../../core/identity.js';
import type { MeshView } from '../../core/context.js';

export interface TokenClaims {
  subject: string;
  kind: 'user' | 'guest';
  tokenId: string;
  issuer: string;
  expiresAt: Date;
  username?: string;
}

interface CodepopPayload extends JWTPayload {
  knd?: 'user' | 'guest';
  usr?: string;
}

export class TokenKeys {
  private readonly keys = new Map<string, KeyObject>();

  constructor(
    private readonly identity: Identity,
    private readonly mesh: Pick<MeshView, 'encodedChain' | 'verifyChain'>,
    private readonly now: () => number,
  ) {}

  async issue(input: { subject: string; kind: 'user' | 'guest'; username?: string; ttlMs: number }): Promise<{ token: string; claims: TokenClaims }> {
    const tokenId = randomUUID();
    const iat = Math.floor(this.now() / 1000);
    const exp = iat + Math.max(1, Math.floor(input.ttlMs / 1000));
    const chain = this.mesh.encodedChain();
    const payload: CodepopPayload = { knd: input.kind, ...(input.username ? { usr: input.username } : {}) };
    const token = await new SignJWT(payload)
      .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: this.identity.nodeId, ...(chain ? { chn: chain } : {}) })
      .setSubject(input.subject)
      .setJti(tokenId)
      .setIssuer(this.identity.nodeId)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(this.identity.privateKey);
    return {
      token,
      claims: { subject: input.subject, kind: input.kind, tokenId, issuer: this.identity.nodeId, expiresAt: new Date(exp * 1000), ...(input.username ? { username: input.username } : {}) },
    };
  }

  private keyOf(kid: string, chain: unknown): KeyObject | undefined {
    if (kid === this.identity.nodeId) return this.identity.publicKey;
    if (typeof chain !== 'string') return undefined;
    const issuer = this.mesh.verifyChain(chain);
    if (!issuer || issuer.nodeId !== kid) return undefined;
    let key = this.keys.get(issuer.publicKey);
    if (!key) {
      key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: issuer.publicKey }, format: 'jwk' });
      if (this.keys.size > 10_000) this.keys.clear();
      this.keys.set(issuer.publicKey, key);
    }
    return key;
  }

  /** The token's claims when its signature, issuer chain and expiry check out; undefined otherwise. */
  async verify(token: string): Promise<TokenClaims | undefined> {
    try {
      const { payload, protectedHeader } = await jwtVerify<CodepopPayload>(
        token,
        (header) => {
          const key = typeof header.kid === 'string' ? this.keyOf(header.kid, (header as Record<string, unknown>).chn) : undefined;
          if (!key) throw new Error('unknown issuer');
          return key;
        },
        { algorithms: ['EdDSA'], currentDate: new Date(this.now()), clockTolerance: 30 },
      );
      if (!payload.sub || !payload.jti || !payload.exp || !payload.iss || payload.iss !== protectedHeader.kid) return undefined;
      return {
        subject: payload.sub,
        kind: payload.knd === 'guest' ? 'guest' : 'user',
        tokenId: payload.jti,
        issuer: payload.iss,
        expiresAt: new Date(payload.exp * 1000),
        ...(payload.usr ? { username: payload.usr } : {}),
      };
    } catch {
      return undefined;
    }
  }
}
