// Membership benchmark, part (a): kill -9 a random store of a running
// network, time until every live peer of its region (hub and stores) reports
// it 'dead' in GET /api/v1/node/status, restart it and time until all report
// it 'alive' again; then the next kill. Also counts false accusations: any
// 'peer suspected' / 'peer declared dead' log line about a node that was up.
import { logTime, type BenchNetwork, type BenchNode, waitForState } from './mesh-network.js';
import { fmt, progress, sleep } from './report.js';

export interface KillSample {
  victim: string;
  /** kill → the last observer's status poll answering 'dead'. */
  deadByStatusMs: number;
  /** kill → the last observer's 'peer declared dead' log line (the node's own clock, same machine). */
  deadByLogMs: number;
  /** kill → the first observer's 'peer declared dead' log line. */
  firstDeadByLogMs: number;
  /** restart command → the process printed 'node started'. */
  bootMs: number;
  /** restart command → the last observer's status poll answering 'alive'. */
  aliveByStatusMs: number;
  observers: number;
}

export interface KillResult {
  samples: KillSample[];
  pollMs: number;
  /** Suspicions/deaths logged about a node while it was up (outside its kill→alive-everywhere window). */
  falseSuspected: number;
  falseDead: number;
  /** Each false accusation: who accused whom, and how long the accuser's process had run. */
  falseDetails: string[];
  windowMs: number;
}

interface DownWindow {
  nodeId: string;
  from: number;
  to: number;
}

export async function runKills(bn: BenchNetwork, kills: number, pollMs: number): Promise<KillResult> {
  const samples: KillSample[] = [];
  const down: DownWindow[] = [];
  const phaseStart = Date.now();
  let previous: BenchNode | undefined;
  for (let k = 1; k <= kills; k++) {
    const candidates = bn.stores().filter((s) => s !== previous);
    const victim = candidates[Math.floor(Math.random() * candidates.length)] as BenchNode;
    previous = victim;
    const observers = bn.regionPeers(victim);
    const proc = victim.handle.proc;
    if (!proc) throw new Error(`${victim.handle.name} is not running`);

    // Kill at a random phase of the heartbeat cycle, not right after the last alive-check.
    await sleep(Math.random() * 1000);
    const killAt = Date.now();
    await proc.kill();
    const dead = await waitForState(observers, victim, 'dead', killAt, pollMs);
    const deadByStatusMs = Math.max(...dead.values());
    const deadLog = observers.map((o) => deadLogTime(o, victim.nodeId, killAt));
    const deadByLogMs = Math.max(...deadLog) - killAt;
    const firstDeadByLogMs = Math.min(...deadLog) - killAt;

    const restartAt = Date.now();
    await bn.start(victim);
    const bootMs = Date.now() - restartAt;
    const alive = await waitForState(observers, victim, 'alive', restartAt, pollMs);
    const aliveByStatusMs = Math.max(...alive.values());
    down.push({ nodeId: victim.nodeId, from: killAt, to: restartAt + aliveByStatusMs });

    samples.push({ victim: victim.handle.name, deadByStatusMs, deadByLogMs, firstDeadByLogMs, bootMs, aliveByStatusMs, observers: observers.length });
    progress(
      `kill ${k}/${kills}: ${victim.handle.name} dead everywhere (${observers.length} region peers) after ${s(deadByStatusMs)} by status poll ` +
        `(logs: first ${s(firstDeadByLogMs)}, last ${s(deadByLogMs)}); restarted, booted in ${s(bootMs)}, alive everywhere after ${s(aliveByStatusMs)}`,
    );
  }
  const phaseEnd = Date.now();
  const accusations = falseAccusations(bn, down, phaseStart, phaseEnd);
  return { samples, pollMs, ...accusations, windowMs: phaseEnd - phaseStart };
}

function s(ms: number): string {
  return `${fmt(ms / 1000, 2)} s`;
}

/** When `observer`'s current process logged `peer declared dead` about the victim after the kill. */
function deadLogTime(observer: BenchNode, victimId: string, killAt: number): number {
  const logs = observer.handle.proc?.logs ?? [];
  const hit = logs.find((l) => l.msg === 'peer declared dead' && l.peer === victimId && logTime(l) >= killAt);
  return hit ? logTime(hit) : Number.NaN;
}

function falseAccusations(
  bn: BenchNetwork,
  down: DownWindow[],
  from: number,
  to: number,
): { falseSuspected: number; falseDead: number; falseDetails: string[] } {
  let falseSuspected = 0;
  let falseDead = 0;
  const falseDetails: string[] = [];
  for (const { node, entry, spawnedAt } of bn.logs()) {
    if (entry.msg !== 'peer suspected' && entry.msg !== 'peer declared dead') continue;
    const t = logTime(entry);
    if (!(t >= from && t <= to)) continue;
    // Log times are whole milliseconds; allow one either side of the window.
    const wasDown = down.some((w) => w.nodeId === entry.peer && t >= w.from - 1 && t <= w.to + 1);
    if (wasDown) continue;
    if (entry.msg === 'peer suspected') falseSuspected += 1;
    else falseDead += 1;
    const accused = bn.byId(entry.peer)?.handle.name ?? String(entry.peer);
    falseDetails.push(`${entry.msg}: ${node.handle.name} about ${accused}, ${s(t - spawnedAt)} after ${node.handle.name}'s process was spawned`);
  }
  return { falseSuspected, falseDead, falseDetails };
}
