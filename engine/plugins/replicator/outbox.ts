// The durable outbox: one empty object per write, `plugin=replicator/outbox/STAMP/resource=R/id=ID`, PUT before
// the write reaches the bucket and deleted once the document's current state reached every target. A process
// that dies in between leaves the entry behind; any process draining the outbox later delivers it. STAMP starts
// with the time in base 36, so a LIST returns the oldest entries first and the age of the oldest is the lag.
import { randomBytes } from 'node:crypto';
import { replicatorOutboxKey, replicatorOutboxPrefix, splitReplicatorOutboxKey } from '../../keys.js';
import { listPages, type ObjectStore } from '../../storage/index.js';

export interface OutboxEntry {
  key: string;
  resource: string;
  id: string;
  /** When the entry was written (ms since the epoch). */
  at: number;
}

/** A stamp that sorts by time (9 base-36 digits of ms: good until the year 5188) and is unique. */
export function outboxStamp(now = Date.now()): string {
  return `${now.toString(36).padStart(9, '0')}-${randomBytes(6).toString('hex')}`;
}

export function stampTime(stamp: string): number {
  return parseInt(stamp.slice(0, 9), 36);
}

export class Outbox {
  constructor(
    private readonly store: ObjectStore,
    private readonly prefix: string,
  ) {}

  /** Records that `resource/id` is about to change; returns the entry. */
  async add(resource: string, id: string, now = Date.now()): Promise<OutboxEntry> {
    const key = replicatorOutboxKey(outboxStamp(now), resource, id, this.prefix);
    await this.store.put(key, '');
    return { key, resource, id, at: now };
  }

  async remove(keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) await this.store.deleteMany(keys.slice(i, i + 1000));
  }

  /** Every entry, oldest first, one LIST page (1,000 entries) at a time. */
  async *pages(): AsyncGenerator<OutboxEntry[]> {
    for await (const page of listPages(this.store, replicatorOutboxPrefix(this.prefix))) {
      const entries: OutboxEntry[] = [];
      for (const obj of page.objects) {
        const parts = splitReplicatorOutboxKey(obj.key, this.prefix);
        if (parts) entries.push({ key: obj.key, resource: parts.resource, id: parts.id, at: stampTime(parts.stamp) });
      }
      yield entries;
    }
  }
}
