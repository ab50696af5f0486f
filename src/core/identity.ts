// The node's persistent identity: a UUID and an Ed25519 key pair, created on
// first start in the data directory (owner-only files) and reused after every
// restart. Writes go through a temporary file and a rename, so a crash while
// creating them never leaves a half-written key behind.
import { randomUUID, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { generateKeyPair, privateKeyFromPem, privateKeyToPem, publicKeyToString } from './keys.js';
import { createPublicKey } from 'node:crypto';

export interface Identity {
  nodeId: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** base64url of the raw 32-byte public key, as certificates carry it. */
  publicKeyString: string;
  createdAt: string;
}

export function identityDir(dataDir: string): string {
  return path.join(dataDir, 'identity');
}

export function writePrivateFile(file: string, content: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, content, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

export function loadOrCreateIdentity(dataDir: string): Identity {
  const dir = identityDir(dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const metaFile = path.join(dir, 'node.json');
  const keyFile = path.join(dir, 'node.key');
  if (!existsSync(metaFile) || !existsSync(keyFile)) {
    const { privateKey } = generateKeyPair();
    const meta = { nodeId: randomUUID(), createdAt: new Date().toISOString() };
    // The key is written first: node.json marks a complete identity.
    writePrivateFile(keyFile, privateKeyToPem(privateKey));
    writePrivateFile(metaFile, `${JSON.stringify(meta, null, 2)}\n`);
  }
  const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as { nodeId: string; createdAt: string };
  const privateKey = privateKeyFromPem(readFileSync(keyFile, 'utf8'));
  const publicKey = createPublicKey(privateKey);
  return { nodeId: meta.nodeId, createdAt: meta.createdAt, privateKey, publicKey, publicKeyString: publicKeyToString(publicKey) };
}
