// Background jobs of a node (heartbeats, outbox delivery, anti-entropy…):
// started after the node listens, stopped before its database closes. A job
// that throws is logged and runs again at its next interval; it never takes
// the node down.
import type { Logger } from 'pino';

export interface Job {
  name: string;
  intervalMs: number;
  run(): Promise<void>;
}

export class JobRunner {
  private readonly jobs: Job[] = [];
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private stopped = true;

  constructor(private readonly log: Logger) {}

  add(job: Job): void {
    this.jobs.push(job);
    if (!this.stopped) this.schedule(job, 0);
  }

  start(): void {
    this.stopped = false;
    for (const job of this.jobs) this.schedule(job, 0);
  }

  private schedule(job: Job, delay: number): void {
    const timer = setTimeout(() => {
      if (this.stopped) return;
      const p = job
        .run()
        .catch((err: unknown) => this.log.warn({ err, job: job.name }, 'background job failed; it will run again'))
        .finally(() => {
          this.running.delete(p);
          if (!this.stopped) this.schedule(job, job.intervalMs);
        });
      this.running.add(p);
    }, delay);
    this.timers.set(job.name, timer);
  }

  /** Stops scheduling and waits for runs in flight to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.running]);
  }
}
