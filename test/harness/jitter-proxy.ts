// A slow link for network tests: an HTTP reverse proxy on a loopback port
// that forwards every request to one target after a random delay (a base
// plus uniform jitter). Start a node with `publicUrl` set to the proxy's URL
// and every peer reaches it through the delay.
// It can also cut the link: `block()` refuses every request (the connection
// is reset, as a peer that went away would look), `block(nodeIds)` only the
// signed peer requests of those nodes (x-codepop-node), so a test can split
// a network in two while each side still talks to its own; `unblock()` heals.
import { createServer, request as httpRequest, Agent, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface JitterProxyOptions {
  /** Where requests go, e.g. http://127.0.0.1:7101. */
  target: string;
  /** Delay every request at least this long. */
  baseMs?: number;
  /** Plus a uniformly random extra delay in [0, jitterMs). */
  jitterMs?: number;
}

export interface JitterProxy {
  url: string;
  /** Requests forwarded so far, so a test can tell traffic really went through the delay. */
  readonly forwarded: number;
  /** Delays applied so far, in ms, in order. */
  readonly delays: readonly number[];
  /** Requests refused while blocked. */
  readonly refused: number;
  /** Refuses requests from now on: every one, or only those signed by one of `fromNodes`. */
  block(fromNodes?: Iterable<string>): void;
  unblock(): void;
  close(): Promise<void>;
}

export async function startJitterProxy(options: JitterProxyOptions): Promise<JitterProxy> {
  const target = new URL(options.target);
  const baseMs = options.baseMs ?? 0;
  const jitterMs = options.jitterMs ?? 200;
  const agent = new Agent({ keepAlive: true });
  const delays: number[] = [];
  let forwarded = 0;
  let refused = 0;
  let closed = false;
  /** undefined: open; 'all': refuse everything; a set: refuse requests signed by these nodes. */
  let blocked: 'all' | Set<string> | undefined;

  function isBlocked(req: IncomingMessage): boolean {
    if (blocked === undefined) return false;
    if (blocked === 'all') return true;
    const from = req.headers['x-codepop-node'];
    return typeof from === 'string' && blocked.has(from);
  }

  function forward(req: IncomingMessage, res: ServerResponse): void {
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    // The target being down looks, to the caller, like a refused connection would: an error answer.
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    req.pipe(upstream);
  }

  const server = createServer((req, res) => {
    if (isBlocked(req)) {
      refused += 1;
      // A reset, not an answer: the caller sees the peer unreachable, as across a real cut.
      req.socket.destroy();
      return;
    }
    const delay = baseMs + Math.random() * jitterMs;
    delays.push(delay);
    // The request body stays paused in its stream until it is piped on.
    setTimeout(() => {
      if (closed) return void res.destroy();
      forwarded += 1;
      forward(req, res);
    }, delay);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get forwarded() {
      return forwarded;
    },
    delays,
    get refused() {
      return refused;
    },
    block(fromNodes) {
      blocked = fromNodes === undefined ? 'all' : new Set(fromNodes);
    },
    unblock() {
      blocked = undefined;
    },
    async close() {
      closed = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
