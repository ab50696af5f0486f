// Behaviour of join tokens: issued by a hub, read by a store, verified by the hub.
import { describe, expect, it } from 'vitest';
import { issueJoinToken, readJoinToken, verifyJoinToken } from './join-token.js';
import { generateKeyPair, publicKeyToString, signBytes } from '../../core/keys.js';

const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;

function setup(hubUrl?: string) {
  const root = generateKeyPair();
  const hub = generateKeyPair();
  const rootPublicKey = publicKeyToString(root.publicKey);
  const issued = issueJoinToken(
    { hubId: 'hub-A', region: 'A', rootPublicKey, ttlMs: HOUR, ...(hubUrl ? { hubUrl } : {}) },
    hub.privateKey,
    T0,
  );
  return { hub, rootPublicKey, ...issued };
}

describe('join tokens', () => {
  it('a store reads the hub id, region and root key from a token without any key', () => {
    const { token, rootPublicKey } = setup('https://hub-a.example:8443');
    expect(token.startsWith('cpj1.')).toBe(true);
    expect(token.split('.')).toHaveLength(3);
    const payload = readJoinToken(token);
    expect(payload).toMatchObject({
      hubId: 'hub-A',
      region: 'A',
      rootPublicKey,
      hubUrl: 'https://hub-a.example:8443',
      expiresAt: T0 + HOUR,
    });
    expect(payload?.tokenId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('the issuing hub verifies its own token before expiry', () => {
    const { token, hub, payload } = setup();
    const r = verifyJoinToken(token, hub.publicKey, T0 + HOUR);
    expect(r).toEqual({ ok: true, payload });
    expect(payload.hubUrl).toBeUndefined();
  });

  it('two tokens from the same hub have different ids', () => {
    const a = setup();
    const b = issueJoinToken(
      { hubId: 'hub-A', region: 'A', rootPublicKey: a.rootPublicKey, ttlMs: HOUR },
      a.hub.privateKey,
      T0,
    );
    expect(b.payload.tokenId).not.toBe(a.payload.tokenId);
  });

  it('an expired token is refused', () => {
    const { token, hub } = setup();
    expect(verifyJoinToken(token, hub.publicKey, T0 + HOUR + 1)).toEqual({ ok: false, reason: 'expired' });
  });

  it('a token signed by another key is refused as forged', () => {
    const { token } = setup();
    const otherHub = generateKeyPair();
    expect(verifyJoinToken(token, otherHub.publicKey, T0)).toEqual({ ok: false, reason: 'bad signature' });
  });

  it('a token whose payload was edited is refused, even if still well-formed', () => {
    const { token, hub, payload } = setup();
    const [prefix, , sig] = token.split('.');
    const edited = Buffer.from(JSON.stringify({ ...payload, expiresAt: T0 + 100 * HOUR })).toString('base64url');
    const tampered = `${prefix}.${edited}.${sig}`;
    expect(readJoinToken(tampered)?.expiresAt).toBe(T0 + 100 * HOUR);
    expect(verifyJoinToken(tampered, hub.publicKey, T0)).toEqual({ ok: false, reason: 'bad signature' });
  });

  it('a forger who signs their own payload with their own key is refused', () => {
    const { hub, payload } = setup();
    const attacker = generateKeyPair();
    const part = Buffer.from(JSON.stringify({ ...payload, region: 'B' })).toString('base64url');
    const forged = `cpj1.${part}.${signBytes(part, attacker.privateKey)}`;
    expect(readJoinToken(forged)?.region).toBe('B');
    expect(verifyJoinToken(forged, hub.publicKey, T0)).toEqual({ ok: false, reason: 'bad signature' });
  });

  it('garbage is unreadable and refused as bad format, never thrown', () => {
    const { token, hub } = setup();
    const [, part, sig] = token.split('.');
    const garbage = [
      '',
      'cpj1',
      'hello.world.foo',
      `cpj2.${part}.${sig}`,
      `cpj1.${part}`,
      `cpj1.${part}.${sig}.extra`,
      `cpj1.!!!.${sig}`,
      `cpj1.${Buffer.from('{"tokenId":1}').toString('base64url')}.${sig}`,
      `cpj1.${Buffer.from('not json').toString('base64url')}.${sig}`,
      `cpj1.${part}.short`,
      'x'.repeat(10_000),
    ];
    for (const g of garbage) {
      expect(readJoinToken(g), g).toBeUndefined();
      expect(verifyJoinToken(g, hub.publicKey, T0), g).toEqual({ ok: false, reason: 'bad format' });
    }
  });

  it('issuing refuses a non-http hub URL or an invalid region', () => {
    expect(() => setup('ftp://hub')).toThrow(/invalid input/);
    const hub = generateKeyPair();
    const rootPublicKey = publicKeyToString(generateKeyPair().publicKey);
    expect(() =>
      issueJoinToken({ hubId: 'hub-A', region: 'a', rootPublicKey, ttlMs: HOUR }, hub.privateKey, T0),
    ).toThrow(/invalid input/);
  });
});
