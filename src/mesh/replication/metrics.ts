// Replication figures for /metrics, read from the engine at scrape time:
// per peer the undelivered backlog and the age of the oldest undelivered
// event (replication lag as the operator feels it), and event counters.
import { Gauge, type Registry } from 'prom-client';
import type { NodeReplicator } from './wiring.js';

export function registerReplicationMetrics(registry: Registry, replicator: NodeReplicator): void {
  new Gauge({
    name: 'codepop_replication_backlog_events',
    help: 'Events a peer lacks, per topic it shares with this node (only topics with a backlog appear)',
    labelNames: ['peer', 'topic'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const s of await replicator.status()) {
        for (const [topic, t] of Object.entries(s.topics)) this.set({ peer: s.peer, topic }, t.backlog);
      }
    },
  });
  new Gauge({
    name: 'codepop_replication_oldest_undelivered_seconds',
    help: 'Age of the oldest event a peer still lacks',
    labelNames: ['peer'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const s of await replicator.status()) if (s.oldestUndeliveredAgeMs !== null) this.set({ peer: s.peer }, s.oldestUndeliveredAgeMs / 1000);
    },
  });
  new Gauge({
    name: 'codepop_replication_events_total',
    help: 'Events emitted here, applied from peers, received again (duplicates) and refused',
    labelNames: ['kind'] as const,
    registers: [registry],
    collect() {
      for (const [kind, n] of Object.entries(replicator.counters)) this.set({ kind }, n);
    },
  });
}
