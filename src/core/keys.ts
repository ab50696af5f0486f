// Ed25519 keys, signatures and the canonical encoding everything signed in the
// mesh goes through. Pure: no I/O, only node:crypto.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';

export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;
// 32 raw bytes encode to exactly 43 unpadded base64url characters.
const PUBLIC_KEY_STRING = /^[A-Za-z0-9_-]{43}$/;
// 64-byte Ed25519 signatures encode to exactly 86 characters.
const SIGNATURE_STRING = /^[A-Za-z0-9_-]{86}$/;

export function generateKeyPair(): KeyPair {
  return generateKeyPairSync('ed25519');
}

export function isBase64url(s: string): boolean {
  return BASE64URL.test(s);
}

export function publicKeyToString(k: KeyObject): string {
  if (k.type !== 'public' || k.asymmetricKeyType !== 'ed25519') {
    throw new Error('publicKeyToString: expected an Ed25519 public key');
  }
  const jwk = k.export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw new Error('publicKeyToString: key has no raw form');
  return jwk.x;
}

export function publicKeyFromString(s: string): KeyObject {
  if (typeof s !== 'string' || !PUBLIC_KEY_STRING.test(s)) {
    throw new Error('invalid public key: expected 43 base64url characters (32-byte Ed25519 key)');
  }
  // Buffer decoding is lenient about trailing bits; insisting on the canonical
  // form keeps one key from having two string spellings (and two fingerprints).
  if (Buffer.from(s, 'base64url').toString('base64url') !== s) {
    throw new Error('invalid public key: non-canonical base64url');
  }
  try {
    return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: s }, format: 'jwk' });
  } catch (err) {
    throw new Error(`invalid public key: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export function privateKeyToPem(k: KeyObject): string {
  if (k.type !== 'private' || k.asymmetricKeyType !== 'ed25519') {
    throw new Error('privateKeyToPem: expected an Ed25519 private key');
  }
  return k.export({ format: 'pem', type: 'pkcs8' }).toString();
}

export function privateKeyFromPem(pem: string): KeyObject {
  let k: KeyObject;
  try {
    k = createPrivateKey({ key: pem, format: 'pem' });
  } catch (err) {
    throw new Error(`invalid private key PEM: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (k.asymmetricKeyType !== 'ed25519') {
    throw new Error(`invalid private key PEM: expected ed25519, got ${String(k.asymmetricKeyType)}`);
  }
  return k;
}

export function signBytes(data: Buffer | string, priv: KeyObject): string {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  return sign(null, bytes, priv).toString('base64url');
}

/** Never throws: any malformed input (signature, key, data) is simply "not verified". */
export function verifyBytes(data: Buffer | string, sigB64url: string, pub: KeyObject): boolean {
  try {
    if (typeof sigB64url !== 'string' || !SIGNATURE_STRING.test(sigB64url)) return false;
    if (pub.type !== 'public' || pub.asymmetricKeyType !== 'ed25519') return false;
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    return verify(null, bytes, pub, Buffer.from(sigB64url, 'base64url'));
  } catch {
    return false;
  }
}

export { canonicalJson } from '../lib/canonical-json.js';

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Short stable id of a public key, for logs and issuer ids. */
export function fingerprint(publicKeyString: string): string {
  return sha256Hex(publicKeyString).slice(0, 16);
}
