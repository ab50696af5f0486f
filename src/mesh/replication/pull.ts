// A pull of one topic from one peer, now: what a store does when it meets a
// visitor (DESIGN §3). It subscribes first, so the events it pulls are held
// and anti-entropy keeps the topic current afterwards.
import type { Replicator, SyncRequest, SyncResponse } from './engine.js';

export async function pullTopic<Tx>(
  replicator: Replicator<Tx>,
  topic: string,
  sync: (request: SyncRequest) => Promise<SyncResponse>,
  maxPages = 50,
): Promise<void> {
  await replicator.subscribe(topic);
  for (let page = 0; page < maxPages; page++) {
    const res = await sync({ vector: { [topic]: replicator.myVector()[topic] ?? {} }, limit: 500 });
    await replicator.receive(res.events);
    if (!res.more) return;
  }
}
