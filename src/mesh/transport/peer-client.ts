// Outgoing node-to-node requests, each signed with this node's key and
// carrying its certificate chain. The transport is an interface so the
// simulation can carry requests over its own network.
import { childTrace, currentTrace, formatTraceparent } from '../../lib/trace.js';
import type { KeyObject } from 'node:crypto';
import http from 'node:http';
import { encodeChain, type CertChain } from '../admission/certificate.js';
import { signRequest } from './request-signing.js';

export interface PeerResponse {
  status: number;
  body: unknown;
}

export interface Transport {
  send(url: string, init: { method: string; headers: Record<string, string>; body?: string; timeoutMs: number }): Promise<PeerResponse>;
}

/** Marks a request signed by a node that has no certificate yet (a store presenting a join token). */
export const NO_CHAIN = '-';

/**
 * node:http with one keep-alive agent: peers talk to the same few neighbours
 * every second, so connections are reused, and a node does not pay for
 * loading fetch's HTTP client (undici) at start.
 */
const agent = new http.Agent({ keepAlive: true, maxSockets: 8, maxFreeSockets: 4, timeout: 60_000 });

function parseBody(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return text; // not JSON: keep the text for the error message
  }
}

export const httpTransport: Transport = {
  send(url, init) {
    return new Promise<PeerResponse>((resolve, reject) => {
      // The deadline runs from now, not from when a socket is free: a request queued behind a busy
      // peer's connections times out like any other, instead of piling up in the agent's queue.
      const deadline = setTimeout(() => req.destroy(new Error(`timed out after ${init.timeoutMs} ms`)), init.timeoutMs);
      const fail = (err: Error) => {
        clearTimeout(deadline);
        reject(err);
      };
      const req = http.request(url, { method: init.method, headers: init.headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(deadline);
          resolve({ status: res.statusCode ?? 0, body: parseBody(Buffer.concat(chunks).toString('utf8')) });
        });
        res.on('error', fail);
      });
      req.on('error', fail);
      req.end(init.body);
    });
  },
};

export class PeerError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly body?: unknown,
  ) {
    super(message);
  }
}

export interface Signer {
  nodeId: string;
  privateKey: KeyObject;
  chain(): CertChain | undefined;
  now(): number;
}

export class PeerClient {
  private encoded: { chain: CertChain; text: string } | undefined;

  constructor(
    private readonly signer: Signer,
    private readonly transport: Transport = httpTransport,
  ) {}

  private encodedChain(): string {
    const chain = this.signer.chain();
    if (!chain) return NO_CHAIN;
    if (this.encoded?.chain !== chain) this.encoded = { chain, text: encodeChain(chain) };
    return this.encoded.text;
  }

  /** Sends a signed request; resolves with any HTTP answer, rejects on network failure or timeout. */
  async request(baseUrl: string, method: string, path: string, body?: unknown, timeoutMs = 2000): Promise<PeerResponse> {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const headers = signRequest({
      method,
      path,
      ...(text !== undefined ? { body: text } : {}),
      nodeId: this.signer.nodeId,
      privateKey: this.signer.privateKey,
      encodedChain: this.encodedChain(),
      now: this.signer.now(),
    });
    if (text !== undefined) headers['content-type'] = 'application/json';
    // The call belongs to the trace of the work that makes it; the peer logs under the same id.
    const trace = currentTrace();
    if (trace) headers.traceparent = formatTraceparent(childTrace(trace));
    return this.transport.send(`${baseUrl.replace(/\/$/, '')}${path}`, {
      method,
      headers,
      ...(text !== undefined ? { body: text } : {}),
      timeoutMs,
    });
  }

  /** Like request, but anything but a 2xx is an error. */
  async call<T>(baseUrl: string, method: string, path: string, body?: unknown, timeoutMs = 2000): Promise<T> {
    const res = await this.request(baseUrl, method, path, body, timeoutMs);
    if (res.status < 200 || res.status >= 300) {
      const detail = (res.body as { detail?: string } | undefined)?.detail ?? '';
      throw new PeerError(`${method} ${path} answered ${res.status}${detail ? `: ${detail}` : ''}`, res.status, res.body);
    }
    return res.body as T;
  }
}
