// Behaviour of key encoding, signatures and canonical JSON.
import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  fingerprint,
  generateKeyPair,
  privateKeyFromPem,
  privateKeyToPem,
  publicKeyFromString,
  publicKeyToString,
  sha256Hex,
  signBytes,
  verifyBytes,
} from './keys.js';

describe('keys', () => {
  it('a public key survives a round trip through its string form', () => {
    const { publicKey, privateKey } = generateKeyPair();
    const s = publicKeyToString(publicKey);
    expect(s).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const back = publicKeyFromString(s);
    expect(publicKeyToString(back)).toBe(s);
    expect(verifyBytes('hello', signBytes('hello', privateKey), back)).toBe(true);
  });

  it('a malformed public key string is refused with a clear error', () => {
    expect(() => publicKeyFromString('nope')).toThrow(/invalid public key/);
    expect(() => publicKeyFromString('A'.repeat(44))).toThrow(/invalid public key/);
    expect(() => publicKeyFromString('!'.repeat(43))).toThrow(/invalid public key/);
  });

  it('a non-canonical spelling of a key is refused so a key has one fingerprint', () => {
    const s = publicKeyToString(generateKeyPair().publicKey);
    const last = s.at(-1) ?? 'A';
    // The last character carries 2 unused bits; flipping one keeps the bytes, changes the string.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const twin = s.slice(0, -1) + (alphabet[alphabet.indexOf(last) ^ 1] ?? 'A');
    expect(Buffer.from(twin, 'base64url').equals(Buffer.from(s, 'base64url'))).toBe(true);
    expect(() => publicKeyFromString(twin)).toThrow(/non-canonical/);
  });

  it('a private key survives a round trip through PKCS8 PEM', () => {
    const { privateKey, publicKey } = generateKeyPair();
    const pem = privateKeyToPem(privateKey);
    expect(pem).toContain('BEGIN PRIVATE KEY');
    const back = privateKeyFromPem(pem);
    expect(verifyBytes('data', signBytes('data', back), publicKey)).toBe(true);
  });

  it('a garbage PEM is refused with a clear error', () => {
    expect(() => privateKeyFromPem('-----BEGIN PRIVATE KEY-----\nxx\n-----END PRIVATE KEY-----')).toThrow(
      /invalid private key PEM/,
    );
  });

  it('a signature verifies for the signed data and key only', () => {
    const a = generateKeyPair();
    const b = generateKeyPair();
    const sig = signBytes(Buffer.from('payload'), a.privateKey);
    expect(verifyBytes('payload', sig, a.publicKey)).toBe(true);
    expect(verifyBytes('payload!', sig, a.publicKey)).toBe(false);
    expect(verifyBytes('payload', sig, b.publicKey)).toBe(false);
  });

  it('a forged or malformed signature is false, never an exception', () => {
    const { publicKey, privateKey } = generateKeyPair();
    const sig = signBytes('x', privateKey);
    const flipped = (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
    expect(verifyBytes('x', flipped, publicKey)).toBe(false);
    expect(verifyBytes('x', '', publicKey)).toBe(false);
    expect(verifyBytes('x', 'not base64 at all!', publicKey)).toBe(false);
    expect(verifyBytes('x', sig.slice(0, 40), publicKey)).toBe(false);
    // A private key where a public key belongs is a caller bug, still not a throw.
    expect(verifyBytes('x', sig, privateKey)).toBe(false);
  });

  it('canonical JSON does not depend on key order, at any depth', () => {
    const a = { b: 1, a: { d: [1, { z: 1, y: 2 }], c: 'x' } };
    const b = { a: { c: 'x', d: [1, { y: 2, z: 1 }] }, b: 1 };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(a)).toBe('{"a":{"c":"x","d":[1,{"y":2,"z":1}]},"b":1}');
  });

  it('canonical JSON keeps array order and drops undefined properties like JSON does', () => {
    expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]));
    expect(canonicalJson({ a: undefined, b: null })).toBe('{"b":null}');
    expect(canonicalJson('é"\n')).toBe(JSON.stringify('é"\n'));
  });

  it('canonical JSON refuses values that would not round-trip', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow();
    expect(() => canonicalJson({ n: 1n })).toThrow();
    expect(() => canonicalJson(undefined)).toThrow();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(/cyclic/);
  });

  it('sha256Hex matches the known digest of the empty string', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex(Buffer.from('abc'))).toBe(sha256Hex('abc'));
  });

  it('a fingerprint is 16 hex characters, stable per key and distinct across keys', () => {
    const s1 = publicKeyToString(generateKeyPair().publicKey);
    const s2 = publicKeyToString(generateKeyPair().publicKey);
    expect(fingerprint(s1)).toMatch(/^[0-9a-f]{16}$/);
    expect(fingerprint(s1)).toBe(sha256Hex(s1).slice(0, 16));
    expect(fingerprint(s1)).not.toBe(fingerprint(s2));
  });
});
