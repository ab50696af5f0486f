// Smart batching: calls that arrive in the same turn of the event loop, or
// while a batch is being carried out, go together as the next one. A lone
// call goes on the next turn (no timer, no added latency worth the name when
// the store is quiet); under load batches grow by themselves, so many customers' checkouts share one database round trip,
// one commit and one pass over the shared stock rows (cups, lids, ice every
// drink needs), instead of queueing one by one on those rows' locks.
// `run` answers one result per item, in order: a value, or an Error for
// that item alone. A thrown error fails the whole batch.

export interface BatcherOptions {
  /** Items per batch at most. */
  maxBatch: number;
  /** Batches carried out at the same time. */
  concurrency: number;
}

interface Waiting<I, O> {
  item: I;
  resolve(value: O): void;
  reject(err: unknown): void;
}

export class Batcher<I, O> {
  private readonly queue: Waiting<I, O>[] = [];
  private running = 0;
  private scheduled = false;
  /** Batches run and items carried, for metrics and tests. */
  readonly stats = { batches: 0, items: 0, largest: 0 };

  constructor(
    private readonly run: (items: I[]) => Promise<(O | Error)[]>,
    private readonly options: BatcherOptions,
  ) {
    if (options.maxBatch < 1 || options.concurrency < 1) throw new Error('a batcher needs maxBatch and concurrency of at least 1');
  }

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      // Start on the next turn of the event loop, not now: requests read in
      // the same turn join (an embedded database answers within the turn,
      // so nothing would ever wait behind a running batch).
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.pump();
        });
      }
    });
  }

  private pump(): void {
    while (this.running < this.options.concurrency && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.running += 1;
      this.stats.batches += 1;
      this.stats.items += batch.length;
      this.stats.largest = Math.max(this.stats.largest, batch.length);
      void this.carry(batch).finally(() => {
        this.running -= 1;
        this.pump();
      });
    }
  }

  private async carry(batch: Waiting<I, O>[]): Promise<void> {
    let results: (O | Error)[];
    try {
      results = await this.run(batch.map((w) => w.item));
      if (results.length !== batch.length) throw new Error(`a batch of ${batch.length} got ${results.length} results`);
    } catch (err) {
      for (const w of batch) w.reject(err);
      return;
    }
    batch.forEach((w, i) => {
      const r = results[i] as O | Error;
      if (r instanceof Error) w.reject(r);
      else w.resolve(r);
    });
  }
}
