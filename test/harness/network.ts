// A small real network for tests and benchmarks: a root key, hubs certified
// by it, stores joining with one-time tokens, each a real `codepop node`
// process on a loopback port. Node data directories start from a copy of an
// initialised database, so no process pays for initdb. A node may be given a
// `peerUrl` (a proxy in front of it) that peers use instead of its own port.
import path from 'node:path';
import { certifyHub, initNetwork, issueJoinTokenFor } from '../../src/mesh/admission/admission.js';
import { freePort, startNodeProcess, tempDir, type StartedProcess } from './processes.js';

export const OPERATOR_TOKEN = 'network-test-operator-token';

export interface NetworkOptions {
  heartbeatMs?: number;
  backoffCapMs?: number;
  /** Directory of an initialised PGlite database to copy for each node. */
  pgliteTemplate?: string;
}

export interface NodeHandle {
  name: string;
  region: string;
  role: 'hub' | 'store';
  dataDir: string;
  port: number;
  url: string;
  lat: number;
  lon: number;
  /**
   * How peers reach this node, when not at `url` (e.g. a proxy a test can cut):
   * started with it as its public URL, and named by it in other nodes' hub
   * lists and join tokens. The test itself keeps using `url`.
   */
  peerUrl?: string;
  proc?: StartedProcess;
}

export class TestNetwork {
  readonly dir = tempDir('codepop-net-');
  readonly root = initNetwork(path.join(this.dir, 'root'));
  readonly nodes: NodeHandle[] = [];

  constructor(readonly options: NetworkOptions = {}) {}

  private commonFlags(node: NodeHandle): Record<string, string | number> {
    return {
      role: node.role,
      name: node.name,
      region: node.region,
      lat: node.lat,
      lon: node.lon,
      port: node.port,
      dataDir: node.dataDir,
      operatorToken: OPERATOR_TOKEN,
      heartbeatMs: this.options.heartbeatMs ?? 1000,
      backoffCapMs: this.options.backoffCapMs ?? 2000,
      ...(this.options.pgliteTemplate ? { pgliteTemplate: this.options.pgliteTemplate } : {}),
    };
  }

  /** Certifies a hub (not started yet). */
  async defineHub(region: string, lat: number, lon: number, name = `Hub ${region}`): Promise<NodeHandle> {
    const dataDir = path.join(this.dir, `hub-${region}`);
    certifyHub({ rootKeyFile: this.root.keyFile, dataDir, region });
    const port = await freePort();
    const node: NodeHandle = { name, region, role: 'hub', dataDir, port, url: `http://127.0.0.1:${port}`, lat, lon };
    this.nodes.push(node);
    return node;
  }

  async defineStore(region: string, name: string, lat: number, lon: number): Promise<NodeHandle> {
    const dataDir = path.join(this.dir, `store-${name.replace(/\W+/g, '-').toLowerCase()}`);
    const port = await freePort();
    const node: NodeHandle = { name, region, role: 'store', dataDir, port, url: `http://127.0.0.1:${port}`, lat, lon };
    this.nodes.push(node);
    return node;
  }

  hubs(): NodeHandle[] {
    return this.nodes.filter((n) => n.role === 'hub');
  }

  hubOf(region: string): NodeHandle {
    const hub = this.hubs().find((h) => h.region === region);
    if (!hub) throw new Error(`no hub for region ${region}`);
    return hub;
  }

  joinToken(region: string, ttlMs = 10 * 60_000): string {
    const hub = this.hubOf(region);
    return issueJoinTokenFor({ hubDataDir: hub.dataDir, region, ttlMs, hubUrl: hub.peerUrl ?? hub.url }).token;
  }

  /** Starts (or restarts) a node; a store without a certificate gets a fresh join token unless one is given. */
  async start(node: NodeHandle, extra: Record<string, string | number> = {}): Promise<StartedProcess> {
    const { joinToken, ...rest } = extra;
    const flags: Record<string, string | number> = {
      ...this.commonFlags(node),
      hubs: this.hubs().map((h) => h.peerUrl ?? h.url).join(','),
      ...(node.peerUrl ? { publicUrl: node.peerUrl } : {}),
      ...rest,
    };
    // A store without a certificate gets a token; it goes by environment, as an operator should pass it (argv shows in ps).
    const token = joinToken ?? (node.role === 'store' ? this.joinToken(node.region) : undefined);
    node.proc = await startNodeProcess(flags, token !== undefined ? { env: { CODEPOP_JOIN_TOKEN: String(token) } } : {});
    return node.proc;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.proc?.stop(5000)));
  }

  /** Every node's log, for a failing test to print. */
  logs(): string {
    return this.nodes
      .map((n) => `--- ${n.name} (${n.url})\n${(n.proc?.logs ?? []).map((l) => JSON.stringify(l)).join('\n')}\n${n.proc?.stderr() ?? ''}`)
      .join('\n');
  }
}

export async function getJson<T>(url: string, token = OPERATOR_TOKEN): Promise<T> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`${url} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

export interface PeerView {
  nodeId: string;
  name: string;
  role: string;
  state: string;
  source: 'observed' | 'reported' | null;
  latencyMs: number | null;
  distanceMiles: number;
}

export async function peersOf(node: NodeHandle): Promise<PeerView[]> {
  const status = await getJson<{ mesh: { peers: PeerView[] } }>(`${node.url}/api/v1/node/status`);
  return status.mesh.peers;
}

/** Polls until `check` returns a value (not undefined), or fails after the timeout with the last error. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
