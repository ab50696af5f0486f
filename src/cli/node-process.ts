// Starts a `codepop node` as a child process and follows it: the demo and
// the real-process tests both use this. A node is ready when its log says
// "node started" with its URL.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const mainScript = fileURLToPath(new URL('./main.js', import.meta.url).href.replace('/src/cli/', '/dist/cli/'));

export interface NodeProcessOptions {
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** Extra flags for node itself, e.g. V8 flags that shrink memory. */
  nodeFlags?: string[];
  /** Append the node's log lines to this file. */
  logFile?: string;
  /** Called with every parsed log line (JSON); lines that are not JSON come as { msg }. */
  onLog?: (entry: Record<string, unknown>) => void;
}

export interface NodeProcess {
  child: ChildProcess;
  /** Resolves with the node's URL once it listens; rejects if it exits first. */
  ready: Promise<string>;
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<number | string>;
  stderr(): string;
  /** SIGTERM and wait; SIGKILL after the grace period. */
  stop(graceMs?: number): Promise<number | string>;
  kill(): Promise<number | string>;
}

export function spawnNodeProcess(options: NodeProcessOptions): NodeProcess {
  const child = spawn(process.execPath, [...(options.nodeFlags ?? []), mainScript, 'node', ...options.args], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let file: WriteStream | undefined;
  if (options.logFile) file = createWriteStream(options.logFile, { flags: 'a' });
  let stderrText = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderrText += chunk.toString('utf8');
    file?.write(chunk);
  });

  let resolveReady: (url: string) => void = () => undefined;
  let rejectReady: (err: Error) => void = () => undefined;
  const ready = new Promise<string>((res, rej) => {
    resolveReady = res;
    rejectReady = rej;
  });
  ready.catch(() => undefined);

  const lines = createInterface({ input: child.stdout! });
  lines.on('line', (line) => {
    file?.write(`${line}\n`);
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      entry = { msg: line };
    }
    if (entry.msg === 'node started' && typeof entry.url === 'string') resolveReady(entry.url);
    options.onLog?.(entry);
  });

  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      const result = code ?? signal ?? 'unknown';
      rejectReady(new Error(`node exited (${String(result)}) before it was ready: ${stderrText.slice(-2000)}`));
      file?.end();
      resolve(result);
    });
  });

  async function stop(graceMs = 10_000): Promise<number | string> {
    if (child.exitCode !== null || child.signalCode !== null) return exited;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    const result = await exited;
    clearTimeout(timer);
    return result;
  }

  return {
    child,
    ready,
    exited,
    stderr: () => stderrText,
    stop,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      return exited;
    },
  };
}
