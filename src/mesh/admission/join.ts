// A store's first registration: it has no certificate yet, only a one-time
// join token from its hub's operator. The request is signed with the key the
// store asks to be certified, so the hub knows the sender holds it; the token
// is burnt in the same transaction-free insert that makes it one-time.
import type { FastifyRequest } from 'fastify';
import { eq } from 'drizzle-orm';
import { Conflict, Forbidden, Unauthorized } from '../../http/errors.js';
import { STORE_CERT_TTL_MS } from './admission.js';
import { issueCertificate, type CertChain } from './certificate.js';
import { verifyJoinToken } from './join-token.js';
import { publicKeyFromString, verifyBytes } from '../../core/keys.js';
import type { Mesh } from '../mesh.js';
import { MAX_CLOCK_SKEW_MS } from '../mesh.js';
import { HEADER_NODE, HEADER_NONCE, HEADER_SIGNATURE, HEADER_TIMESTAMP, bodyHash, signingString } from '../transport/request-signing.js';
import { meshUsedJoinTokens } from '../schema.js';

function header(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  return typeof v === 'string' && v ? v : undefined;
}

export async function admitWithJoinToken(
  mesh: Mesh,
  request: FastifyRequest,
  body: { joinToken?: string | undefined; publicKey?: string | undefined },
): Promise<{ nodeId: string; chain: CertChain }> {
  const refuse = (reason: string): never => {
    request.log.warn({ reason, claimedNode: header(request, HEADER_NODE) }, 'join refused');
    throw new Unauthorized(`Join refused: ${reason}.`);
  };
  const { identity, clock, config } = mesh.ctx;
  if (!mesh.chain || !body.joinToken || !body.publicKey) return refuse('a join token and a public key are required');
  const nodeId = header(request, HEADER_NODE);
  const timestamp = header(request, HEADER_TIMESTAMP);
  const nonce = header(request, HEADER_NONCE);
  const signature = header(request, HEADER_SIGNATURE);
  if (!nodeId || !timestamp || !nonce || !signature || !/^\d{1,16}$/.test(timestamp)) return refuse('unsigned');
  const now = clock.now();
  if (Math.abs(now - Number(timestamp)) > MAX_CLOCK_SKEW_MS) return refuse('clock skew');

  let key;
  try {
    key = publicKeyFromString(body.publicKey);
  } catch {
    return refuse('bad public key');
  }
  const signed = signingString({ method: request.method, path: request.url, bodyHash: bodyHash(request.rawBody), timestamp, nonce, nodeId });
  if (!verifyBytes(signed, signature, key)) return refuse('bad signature');

  const token = verifyJoinToken(body.joinToken, identity.publicKey, now);
  if (!token.ok) return refuse(`join token ${token.reason}`);
  if (token.payload.hubId !== identity.nodeId) return refuse('the join token was issued by another hub');
  if (token.payload.region !== config.region) throw new Forbidden(`The join token is for region ${token.payload.region}.`);
  if (mesh.nonces.seen(nodeId, nonce, now)) return refuse('replay');

  const existing = mesh.membership.get(nodeId);
  if (existing && existing.chain[0]?.publicKey !== body.publicKey) {
    throw new Conflict(`Node id ${nodeId} is registered here with another key.`, undefined, 'node_key_mismatch');
  }
  const burnt = await mesh.ctx.database.db
    .insert(meshUsedJoinTokens)
    .values({ tokenId: token.payload.tokenId, nodeId })
    .onConflictDoNothing()
    .returning({ tokenId: meshUsedJoinTokens.tokenId });
  if (burnt.length === 0) {
    // The same store retrying with the same key (its first answer was lost) is
    // answered again; anyone else presenting a used token is refused.
    const used = await mesh.ctx.database.db.select().from(meshUsedJoinTokens).where(eq(meshUsedJoinTokens.tokenId, token.payload.tokenId));
    const sameStore = used[0]?.nodeId === nodeId && existing?.chain[0]?.publicKey === body.publicKey;
    if (!sameStore) return refuse('join token already used');
  }

  const cert = issueCertificate(
    { nodeId, role: 'store', region: config.region, publicKey: body.publicKey, issuerId: identity.nodeId, ttlMs: STORE_CERT_TTL_MS },
    identity.privateKey,
    now,
  );
  request.log.info({ peer: nodeId, tokenId: token.payload.tokenId }, 'store admitted with a join token');
  return { nodeId, chain: [cert, ...mesh.chain] };
}
