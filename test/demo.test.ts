// `codepop demo` as a newcomer runs it: a small network starts, prints a URL
// per node, each URL says which node it is, Ctrl-C stops every node cleanly,
// and a second run brings back the same network with its data.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { mainScript } from '../src/cli/node-process.js';
import { freePortRange, tempDir } from './harness/processes.js';

interface DemoRun {
  output: () => string;
  urls: Promise<Map<string, string>>;
  interrupt: () => Promise<number | null>;
}

function runDemo(dataDir: string, basePort: number): DemoRun {
  const child = spawn(process.execPath, [mainScript, 'demo', '--data-dir', dataDir, '--base-port', String(basePort), '--stores-per-region', '1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const urls = new Promise<Map<string, string>>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      text += chunk.toString('utf8');
      if (text.includes('Press Ctrl-C')) {
        const found = new Map<string, string>();
        for (const m of text.matchAll(/^(hub|store) +[A-G] {2}(.+?) +(http:\/\/127\.0\.0\.1:\d+)$/gm)) found.set(m[2]!.trim(), m[3]!);
        resolve(found);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => reject(new Error(`demo exited (${code}) early:\n${text}`)));
  });
  urls.catch(() => undefined);
  return {
    output: () => text,
    urls,
    interrupt: async () => {
      child.kill('SIGINT');
      return exited;
    },
  };
}

describe('codepop demo', () => {
  it('starts a network with a node in every region, stops on Ctrl-C, and restarts with the same nodes', async () => {
    const dataDir = tempDir('codepop-demo-');
    const basePort = await freePortRange(14);
    const first = runDemo(dataDir, basePort);
    let ids: Map<string, string>;
    try {
      const urls = await first.urls;
      expect(urls.size).toBe(14); // 7 hubs + 1 store in each of the 7 regions
      expect(first.output()).toMatch(/14\/14 registered/);
      expect(first.output()).toMatch(/memory [\d.]+ GiB RSS in all/);
      ids = new Map();
      for (const [name, url] of urls) {
        const info = (await (await fetch(`${url}/api/v1/node`)).json()) as { nodeId: string; displayName: string };
        expect(info.displayName).toBe(name);
        ids.set(name, info.nodeId);
      }
    } finally {
      expect(await first.interrupt(), first.output()).toBe(0);
    }
    expect(first.output()).toMatch(/stopped: 14\/14 cleanly/);

    const second = runDemo(dataDir, basePort);
    try {
      const urls = await second.urls;
      expect(second.output()).toMatch(/network root key found/);
      for (const [name, url] of urls) {
        const info = (await (await fetch(`${url}/api/v1/node`)).json()) as { nodeId: string };
        expect(info.nodeId).toBe(ids.get(name));
      }
    } finally {
      expect(await second.interrupt(), second.output()).toBe(0);
    }
  }, 180_000);
});
