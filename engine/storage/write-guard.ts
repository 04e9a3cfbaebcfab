// The store a Database writes through. It refuses every write when the database is read-only, and before the
// first write to an S3 endpoint it checks once that the endpoint honours conditional writes (If-None-Match: *
// and If-Match): every guarantee of the engine (no lost update, one winner per id, deletes that stay deleted)
// rests on them, and some S3 emulators accept and silently ignore both. Memory and file stores implement the
// conditions themselves (the contract suite proves it), so they are not probed.
import { randomBytes } from 'node:crypto';
import { ConfigError, ConflictError, type S3dbError } from '../errors.js';
import { PROBE_PREFIX } from '../keys.js';
import type {
  DeleteManyResult,
  ListOptions,
  ListResult,
  Metadata,
  ObjectHead,
  ObjectStore,
  PutOptions,
  RequestCounts,
  StoredObject,
} from './object-store.js';

/** An ETag no object has: a PUT with `ifMatch` on it must fail. */
const IMPOSSIBLE_ETAG = '"00000000000000000000000000000000"';

async function refused(attempt: Promise<unknown>): Promise<boolean> {
  try {
    await attempt;
    return false;
  } catch (e) {
    if (e instanceof ConflictError) return true;
    throw e;
  }
}

/**
 * Which condition `store` ignores, or null when both hold. 4 requests on a fresh key under PROBE_PREFIX:
 * PUT (If-None-Match: *), PUT again (must fail), PUT with If-Match on an impossible ETag (must fail), DELETE.
 */
export async function probeConditions(store: ObjectStore): Promise<string | null> {
  const key = `${PROBE_PREFIX}${randomBytes(8).toString('hex')}`;
  try {
    await store.put(key, 'probe', {}, { ifNoneMatch: '*' });
    if (!(await refused(store.put(key, 'probe again', {}, { ifNoneMatch: '*' })))) return 'If-None-Match: *';
    if (!(await refused(store.put(key, 'probe changed', {}, { ifMatch: IMPOSSIBLE_ETAG })))) return 'If-Match';
    return null;
  } finally {
    await store.delete(key);
  }
}

export class WriteGuard implements ObjectStore {
  readonly kind: ObjectStore['kind'];
  readonly description: string;
  private refusal: S3dbError | null = null;
  private probed: Promise<void> | null;

  constructor(
    readonly inner: ObjectStore,
    options: { readOnly: boolean },
  ) {
    this.kind = inner.kind;
    this.description = inner.description;
    if (options.readOnly) {
      this.refusal = new ConfigError(`The database on ${inner.description} is open read-only; writes are refused`, {
        details: { store: inner.description },
        hint: 'Open it without readOnly (the server without --read-only) to change anything.',
      });
    }
    this.probed = inner.kind === 's3' && !options.readOnly ? null : Promise.resolve();
  }

  /** Why writes are refused, or null. */
  get writeRefusal(): S3dbError | null {
    return this.refusal;
  }

  private async writable(): Promise<void> {
    if (this.refusal) throw this.refusal;
    this.probed ??= probeConditions(this.inner).then(
      (ignored) => {
        if (ignored === null) return;
        this.refusal = new ConfigError(
          `${this.inner.description} ignores ${ignored} on PUT; the engine refuses to write to it`,
          {
            details: { store: this.inner.description, ignoredCondition: ignored },
            hint: 'Use an S3 server that honours conditional writes (AWS S3, Ceph RGW, recent MinIO); reads still work.',
          },
        );
      },
      (e: unknown) => {
        this.probed = null; // a network error is no verdict: probe again on the next write
        throw e;
      },
    );
    await this.probed;
    if (this.refusal) throw this.refusal;
  }

  get(key: string): Promise<StoredObject | null> {
    return this.inner.get(key);
  }
  head(key: string): Promise<ObjectHead | null> {
    return this.inner.head(key);
  }
  list(options?: ListOptions): Promise<ListResult> {
    return this.inner.list(options);
  }
  async put(key: string, body: Buffer | string, metadata?: Metadata, options?: PutOptions): Promise<{ etag: string }> {
    await this.writable();
    return this.inner.put(key, body, metadata, options);
  }
  async delete(key: string): Promise<void> {
    await this.writable();
    return this.inner.delete(key);
  }
  async deleteMany(keys: string[]): Promise<DeleteManyResult> {
    await this.writable();
    return this.inner.deleteMany(keys);
  }
  requestCounts(): RequestCounts {
    return this.inner.requestCounts();
  }
  resetRequestCounts(): void {
    this.inner.resetRequestCounts();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
