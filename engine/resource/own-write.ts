// Recognising our own write after a lost response: the SDK retried a conditional PUT whose first attempt had
// reached the server, so the retry failed its precondition against the very body we sent.
import type { ConflictError } from '../errors.js';
import type { ObjectStore } from '../storage/index.js';
import { REVISION_FIELD } from './record-codec.js';

/**
 * After a conditional PUT failed its precondition: true when the object holds the very body this writer sent
 * (same random revision), i.e. an earlier attempt of the same PUT reached the server but its response was lost
 * and the SDK's retry then hit our own write. Such a write succeeded; it must not be reported as a conflict
 * nor applied a second time.
 */
export async function isOwnWrite(
  store: ObjectStore,
  conflict: ConflictError,
  key: string,
  body: string,
): Promise<boolean> {
  // Only a retried PUT can meet its own earlier attempt (stores report `details.attempts`, S3's SDK does).
  const attempts = conflict.details.attempts;
  if (typeof attempts !== 'number' || attempts < 2) return false;
  const cur = await store.get(key);
  if (!cur) return false;
  try {
    const sent = (JSON.parse(body) as Record<string, unknown>)[REVISION_FIELD];
    const found = (JSON.parse(cur.body.toString('utf8')) as Record<string, unknown>)[REVISION_FIELD];
    return typeof sent === 'string' && sent === found;
  } catch {
    return false;
  }
}
