// How a delete stays deleted when an update races it, on AWS and on Ceph RGW alike. RGW checks a PUT's If-Match
// and then writes, not atomically with a concurrent DELETE (36/100 raw races let both succeed and the object
// survive), but conditional PUTs do serialize with each other. So a delete first replaces the document by a
// tombstone with ifMatch on the ETag it read: a racing update's ifMatch PUT then fails and its re-read finds the
// tombstone (absent). Then the references go, and last the tombstone itself. docs/reliability.md has the figures.
import { TOMBSTONE_FIELD, TOMBSTONE_SETTLE_MS } from '../behaviors/index.js';
import { ConflictError } from '../errors.js';
import type { Metadata, ObjectStore, PutOptions } from '../storage/index.js';

const INSERT_WAITS = 12;

export function isTombstone(metadata: Metadata): boolean {
  return metadata[TOMBSTONE_FIELD] !== undefined;
}

/** Replaces the object at `key` by a tombstone unless it changed since `etag` (false then). */
export async function putTombstone(store: ObjectStore, key: string, etag: string): Promise<boolean> {
  try {
    await store.put(key, '', { [TOMBSTONE_FIELD]: '1' }, { ifMatch: etag });
    return true;
  } catch (e) {
    if (!(e instanceof ConflictError)) throw e;
    // An SDK retry of our own PUT meets our own tombstone: the delete happened.
    const attempts = e.details.attempts;
    if (typeof attempts !== 'number' || attempts < 2) return false;
    const head = await store.head(key);
    return head !== null && isTombstone(head.metadata);
  }
}

/**
 * After an ifNoneMatch insert met an existing key: when it is a tombstone left long enough ago (a crashed
 * delete), writes over it with ifMatch; when a delete is in progress, waits for it (bounded). Returns false when
 * a live document holds the id (or another writer took the key first): the caller reports a duplicate.
 */
export async function insertOverTombstone(
  store: ObjectStore,
  key: string,
  body: string,
  metadata: Metadata,
  options: PutOptions,
): Promise<boolean> {
  for (let wait = 0; wait < INSERT_WAITS; wait++) {
    const head = await store.head(key);
    try {
      if (head === null) {
        await store.put(key, body, metadata, { ...options, ifNoneMatch: '*' });
        return true;
      }
      if (!isTombstone(head.metadata)) return false;
      if (Date.now() - head.lastModified.getTime() >= TOMBSTONE_SETTLE_MS) {
        await store.put(key, body, metadata, { ...options, ifMatch: head.etag });
        return true;
      }
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
    }
    await new Promise((r) => setTimeout(r, Math.min(500, 10 * 2 ** wait)));
  }
  throw new ConflictError(`"${key}" is being deleted; the insert was not applied`, {
    details: { key },
    hint: 'A delete of this id is in progress; retry the insert in a moment.',
    retryable: true,
  });
}

/**
 * After writing references for a document: when the document is gone or a tombstone by now, a delete raced
 * this write and may have removed its references before they were written, so remove them here (the last
 * writer cleans up). One HEAD.
 */
export async function dropReferencesIfGone(store: ObjectStore, key: string, references: string[]): Promise<void> {
  if (references.length === 0) return;
  const head = await store.head(key);
  if (head === null || isTombstone(head.metadata)) await store.deleteMany(references);
}
